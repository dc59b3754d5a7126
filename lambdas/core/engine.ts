import type { TrailEvent } from './cloudtrail/types';
import { Correlator } from './correlate';
import { extractFacts, type EventFacts, type FactOptions } from './facts';
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
 * The same event delivered twice (CloudTrail is at-least-once, the same
 * file may be given twice, and one call can reach us from both the S3
 * trail and EventBridge) has the same id, name, time, account, caller and
 * source, and the same facts. Hand-written and sanitised test data reuse
 * ids ("1111", "..."), so the id alone is not enough; the rest is compared
 * only when ids collide. Facts rather than the raw request: they are what
 * the engine reads of the request and response, so two events with equal
 * facts are the same to it, and they do not depend on how a delivery
 * happened to order the request's keys.
 */
function sameEvent(a: Sighting, b: Sighting): boolean {
  const x = a.event;
  const y = b.event;
  return (
    x.eventName === y.eventName &&
    x.time === y.time &&
    x.accountId === y.accountId &&
    x.actor.arn === y.actor.arn &&
    x.sourceIp === y.sourceIp &&
    x.errorCode === y.errorCode &&
    JSON.stringify(a.facts) === JSON.stringify(b.facts)
  );
}

/**
 * An event with its facts extracted and its request and response dropped:
 * what readers hand to the engine. Everything the engine reads of them is
 * in the facts; keeping the parsed trees alive until the engine runs would
 * make every garbage collection of a long hunt trace and copy them.
 * Extracting where the event is read also spreads the work over threads.
 */
export interface Sighting {
  readonly event: TrailEvent;
  readonly facts: EventFacts;
}

export function toSighting(event: TrailEvent, options?: FactOptions): Sighting {
  return { event: { ...event, requestParameters: null, responseElements: null }, facts: extractFacts(event, options) };
}

export function analyze(events: Iterable<TrailEvent>, options: EngineOptions = {}): Analysis {
  const sightings: Sighting[] = [];
  for (const e of events) sightings.push(toSighting(e));
  return analyzeSightings(sightings, options);
}

export function analyzeSightings(sightings: Iterable<Sighting>, options: EngineOptions = {}): Analysis {
  const ctx: IndicatorContext = { settings: options.settings ?? DEFAULT_SETTINGS, intel: options.intel ?? emptyThreatIntel(), ...(options.billing ? { billing: options.billing } : {}) };
  // Events by id (the id is almost always unique, so this is one lookup per event); the rest is compared on collision.
  const seen = new Map<string, Sighting[]>();
  const unique: Sighting[] = [];
  let duplicates = 0;
  for (const s of sightings) {
    const same = seen.get(s.event.eventId);
    if (same?.some((x) => sameEvent(x, s))) {
      duplicates++;
      continue;
    }
    if (same) same.push(s);
    else seen.set(s.event.eventId, [s]);
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
