import { IndicatorId } from '../constants';
import { fired, notApplicable, quiet, type IndicatorDefinition } from '../model';
import { ids, list, succeeded } from './util';

export const terminationProtectionSet: IndicatorDefinition = {
  id: IndicatorId.TERMINATION_PROTECTION_SET,
  title: 'Termination protection set',
  threshold: () => 'any instance given termination protection',
  kind: 'activity',
  evaluate(group) {
    const relevant = group.events.filter((e) => e.facts.modify !== undefined || e.facts.launch !== undefined);
    if (relevant.length === 0) return notApplicable('no launch or ModifyInstanceAttribute calls');
    const set = relevant.filter((e) => succeeded(e) && (e.facts.modify?.terminationProtection === true || e.facts.launch?.terminationProtection === true));
    if (set.length === 0) return quiet('termination protection not set');
    const instances = set.flatMap((e) => (e.facts.modify?.instanceId ? [e.facts.modify.instanceId] : (e.facts.launch?.instanceIds ?? [])));
    return fired(`on ${instances.length ? list(instances) : 'the launched instances'}`, ids(set), { instanceIds: instances });
  },
};
