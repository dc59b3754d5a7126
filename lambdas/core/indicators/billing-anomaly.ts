import { signalsFor } from '../billing';
import { IndicatorId } from '../constants';
import { fired, notApplicable, quiet, type IndicatorDefinition } from '../model';
import { ids, list } from './util';

export const billingAnomaly: IndicatorDefinition = {
  id: IndicatorId.BILLING_ANOMALY,
  title: 'Billing anomaly',
  threshold: () => 'any compute anomaly overlapping the activity (baseline: > 3x the 28-day median and USD 50 above it)',
  kind: 'context',
  evaluate(group, { billing }) {
    if (!billing) return notApplicable('no billing data (the daily billing check, or hunt --billing with saved Cost Explorer responses)');
    const times = group.events.map((e) => e.event.time);
    const regions = [...new Set(group.events.map((e) => e.event.region))];
    const matching = signalsFor(billing.signals, group.accountId, regions, Math.min(...times), Math.max(...times));
    if (matching.length === 0) return quiet(`no compute anomaly for ${group.accountId} ${list(regions)} in ${billing.coverage}`);
    const launches = group.events.filter((e) => e.facts.launch && e.facts.outcome === 'succeeded');
    return fired(list(matching.map((s) => s.explanation), 2), ids(launches.length ? launches : group.events), {
      signals: matching.map((s) => ({ id: s.id, source: s.source, impact: s.impact, start: s.start, end: s.end, ...(s.region ? { region: s.region } : {}) })),
    });
  },
};
