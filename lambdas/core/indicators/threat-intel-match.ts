import { IndicatorId } from '../constants';
import { fired, notApplicable, quiet, type IndicatorDefinition, type ObservedEvent } from '../model';
import type { IpFeedEntry, ThreatIntel } from '../threat-intel';
import { ids, list } from './util';

interface Hit {
  readonly e: ObservedEvent;
  readonly what: string;
  readonly value: string;
  readonly entry: IpFeedEntry;
}

function lookup(intel: ThreatIntel, kind: 'ip' | 'domain', value: string): IpFeedEntry | undefined {
  return kind === 'ip' ? intel.ips.match(value) : intel.domains.match(value);
}

export const threatIntelMatch: IndicatorDefinition = {
  id: IndicatorId.THREAT_INTEL_MATCH,
  title: 'Threat-intel match',
  threshold: () => 'any match on threatIntel.ipFeeds or threatIntel.domainFeeds',
  kind: 'activity',
  evaluate(group, { intel, enrichment }) {
    if (intel.feeds.length === 0) return notApplicable('no threat-intel feeds configured');
    const hits: Hit[] = [];
    for (const e of group.events) {
      for (const o of e.facts.observables) {
        const entry = lookup(intel, o.kind, o.value);
        if (entry) hits.push({ e, what: o.what, value: o.value, entry });
      }
    }
    // The addresses the instances have now (assigned after launch, or moved).
    if (enrichment) {
      const launchedBy = new Map(group.events.flatMap((e) => (e.facts.launch?.instanceIds ?? []).map((id) => [id, e] as const)));
      for (const i of enrichment.instances) {
        const e = launchedBy.get(i.instanceId) ?? group.events[0]!;
        for (const ip of i.publicIps) {
          const entry = intel.ips.match(ip);
          if (entry) hits.push({ e, what: `public IP of ${i.instanceId}`, value: ip, entry });
        }
      }
    }
    if (hits.length === 0) return quiet(`checked against ${list(intel.feeds)}`);
    const text = [...new Set(hits.map((h) => `${h.what} ${h.value} (listed as ${h.entry.text} in ${h.entry.feed}:${h.entry.line})`))];
    return fired(list(text, 3), ids(hits.map((h) => h.e)), {
      matches: [...new Map(hits.map((h) => [h.value, { value: h.value, where: h.what, listed: h.entry.text, feed: h.entry.feed, line: h.entry.line }])).values()],
    });
  },
};
