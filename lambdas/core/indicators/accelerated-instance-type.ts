import { IndicatorId } from '../constants';
import { familyMatches, parseInstanceType } from '../instance-types';
import { fired, notApplicable, quiet, type IndicatorDefinition, type ObservedEvent } from '../model';
import { ids, list } from './util';

function typesOf(e: ObservedEvent): readonly string[] {
  if (e.facts.launch) return [...new Set([...e.facts.launch.instanceTypes, ...e.facts.launch.requestedTypes])];
  if (e.facts.modify?.instanceType) return [e.facts.modify.instanceType];
  return [];
}

export const acceleratedInstanceType: IndicatorDefinition = {
  id: IndicatorId.ACCELERATED_INSTANCE_TYPE,
  title: 'GPU / accelerated or very large instance type',
  threshold: (s) => `family in ${s.instanceTypes.acceleratedFamilies.join(', ')} or >= ${s.instanceTypes.largeMinVcpus} vCPUs per instance`,
  kind: 'activity',
  evaluate(group, { settings }) {
    const withTypes = group.events.filter((e) => typesOf(e).length > 0);
    if (withTypes.length === 0) return notApplicable('no instance types in the activity');
    const hits: { e: ObservedEvent; type: string; why: string }[] = [];
    for (const e of withTypes) {
      for (const t of typesOf(e)) {
        const info = parseInstanceType(t);
        if (!info) continue;
        const family = familyMatches(info.family, settings.instanceTypes.acceleratedFamilies);
        if (family) hits.push({ e, type: info.type, why: `accelerated family ${family}` });
        else if (info.vcpus >= settings.instanceTypes.largeMinVcpus) hits.push({ e, type: info.type, why: `${info.vcpus} vCPUs` });
      }
    }
    if (hits.length === 0) return quiet(`types ${list(withTypes.flatMap(typesOf))} are ordinary`);
    const outcomes = [...new Set(hits.map((h) => h.e.facts.outcome))];
    const types = [...new Set(hits.map((h) => `${h.type} (${h.why})`))];
    return fired(`${list(types)}${outcomes.includes('succeeded') ? '' : ` requested but ${outcomes.join('/')}`}`, ids(hits.map((h) => h.e)), {
      instanceTypes: [...new Set(hits.map((h) => h.type))],
    });
  },
};
