import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Decision } from '../core/approval';
import { RogueInfraError } from '../core/errors';
import type { ApprovalSummary } from '../core/render/pages';
import type { ApprovalDecision } from '../core/workflow';
import { documentClient, expiresAfter, Keys } from './table';

/**
 * Approval requests in the responder table (`APPROVAL#<id>` / `REQUEST`).
 * Single use is enforced here: a decision is one conditional update from
 * `pending`, so of two clicks (or a click and a replay) exactly one wins,
 * and the loser learns why from the record as it stands.
 */

/** `timed-out`: a decision arrived after the workflow had stopped waiting. */
export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'timed-out';

const STATUS_OF: Readonly<Record<Decision, ApprovalStatus>> = { approve: 'approved', reject: 'rejected' };

/**
 * How long a record outlives its links (TTL): long enough to answer "who
 * approved this?" from the table while the incident is worked; the
 * decision itself also travels in the workflow's outcome.
 */
export const RETAIN_DAYS_AFTER_EXPIRY = 30;

export interface ApprovalRecord {
  readonly approvalId: string;
  readonly findingId: string;
  readonly status: ApprovalStatus;
  readonly summary: ApprovalSummary;
  /** ISO 8601. */
  readonly createdAt: string;
  /** Epoch seconds: when the links stop working (the signed `e`). */
  readonly linkExpiresAt: number;
  /** Epoch seconds: the table's TTL, some days after the links expire. */
  readonly expiresAt: number;
  /** The waiting execution's task token: a credential, never rendered or logged. */
  readonly taskToken?: string;
  readonly tokenStoredAt?: string;
  readonly decision?: Decision;
  readonly approver?: string;
  readonly decidedAt?: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  /** Identifies one decision attempt, so follow-up writes touch only their own. */
  readonly claimId?: string;
  readonly deliveredAt?: string;
  readonly timedOutAt?: string;
}

export interface NewApproval {
  readonly approvalId: string;
  readonly findingId: string;
  readonly summary: ApprovalSummary;
  /** Epoch seconds. */
  readonly linkExpiresAt: number;
  /** Epoch ms. */
  readonly now: number;
}

export interface TokenInput {
  readonly approvalId: string;
  readonly findingId: string;
  readonly taskToken: string;
  /** Epoch ms. */
  readonly now: number;
}

export interface DecideInput {
  readonly approvalId: string;
  readonly findingId: string;
  readonly decision: Decision;
  /** Already cleaned (trimmed, length-limited). */
  readonly approver: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  /** Epoch ms. */
  readonly now: number;
}

export interface EarlierDecision {
  readonly decision: Decision;
  readonly approver: string;
  readonly decidedAt: string;
}

export type DecideResult =
  | { readonly ok: true; readonly decision: ApprovalDecision; readonly taskToken: string; readonly claimId: string }
  | { readonly ok: false; readonly reason: 'not-found' }
  | { readonly ok: false; readonly reason: 'replay'; readonly earlier: EarlierDecision }
  | { readonly ok: false; readonly reason: 'timed-out'; readonly timedOutAt: string; readonly earlier?: EarlierDecision }
  | { readonly ok: false; readonly reason: 'expired'; readonly expiredAt: string }
  | { readonly ok: false; readonly reason: 'not-ready' }
  /** The record changed between the write and the re-read (a released claim): try again. */
  | { readonly ok: false; readonly reason: 'conflict' };

/** The approval record is not in a state the caller can act on. Stable name for the workflow's Catch. */
export class ApprovalStateError extends RogueInfraError {
  override readonly name = 'ApprovalStateError';
}

const USER_AGENT_MAX = 512;
const iso = (ms: number): string => new Date(ms).toISOString();

export interface Approvals {
  createApproval(input: NewApproval): Promise<ApprovalRecord>;
  /** Stores the waiting execution's task token; the same token again is a no-op. */
  attachToken(input: TokenInput): Promise<void>;
  /** The one conditional write that decides; on refusal, why. */
  decide(input: DecideInput): Promise<DecideResult>;
  getApproval(approvalId: string): Promise<ApprovalRecord | undefined>;
  /** The workflow accepted the decision. */
  markDelivered(approvalId: string, claimId: string, now: number): Promise<void>;
  /** The workflow had stopped waiting when the decision arrived; the attempt stays on the record. */
  markTimedOut(approvalId: string, claimId: string, now: number): Promise<void>;
  /** Undoes a decision the workflow could not be told about (a transient failure), so it can be made again. */
  releaseClaim(approvalId: string, claimId: string): Promise<void>;
}

function conditionFailed(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException || (err instanceof Error && err.name === 'ConditionalCheckFailedException');
}

function earlierOf(r: ApprovalRecord): EarlierDecision | undefined {
  return r.decision && r.approver && r.decidedAt ? { decision: r.decision, approver: r.approver, decidedAt: r.decidedAt } : undefined;
}

/** Why a decision was refused, read from the record as it stands after the failed write. */
function refusalOf(record: ApprovalRecord | undefined, input: Pick<DecideInput, 'findingId' | 'now'>): Exclude<DecideResult, { ok: true }> {
  // A record for another finding is treated as absent: the signature binds
  // both ids, so this only happens with a corrupted record.
  if (!record || record.findingId !== input.findingId) return { ok: false, reason: 'not-found' };
  const earlier = earlierOf(record);
  if (record.status === 'timed-out') return earlier ? { ok: false, reason: 'timed-out', timedOutAt: record.timedOutAt ?? '', earlier } : { ok: false, reason: 'timed-out', timedOutAt: record.timedOutAt ?? '' };
  if (record.status !== 'pending') return earlier ? { ok: false, reason: 'replay', earlier } : { ok: false, reason: 'conflict' };
  if (Math.floor(input.now / 1000) >= record.linkExpiresAt) return { ok: false, reason: 'expired', expiredAt: iso(record.linkExpiresAt * 1000) };
  if (!record.taskToken) return { ok: false, reason: 'not-ready' };
  return { ok: false, reason: 'conflict' };
}

export function approvals(tableName: string, ddb: DynamoDBDocumentClient = documentClient()): Approvals {
  const key = (approvalId: string) => Keys.approval(approvalId);

  async function getApproval(approvalId: string): Promise<ApprovalRecord | undefined> {
    // Strongly consistent: the read explains a conditional write that just failed.
    const out = await ddb.send(new GetCommand({ TableName: tableName, Key: key(approvalId), ConsistentRead: true }));
    return out.Item as ApprovalRecord | undefined;
  }

  /** A follow-up write on our own claim; losing the condition means someone else's state is there, leave it. */
  async function onClaim(approvalId: string, claimId: string, update: Pick<UpdateCommandInput, 'UpdateExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>): Promise<boolean> {
    try {
      await ddb.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(approvalId),
          ...update,
          ConditionExpression: 'claimId = :claim',
          ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':claim': claimId },
        }),
      );
      return true;
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
  }

  return {
    getApproval,

    async createApproval(input) {
      const record: ApprovalRecord & { kind: 'approval' } = {
        kind: 'approval',
        approvalId: input.approvalId,
        findingId: input.findingId,
        status: 'pending',
        summary: input.summary,
        createdAt: iso(input.now),
        linkExpiresAt: input.linkExpiresAt,
        expiresAt: expiresAfter(input.linkExpiresAt * 1000, RETAIN_DAYS_AFTER_EXPIRY),
      };
      // Never overwrite: an id collision (or a bug) must not reset a decided request to pending.
      await ddb.send(new PutCommand({ TableName: tableName, Item: { ...key(input.approvalId), ...record }, ConditionExpression: 'attribute_not_exists(pk)' }));
      return record;
    },

    async attachToken(input) {
      try {
        await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(input.approvalId),
            UpdateExpression: 'SET taskToken = :token, tokenStoredAt = :now',
            // The same token again is a retry of the same invocation: accept it,
            // whatever the status. A retried attempt of the waiting task gets a
            // new token from Step Functions: while the request is pending, the
            // newest token is the one the execution waits on, so it replaces
            // the old one. Once decided, nothing changes it.
            ConditionExpression: 'attribute_exists(pk) AND findingId = :finding AND (taskToken = :token OR #status = :pending)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':token': input.taskToken, ':now': iso(input.now), ':finding': input.findingId, ':pending': 'pending' },
          }),
        );
      } catch (err) {
        if (!conditionFailed(err)) throw err;
        const r = await getApproval(input.approvalId);
        const why = !r
          ? 'does not exist'
          : r.findingId !== input.findingId
            ? `belongs to finding ${r.findingId}, not ${input.findingId}`
            : `is ${r.status}, not pending`;
        throw new ApprovalStateError(`approval ${input.approvalId} ${why}`, { cause: err });
      }
    },

    async decide(input) {
      const decidedAt = iso(input.now);
      const claimId = randomUUID();
      const values: Record<string, unknown> = {
        ':status': STATUS_OF[input.decision],
        ':decision': input.decision,
        ':approver': input.approver,
        ':at': decidedAt,
        ':claim': claimId,
        ':pending': 'pending',
        ':nowSeconds': Math.floor(input.now / 1000),
        ':finding': input.findingId,
      };
      const sets = ['#status = :status', 'decision = :decision', 'approver = :approver', 'decidedAt = :at', 'claimId = :claim'];
      if (input.sourceIp) {
        sets.push('sourceIp = :ip');
        values[':ip'] = input.sourceIp;
      }
      if (input.userAgent) {
        sets.push('userAgent = :ua');
        values[':ua'] = input.userAgent.slice(0, USER_AGENT_MAX);
      }
      try {
        const out = await ddb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(input.approvalId),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: 'attribute_exists(pk) AND findingId = :finding AND #status = :pending AND linkExpiresAt > :nowSeconds AND attribute_exists(taskToken)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        const r = out.Attributes as ApprovalRecord;
        // The condition required the token; its absence here would be a broken table.
        if (!r.taskToken) throw new ApprovalStateError(`approval ${input.approvalId} was decided without a task token`);
        const decision: ApprovalDecision = {
          approvalId: input.approvalId,
          decision: input.decision,
          approver: input.approver,
          decidedAt,
          ...(r.sourceIp ? { sourceIp: r.sourceIp } : {}),
          ...(r.userAgent ? { userAgent: r.userAgent } : {}),
        };
        return { ok: true, decision, taskToken: r.taskToken, claimId };
      } catch (err) {
        if (!conditionFailed(err)) throw err;
        return refusalOf(await getApproval(input.approvalId), input);
      }
    },

    async markDelivered(approvalId, claimId, now) {
      await onClaim(approvalId, claimId, { UpdateExpression: 'SET deliveredAt = :now', ExpressionAttributeValues: { ':now': iso(now) } });
    },

    async markTimedOut(approvalId, claimId, now) {
      await onClaim(approvalId, claimId, {
        UpdateExpression: 'SET #status = :timedOut, timedOutAt = :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':timedOut': 'timed-out', ':now': iso(now) },
      });
    },

    async releaseClaim(approvalId, claimId) {
      await onClaim(approvalId, claimId, {
        UpdateExpression: 'SET #status = :pending REMOVE decision, approver, decidedAt, sourceIp, userAgent, claimId',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': 'pending' },
      });
    },
  };
}
