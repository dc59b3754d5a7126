import { IndicatorId } from '../constants';
import { fired, notApplicable, quiet, type IndicatorDefinition } from '../model';
import { ids, list, plural, succeeded, tallyCounts, where } from './util';

export const serverProvisioned: IndicatorDefinition = {
  id: IndicatorId.SERVER_PROVISIONED,
  title: 'Servers provisioned',
  threshold: () => 'any successful launch (dry runs and failed calls acquire nothing)',
  kind: 'activity',
  evaluate(group) {
    const launches = where(group, (e) => e.facts.launch !== undefined);
    if (launches.length === 0) return notApplicable('no launch calls');
    const ok = launches.filter(succeeded);
    if (ok.length === 0) return quiet('launch calls failed or were dry runs');
    const instances = ok.reduce((n, e) => n + e.facts.launch!.count, 0);
    const vcpus = ok.reduce((n, e) => n + e.facts.launch!.vcpus, 0);
    // Instances per type when a single type is known; a fleet offered
    // several types, so list them without pretending to know the mix.
    // Counted, not listed: a request's count comes from the record and can be huge.
    const types = new Map<string, number>();
    for (const e of ok) {
      const l = e.facts.launch!;
      const [type, n] = l.instanceTypes.length > 1 ? [l.instanceTypes.join('/'), 1] : [l.instanceTypes[0] ?? 'unknown type', Math.max(1, l.count)];
      types.set(type, (types.get(type) ?? 0) + n);
    }
    const instanceIds = ok.flatMap((e) => e.facts.launch!.instanceIds);
    const via = [...new Set(ok.map((e) => e.event.eventName))];
    const service = ok.map((e) => e.facts.serviceInvoked).find(Boolean);
    // Spot and fleet requests name no instance yet: say they were requested.
    const requested = ok.filter((e) => e.facts.launch!.instanceIds.length === 0 && e.event.eventName !== 'RunInstances').reduce((n, e) => n + e.facts.launch!.count, 0);
    const started = instances - requested;
    const what =
      requested === 0
        ? plural(instances, 'instance')
        : started === 0
          ? `${plural(requested, 'instance')} requested`
          : `${plural(started, 'instance')} and ${requested} more requested`;
    const summary =
      `${what} (${tallyCounts(types)}${vcpus ? `, ${vcpus} vCPUs` : ''}) via ${via.join(', ')}` +
      (instanceIds.length ? `: ${list(instanceIds)}` : '') +
      (service ? ` (invoked by ${service})` : '');
    return fired(summary, ids(ok), { instances, requested, vcpus, instanceIds, calls: via });
  },
};
