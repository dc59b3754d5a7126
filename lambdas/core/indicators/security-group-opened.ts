import { IndicatorId } from '../constants';
import { describePorts, isWorld, type PortRange } from '../facts';
import { fired, notApplicable, quiet, type IndicatorDefinition } from '../model';
import { ids, list, succeeded } from './util';

/** True when the range is entirely made of allowed ports (e.g. 443 alone). */
function onlyAllowed(p: PortRange, allowed: readonly number[]): boolean {
  if (p.protocol === '-1' || p.protocol === 'all') return false;
  if (p.protocol.toLowerCase() === 'icmp' || p.protocol === '1') return true;
  if (p.from === undefined) return false;
  const to = p.to ?? p.from;
  for (let port = p.from; port <= to; port++) if (!allowed.includes(port)) return false;
  return true;
}

export const securityGroupOpened: IndicatorDefinition = {
  id: IndicatorId.SECURITY_GROUP_OPENED,
  title: 'Security group opened to the world',
  threshold: (s) => `world-open ingress on ports other than ${s.securityGroups.worldOpenAllowedPorts.join(', ')}`,
  kind: 'activity',
  evaluate(group, { settings }) {
    const calls = group.events.filter((e) => e.facts.ingress !== undefined);
    if (calls.length === 0) return notApplicable('no ingress rules added');
    const allowed = settings.securityGroups.worldOpenAllowedPorts;
    // Each rule carries its own sources: 443 from the world next to 22 from
    // a private range in one call is not SSH opened to the world.
    const risky = (p: PortRange): boolean => p.cidrs.some(isWorld) && !onlyAllowed(p, allowed);
    const open = calls.filter((e) => succeeded(e) && e.facts.ingress!.permissions.some(risky));
    if (open.length === 0) return quiet('no world-open ingress beyond the allowed ports');
    const text = open.map((e) => {
      const rules = e.facts.ingress!.permissions.filter(risky);
      return `${e.facts.ingress!.groupId ?? 'a group'}: ${describePorts(rules)} from ${[...new Set(rules.flatMap((p) => p.cidrs.filter(isWorld)))].join(' and ')}`;
    });
    return fired(list(text, 3), ids(open), { securityGroups: [...new Set(open.map((e) => e.facts.ingress!.groupId).filter(Boolean))] });
  },
};
