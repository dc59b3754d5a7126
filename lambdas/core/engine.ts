import type { TrailEvent } from './cloudtrail/types';
import { Correlator } from './correlate';
import { extractFacts, type EventFacts } from './facts';
import type { BillingData } from './billing';
import { buildFinding } from './finding';
import type { Finding, IndicatorContext } from './model';
import { DEFAULT_SETTINGS, type EngineSettings } from './settings';
import { emptyThreatIntel, type ThreatIntel } from './threat-intel';

/**
 * The engine: events in, explained findings out. The CLI hunt calls
 * `analyze` on everything it read; the cloud scorer evaluates one group at
 * a time with the same `buildFinding`, its state kept in the ledger.
 */

export interface EngineOptions {
  readonly settings?: EngineSettings;
  readonly intel?: ThreatIntel;
  /** Billing signals, when Cost Explorer data is at hand (hunt --billing). */
  readonly billing?: BillingData;
}

export interface Analysis {
  readonly findings: Finding[];
  /** Events dropped because an event with the same id was already seen. */
  readonly duplicates: number;
}

/** Order of reports: escalations first, then by score, then oldest first. */
export function compareFindings(a: Finding, b: Finding): number {
  return Number(b.escalate) - Number(a.escalate) || b.score - a.score || a.firstSeen.localeCompare(b.firstSeen) || a.findingId.localeCompare(b.findingId);
}

export function byTime(a: TrailEvent, b: TrailEvent): number {
  return a.time - b.time || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}

/**
 * The same event delivered twice (CloudTrail is at-least-once, and the same
 * file may be given twice) has the same id, name, time, account and caller,
 * and the same request. Hand-written and sanitised test data reuse ids
 * ("1111", "..."), so the id alone is not enough; the request is compared
 * only when everything else collides.
 */
function sameEvent(a: TrailEvent, b: TrailEvent): boolean {
  return (
    a.eventName === b.eventName &&
    a.time === b.time &&
    a.accountId === b.accountId &&
    a.actor.arn === b.actor.arn &&
    JSON.stringify(a.requestParameters) === JSON.stringify(b.requestParameters)
  );
}

/**
 * An event with its facts extracted and its (large) response dropped: what
 * readers hand to the engine. Extracting where the event is read spreads
 * the work over the reader threads and keeps the engine's memory small.
 */
export interface Sighting {
  readonly event: TrailEvent;
  readonly facts: EventFacts;
}

export function toSighting(event: TrailEvent): Sighting {
  return { event: { ...event, responseElements: null }, facts: extractFacts(event) };
}

export function analyze(events: Iterable<TrailEvent>, options: EngineOptions = {}): Analysis {
  const sightings: Sighting[] = [];
  for (const e of events) sightings.push({ event: e, facts: extractFacts(e) });
  return analyzeSightings(sightings, options);
}

export function analyzeSightings(sightings: Iterable<Sighting>, options: EngineOptions = {}): Analysis {
  const ctx: IndicatorContext = { settings: options.settings ?? DEFAULT_SETTINGS, intel: options.intel ?? emptyThreatIntel(), ...(options.billing ? { billing: options.billing } : {}) };
  // Events by id (the id is almost always unique, so this is one lookup per event); the rest is compared on collision.
  const seen = new Map<string, TrailEvent[]>();
  const unique: Sighting[] = [];
  let duplicates = 0;
  for (const s of sightings) {
    const e = s.event;
    const same = seen.get(e.eventId);
    if (same?.some((x) => sameEvent(x, e))) {
      duplicates++;
      continue;
    }
    if (same) same.push(e);
    else seen.set(e.eventId, [e]);
    unique.push(s);
  }
  unique.sort((a, b) => byTime(a.event, b.event));
  const findings: Finding[] = [];
  const correlator = new Correlator(ctx.settings, (group) => {
    const f = buildFinding(group, ctx);
    if (f) findings.push(f);
  });
  for (const s of unique) correlator.add(s.event, s.facts);
  correlator.flush();
  findings.sort(compareFindings);
  return { findings, duplicates };
}
