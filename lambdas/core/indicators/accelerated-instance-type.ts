import { IndicatorId } from '../constants';
import { familyMatches, parseInstanceType } from '../instance-types';
import { fired, notApplicable, quiet, type IndicatorDefinition, type ObservedEvent } from '../model';
import { ids, list } from './util';

const NO_TYPES: readonly string[] = [];

function typesOf(e: ObservedEvent): readonly string[] {
  const launch = e.facts.launch;
  if (launch) {
    // Usually the response confirms what was asked for: no set needed.
    const { instanceTypes: launched, requestedTypes: requested } = launch;
    if (requested.length === 0 || (launched.length === requested.length && launched.every((t, i) => t === requested[i]))) return launched;
    if (launched.length === 0) return requested;
    return [...new Set([...launched, ...requested])];
  }
  if (e.facts.modify?.instanceType) return [e.facts.modify.instanceType];
  return NO_TYPES;
}

export const acceleratedInstanceType: IndicatorDefinition = {
  id: IndicatorId.ACCELERATED_INSTANCE_TYPE,
  title: 'GPU / accelerated or very large instance type',
  threshold: (s) => `family in ${s.instanceTypes.acceleratedFamilies.join(', ')} or >= ${s.instanceTypes.largeMinVcpus} vCPUs per instance`,
  kind: 'activity',
  evaluate(group, { settings }) {
    // Each event's types, worked out once.
    const withTypes: { e: ObservedEvent; types: readonly string[] }[] = [];
    for (const e of group.events) {
      const types = typesOf(e);
      if (types.length > 0) withTypes.push({ e, types });
    }
    if (withTypes.length === 0) return notApplicable('no instance types in the activity');
    const hits: { e: ObservedEvent; type: string; why: string }[] = [];
    for (const { e, types } of withTypes) {
      for (const t of types) {
        const info = parseInstanceType(t);
        if (!info) continue;
        const family = familyMatches(info.family, settings.instanceTypes.acceleratedFamilies);
        if (family) hits.push({ e, type: info.type, why: `accelerated family ${family}` });
        else if (info.vcpus >= settings.instanceTypes.largeMinVcpus) hits.push({ e, type: info.type, why: `${info.vcpus} vCPUs` });
      }
    }
    if (hits.length === 0) return quiet(`types ${list(withTypes.flatMap((w) => w.types))} are ordinary`);
    const outcomes = [...new Set(hits.map((h) => h.e.facts.outcome))];
    const types = [...new Set(hits.map((h) => `${h.type} (${h.why})`))];
    return fired(`${list(types)}${outcomes.includes('succeeded') ? '' : ` requested but ${outcomes.join('/')}`}`, ids(hits.map((h) => h.e)), {
      instanceTypes: [...new Set(hits.map((h) => h.type))],
    });
  },
};
