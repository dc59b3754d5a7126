import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../../lambdas/core/cloudtrail/types';
import { withDefaults } from '../../lambdas/core/settings';
import { emptyThreatIntel } from '../../lambdas/core/threat-intel';
import type { Finding } from '../../lambdas/core/model';
import type { WorkflowInput } from '../../lambdas/core/workflow';
import { Ledger } from '../../lambdas/adapters/ledger';
import { scoreEvent, type ScoreDeps } from '../../lambdas/handlers/score';
import { createResponderTable } from '../support/aws';

const FIXTURES = new URL('../fixtures/events/', import.meta.url);
const settings = withDefaults({ approvedRegions: ['us-east-1'] });

function fixture(name: string): CloudTrailRecord {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as CloudTrailRecord;
}

/** The envelope an EventBridge rule delivers to SQS. */
function envelope(record: CloudTrailRecord): unknown {
  return { version: '0', id: `eb-${String(record.eventID)}`, 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', account: record.recipientAccountId, time: record.eventTime, region: record.awsRegion, resources: [], detail: record };
}

/** A GPU launch by an unapproved IAM user key, n minutes into a burst. */
function gpuLaunch(n: number, account: string): CloudTrailRecord {
  const r = fixture('run-instances-gpu-success.json');
  return {
    ...r,
    eventID: `burst-${account}-${n}`,
    eventTime: new Date(Date.UTC(2025, 4, 6, 1, n, 0)).toISOString().replace('.000', ''),
    awsRegion: 'ap-southeast-3',
    recipientAccountId: account,
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${account}:user/mallory`, accountId: account, accessKeyId: 'AKIAEXAMPLEMALLORY01', userName: 'mallory' },
    responseElements: { instancesSet: { items: [{ instanceId: `i-0${account.slice(0, 6)}${String(n).padStart(9, '0')}`, instanceType: 'g4dn.12xlarge', cpuOptions: { coreCount: 24, threadsPerCore: 2 } }] } },
  };
}

interface Harness {
  deps: ScoreDeps;
  started: { name: string; input: WorkflowInput }[];
  grown: Finding[];
  ledger: Ledger;
}

async function harness(): Promise<Harness> {
  const tableName = await createResponderTable();
  const ledger = new Ledger({ tableName, ledgerDays: 30, churnMinutes: settings.churn.minutes, now: () => Date.UTC(2025, 4, 6, 2, 0, 0) });
  const started: Harness['started'] = [];
  const names = new Set<string>();
  const grown: Finding[] = [];
  return {
    ledger,
    started,
    grown,
    deps: {
      ledger,
      settings,
      intel: () => Promise.resolve(emptyThreatIntel()),
      // Step Functions refuses a second execution with the same name: so does this.
      startExecution: (name, input) => {
        if (names.has(name)) return Promise.resolve(false);
        names.add(name);
        started.push({ name, input });
        return Promise.resolve(true);
      },
      recordGrowth: (f) => {
        grown.push(f);
        return Promise.resolve();
      },
    },
  };
}

describe('scoreEvent against the ledger in DynamoDB', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });

  it('ignores events that are not CloudTrail API calls, and calls that are not acquisition-related', async () => {
    expect(await scoreEvent({ 'detail-type': 'EC2 Instance State-change Notification', detail: { state: 'running' } }, h.deps)).toEqual({ status: 'ignored', reason: 'detail-type "EC2 Instance State-change Notification"' });
    const describe = { ...fixture('run-instances-success.json'), eventName: 'DescribeInstances' };
    expect(await scoreEvent(envelope(describe), h.deps)).toMatchObject({ status: 'ignored' });
  });

  it('correlates a burst into one finding, starts its workflow once per tier, and escalates when it grows', async () => {
    const account = '777788880001';
    const results = [];
    for (let n = 0; n < 4; n++) results.push(await scoreEvent(envelope(gpuLaunch(n, account)), h.deps));
    const ids = new Set(results.map((r) => (r.status === 'ignored' ? '' : r.findingId)));
    expect(ids.size).toBe(1);
    const mine = h.started.filter((s) => s.input.finding.accountId === account);
    // The first launch is already an unexplained GPU acquisition in an unapproved region: Tier 2 at once.
    expect(mine.map((s) => s.name)).toEqual([`${[...ids][0]}-tier2`]);
    expect(mine[0]!.input.trigger).toBe('new');
    // Later launches update the finding instead of starting anything.
    expect(h.grown.filter((f) => f.accountId === account).length).toBe(3);
    const last = h.grown.filter((f) => f.accountId === account).at(-1)!;
    expect(last.indicators.map((i) => i.id)).toContain('provisioning-burst');
  });

  it('keeps every event when many invocations place events in the same group at once', async () => {
    const account = '777788880002';
    await Promise.all(Array.from({ length: 12 }, (_, n) => scoreEvent(envelope(gpuLaunch(n, account)), h.deps)));
    const group = await h.ledger.getGroup(`${account}|arn:aws:iam::${account}:user/mallory|`);
    expect(group?.events).toHaveLength(12);
    expect(new Set(group?.events.map((e) => e.event.eventId)).size).toBe(12);
    expect(h.started.filter((s) => s.input.finding.accountId === account)).toHaveLength(1);
  });

  it('scores an event forwarded from a member account (the envelope a cross-account bus target delivers) exactly like a local one', async () => {
    // A cross-account target delivers the event as the member account's bus
    // published it: `account` is the member's, the record is unchanged.
    const local = await harness();
    const forwarded = await harness();
    const record = gpuLaunch(0, '777788880009');
    const direct = await scoreEvent(envelope(record), local.deps);
    const viaCentral = await scoreEvent({ ...(envelope(record) as Record<string, unknown>), id: 'eb-forwarded-copy', account: '777788880009', region: 'ap-southeast-3' }, forwarded.deps);
    expect(viaCentral).toEqual(direct);
    expect(forwarded.started.map((s) => s.input.finding)).toEqual(local.started.map((s) => s.input.finding));
  });

  it('does not count a redelivered event twice', async () => {
    const account = '777788880003';
    const once = await scoreEvent(envelope(gpuLaunch(1, account)), h.deps);
    const again = await scoreEvent(envelope(gpuLaunch(1, account)), h.deps);
    expect(again).toEqual({ status: 'duplicate', findingId: once.status === 'ignored' ? '' : once.findingId });
  });

  it('sees churn across invocations: an address released minutes after it was allocated', async () => {
    const account = '777788880004';
    const who = { type: 'IAMUser', arn: `arn:aws:iam::${account}:user/mallory`, accountId: account, accessKeyId: 'AKIAEXAMPLEMALLORY01', userName: 'mallory' };
    const alloc = { ...fixture('allocate-address.json'), recipientAccountId: account, userIdentity: who, awsRegion: 'us-east-1', eventID: 'alloc-1', eventTime: '2025-05-06T01:00:00Z' };
    const release = { ...fixture('release-address.json'), recipientAccountId: account, userIdentity: who, awsRegion: 'us-east-1', eventID: 'release-1', eventTime: '2025-05-06T01:04:00Z' };
    const allocationId = String((alloc.responseElements as { allocationId: string }).allocationId);
    (release.requestParameters as Record<string, unknown>).allocationId = allocationId;
    await scoreEvent(envelope(alloc), h.deps);
    await scoreEvent(envelope(release), h.deps);
    // The allocation alone is Tier 1; churn makes it an unexplained acquisition with risk: Tier 2 starts.
    const runs = h.started.filter((s) => s.input.finding.accountId === account);
    expect(runs.map((s) => [s.name.slice(-5), s.input.trigger])).toEqual([['tier1', 'new'], ['tier2', 'escalated']]);
    expect(runs[1]!.input.finding.indicators.find((i) => i.id === 'rapid-churn')?.evidence.summary).toMatch(/released within 30 min of creation: eipalloc-\S+ after 4 min/);
  });

  it('rejects what is not an event with a clear error (the batch reports it as a failed record)', async () => {
    await expect(scoreEvent({ hello: 'world' }, h.deps)).rejects.toThrow(/not-a-record: not a CloudTrail record/);
    await expect(scoreEvent(envelope({ ...fixture('run-instances-success.json'), eventTime: 'soon' }), h.deps)).rejects.toThrow(/bad-event-time/);
  });
});
