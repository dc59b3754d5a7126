import { IndicatorId } from '../constants';
import { fired, notApplicable, quiet, type IndicatorDefinition, type ObservedEvent } from '../model';
import type { EngineSettings } from '../settings';
import { ids, minutes, succeeded } from './util';

interface Weighed {
  readonly e: ObservedEvent;
  readonly instances: number;
  readonly vcpus: number;
  readonly addresses: number;
}

/**
 * The busiest window of `windowMs`: most instances, vCPUs and addresses, each at its own peak.
 * The evidence is the window where the last of the peaks was reached; it is
 * sliced out once at the end (a burst improves on almost every event, and
 * copying the window each time made large groups quadratic).
 */
function peaks(items: readonly Weighed[], windowMs: number) {
  let instances = 0;
  let vcpus = 0;
  let addresses = 0;
  let bestLo = 0;
  let bestHi = -1;
  let lo = 0;
  let inst = 0;
  let cpu = 0;
  let addr = 0;
  for (let hi = 0; hi < items.length; hi++) {
    const h = items[hi]!;
    inst += h.instances;
    cpu += h.vcpus;
    addr += h.addresses;
    while (h.e.event.time - items[lo]!.e.event.time > windowMs) {
      const l = items[lo++]!;
      inst -= l.instances;
      cpu -= l.vcpus;
      addr -= l.addresses;
    }
    if (inst > instances || cpu > vcpus || addr > addresses) {
      instances = Math.max(instances, inst);
      vcpus = Math.max(vcpus, cpu);
      addresses = Math.max(addresses, addr);
      bestLo = lo;
      bestHi = hi;
    }
  }
  const events: ObservedEvent[] = [];
  for (let i = bestLo; i <= bestHi; i++) events.push(items[i]!.e);
  const span = bestHi < 0 ? 0 : items[bestHi]!.e.event.time - items[bestLo]!.e.event.time;
  return { instances, vcpus, addresses, span, events };
}

const threshold = (s: EngineSettings): string =>
  `>= ${s.burst.instances} instances or >= ${s.burst.vcpus} vCPUs or >= ${s.burst.addresses} addresses in ${s.burst.windowMinutes} min`;

export const provisioningBurst: IndicatorDefinition = {
  id: IndicatorId.PROVISIONING_BURST,
  title: 'Provisioning burst',
  threshold,
  kind: 'context',
  evaluate(group, { settings }) {
    const items: Weighed[] = group.events
      .filter((e) => succeeded(e) && (e.facts.launch !== undefined || (e.facts.address !== undefined && /Allocate/.test(e.event.eventName))))
      .map((e) => ({
        e,
        instances: e.facts.launch?.count ?? 0,
        vcpus: e.facts.launch?.vcpus ?? 0,
        addresses: e.facts.address ? Math.max(1, e.facts.address.allocationIds.length) : 0,
      }));
    if (items.length === 0) return notApplicable('nothing was acquired');
    const b = settings.burst;
    const p = peaks(items, b.windowMinutes * 60_000);
    const over: string[] = [];
    if (p.instances >= b.instances) over.push(`${p.instances} instances`);
    if (p.vcpus >= b.vcpus) over.push(`${p.vcpus} vCPUs`);
    if (p.addresses >= b.addresses) over.push(`${p.addresses} addresses`);
    if (over.length === 0) return quiet(`peak ${p.instances} instances, ${p.vcpus} vCPUs, ${p.addresses} addresses per ${b.windowMinutes} min`);
    return fired(
      `${over.join(', ')} within ${minutes(p.span)} (threshold ${threshold(settings)})`,
      ids(p.events),
      { instances: p.instances, vcpus: p.vcpus, addresses: p.addresses, spanMs: p.span },
    );
  },
};
