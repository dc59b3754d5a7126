import { IndicatorId } from '../constants';
import { fired, notApplicable, quiet, type IndicatorDefinition, type ObservedEvent } from '../model';
import { ids, list } from './util';

/** Everything but giving resources back says where someone is building. */
const building = (e: ObservedEvent): boolean => e.facts.release === undefined;

export const unusualRegion: IndicatorDefinition = {
  id: IndicatorId.UNUSUAL_REGION,
  title: 'Unusual region',
  threshold: (s) =>
    s.approvedRegions.length
      ? `region not in approvedRegions (${s.approvedRegions.join(', ')})`
      : `first use of a region by the account, once the account has ${s.baseline.learningHours} h of history`,
  kind: 'context',
  evaluate(group, { settings }) {
    const events = group.events.filter(building);
    if (events.length === 0) return notApplicable('no acquisition activity');
    if (settings.approvedRegions.length > 0) {
      const approved = new Set(settings.approvedRegions);
      const outside = events.filter((e) => !approved.has(e.event.region));
      if (outside.length === 0) return quiet(`all activity in approved regions`);
      const regions = [...new Set(outside.map((e) => e.event.region))];
      return fired(`activity in ${list(regions)}, not in approvedRegions (${list(settings.approvedRegions)})`, ids(outside), { regions, basis: 'approvedRegions' });
    }
    const learningMs = settings.baseline.learningHours * 3_600_000;
    const judged = events.filter((e) => e.novelty.accountSeenSince !== undefined && e.event.time - e.novelty.accountSeenSince >= learningMs);
    if (judged.length === 0) {
      return notApplicable(`no approvedRegions configured and the account has less than ${settings.baseline.learningHours} h of history to learn its regions from`);
    }
    const fresh = judged.filter((e) => e.novelty.regionFirstSeen);
    if (fresh.length === 0) return quiet('all activity in regions the account already used');
    const regions = [...new Set(fresh.map((e) => e.event.region))];
    return fired(`first acquisition activity of this account in ${list(regions)} (learned baseline; no approvedRegions configured)`, ids(fresh), { regions, basis: 'baseline' });
  },
};
