import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { getFinding, history, nextStatus, recordFinding, type FindingEvent, type FindingStatus } from '../../lambdas/adapters/findings';
import { Keys } from '../../lambdas/adapters/table';
import type { Finding } from '../../lambdas/core/model';
import { loadConfig } from '../../lib/config/load';
import { hunt } from '../../lib/hunt/hunt';
import { createResponderTable, racingClient, unique } from '../support/aws';

let table: string;
/** A real finding: the bundled sample's stolen-key escalation, as the engine produces it. */
let sample: Finding;

beforeAll(async () => {
  table = await createResponderTable();
  const samples = new URL('../../samples/', import.meta.url).pathname;
  const config = loadConfig(`${samples}config.yaml`);
  const { findings } = await hunt({ paths: [`${samples}trail`], settings: config.settings, intel: config.intel });
  sample = findings.find((f) => f.tier === 2 && f.principal.endsWith(':user/svc-reporting'))!;
  expect(sample).toBeDefined();
});

const fresh = (over: Partial<Finding> = {}): Finding => ({ ...sample, findingId: unique('rif'), ...over });
const T0 = Date.parse('2025-05-15T04:00:00Z');

describe('recordFinding', () => {
  it('writes CURRENT with a growing version, keeps the first-seen time, and appends history in order', async () => {
    const finding = fresh();
    let now = T0;
    const options = { tableName: table, now: () => now };
    expect(await recordFinding(finding, { kind: 'assessed', at: new Date(now).toISOString() }, options)).toEqual({ version: 1, status: 'escalated' });

    now += 60_000;
    const grown = { ...finding, firstSeen: '2025-05-15T02:30:00.000Z', lastSeen: '2025-05-15T03:59:00.000Z', score: 100 };
    const delivery = { email: { sent: true, messageId: 'm-1' }, slack: { sent: false, error: 'HTTP 500' } };
    expect(await recordFinding(grown, { kind: 'notified', at: new Date(now).toISOString(), detail: delivery }, options)).toEqual({ version: 2, status: 'escalated' });

    const current = await getFinding(finding.findingId, { tableName: table });
    expect(current).toMatchObject({
      findingId: finding.findingId,
      version: 2,
      status: 'escalated',
      accountId: finding.accountId,
      severity: 'critical',
      escalate: true,
      firstSeen: finding.firstSeen,
      lastSeen: '2025-05-15T03:59:00.000Z',
      recordedAt: '2025-05-15T04:00:00.000Z',
      updatedAt: '2025-05-15T04:01:00.000Z',
      lastEvent: 'notified',
      expiresAt: Math.floor(now / 1000) + 400 * 86_400,
    });
    expect(current!.finding.resources).toEqual(finding.resources);

    const entries = await history(finding.findingId, { tableName: table });
    expect(entries.map((e) => [e.version, e.kind, e.status])).toEqual([
      [1, 'assessed', 'escalated'],
      [2, 'notified', 'escalated'],
    ]);
    expect(entries[0]!.summary).toBe('critical (score 100), escalated to Tier 2: 30 instances, 4 addresses in ap-southeast-3, us-east-1');
    expect(entries[1]).toMatchObject({ summary: 'notified: e-mail sent, Slack failed (HTTP 500)', detail: delivery, at: '2025-05-15T04:01:00.000Z' });

    // History items expire with the finding.
    const raw = await new DynamoDBClient({}).send(new GetItemCommand({ TableName: table, Key: { pk: { S: `FINDING#${finding.findingId}` }, sk: { S: Keys.findingHistory(finding.findingId, '2025-05-15T04:00:00.000Z', 1).sk } } }));
    expect(raw.Item?.expiresAt?.N).toBe(String(Math.floor(T0 / 1000) + 400 * 86_400));
  });

  it('loses no entry when writers race (optimistic concurrency)', async () => {
    // DynamoDB applies writes to one item one at a time; moto does not (it
    // runs requests in threads, and a cancelled transaction restores a copy
    // of the table taken before it started, erasing writes made meanwhile).
    // So the writes go out one at a time here, as DynamoDB would apply them,
    // and none goes out before all five writers have read: every writer but
    // one must lose its first attempt and retry.
    const { client, writes } = racingClient(5);

    const finding = fresh();
    const kinds = ['assessed', 'notified', 'approval-requested', 'notified', 'failed'];
    // Distinct times, so only the version condition (not a key collision) keeps writers apart.
    const at = (i: number) => new Date(T0 + i).toISOString();
    const results = await Promise.all(kinds.map((kind, i) => recordFinding(finding, { kind, at: at(i), detail: { state: 'Tag', error: 'X', cause: kind } }, { tableName: table, client })));
    expect(results.map((r) => r.version).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(writes.filter((w) => w === 'ok')).toHaveLength(5);
    expect(writes.filter((w) => w === 'TransactionCanceledException').length).toBeGreaterThanOrEqual(4);
    const entries = await history(finding.findingId, { tableName: table });
    expect(entries).toHaveLength(5);
    expect(entries.map((e) => e.version).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(entries.map((e) => e.at)).toEqual([0, 1, 2, 3, 4].map(at));
    expect(entries.map((e) => e.kind)).toEqual(kinds);
    expect((await getFinding(finding.findingId, { tableName: table }))?.version).toBe(5);
  });

  it('orders history by when things happened', async () => {
    const finding = fresh();
    const options = { tableName: table };
    await recordFinding(finding, { kind: 'outcome', at: '2025-05-15T05:00:00.000Z', detail: { kind: 'contained', summary: 'contained' } }, options);
    await recordFinding(finding, { kind: 'decision', at: '2025-05-15T04:30:00.000Z', detail: { decision: 'approve', approver: 'alice@example.com' } }, options);
    const entries = await history(finding.findingId, options);
    expect(entries.map((e) => [e.kind, e.version, e.summary])).toEqual([
      ['decision', 2, 'approve by alice@example.com'],
      ['outcome', 1, 'contained: contained'],
    ]);
  });

  it('takes the table from TABLE_NAME and the TTL from FINDING_DAYS', async () => {
    const finding = fresh();
    process.env.TABLE_NAME = table;
    process.env.FINDING_DAYS = '30';
    try {
      await recordFinding(finding, { kind: 'assessed', at: '2025-05-15T04:00:00.000Z' }, { now: () => T0 });
      expect((await getFinding(finding.findingId))?.expiresAt).toBe(Math.floor(T0 / 1000) + 30 * 86_400);
    } finally {
      delete process.env.TABLE_NAME;
      delete process.env.FINDING_DAYS;
    }
  });

  it('keeps a detail too large for an item as truncated text', async () => {
    const finding = fresh();
    const detail = { state: 'Enrich', error: 'Lambda.Unknown', cause: 'x'.repeat(100_000) };
    await recordFinding(finding, { kind: 'failed', at: '2025-05-15T04:00:00.000Z', detail }, { tableName: table });
    const [entry] = await history(finding.findingId, { tableName: table });
    expect(entry!.detailTruncated).toBe(true);
    expect(typeof entry!.detail).toBe('string');
    expect((entry!.detail as string).length).toBe(32_000);
    expect(entry!.summary.length).toBeLessThanOrEqual(300);
    expect(entry!.summary).toMatch(/^Enrich failed: Lambda\.Unknown: x+\.\.\.$/);
  });

  it('answers undefined and an empty history for a finding never recorded', async () => {
    expect(await getFinding(unique('rif'), { tableName: table })).toBeUndefined();
    expect(await history(unique('rif'), { tableName: table })).toEqual([]);
  });
});

describe('nextStatus', () => {
  const escalated = () => ({ ...sample, escalate: true });
  const tier1 = () => ({ ...sample, escalate: false });
  const ev = (kind: string, detail?: unknown): FindingEvent => ({ kind, at: '2025-05-15T04:00:00.000Z', detail });
  const cases: [string, FindingEvent, () => Finding, FindingStatus | undefined, FindingStatus][] = [
    ['a new escalated finding', ev('assessed'), escalated, undefined, 'escalated'],
    ['a new Tier 1 finding', ev('assessed'), tier1, undefined, 'open'],
    ['re-assessment while a human decides', ev('assessed'), escalated, 'awaiting-approval', 'awaiting-approval'],
    ['a rejected finding that grew', ev('assessed'), escalated, 'rejected', 'escalated'],
    ['a notification', ev('notified'), escalated, 'escalated', 'escalated'],
    ['an approval request', ev('approval-requested'), escalated, 'escalated', 'awaiting-approval'],
    ['an approval', ev('decision', { decision: 'approve' }), escalated, 'awaiting-approval', 'approved'],
    ['a rejection', ev('decision', { decision: 'reject' }), escalated, 'awaiting-approval', 'rejected'],
    ['no decision in time', ev('outcome', { kind: 'no-decision' }), escalated, 'awaiting-approval', 'not-contained'],
    ['notify-only mode', ev('outcome', { kind: 'notify-only' }), escalated, 'escalated', 'not-contained'],
    ['a Tier 1 finding done', ev('outcome', { kind: 'not-escalated' }), tier1, 'open', 'closed'],
    ['quarantined after approval', ev('outcome', { kind: 'contained' }), escalated, 'approved', 'contained'],
    ['released by an operator', ev('outcome', { kind: 'released' }), escalated, 'contained', 'released'],
    ['a contained finding that grew stays contained', ev('assessed'), escalated, 'contained', 'contained'],
    ['a failed task', ev('failed', { state: 'Quarantine' }), escalated, 'approved', 'approved'],
    ['an explicit status', { ...ev('closed-by-analyst'), status: 'closed' }, escalated, 'approved', 'closed'],
  ];
  it.each(cases)('%s', (_name, event, finding, previous, expected) => {
    expect(nextStatus(event, finding(), previous)).toBe(expected);
  });
});
