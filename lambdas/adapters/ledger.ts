import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LaunchRecord } from '../core/billing';
import type { TrailEvent } from '../core/cloudtrail/types';
import { TransientError } from '../core/errors';
import type { EventFacts } from '../core/facts';
import { placeEvent, type Placement, type StoredGroup } from '../core/ledger';
import type { Churn, Novelty, ObservedEvent } from '../core/model';
import type { EngineSettings } from '../core/settings';
import { Keys, documentClient, expiresAfter } from './table';

/**
 * The ledger: the correlation state the scorer keeps between invocations,
 * in the responder table. Every write that several concurrent invocations
 * may make is conditional, so none can lose another's update:
 * - first-seen baselines are put only if absent (the first writer wins);
 * - a resource's creation is deleted with ALL_OLD to detect churn exactly once;
 * - a group is rewritten only if its version is the one that was read
 *   (optimistic locking, retried on conflict).
 */

export interface LedgerOptions {
  readonly tableName: string;
  readonly ledgerDays: number;
  readonly churnMinutes: number;
  readonly now: () => number;
  readonly client?: DynamoDBDocumentClient;
}

const MAX_ATTEMPTS = 8;

const succeededAcquisition = (f: EventFacts): boolean => f.outcome === 'succeeded' && (f.launch !== undefined || f.address !== undefined);

function isConflict(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException || (err instanceof Error && err.name === 'ConditionalCheckFailedException');
}

export class Ledger {
  private readonly db: DynamoDBDocumentClient;

  constructor(private readonly o: LedgerOptions) {
    this.db = o.client ?? documentClient();
  }

  private ttl(days = this.o.ledgerDays): number {
    return expiresAfter(this.o.now(), days);
  }

  /** What the baseline knew before this event; learns from successful acquisitions. */
  async novelty(event: TrailEvent, facts: EventFacts): Promise<Novelty> {
    const keys = [Keys.baseline(event.accountId), Keys.region(event.accountId, event.region), Keys.principal(event.accountId, event.actor.arn)];
    const got = await this.db.send(new BatchGetCommand({ RequestItems: { [this.o.tableName]: { Keys: keys, ConsistentRead: true } } }));
    const items = got.Responses?.[this.o.tableName] ?? [];
    const find = (sk: string): Record<string, unknown> | undefined => items.find((i) => i.sk === sk);
    const baseline = find(keys[0]!.sk);
    const novelty: Novelty = {
      ...(typeof baseline?.since === 'number' ? { accountSeenSince: baseline.since } : {}),
      regionFirstSeen: !find(keys[1]!.sk),
      principalFirstSeen: !find(keys[2]!.sk),
    };
    if (succeededAcquisition(facts)) await this.learn(event);
    return novelty;
  }

  private async learn(event: TrailEvent): Promise<void> {
    const expiresAt = this.ttl();
    // The learning clock is the earliest acquisition: keep the smaller time.
    await this.ignoreConflict(
      this.db.send(
        new UpdateCommand({
          TableName: this.o.tableName,
          Key: Keys.baseline(event.accountId),
          UpdateExpression: 'SET since = :t, expiresAt = :x',
          ConditionExpression: 'attribute_not_exists(since) OR since > :t',
          ExpressionAttributeValues: { ':t': event.time, ':x': expiresAt },
        }),
      ),
    );
    for (const key of [Keys.region(event.accountId, event.region), Keys.principal(event.accountId, event.actor.arn)]) {
      // Refresh the expiry of what is known; first seen stays the first writer's.
      await this.db.send(
        new UpdateCommand({
          TableName: this.o.tableName,
          Key: key,
          UpdateExpression: 'SET firstSeen = if_not_exists(firstSeen, :t), expiresAt = :x',
          ExpressionAttributeValues: { ':t': event.time, ':x': expiresAt },
        }),
      );
    }
  }

  /** Records what the event created and returns what it released within the churn window. */
  async churn(event: TrailEvent, facts: EventFacts): Promise<Churn[]> {
    const churn: Churn[] = [];
    if (facts.outcome !== 'succeeded') return churn;
    const windowMs = this.o.churnMinutes * 60_000;
    if (facts.release) {
      const r = facts.release;
      const released: [string, Churn['kind']][] = [
        ...r.instanceIds.map((id): [string, Churn['kind']] => [id, 'instance']),
        ...r.allocationIds.map((id): [string, Churn['kind']] => [id, 'address']),
        ...r.publicIps.map((id): [string, Churn['kind']] => [id, 'address']),
        ...r.requestIds.map((id): [string, Churn['kind']] => [id, 'request']),
      ];
      for (const [id, kind] of released) {
        const out = await this.db.send(
          new DeleteCommand({ TableName: this.o.tableName, Key: Keys.resource(event.accountId, event.region, id), ReturnValues: 'ALL_OLD' }),
        );
        const created = out.Attributes as { at?: unknown; by?: unknown } | undefined;
        const at = created?.at;
        if (typeof at === 'number' && event.time - at <= windowMs && event.time >= at) {
          churn.push({ resource: id, kind, createdAt: at, releasedAt: event.time, createdBy: typeof created?.by === 'string' ? created.by : '' });
        }
      }
    }
    const created: [string, Churn['kind']][] = [
      ...(facts.launch?.instanceIds ?? []).map((id): [string, Churn['kind']] => [id, 'instance']),
      ...(facts.launch?.requestIds ?? []).map((id): [string, Churn['kind']] => [id, 'request']),
      ...(facts.address && /Allocate/.test(event.eventName)
        ? [...facts.address.allocationIds, ...facts.address.publicIps].map((id): [string, Churn['kind']] => [id, 'address'])
        : []),
    ];
    // Only churn needs these: they expire a day after they could matter.
    const expiresAt = Math.floor((event.time + windowMs) / 1000) + 86_400;
    for (const [id, kind] of created) {
      await this.db.send(
        new PutCommand({
          TableName: this.o.tableName,
          Item: { ...Keys.resource(event.accountId, event.region, id), at: event.time, by: event.actor.arn, kind, expiresAt },
        }),
      );
    }
    return churn;
  }

  /**
   * Keeps a successful launch where the billing check can find it by
   * account and time: who launched what, in which region. Written once per
   * event (a redelivery rewrites the same item).
   */
  async recordLaunch(event: TrailEvent, facts: EventFacts, findingId: string): Promise<void> {
    const allocated = facts.address && /Allocate/.test(event.eventName) ? facts.address.allocationIds : [];
    if (facts.outcome !== 'succeeded' || (!facts.launch && allocated.length === 0)) return;
    const record: LaunchRecord = {
      accountId: event.accountId,
      region: event.region,
      time: event.time,
      eventId: event.eventId,
      actor: { arn: event.actor.arn, type: event.actor.type, ...(event.actor.issuerArn ? { issuerArn: event.actor.issuerArn } : {}), ...(facts.serviceInvoked ? { invokedBy: facts.serviceInvoked } : {}) },
      instanceTypes: facts.launch?.instanceTypes ?? [],
      instanceIds: (facts.launch?.instanceIds ?? []).slice(0, 500),
      ...(allocated.length ? { allocationIds: allocated } : {}),
      findingId,
    };
    await this.db.send(new PutCommand({ TableName: this.o.tableName, Item: { ...Keys.launch(event.accountId, event.time, event.eventId), launchJson: JSON.stringify(record), region: event.region, expiresAt: this.ttl() } }));
  }

  /** Launches in an account between two times (epoch ms), optionally in one region, oldest first. */
  async launches(accountId: string, from: number, to: number, region?: string): Promise<LaunchRecord[]> {
    const out: LaunchRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.o.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ...(region ? { FilterExpression: '#region = :region' } : {}),
          ExpressionAttributeNames: region ? { '#region': 'region' } : undefined,
          ExpressionAttributeValues: { ':pk': `LAUNCHES#${accountId}`, ':from': new Date(from).toISOString(), ':to': `${new Date(to).toISOString()}~`, ...(region ? { ':region': region } : {}) },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) out.push(JSON.parse(String(item.launchJson)) as LaunchRecord);
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /**
   * Elastic IPs the reconciliation sweep already knows in an account and
   * region, and whether it has swept there before (its first sweep learns
   * what exists without reporting it: an address carries no allocation
   * time, so only what appears later can be called new).
   */
  async sweptAddresses(accountId: string, region: string): Promise<{ baseline: boolean; ids: Set<string> }> {
    const out = await this.db.send(new GetCommand({ TableName: this.o.tableName, Key: { pk: `SWEPT#${accountId}/${region}`, sk: 'ADDRESSES' }, ConsistentRead: true }));
    return { baseline: out.Item !== undefined, ids: new Set((out.Item?.ids as Set<string> | undefined) ?? []) };
  }

  async markSwept(accountId: string, region: string, ids: readonly string[]): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.o.tableName,
        Key: { pk: `SWEPT#${accountId}/${region}`, sk: 'ADDRESSES' },
        UpdateExpression: ids.length ? 'ADD ids :ids SET since = if_not_exists(since, :now)' : 'SET since = if_not_exists(since, :now)',
        ExpressionAttributeValues: { ...(ids.length ? { ':ids': new Set(ids) } : {}), ':now': this.o.now() },
      }),
    );
  }

  async getGroup(key: string): Promise<StoredGroup | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.o.tableName, Key: Keys.group(key), ConsistentRead: true }));
    const raw = (out.Item as { group?: unknown } | undefined)?.group;
    return typeof raw === 'string' ? (JSON.parse(raw) as StoredGroup) : undefined;
  }

  /** Puts the event in its group: read, place, conditional write, retried on conflict. */
  async place(observed: ObservedEvent, key: string, settings: EngineSettings): Promise<Placement> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const stored = await this.getGroup(key);
      const placement = placeEvent(stored, observed, key, settings);
      if (placement.kind === 'duplicate') return placement;
      try {
        await this.writeGroup(placement.group, stored?.version);
        return placement;
      } catch (err) {
        if (!isConflict(err)) throw err;
        await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
      }
    }
    throw new TransientError(`group ${key}: ${MAX_ATTEMPTS} concurrent updates in a row; will retry`);
  }

  /** Marks a tier as started for the group's finding; false when another invocation already did. */
  async markStarted(group: StoredGroup, tier: 1 | 2): Promise<boolean> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const current = await this.getGroup(group.key);
      if (!current || current.findingId !== group.findingId) return false;
      if (current.startedTiers.includes(tier)) return false;
      const next: StoredGroup = { ...current, startedTiers: [...current.startedTiers, tier], version: current.version + 1 };
      try {
        await this.writeGroup(next, current.version);
        return true;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
    throw new TransientError(`group ${group.key}: could not record the started workflow; will retry`);
  }

  private async writeGroup(group: StoredGroup, expectedVersion: number | undefined): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.o.tableName,
        Item: { ...Keys.group(group.key), group: JSON.stringify(group), version: group.version, expiresAt: this.ttl() },
        ...(expectedVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': expectedVersion } }),
      }),
    );
  }

  private async ignoreConflict(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  }
}
