import { IndicatorId } from '../constants';
import { fired, notApplicable, quiet, type IndicatorDefinition } from '../model';
import { ids, list, succeeded } from './util';

export const userDataModified: IndicatorDefinition = {
  id: IndicatorId.USER_DATA_MODIFIED,
  title: 'User data modified',
  threshold: () => 'any successful userData change',
  kind: 'activity',
  evaluate(group) {
    const calls = group.events.filter((e) => e.facts.modify !== undefined);
    if (calls.length === 0) return notApplicable('no ModifyInstanceAttribute calls');
    const changed = calls.filter((e) => succeeded(e) && e.facts.modify!.userData);
    if (changed.length === 0) return quiet('no userData change');
    const instances = changed.map((e) => e.facts.modify!.instanceId ?? 'unknown instance');
    return fired(`userData replaced on ${list(instances)}`, ids(changed), { instanceIds: instances });
  },
};
