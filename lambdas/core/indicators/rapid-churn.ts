import { IndicatorId } from '../constants';
import { fired, notApplicable, quiet, type IndicatorDefinition } from '../model';
import { ids, list, minutes, where } from './util';

export const rapidChurn: IndicatorDefinition = {
  id: IndicatorId.RAPID_CHURN,
  title: 'Rapid churn',
  threshold: (s) => `released within ${s.churn.minutes} min of creation`,
  kind: 'activity',
  evaluate(group, { settings }) {
    const releases = where(group, (e) => e.facts.release !== undefined);
    if (releases.length === 0) return notApplicable('nothing was released');
    const churned = releases.filter((e) => e.churn.length > 0);
    if (churned.length === 0) return quiet('releases were of resources created earlier, or of resources not seen being created');
    const items = churned.flatMap((e) => e.churn);
    const text = items.map((c) => `${c.resource} after ${minutes(c.releasedAt - c.createdAt)}`);
    return fired(`${items.length} released within ${settings.churn.minutes} min of creation: ${list(text, 4)}`, ids(churned), {
      resources: items.map((c) => c.resource),
    });
  },
};
