import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InputError, TransientError } from '../core/errors';
import { documentClient, expiresAfter } from './table';

/**
 * Which Cost Anomaly Detection anomalies have been alerted on, in the
 * responder table:
 *
 *   BILLING#ANOMALY#<anomalyId>  ALERT   the impact last alerted on, how many alerts, when
 *
 * (The key is defined here, not in table.ts: only the billing check reads
 * or writes it.)
 *
 * An anomaly keeps growing after Cost Anomaly Detection first reports it:
 * the daily check sees the same id again with a larger total impact, day
 * after day. Alerting every time would bury the first alert; alerting once
 * would hide a rogue fleet that keeps scaling. So a repeat alerts again only
 * when the impact has grown by a margin over the impact last alerted on.
 *
 * Two runs can overlap (a retried invocation, a manual run), so recording an
 * alert is conditional on the record being as it was read: the first alert
 * on the record not existing, a repeat on the impact still being the one
 * read. Of two runs, one wins and alerts; the other reads the record again
 * and answers `unchanged`.
 *
 * The record expires `retainDays` after the last alert (TTL `expiresAt`,
 * refreshed by each alert): an anomaly still growing keeps its record, and
 * one seen again after it expired alerts as new.
 */

export type AlertDecision =
  | { readonly kind: 'new' }
  | { readonly kind: 'grown'; readonly previousImpact: number; readonly growthPercent: number }
  | { readonly kind: 'unchanged'; readonly previousImpact: number };

export interface AnomalyStore {
  /**
   * Whether to alert on an anomaly now: `new` the first time its id is seen,
   * `grown` when `totalImpact` is at least `marginPercent` percent above (and
   * strictly above) the impact last alerted on, else `unchanged`. A `new` or
   * `grown` answer has already been recorded as alerted.
   *
   * `growthPercent` is measured against the impact last alerted on; it is
   * Infinity when that impact was zero.
   */
  decide(anomalyId: string, totalImpact: number, marginPercent: number): Promise<AlertDecision>;
}

export interface AnomalyStoreOptions {
  readonly tableName: string;
  readonly client?: DynamoDBDocumentClient;
  /** Epoch ms. @default Date.now */
  readonly now?: () => number;
  /** Days a record is kept after its last alert. @default 90 */
  readonly retainDays?: number;
}

const DEFAULT_RETAIN_DAYS = 90;

const anomalyKey = (anomalyId: string) => ({ pk: `BILLING#ANOMALY#${anomalyId}`, sk: 'ALERT' });

function isConditionFailed(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException || (err instanceof Error && err.name === 'ConditionalCheckFailedException');
}

/**
 * Grown past the margin, compared without dividing: 110 is 10 % over 100,
 * though 100 * 1.1 is 110.00000000000001 in floating point. The tolerance
 * is far below a cent at any impact Cost Explorer reports.
 */
function grownPast(previous: number, impact: number, marginPercent: number): boolean {
  return impact > previous && (impact - previous) * 100 >= previous * marginPercent - Math.abs(previous) * 1e-9;
}

export function anomalyStore(options: AnomalyStoreOptions): AnomalyStore {
  const db = options.client ?? documentClient();
  const now = options.now ?? Date.now;
  const retainDays = options.retainDays ?? DEFAULT_RETAIN_DAYS;
  const TableName = options.tableName;

  const lastAlerted = async (anomalyId: string): Promise<number | undefined> => {
    const got = await db.send(new GetCommand({ TableName, Key: anomalyKey(anomalyId), ConsistentRead: true, ProjectionExpression: 'lastAlertedImpact' }));
    return got.Item ? Number(got.Item.lastAlertedImpact) : undefined;
  };

  /** Another run recorded an alert between our read and our write: it alerts, this one does not. */
  const lostRace = async (anomalyId: string, err: unknown): Promise<AlertDecision> => {
    const previousImpact = await lastAlerted(anomalyId);
    if (previousImpact === undefined) {
      throw new TransientError(`anomaly ${anomalyId}: the conditional write of its alert record failed, yet no record is in ${TableName} (expected one written by a concurrent run)`, { cause: err });
    }
    return { kind: 'unchanged', previousImpact };
  };

  return {
    async decide(anomalyId, totalImpact, marginPercent) {
      if (!anomalyId) throw new InputError(`anomaly store: anomalyId must be a non-empty string, found ${JSON.stringify(anomalyId)}`);
      if (!Number.isFinite(totalImpact)) throw new InputError(`anomaly ${anomalyId}: totalImpact must be a finite number (USD), found ${totalImpact}`);
      if (!Number.isFinite(marginPercent) || marginPercent < 0) throw new InputError(`anomaly ${anomalyId}: marginPercent must be a number >= 0, found ${marginPercent}`);

      const at = new Date(now()).toISOString();
      const expiresAt = expiresAfter(now(), retainDays);
      const previousImpact = await lastAlerted(anomalyId);

      if (previousImpact === undefined) {
        try {
          await db.send(
            new PutCommand({
              TableName,
              Item: { ...anomalyKey(anomalyId), anomalyId, lastAlertedImpact: totalImpact, alerts: 1, firstAlertedAt: at, lastAlertedAt: at, expiresAt },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
          return { kind: 'new' };
        } catch (err) {
          if (!isConditionFailed(err)) throw err;
          return lostRace(anomalyId, err);
        }
      }

      if (!grownPast(previousImpact, totalImpact, marginPercent)) return { kind: 'unchanged', previousImpact };

      try {
        await db.send(
          new UpdateCommand({
            TableName,
            Key: anomalyKey(anomalyId),
            UpdateExpression: 'SET #impact = :impact, #alerts = #alerts + :one, #lastAt = :at, #ttl = :ttl',
            ConditionExpression: '#impact = :previous',
            ExpressionAttributeNames: { '#impact': 'lastAlertedImpact', '#alerts': 'alerts', '#lastAt': 'lastAlertedAt', '#ttl': 'expiresAt' },
            ExpressionAttributeValues: { ':impact': totalImpact, ':previous': previousImpact, ':one': 1, ':at': at, ':ttl': expiresAt },
          }),
        );
      } catch (err) {
        if (!isConditionFailed(err)) throw err;
        return lostRace(anomalyId, err);
      }
      const growthPercent = previousImpact === 0 ? Number.POSITIVE_INFINITY : ((totalImpact - previousImpact) / Math.abs(previousImpact)) * 100;
      return { kind: 'grown', previousImpact, growthPercent };
    },
  };
}
