import { IndicatorId } from '../constants';
import { fired, notApplicable, quiet, type IndicatorDefinition, type ObservedEvent } from '../model';
import { ids, list, succeeded } from './util';

export const missingBusinessTags: IndicatorDefinition = {
  id: IndicatorId.MISSING_BUSINESS_TAGS,
  title: 'Missing business tags',
  threshold: (s) => (s.requiredTags.length ? `each launch carries ${s.requiredTags.join(', ')}` : 'no requiredTags configured: not checked'),
  kind: 'context',
  evaluate(group, { settings, enrichment }) {
    if (settings.requiredTags.length === 0) return notApplicable('no requiredTags configured');
    const launches = group.events.filter((e) => e.facts.launch !== undefined && succeeded(e));
    if (launches.length === 0) return notApplicable('no successful launches');
    const absentFrom = (tags: Readonly<Record<string, string>>): string[] => settings.requiredTags.filter((t) => !(t in tags) || tags[t] === '');
    // A launch template may add tags the record does not show: those
    // launches are judged by the instances' tags when the workflow has
    // described them (enrichment), and not at all before.
    const described = new Map((enrichment?.instances ?? []).filter((i) => i.found).map((i) => [i.instanceId, i.tags]));
    const tagsOf = (e: ObservedEvent): Readonly<Record<string, string>> | undefined => {
      const l = e.facts.launch!;
      if (l.tagsComplete || absentFrom(l.tags).length === 0) return l.tags;
      const now = l.instanceIds.map((id) => described.get(id)).filter((t): t is Readonly<Record<string, string>> => t !== undefined);
      if (now.length === 0 || now.length !== l.instanceIds.length) return undefined;
      const merged: Record<string, string> = {};
      for (const t of now) Object.assign(merged, t);
      return { ...merged, ...l.tags };
    };
    const known = launches.filter((e) => tagsOf(e) !== undefined);
    if (known.length === 0) return notApplicable('launched from a launch template: tags are checked on the instance during enrichment');
    const missing = new Set<string>();
    const offenders = known.filter((e) => {
      const absent = absentFrom(tagsOf(e)!);
      absent.forEach((t) => missing.add(t));
      return absent.length > 0;
    });
    if (offenders.length === 0) return quiet(`${known.length === launches.length ? 'every launch carries' : 'launches the record shows in full carry'} the required tags`);
    const instances = offenders.flatMap((e) => e.facts.launch!.instanceIds);
    return fired(`${offenders.length} of ${known.length} launches lack ${list([...missing])}${instances.length ? ` (${list(instances)})` : ''}`, ids(offenders), {
      missing: [...missing],
      instanceIds: instances,
    });
  },
};
