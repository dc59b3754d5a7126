import type { TrailEvent } from './cloudtrail/types';
import { extractFacts, type EventFacts } from './facts';
import type { Churn, EventGroup, Novelty, ObservedEvent } from './model';
import type { EngineSettings } from './settings';

/**
 * Turns a time-ordered stream of events into groups: one principal, one
 * account, events no further apart than the correlation window (and never
 * spanning more than maxSpanHours). A burst of 20 launches is one group.
 *
 * Along the way it keeps the two pieces of memory correlation needs, the
 * same ones the cloud ledger keeps in DynamoDB:
 * - a first-seen baseline per account (regions and principals that have
 *   acquired before), learned only from successful acquisitions so that a
 *   failed probe or a key pair does not make a region look normal;
 * - a registry of recently created resources, to recognise churn.
 */

const NO_CHURN: readonly Churn[] = Object.freeze([]);

const succeededAcquisition = (f: EventFacts): boolean => f.outcome === 'succeeded' && (f.launch !== undefined || f.address !== undefined);

export function groupKey(event: TrailEvent, facts: EventFacts): string {
  return `${event.accountId}|${event.actor.arn}|${facts.serviceInvoked ?? ''}`;
}

interface AccountMemory {
  /** First successful acquisition: the learning clock starts with what regions are learned from. */
  readonly since: number;
  readonly regions: Set<string>;
  readonly principals: Set<string>;
}

export class Baseline {
  private readonly accounts = new Map<string, AccountMemory>();

  /** What was known before this event; then learn from it (successful acquisitions only). */
  observe(event: TrailEvent, facts: EventFacts): Novelty {
    const known = this.accounts.get(event.accountId);
    const novelty: Novelty = known
      ? { accountSeenSince: known.since, regionFirstSeen: !known.regions.has(event.region), principalFirstSeen: !known.principals.has(event.actor.arn) }
      : { regionFirstSeen: true, principalFirstSeen: true };
    if (succeededAcquisition(facts)) {
      const memory = known ?? { since: event.time, regions: new Set<string>(), principals: new Set<string>() };
      if (!known) this.accounts.set(event.accountId, memory);
      memory.regions.add(event.region);
      memory.principals.add(event.actor.arn);
    }
    return novelty;
  }
}

interface Created {
  readonly kind: Churn['kind'];
  readonly at: number;
  readonly by: string;
}

export class ResourceRegistry {
  private readonly created = new Map<string, Created>();

  constructor(private readonly churnMs: number) {}

  /** Records what the event created and returns what it released early. */
  observe(event: TrailEvent, facts: EventFacts): readonly Churn[] {
    if (facts.outcome !== 'succeeded' || (!facts.release && !facts.launch && !facts.address)) return NO_CHURN;
    const churn: Churn[] = [];
    const scope = `${event.accountId}/${event.region}/`;
    const r = facts.release;
    if (r) {
      this.released(scope, r.instanceIds, 'instance', event.time, churn);
      this.released(scope, r.allocationIds, 'address', event.time, churn);
      this.released(scope, r.publicIps, 'address', event.time, churn);
      this.released(scope, r.requestIds, 'request', event.time, churn);
    }
    const by = event.actor.arn;
    const launch = facts.launch;
    if (launch) {
      this.createdAll(scope, launch.instanceIds, 'instance', event.time, by);
      this.createdAll(scope, launch.requestIds, 'request', event.time, by);
    }
    if (facts.address && event.eventName.includes('Allocate')) {
      this.createdAll(scope, facts.address.allocationIds, 'address', event.time, by);
      this.createdAll(scope, facts.address.publicIps, 'address', event.time, by);
    }
    if (this.created.size > 50_000) this.prune(event.time);
    return churn;
  }

  private released(scope: string, ids: readonly string[], kind: Churn['kind'], at: number, churn: Churn[]): void {
    for (const id of ids) {
      const c = this.created.get(scope + id);
      if (!c) continue;
      this.created.delete(scope + id);
      if (at - c.at <= this.churnMs) churn.push({ resource: id, kind, createdAt: c.at, releasedAt: at, createdBy: c.by });
    }
  }

  private createdAll(scope: string, ids: readonly string[], kind: Churn['kind'], at: number, by: string): void {
    for (const id of ids) this.created.set(scope + id, { kind, at, by });
  }

  /** Forget what can no longer churn. */
  private prune(now: number): void {
    for (const [id, c] of this.created) if (now - c.at > this.churnMs) this.created.delete(id);
  }
}

interface OpenGroup {
  readonly key: string;
  readonly events: ObservedEvent[];
  readonly first: number;
  last: number;
}

export class Correlator {
  private readonly open = new Map<string, OpenGroup>();
  private readonly baseline = new Baseline();
  private readonly registry: ResourceRegistry;
  private readonly windowMs: number;
  private readonly maxSpanMs: number;
  private lastTime = -Infinity;
  private sinceSweep = 0;

  constructor(
    settings: EngineSettings,
    private readonly onGroup: (group: EventGroup) => void,
  ) {
    this.windowMs = settings.correlation.windowMinutes * 60_000;
    this.maxSpanMs = settings.correlation.maxSpanHours * 3_600_000;
    this.registry = new ResourceRegistry(settings.churn.minutes * 60_000);
  }

  /** Events must arrive in time order (ties in any stable order); facts may come precomputed. */
  add(event: TrailEvent, facts: EventFacts = extractFacts(event)): void {
    if (event.time < this.lastTime) throw new RangeError(`events out of order: ${event.eventId} at ${event.eventTime} after ${new Date(this.lastTime).toISOString()}`);
    this.lastTime = event.time;
    const observed: ObservedEvent = {
      event,
      facts,
      novelty: this.baseline.observe(event, facts),
      churn: this.registry.observe(event, facts),
    };
    const key = groupKey(event, facts);
    const g = this.open.get(key);
    if (g && event.time - g.last <= this.windowMs && event.time - g.first <= this.maxSpanMs) {
      g.events.push(observed);
      g.last = event.time;
    } else {
      if (g) this.close(g);
      this.open.set(key, { key, events: [observed], first: event.time, last: event.time });
    }
    if (++this.sinceSweep >= 1000) this.sweep(event.time);
  }

  /** Close every group (end of input). */
  flush(): void {
    for (const g of [...this.open.values()].sort((a, b) => a.first - b.first)) this.close(g);
  }

  /** Groups idle for longer than the window cannot grow again: close them, keeping memory flat. */
  private sweep(now: number): void {
    this.sinceSweep = 0;
    for (const g of this.open.values()) if (now - g.last > this.windowMs) this.close(g);
  }

  private close(g: OpenGroup): void {
    this.open.delete(g.key);
    const first = g.events[0]!.event;
    this.onGroup({ key: g.key, accountId: first.accountId, actor: first.actor, events: g.events });
  }
}
