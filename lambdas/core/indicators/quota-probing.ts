import { IndicatorId } from '../constants';
import { fired, notApplicable, quiet, type IndicatorDefinition } from '../model';
import { ids, list, plural } from './util';

export const quotaProbing: IndicatorDefinition = {
  id: IndicatorId.QUOTA_PROBING,
  title: 'EC2 quota probing',
  threshold: (s) => `>= ${s.quotaProbing.minReads} EC2 quota reads, or any increase request`,
  kind: 'activity',
  evaluate(group, { settings }) {
    const calls = group.events.filter((e) => e.facts.quota !== undefined);
    if (calls.length === 0) return notApplicable('no Service Quotas calls');
    const ec2 = calls.filter((e) => (e.facts.quota!.serviceCode ?? 'ec2').toLowerCase() === 'ec2');
    if (ec2.length === 0) return quiet('quota calls were about other services');
    const increases = ec2.filter((e) => e.facts.quota!.increase);
    const reads = ec2.length - increases.length;
    if (increases.length === 0 && reads < settings.quotaProbing.minReads) return quiet(plural(reads, 'EC2 quota read'));
    const codes = ec2.map((e) => e.facts.quota!.quotaCode).filter((c): c is string => Boolean(c));
    const asked = increases.map((e) => `${e.facts.quota!.quotaCode ?? 'quota'} to ${e.facts.quota!.desiredValue ?? '?'}`);
    return fired(
      [reads ? plural(reads, 'EC2 quota read') : '', increases.length ? `increase requested: ${list(asked)}` : ''].filter(Boolean).join('; ') + (codes.length ? ` (${list(codes)})` : ''),
      ids(ec2),
      { reads, increases: increases.length, quotaCodes: [...new Set(codes)] },
    );
  },
};
