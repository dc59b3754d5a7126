import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { approvals, ApprovalStateError, RETAIN_DAYS_AFTER_EXPIRY, type Approvals, type DecideInput } from '../../lambdas/adapters/approvals';
import type { ApprovalSummary } from '../../lambdas/core/render/pages';
import { createResponderTable, unique } from '../support/aws';

/** The approval records against moto's DynamoDB: the conditional writes are the point. */

const NOW = Date.parse('2025-03-04T10:00:00Z');
const HOUR = 3_600_000;
const LINK_EXPIRES = Math.floor(NOW / 1000) + 24 * 3600;
const FINDING = 'rif-1818175dd2816c860e8f9b11';

const summary: ApprovalSummary = {
  findingId: FINDING,
  principal: 'arn:aws:iam::111122223333:user/svc-backup',
  principalType: 'IAMUser',
  accountId: '111122223333',
  region: 'us-east-1',
  regions: ['us-east-1'],
  severity: 'high',
  score: 70,
  escalationReasons: ['unexplained acquisition (unapproved principal)'],
  instanceCount: 1,
  instanceIds: ['i-0f9e8d7c6b5a40011'],
  firstSeen: '2025-03-04T10:05:00.000Z',
  lastSeen: '2025-03-04T10:05:00.000Z',
};

let table: string;
let store: Approvals;

beforeAll(async () => {
  table = await createResponderTable();
  store = approvals(table);
});

/** A fresh pending request; with a task token unless `token: false`. */
async function pending(opts: { token?: string | false } = {}): Promise<string> {
  const approvalId = unique('apr');
  await store.createApproval({ approvalId, findingId: FINDING, summary, linkExpiresAt: LINK_EXPIRES, now: NOW });
  if (opts.token !== false) await store.attachToken({ approvalId, findingId: FINDING, taskToken: opts.token ?? `token-${approvalId}`, now: NOW + 1000 });
  return approvalId;
}

const decision = (approvalId: string, over: Partial<DecideInput> = {}): DecideInput => ({
  approvalId,
  findingId: FINDING,
  decision: 'approve',
  approver: 'Dana Scully',
  sourceIp: '198.51.100.7',
  userAgent: 'Mozilla/5.0 (test)',
  now: NOW + HOUR,
  ...over,
});

describe('creating an approval request', () => {
  it('stores a pending record with the summary, the link expiry and a TTL days after it', async () => {
    const approvalId = await pending({ token: false });
    const r = await store.getApproval(approvalId);
    expect(r).toMatchObject({ approvalId, findingId: FINDING, status: 'pending', summary, linkExpiresAt: LINK_EXPIRES, createdAt: '2025-03-04T10:00:00.000Z' });
    expect(r?.expiresAt).toBe(LINK_EXPIRES + RETAIN_DAYS_AFTER_EXPIRY * 86_400);
    expect(r?.taskToken).toBeUndefined();
  });

  it('never overwrites an existing request', async () => {
    const approvalId = await pending();
    await expect(store.createApproval({ approvalId, findingId: FINDING, summary, linkExpiresAt: LINK_EXPIRES, now: NOW })).rejects.toThrow(/conditional/i);
    expect((await store.getApproval(approvalId))?.taskToken).toBe(`token-${approvalId}`);
  });

  it('reads nothing for an unknown id', async () => {
    expect(await store.getApproval(unique('apr'))).toBeUndefined();
  });
});

describe('attaching the task token', () => {
  it('stores it once; the same token again is a harmless retry', async () => {
    const approvalId = await pending({ token: 'tok-1' });
    await store.attachToken({ approvalId, findingId: FINDING, taskToken: 'tok-1', now: NOW + 5000 });
    const r = await store.getApproval(approvalId);
    expect(r?.taskToken).toBe('tok-1');
    // When the token was (last) stored.
    expect(r?.tokenStoredAt).toBe('2025-03-04T10:00:05.000Z');
  });

  it('takes the newest token while pending (a retried wait gets a new one), and none once decided', async () => {
    const approvalId = await pending({ token: 'tok-1' });
    await store.attachToken({ approvalId, findingId: FINDING, taskToken: 'tok-2', now: NOW + 5000 });
    expect((await store.getApproval(approvalId))?.taskToken).toBe('tok-2');
    await store.decide({ approvalId, findingId: FINDING, decision: 'approve', approver: 'ana', now: NOW + 6000 });
    const err = await store.attachToken({ approvalId, findingId: FINDING, taskToken: 'tok-3', now: NOW + 7000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApprovalStateError);
    expect((err as Error).name).toBe('ApprovalStateError');
    expect((err as Error).message).toMatch(/is approved, not pending/);
    expect((await store.getApproval(approvalId))?.taskToken).toBe('tok-2');
  });

  it('refuses an unknown request, and one for another finding', async () => {
    await expect(store.attachToken({ approvalId: unique('apr'), findingId: FINDING, taskToken: 't', now: NOW })).rejects.toThrow(/does not exist/);
    const approvalId = await pending({ token: false });
    await expect(store.attachToken({ approvalId, findingId: 'rif-000000000000000000000000', taskToken: 't', now: NOW })).rejects.toThrow(/belongs to finding/);
  });
});

describe('deciding', () => {
  it('decides once and returns the decision and the token to resume', async () => {
    const approvalId = await pending({ token: 'tok-resume' });
    const r = await store.decide(decision(approvalId));
    expect(r).toEqual({
      ok: true,
      taskToken: 'tok-resume',
      claimId: expect.any(String),
      decision: { approvalId, decision: 'approve', approver: 'Dana Scully', decidedAt: '2025-03-04T11:00:00.000Z', sourceIp: '198.51.100.7', userAgent: 'Mozilla/5.0 (test)' },
    });
    expect(await store.getApproval(approvalId)).toMatchObject({ status: 'approved', decision: 'approve', approver: 'Dana Scully', decidedAt: '2025-03-04T11:00:00.000Z', sourceIp: '198.51.100.7' });
  });

  it('refuses a second decision as a replay, saying who decided and when', async () => {
    const approvalId = await pending();
    expect((await store.decide(decision(approvalId, { decision: 'reject', approver: 'Fox' }))).ok).toBe(true);
    const again = await store.decide(decision(approvalId, { approver: 'Mallory', now: NOW + 2 * HOUR }));
    expect(again).toEqual({ ok: false, reason: 'replay', earlier: { decision: 'reject', approver: 'Fox', decidedAt: '2025-03-04T11:00:00.000Z' } });
    expect(await store.getApproval(approvalId)).toMatchObject({ status: 'rejected', approver: 'Fox' });
  });

  it('refuses after the link expired', async () => {
    const approvalId = await pending();
    expect(await store.decide(decision(approvalId, { now: LINK_EXPIRES * 1000 }))).toEqual({ ok: false, reason: 'expired', expiredAt: '2025-03-05T10:00:00.000Z' });
    expect((await store.getApproval(approvalId))?.status).toBe('pending');
  });

  it('refuses before the workflow stored its token: not ready yet', async () => {
    const approvalId = await pending({ token: false });
    expect(await store.decide(decision(approvalId))).toEqual({ ok: false, reason: 'not-ready' });
  });

  it('refuses an unknown request, and a link for another finding', async () => {
    expect(await store.decide(decision(unique('apr')))).toEqual({ ok: false, reason: 'not-found' });
    const approvalId = await pending();
    expect(await store.decide(decision(approvalId, { findingId: 'rif-000000000000000000000000' }))).toEqual({ ok: false, reason: 'not-found' });
  });

  it('lets exactly one of two concurrent decisions win', async () => {
    // DynamoDB applies conditional writes to one item one at a time; moto's
    // threaded server checks the condition and writes without a lock, so two
    // racing updates can both pass there (most runs, measured). The race is
    // started in the code as in production (both in flight at once) and
    // serialized on the connection, as DynamoDB serializes it per item.
    const serial = DynamoDBDocumentClient.from(new DynamoDBClient({ requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 1 }) } }), {
      marshallOptions: { removeUndefinedValues: true },
    });
    const racing = approvals(table, serial);
    const approvalId = await pending();
    const results = await Promise.all([
      racing.decide(decision(approvalId, { decision: 'approve', approver: 'Dana' })),
      racing.decide(decision(approvalId, { decision: 'reject', approver: 'Fox' })),
    ]);
    const winners = results.filter((r) => r.ok);
    const losers = results.filter((r) => !r.ok);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    const won = winners[0]!;
    if (!won.ok) throw new Error('unreachable');
    expect(losers[0]).toEqual({ ok: false, reason: 'replay', earlier: { decision: won.decision.decision, approver: won.decision.approver, decidedAt: won.decision.decidedAt } });
    expect((await store.getApproval(approvalId))?.approver).toBe(won.decision.approver);
    serial.destroy();
  });
});

describe('after the decision', () => {
  it('marks delivery on its own claim only', async () => {
    const approvalId = await pending();
    const r = await store.decide(decision(approvalId));
    if (!r.ok) throw new Error(`expected a decision, got ${r.reason}`);
    await store.markDelivered(approvalId, 'someone-elses-claim', NOW + HOUR);
    expect((await store.getApproval(approvalId))?.deliveredAt).toBeUndefined();
    await store.markDelivered(approvalId, r.claimId, NOW + HOUR + 10);
    expect((await store.getApproval(approvalId))?.deliveredAt).toBe('2025-03-04T11:00:00.010Z');
  });

  it('records a decision that came too late, and refuses later ones as timed out', async () => {
    const approvalId = await pending();
    const r = await store.decide(decision(approvalId, { approver: 'Lee' }));
    if (!r.ok) throw new Error(`expected a decision, got ${r.reason}`);
    await store.markTimedOut(approvalId, r.claimId, NOW + HOUR);
    expect(await store.getApproval(approvalId)).toMatchObject({ status: 'timed-out', timedOutAt: '2025-03-04T11:00:00.000Z', approver: 'Lee', decision: 'approve' });
    expect(await store.decide(decision(approvalId, { approver: 'Dana' }))).toEqual({
      ok: false,
      reason: 'timed-out',
      timedOutAt: '2025-03-04T11:00:00.000Z',
      earlier: { decision: 'approve', approver: 'Lee', decidedAt: '2025-03-04T11:00:00.000Z' },
    });
  });

  it('releases an undelivered decision so it can be made again', async () => {
    const approvalId = await pending();
    const first = await store.decide(decision(approvalId, { approver: 'Dana', decision: 'reject' }));
    if (!first.ok) throw new Error(`expected a decision, got ${first.reason}`);
    await store.releaseClaim(approvalId, first.claimId);
    const back = await store.getApproval(approvalId);
    expect(back).toMatchObject({ status: 'pending', taskToken: `token-${approvalId}` });
    expect(back?.approver).toBeUndefined();
    expect(back?.decision).toBeUndefined();
    const second = await store.decide(decision(approvalId, { approver: 'Fox' }));
    expect(second.ok && second.decision.approver).toBe('Fox');
  });
});
