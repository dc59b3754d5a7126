import { IndicatorId } from '../constants';
import { fired, notApplicable, quiet, type IndicatorDefinition } from '../model';
import { ids, list, plural, succeeded, where } from './util';

export const ipAllocated: IndicatorDefinition = {
  id: IndicatorId.IP_ALLOCATED,
  title: 'Public IP addresses acquired',
  threshold: () => 'any successful allocation or association',
  kind: 'activity',
  evaluate(group) {
    const calls = where(group, (e) => e.facts.address !== undefined);
    if (calls.length === 0) return notApplicable('no address calls');
    const ok = calls.filter(succeeded);
    if (ok.length === 0) return quiet('address calls failed or were dry runs');
    const allocated = ok.filter((e) => /Allocate/.test(e.event.eventName));
    const associated = ok.filter((e) => /Associate|Attach/.test(e.event.eventName));
    const ips = ok.flatMap((e) => e.facts.address!.publicIps);
    const allocs = ok.flatMap((e) => e.facts.address!.allocationIds);
    const targets = ok.flatMap((e) => e.facts.address!.associatedInstanceIds);
    const parts: string[] = [];
    if (allocated.length) parts.push(`${plural(allocated.length, 'address', 'addresses')} allocated`);
    if (associated.length) parts.push(`${associated.length} associated${targets.length ? ` with ${list(targets)}` : ''}`);
    const named = [...ips, ...allocs];
    return fired(`${parts.join(', ')}${named.length ? `: ${list(named)}` : ''}`, ids(ok), { publicIps: ips, allocationIds: allocs, instanceIds: targets });
  },
};
