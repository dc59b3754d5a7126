/**
 * Event groups and indicator contexts built the way the engine builds them:
 * through the Correlator (baseline and churn memory included), or by hand
 * when a case needs a precise baseline state.
 */
import type { TrailEvent } from '../../lambdas/core/cloudtrail/types';
import { Correlator, groupKey } from '../../lambdas/core/correlate';
import { byTime } from '../../lambdas/core/engine';
import { extractFacts } from '../../lambdas/core/facts';
import type { Churn, EventGroup, IndicatorContext, Novelty, ObservedEvent } from '../../lambdas/core/model';
import { withDefaults, type DeepPartial, type EngineSettings } from '../../lambdas/core/settings';
import { addDomainFeed, addIpFeed, emptyThreatIntel, type ThreatIntel } from '../../lambdas/core/threat-intel';

/** Every group the Correlator closes for these events (sorted by time first), in closing order. */
export function correlate(events: readonly TrailEvent[], settings: EngineSettings = withDefaults()): EventGroup[] {
  const groups: EventGroup[] = [];
  const c = new Correlator(settings, (g) => groups.push(g));
  for (const e of [...events].sort(byTime)) c.add(e);
  c.flush();
  return groups;
}

/** The one group these events form; throws when correlation splits them. */
export function group(events: readonly TrailEvent[], settings?: EngineSettings): EventGroup {
  const groups = correlate(events, settings);
  if (groups.length !== 1) throw new Error(`expected one group, got ${groups.length}: ${groups.map((g) => g.events.map((e) => e.event.eventId).join(',')).join(' | ')}`);
  return groups[0]!;
}

/** The group holding the event with this id, out of everything correlated together. */
export function groupWith(eventId: string, events: readonly TrailEvent[], settings?: EngineSettings): EventGroup {
  const g = correlate(events, settings).find((x) => x.events.some((e) => e.event.eventId === eventId));
  if (!g) throw new Error(`no group holds ${eventId}`);
  return g;
}

export interface HandEvent {
  readonly event: TrailEvent;
  readonly novelty?: Partial<Novelty>;
  readonly churn?: readonly Churn[];
}

/** The first event the account ever showed, unless a case says otherwise. */
const FRESH: Novelty = { regionFirstSeen: true, principalFirstSeen: true };

/** A group with the baseline and churn state given explicitly (facts still come from extractFacts). */
export function handGroup(items: readonly (TrailEvent | HandEvent)[]): EventGroup {
  const observed: ObservedEvent[] = items.map((i) => {
    const h: HandEvent = 'event' in i ? i : { event: i };
    return { event: h.event, facts: extractFacts(h.event), novelty: { ...FRESH, ...h.novelty }, churn: h.churn ?? [] };
  });
  const first = observed[0];
  if (!first) throw new Error('a group needs at least one event');
  return { key: groupKey(first.event, first.facts), accountId: first.event.accountId, actor: first.event.actor, events: observed };
}

export interface Feeds {
  readonly ips?: Readonly<Record<string, string>>;
  readonly domains?: Readonly<Record<string, string>>;
}

/** Threat intel from feed texts (name -> content); throws on a bad line so fixtures stay honest. */
export function intelFrom(feeds: Feeds): ThreatIntel {
  const intel = emptyThreatIntel();
  for (const [name, body] of Object.entries(feeds.ips ?? {})) {
    const errors = addIpFeed(intel, name, body);
    if (errors.length) throw new Error(`${name}: ${JSON.stringify(errors)}`);
  }
  for (const [name, body] of Object.entries(feeds.domains ?? {})) {
    const errors = addDomainFeed(intel, name, body);
    if (errors.length) throw new Error(`${name}: ${JSON.stringify(errors)}`);
  }
  return intel;
}

/** The feeds the threat-intel cases use. Line numbers matter: evidence cites them. */
export const FEEDS = {
  ips: {
    'abuse-ips': ['# hosting ranges seen serving miners and proxies', '198.51.100.0/24   ; proxy pool', '203.0.113.200', '2001:db8:bad::/48'].join('\n'),
  },
  domains: {
    'c2-domains': ['# hosts-file export', '0.0.0.0 pool.evil-mining.example', 'c2.bad.example'].join('\n'),
  },
} as const satisfies Feeds;

export function context(settings: DeepPartial<EngineSettings> = {}, intel: ThreatIntel = emptyThreatIntel()): IndicatorContext {
  return { settings: withDefaults(settings), intel };
}
