import { randomInt } from 'node:crypto';
import { CostExplorerClient, DataUnavailableException, GetAnomaliesCommand, type Anomaly, type GetCostAndUsageResponse } from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { anomalyStore } from '../../lambdas/adapters/anomaly-store';
import { COMPUTE_SERVICES, getAnomalies, getDailyCost } from '../../lambdas/adapters/cost';
import { Ledger } from '../../lambdas/adapters/ledger';
import { addDays, DEFAULT_BILLING_CHECK } from '../../lambdas/core/billing';
import { extractFacts } from '../../lambdas/core/facts';
import { withDefaults } from '../../lambdas/core/settings';
import type { WorkflowInput } from '../../lambdas/core/workflow';
import { makeBillingCheck, type BillingCheckDeps } from '../../lambdas/handlers/billing-check';
import { createResponderTable } from '../support/aws';
import { trail } from '../support/fixtures';

/**
 * The daily billing check end to end but for the schedule: GetCostAndUsage
 * on the moto server (seeded: a GPU spike, a steady account, a quiet one, a
 * new one), GetAnomalies through aws-sdk-client-mock (moto has none), the
 * ledger's launch index and the anomaly store in DynamoDB on moto, and the
 * executions it would start.
 */

const NOW = Date.parse('2025-05-15T06:00:00Z');
const DAY = '2025-05-14';
const FROM = addDays(DAY, -28);
const GPU = '222222222222';
const STEADY = '111111111111';
const NEW = '444444444444';
const settings = withDefaults({ approvedPrincipals: ['arn:aws:iam::*:role/ci-*'] });

const usd = (n: number) => ({ UnblendedCost: { Amount: n.toFixed(2), Unit: 'USD' } });

function byRegion(): GetCostAndUsageResponse {
  return {
    GroupDefinitions: [{ Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' }, { Type: 'DIMENSION', Key: 'REGION' }],
    ResultsByTime: Array.from({ length: 29 }, (_, i) => ({
      TimePeriod: { Start: addDays(FROM, i), End: addDays(FROM, i + 1) },
      Estimated: i === 28,
      Total: {},
      Groups: [
        { Keys: [STEADY, 'us-east-1'], Metrics: usd(40 + (i % 3)) },
        { Keys: [GPU, 'ap-southeast-3'], Metrics: usd(i === 28 ? 1450 : 12) },
        ...(i >= 26 ? [{ Keys: [NEW, 'us-west-2'], Metrics: usd(300) }] : []),
        // 333333333333 is quiet: no spend, so no group at all.
      ],
    })),
    DimensionValueAttributes: [],
  };
}

function byUsage(): GetCostAndUsageResponse {
  return {
    GroupDefinitions: [{ Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' }, { Type: 'DIMENSION', Key: 'USAGE_TYPE' }],
    ResultsByTime: [{ TimePeriod: { Start: DAY, End: addDays(DAY, 1) }, Estimated: true, Total: {}, Groups: [{ Keys: [GPU, 'APS3-BoxUsage:p3.16xlarge'], Metrics: usd(1400) }] }],
    DimensionValueAttributes: [],
  };
}

const anomaly = (impact: number): Anomaly => ({
  AnomalyId: 'f1e2d3c4-1111-4222-8333-444455556666',
  AnomalyStartDate: '2025-05-13T00:00:00Z',
  AnomalyEndDate: '2025-05-14T00:00:00Z',
  DimensionValue: 'Amazon Elastic Compute Cloud - Compute',
  RootCauses: [{ Service: 'Amazon Elastic Compute Cloud - Compute', Region: 'ap-southeast-3', LinkedAccount: GPU, LinkedAccountName: 'dev-data', UsageType: 'APS3-BoxUsage:p3.16xlarge', Impact: { Contribution: impact } }],
  AnomalyScore: { MaxScore: 91, CurrentScore: 88 },
  Impact: { MaxImpact: impact / 2, TotalImpact: impact, TotalActualSpend: impact + 25, TotalExpectedSpend: 25, TotalImpactPercentage: (impact / 25) * 100 },
  MonitorArn: 'arn:aws:ce::999999999999:anomalymonitor/services',
  Feedback: undefined,
});
const rds: Anomaly = { ...anomaly(300), AnomalyId: 'rds-1', DimensionValue: 'Amazon Relational Database Service', RootCauses: [{ Service: 'Amazon Relational Database Service', LinkedAccount: GPU }] };

async function seed(accountId: string, results: GetCostAndUsageResponse[]): Promise<void> {
  const res = await fetch(`${process.env.AWS_ENDPOINT_URL}/moto-api/static/ce/cost-and-usage-results`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account_id: accountId, results }) });
  expect(res.status).toBe(201);
}

function costExplorerOnMoto(accountId: string): CostExplorerClient {
  const client = new CostExplorerClient({ region: 'us-east-1' });
  client.middlewareStack.add(
    (next) => (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = accountId;
      return next(args);
    },
    { step: 'build', name: 'motoAccount' },
  );
  return client;
}

let table: string;
let ledger: Ledger;

beforeAll(async () => {
  table = await createResponderTable();
  ledger = new Ledger({ tableName: table, ledgerDays: 30, churnMinutes: 30, now: () => NOW });
  // What the scorer saw: an IAM user's key buying p3 in ap-southeast-3 the evening before, and the CI role in the steady account.
  const mallory = trail('run-instances-gpu-success.json', {
    id: 'evt-p3',
    as: { type: 'IAMUser', principalId: 'AIDAMALLORY', arn: `arn:aws:iam::${GPU}:user/mallory`, accountId: GPU },
    at: '2025-05-13T21:40:00Z',
    region: 'ap-southeast-3',
    account: GPU,
  });
  for (const e of [mallory]) await ledger.recordLaunch(e, extractFacts(e), 'rif-from-cloudtrail');
});

function deps(ceAccount: string, anomalies: CostExplorerClient, started: { name: string; input: WorkflowInput }[]): BillingCheckDeps {
  const store = anomalyStore({ tableName: table });
  const moto = costExplorerOnMoto(ceAccount);
  return {
    settings,
    check: DEFAULT_BILLING_CHECK,
    ownAccount: '999999999999',
    now: () => NOW,
    getAnomalies: (range) => getAnomalies(range, { client: anomalies, sleep: () => Promise.resolve() }),
    getDailyCost: (range, groupBy) => getDailyCost(range, groupBy, COMPUTE_SERVICES, { client: moto, sleep: () => Promise.resolve() }),
    decide: (id, impact, margin) => store.decide(id, impact, margin),
    launches: (a, f, t, r) => ledger.launches(a, f, t, r),
    startExecution: (name, input) => Promise.resolve(Boolean(started.push({ name, input }))),
  };
}

describe('the daily billing check', () => {
  it('alerts on the compute anomaly and the baseline spikes, joined to who launched; once, then again when the anomaly grows', async () => {
    const account = String(randomInt(100_000_000_000, 999_999_999_999));
    await seed(account, [byRegion(), byUsage()]);
    const ce = new CostExplorerClient({ region: 'us-east-1' });
    const mock = mockClient(ce);
    mock.on(GetAnomaliesCommand).resolvesOnce({ Anomalies: [anomaly(1380.5)], NextPageToken: 'p2' }).resolves({ Anomalies: [rds] });
    const started: { name: string; input: WorkflowInput }[] = [];

    const first = await makeBillingCheck(deps(account, ce, started))();
    expect(first.day).toBe(DAY);
    expect(first.errors).toEqual([]);
    expect(first.anomalies).toEqual({ returned: 2, compute: 1, alerted: 1 });
    expect(first.baseline).toEqual({ series: 3, signals: 2, alerted: 2 });
    const byAccount = (id: string) => started.filter((s) => s.input.finding.accountId === id);
    // The GPU account: an anomaly and a baseline spike, both corroborated by mallory's launch: Tier 2.
    expect(byAccount(GPU).map((s) => [s.input.finding.tier, s.input.finding.principal, s.input.finding.resources.instanceTypes])).toEqual([
      [2, `arn:aws:iam::${GPU}:user/mallory`, ['p3.16xlarge']],
      [2, `arn:aws:iam::${GPU}:user/mallory`, ['p3.16xlarge']],
    ]);
    const anomalyFinding = byAccount(GPU)[0]!.input.finding;
    expect(anomalyFinding.escalationReasons[0]).toMatch(/^billing anomaly corroborated by provisioning from an unapproved principal/);
    expect(anomalyFinding.answers.billing.evidence[0]).toMatch(/^Cost Anomaly Detection f1e2d3c4-.*USD 1380\.50 above expected/);
    expect(byAccount(GPU)[1]!.input.finding.answers.billing.evidence[0]).toMatch(/still marks the day estimated\): 120\.8x the median .*spent on APS3-BoxUsage:p3\.16xlarge USD 1400\.00/);
    // The new account: no launch known there: a lone anomaly, Tier 1.
    expect(byAccount(NEW).map((s) => [s.input.finding.tier, s.input.finding.principal])).toEqual([[1, expect.stringMatching(/^unknown/)]]);
    expect(byAccount(STEADY)).toEqual([]);
    expect(started.every((s) => s.name.endsWith(`-${DAY}`) && s.input.groupKey.startsWith('billing:'))).toBe(true);
    // The second page was asked for with the same period.
    const calls = mock.commandCalls(GetAnomaliesCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { DateInterval: { StartDate: '2025-05-08', EndDate: '2025-05-15' } },
      { DateInterval: { StartDate: '2025-05-08', EndDate: '2025-05-15' }, NextPageToken: 'p2' },
    ]);

    // The next run, same numbers: nothing new.
    mock.reset();
    mock.on(GetAnomaliesCommand).resolves({ Anomalies: [anomaly(1380.5), rds] });
    const again: typeof started = [];
    expect((await makeBillingCheck(deps(account, ce, again))()).findings).toEqual([]);

    // The anomaly grew by 40% (past the 20% margin): alerted again, marked as grown.
    mock.reset();
    mock.on(GetAnomaliesCommand).resolves({ Anomalies: [anomaly(1932.7)] });
    const grown: typeof started = [];
    const third = await makeBillingCheck(deps(account, ce, grown))();
    expect(third.findings.map((f) => f.alert)).toEqual(['grown']);
    expect(grown[0]!.name).toBe(`${anomalyFinding.findingId}-${DAY}-grown`);
    expect(grown[0]!.input.trigger).toBe('escalated');
    mock.restore();
  });

  it('goes on with the baseline when Cost Anomaly Detection is unavailable, and says so', async () => {
    const account = String(randomInt(100_000_000_000, 999_999_999_999));
    await seed(account, [{ ...byRegion(), ResultsByTime: [] }, { ...byUsage(), ResultsByTime: [] }]);
    const ce = new CostExplorerClient({ region: 'us-east-1' });
    const mock = mockClient(ce);
    mock.on(GetAnomaliesCommand).rejects(new DataUnavailableException({ message: 'Data is not available yet', $metadata: {} }));
    const result = await makeBillingCheck(deps(account, ce, []))();
    expect(result.errors).toEqual([expect.stringMatching(/^GetAnomalies: TransientError: GetAnomalies 2025-05-08\.\.2025-05-15: DataUnavailableException after 5 attempts/)]);
    expect(result.notes).toContain(`no compute spend in any account from ${FROM} to ${DAY}`);
    expect(result.findings).toEqual([]);
    mock.restore();
  });

  it('with no monitor (no anomalies at all) says where one would come from', async () => {
    const account = String(randomInt(100_000_000_000, 999_999_999_999));
    await seed(account, [{ ...byRegion(), ResultsByTime: [] }, { ...byUsage(), ResultsByTime: [] }]);
    const ce = new CostExplorerClient({ region: 'us-east-1' });
    const mock = mockClient(ce);
    mock.on(GetAnomaliesCommand).resolves({ Anomalies: [] });
    const result = await makeBillingCheck(deps(account, ce, []))();
    expect(result.notes[0]).toMatch(/no monitor is configured \(deployment\.billing\.createMonitor\)/);
    mock.restore();
  });
});
