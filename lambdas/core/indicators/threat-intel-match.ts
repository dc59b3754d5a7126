import { IndicatorId } from '../constants';
import { isWorld } from '../facts';
import { isObject } from '../json-walk';
import { fired, notApplicable, quiet, type IndicatorDefinition, type ObservedEvent } from '../model';
import { domainsInText, ipsInText, type IpFeedEntry, type ThreatIntel } from '../threat-intel';
import { stringLeaves } from '../json-walk';
import { ids, list } from './util';

interface Hit {
  readonly e: ObservedEvent;
  readonly what: string;
  readonly value: string;
  readonly entry: IpFeedEntry;
}

/**
 * Every IP, CIDR and domain an event names, with where it was found first.
 * A /0 block is everyone, not an address: it overlaps every listed block and
 * would make any world-open rule a "hit", so it is never looked up.
 */
export function observables(e: ObservedEvent): { what: string; value: string; kind: 'ip' | 'domain' }[] {
  const out = new Map<string, { what: string; value: string; kind: 'ip' | 'domain' }>();
  const add = (what: string, value: string, kind: 'ip' | 'domain'): void => {
    if (kind === 'ip' && isWorld(value)) return;
    if (!out.has(`${kind}:${value}`)) out.set(`${kind}:${value}`, { what, value, kind });
  };
  const src = e.event.sourceIp;
  if (src) add('caller IP', src, /[a-z]/i.test(src) && !src.includes(':') ? 'domain' : 'ip');
  for (const ip of e.facts.address?.publicIps ?? []) add('public IP', ip, 'ip');
  for (const cidr of e.facts.ingress?.cidrs ?? []) add('ingress source', cidr, 'ip');
  const params = e.event.requestParameters;
  if (isObject(params)) {
    for (const s of stringLeaves(params, 500)) {
      for (const ip of ipsInText(s)) add('request parameter', ip, 'ip');
      for (const d of domainsInText(s)) add('request parameter', d, 'domain');
    }
  }
  return [...out.values()];
}

function lookup(intel: ThreatIntel, kind: 'ip' | 'domain', value: string): IpFeedEntry | undefined {
  return kind === 'ip' ? intel.ips.match(value) : intel.domains.match(value);
}

export const threatIntelMatch: IndicatorDefinition = {
  id: IndicatorId.THREAT_INTEL_MATCH,
  title: 'Threat-intel match',
  description: 'The caller IP, an allocated or associated public IP, an ingress CIDR, or an IP or domain in the request is on a configured feed (CIDR-aware, subdomains included).',
  why: 'A known-bad address or domain turns an odd acquisition into a confirmed one; the card escalates it on its own.',
  threshold: () => 'any match on threatIntel.ipFeeds or threatIntel.domainFeeds',
  kind: 'activity',
  evaluate(group, { intel }) {
    if (intel.feeds.length === 0) return notApplicable('no threat-intel feeds configured');
    const hits: Hit[] = [];
    for (const e of group.events) {
      for (const o of observables(e)) {
        const entry = lookup(intel, o.kind, o.value);
        if (entry) hits.push({ e, what: o.what, value: o.value, entry });
      }
    }
    if (hits.length === 0) return quiet(`checked against ${list(intel.feeds)}`);
    const text = [...new Set(hits.map((h) => `${h.what} ${h.value} (listed as ${h.entry.text} in ${h.entry.feed}:${h.entry.line})`))];
    return fired(list(text, 3), ids(hits.map((h) => h.e)), {
      matches: [...new Map(hits.map((h) => [h.value, { value: h.value, where: h.what, listed: h.entry.text, feed: h.entry.feed, line: h.entry.line }])).values()],
    });
  },
};
