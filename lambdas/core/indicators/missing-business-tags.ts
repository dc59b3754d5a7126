import { IndicatorId } from '../constants';
import { fired, notApplicable, quiet, type IndicatorDefinition } from '../model';
import { ids, list, succeeded } from './util';

export const missingBusinessTags: IndicatorDefinition = {
  id: IndicatorId.MISSING_BUSINESS_TAGS,
  title: 'Missing business tags',
  description: 'A successful launch lacks one of requiredTags (checked in the request and in the tags the response shows).',
  why: 'Documented business need is the playbook\'s test; untagged capacity has no owner to ask. Tags present never approve anything.',
  threshold: (s) => (s.requiredTags.length ? `each launch carries ${s.requiredTags.join(', ')}` : 'no requiredTags configured: not checked'),
  kind: 'context',
  evaluate(group, { settings }) {
    if (settings.requiredTags.length === 0) return notApplicable('no requiredTags configured');
    const launches = group.events.filter((e) => e.facts.launch !== undefined && succeeded(e));
    if (launches.length === 0) return notApplicable('no successful launches');
    const known = launches.filter((e) => e.facts.launch!.tags !== undefined);
    if (known.length === 0) return notApplicable('launched from a launch template: tags are checked on the instance during enrichment');
    const missing = new Set<string>();
    const offenders = known.filter((e) => {
      const tags = e.facts.launch!.tags!;
      const absent = settings.requiredTags.filter((t) => !(t in tags) || tags[t] === '');
      absent.forEach((t) => missing.add(t));
      return absent.length > 0;
    });
    if (offenders.length === 0) return quiet('every launch carries the required tags');
    const instances = offenders.flatMap((e) => e.facts.launch!.instanceIds);
    return fired(`${offenders.length} of ${known.length} launches lack ${list([...missing])}${instances.length ? ` (${list(instances)})` : ''}`, ids(offenders), {
      missing: [...missing],
      instanceIds: instances,
    });
  },
};
