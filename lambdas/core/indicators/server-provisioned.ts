import { IndicatorId } from '../constants';
import { fired, notApplicable, quiet, type IndicatorDefinition, type ObservedEvent } from '../model';
import { ids, list, plural, succeeded, tallyCounts } from './util';

export const serverProvisioned: IndicatorDefinition = {
  id: IndicatorId.SERVER_PROVISIONED,
  title: 'Servers provisioned',
  threshold: () => 'any successful launch (dry runs and failed calls acquire nothing)',
  kind: 'activity',
  evaluate(group) {
    // One pass: groups hold hundreds of launches.
    let launches = 0;
    let instances = 0;
    let vcpus = 0;
    let requested = 0;
    let service: string | undefined;
    const ok: ObservedEvent[] = [];
    const instanceIds: string[] = [];
    const via = new Set<string>();
    // Instances per type when a single type is known; a fleet offered
    // several types, so list them without pretending to know the mix.
    // Counted, not listed: a request's count comes from the record and can be huge.
    const types = new Map<string, number>();
    for (const e of group.events) {
      const l = e.facts.launch;
      if (!l) continue;
      launches++;
      if (!succeeded(e)) continue;
      ok.push(e);
      instances += l.count;
      vcpus += l.vcpus;
      const [type, n] = l.instanceTypes.length > 1 ? [l.instanceTypes.join('/'), 1] : [l.instanceTypes[0] ?? 'unknown type', Math.max(1, l.count)];
      types.set(type, (types.get(type) ?? 0) + n);
      for (const id of l.instanceIds) instanceIds.push(id);
      via.add(e.event.eventName);
      service ??= e.facts.serviceInvoked || undefined;
      // Spot and fleet requests name no instance yet: say they were requested.
      if (l.instanceIds.length === 0 && e.event.eventName !== 'RunInstances') requested += l.count;
    }
    if (launches === 0) return notApplicable('no launch calls');
    if (ok.length === 0) return quiet('launch calls failed or were dry runs');
    const calls = [...via];
    const started = instances - requested;
    const what =
      requested === 0
        ? plural(instances, 'instance')
        : started === 0
          ? `${plural(requested, 'instance')} requested`
          : `${plural(started, 'instance')} and ${requested} more requested`;
    const summary =
      `${what} (${tallyCounts(types)}${vcpus ? `, ${vcpus} vCPUs` : ''}) via ${calls.join(', ')}` +
      (instanceIds.length ? `: ${list(instanceIds)}` : '') +
      (service ? ` (invoked by ${service})` : '');
    return fired(summary, ids(ok), { instances, requested, vcpus, instanceIds, calls });
  },
};
