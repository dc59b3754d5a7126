import type { TrailEvent } from './cloudtrail/types';
import type { EventFacts } from './facts';
import { findingIdFor } from './finding';
import type { Churn, EventGroup, Novelty, ObservedEvent } from './model';
import type { EngineSettings } from './settings';

/**
 * The cloud scorer sees one event at a time, in several Lambda invocations
 * at once; the state correlation needs between them lives in the ledger
 * (DynamoDB). This module is the pure part: what a stored group looks like
 * and how an event joins it. The adapter (lambdas/adapters/ledger.ts) reads,
 * applies these functions and writes back with conditional updates.
 *
 * The same rules as the hunt's Correlator: one principal, one account,
 * events no further apart than the window, a finding never spanning more
 * than maxSpanHours. Events may arrive out of order (EventBridge is best
 * effort, SQS is not FIFO), so a group accepts events on either side of
 * what it holds, within the window.
 */

/** A group's events are capped in one item (400 KB); later ones are counted, and still move `last`. */
export const MAX_STORED_EVENTS = 250;

export interface StoredGroup {
  readonly key: string;
  readonly accountId: string;
  readonly findingId: string;
  /** Epoch ms of the earliest and latest event. */
  readonly first: number;
  readonly last: number;
  /** Compact events (no request or response), time-ordered. */
  readonly events: readonly ObservedEvent[];
  /** Events past MAX_STORED_EVENTS. */
  readonly dropped: number;
  /** Tiers (1, 2) a workflow execution has been started for. */
  readonly startedTiers: readonly number[];
  /** Optimistic-locking counter. */
  readonly version: number;
}

/** The event without its raw request and response: what the ledger keeps. */
export function compactEvent(event: TrailEvent, facts: EventFacts, novelty: Novelty, churn: readonly Churn[]): ObservedEvent {
  return { event: { ...event, requestParameters: null, responseElements: null }, facts, novelty, churn };
}

export type Placement =
  | { readonly kind: 'joined'; readonly group: StoredGroup }
  | { readonly kind: 'duplicate'; readonly group: StoredGroup }
  /** The event opens a new group; `replaces` is the stored one it closes (if any). */
  | { readonly kind: 'opened'; readonly group: StoredGroup; readonly replaces?: StoredGroup };

/**
 * Places one event: in the stored group when it is within its window, else
 * in a new group (which replaces the stored one: that group's finding is
 * complete). A repeated delivery of an event already held is a duplicate.
 */
export function placeEvent(stored: StoredGroup | undefined, observed: ObservedEvent, key: string, settings: EngineSettings): Placement {
  const t = observed.event.time;
  const windowMs = settings.correlation.windowMinutes * 60_000;
  const spanMs = settings.correlation.maxSpanHours * 3_600_000;
  if (stored) {
    if (stored.events.some((e) => e.event.eventId === observed.event.eventId && e.event.eventName === observed.event.eventName)) {
      return { kind: 'duplicate', group: stored };
    }
    const first = Math.min(stored.first, t);
    const last = Math.max(stored.last, t);
    const near = t >= stored.first - windowMs && t <= stored.last + windowMs;
    if (near && last - first <= spanMs) {
      const keep = stored.events.length < MAX_STORED_EVENTS;
      const events = keep ? [...stored.events, observed].sort((a, b) => a.event.time - b.event.time || a.event.eventId.localeCompare(b.event.eventId)) : stored.events;
      return {
        kind: 'joined',
        group: { ...stored, first, last, events, dropped: stored.dropped + (keep ? 0 : 1), version: stored.version + 1 },
      };
    }
  }
  const group: StoredGroup = {
    key,
    accountId: observed.event.accountId,
    findingId: findingIdFor({ key, accountId: observed.event.accountId }, observed.event.eventId),
    first: t,
    last: t,
    events: [observed],
    dropped: 0,
    startedTiers: [],
    version: (stored?.version ?? 0) + 1,
  };
  return stored ? { kind: 'opened', group, replaces: stored } : { kind: 'opened', group };
}

/** The engine's view of a stored group. */
export function toEventGroup(stored: StoredGroup): EventGroup {
  const first = stored.events[0]!.event;
  return { key: stored.key, accountId: stored.accountId, actor: first.actor, events: stored.events, findingId: stored.findingId };
}

/**
 * Should a workflow start for this finding now? Once per tier: a new
 * finding starts one (Tier 1 informs, Tier 2 escalates), and a finding that
 * grows into Tier 2 starts a second, escalating one. Growth within a tier
 * only updates the finding record.
 */
export function tierToStart(group: StoredGroup, tier: 1 | 2): 1 | 2 | undefined {
  if (group.startedTiers.includes(tier) || (tier === 1 && group.startedTiers.includes(2))) return undefined;
  return tier;
}

/** The execution name for a finding at a tier: the same finding never starts twice. */
export function executionName(findingId: string, tier: 1 | 2): string {
  return `${findingId}-tier${tier}`;
}
