import { randomInt } from 'node:crypto';
import {
  CostExplorerClient,
  DataUnavailableException,
  GetAnomaliesCommand,
  GetCostAndUsageCommand,
  LimitExceededException,
  type Anomaly,
  type GetAnomaliesResponse,
  type GetCostAndUsageCommandInput,
  type GetCostAndUsageResponse,
} from '@aws-sdk/client-cost-explorer';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { anomalyStore } from '../../lambdas/adapters/anomaly-store';
import { COMPUTE_SERVICES, getAnomalies, getDailyCost } from '../../lambdas/adapters/cost';
import { InputError, TransientError } from '../../lambdas/core/errors';
import { createResponderTable, racingClient, unique } from '../support/aws';

/**
 * GetCostAndUsage runs against moto, which answers it from a queue of
 * results posted to /moto-api/static/ce/cost-and-usage-results. The queue
 * is per account (one per partition, whatever the region), and a request
 * takes the next queued result unless moto has seen that exact request
 * body before, in which case it answers the same result again. So each
 * test gets an account of its own (moto takes it from the
 * x-moto-account-id header) and queues its results there: tests running at
 * the same time, or a rerun against the same server, cannot take each
 * other's results.
 *
 * Moto has no GetAnomalies, so that call, and the errors Cost Explorer
 * gives, are played by aws-sdk-client-mock.
 */

const PERIOD = { start: '2025-05-12', end: '2025-05-15' } as const;
const BY_REGION = ['LINKED_ACCOUNT', 'REGION'] as const;

const motoAccount = () => String(randomInt(100_000_000_000, 999_999_999_999));

async function queueCostResults(accountId: string, results: GetCostAndUsageResponse[]): Promise<void> {
  const res = await fetch(`${process.env.AWS_ENDPOINT_URL}/moto-api/static/ce/cost-and-usage-results`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ account_id: accountId, results }),
  });
  expect(res.status).toBe(201);
}

/** A Cost Explorer client on moto, in `accountId`, that records the input of every request it sends. */
function motoCostExplorer(accountId: string): { client: CostExplorerClient; sent: GetCostAndUsageCommandInput[] } {
  const client = new CostExplorerClient({ region: 'us-east-1' });
  const sent: GetCostAndUsageCommandInput[] = [];
  client.middlewareStack.add(
    (next) => (args) => {
      sent.push(structuredClone(args.input as GetCostAndUsageCommandInput));
      return next(args);
    },
    { step: 'initialize', name: 'recordInput' },
  );
  client.middlewareStack.add(
    (next) => (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = accountId;
      return next(args);
    },
    { step: 'build', name: 'motoAccount' },
  );
  return { client, sent };
}

const usd = (amount: string) => ({ UnblendedCost: { Amount: amount, Unit: 'USD' } });
const group = (account: string, region: string, amount: string) => ({ Keys: [account, region], Metrics: usd(amount) });

const PROD = '111122223333';
const SANDBOX = '444455556666';
const DEV = '777788889999';

/**
 * Three days of compute spend over two pages, as Cost Explorer pages
 * grouped results: every day on each page, with other groups. The sandbox
 * account starts spending in ap-southeast-3 on the 13th; the last day is
 * still an estimate.
 */
const PAGE_1: GetCostAndUsageResponse = {
  NextPageToken: 'AAMA-EFRSURBSGlHNlpDOTlURm1BSnVsVUUwSGR4SkhZRGJjOD0',
  GroupDefinitions: [
    { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' },
    { Type: 'DIMENSION', Key: 'REGION' },
  ],
  ResultsByTime: [
    { TimePeriod: { Start: '2025-05-12', End: '2025-05-13' }, Total: {}, Groups: [group(PROD, 'eu-west-1', '41.2087'), group(PROD, 'us-east-1', '118.9034')], Estimated: false },
    { TimePeriod: { Start: '2025-05-13', End: '2025-05-14' }, Total: {}, Groups: [group(PROD, 'eu-west-1', '40.9911'), group(PROD, 'us-east-1', '121.4470')], Estimated: false },
    { TimePeriod: { Start: '2025-05-14', End: '2025-05-15' }, Total: {}, Groups: [group(PROD, 'eu-west-1', '41.0025'), group(PROD, 'us-east-1', '119.8802')], Estimated: true },
  ],
  DimensionValueAttributes: [
    { Value: PROD, Attributes: { description: 'prod' } },
    { Value: SANDBOX, Attributes: { description: 'sandbox' } },
    { Value: DEV, Attributes: { description: 'dev' } },
  ],
};
const PAGE_2: GetCostAndUsageResponse = {
  GroupDefinitions: PAGE_1.GroupDefinitions,
  ResultsByTime: [
    { TimePeriod: { Start: '2025-05-12', End: '2025-05-13' }, Total: {}, Groups: [group(SANDBOX, 'us-east-1', '0.4416'), group(DEV, 'us-west-2', '6.1200')], Estimated: false },
    {
      TimePeriod: { Start: '2025-05-13', End: '2025-05-14' },
      Total: {},
      Groups: [group(SANDBOX, 'ap-southeast-3', '212.6640'), group(SANDBOX, 'us-east-1', '0.4416'), group(DEV, 'us-west-2', '6.1200')],
      Estimated: false,
    },
    {
      TimePeriod: { Start: '2025-05-14', End: '2025-05-15' },
      Total: {},
      Groups: [group(SANDBOX, 'ap-southeast-3', '1023.8112'), group(SANDBOX, 'us-east-1', '0.4416'), group(DEV, 'us-west-2', '6.1200')],
      Estimated: true,
    },
  ],
  DimensionValueAttributes: PAGE_1.DimensionValueAttributes,
};

describe('getDailyCost (moto)', () => {
  it('sends one filtered, grouped, daily request per page and concatenates the pages', async () => {
    const account = motoAccount();
    await queueCostResults(account, [PAGE_1, PAGE_2]);
    const { client, sent } = motoCostExplorer(account);

    const results = await getDailyCost(PERIOD, BY_REGION, COMPUTE_SERVICES, { client });

    expect(results).toEqual([...PAGE_1.ResultsByTime!, ...PAGE_2.ResultsByTime!]);
    expect(results.filter((r) => r.TimePeriod?.Start === '2025-05-14').flatMap((r) => r.Groups ?? [])).toHaveLength(5);
    expect(results.find((r) => r.Groups?.some((g) => g.Keys?.[1] === 'ap-southeast-3'))?.Groups?.[0]).toEqual({ Keys: [SANDBOX, 'ap-southeast-3'], Metrics: { UnblendedCost: { Amount: '212.6640', Unit: 'USD' } } });

    const request = {
      TimePeriod: { Start: '2025-05-12', End: '2025-05-15' },
      Granularity: 'DAILY',
      Metrics: ['UnblendedCost'],
      Filter: { Dimensions: { Key: 'SERVICE', Values: ['Amazon Elastic Compute Cloud - Compute', 'EC2 - Other', 'Amazon Lightsail'] } },
      GroupBy: [
        { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' },
        { Type: 'DIMENSION', Key: 'REGION' },
      ],
    };
    expect(sent).toEqual([request, { ...request, NextPageToken: PAGE_1.NextPageToken }]);
  });

  it('groups by usage type when asked, and answers no results when Cost Explorer has none', async () => {
    const { client, sent } = motoCostExplorer(motoAccount());
    const results = await getDailyCost({ start: '2025-05-14', end: '2025-05-15' }, ['LINKED_ACCOUNT', 'USAGE_TYPE'], ['Amazon Lightsail'], { client });
    expect(results).toEqual([]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      TimePeriod: { Start: '2025-05-14', End: '2025-05-15' },
      Filter: { Dimensions: { Key: 'SERVICE', Values: ['Amazon Lightsail'] } },
      GroupBy: [
        { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' },
        { Type: 'DIMENSION', Key: 'USAGE_TYPE' },
      ],
    });
  });

  it('refuses a malformed or empty period before paying for a request', async () => {
    const { client, sent } = motoCostExplorer(motoAccount());
    await expect(getDailyCost({ start: '2025-5-12', end: '2025-05-15' }, BY_REGION, COMPUTE_SERVICES, { client })).rejects.toThrow(
      new InputError('GetCostAndUsage: period start must be a YYYY-MM-DD date, found "2025-5-12"'),
    );
    await expect(getDailyCost({ start: '2025-05-15', end: '2025-05-15' }, BY_REGION, COMPUTE_SERVICES, { client })).rejects.toThrow(
      'GetCostAndUsage: period end 2025-05-15 must be after start 2025-05-15 (the end day is excluded)',
    );
    await expect(getDailyCost(PERIOD, BY_REGION, [], { client })).rejects.toThrow(InputError);
    expect(sent).toEqual([]);
  });
});

const MONITOR = 'arn:aws:ce::123456789012:anomalymonitor/3c1b7e52-5a0d-4f8e-9b2a-6d4f1e8c9a70';

function anomaly(id: string, over: Partial<Anomaly> & { account: string; accountName: string; region: string; usageType: string; total: number; actual: number }): Anomaly {
  const expected = Math.round((over.actual - over.total) * 100) / 100;
  return {
    AnomalyId: id,
    AnomalyStartDate: '2025-05-13T00:00:00Z',
    AnomalyEndDate: '2025-05-14T00:00:00Z',
    DimensionValue: 'Amazon Elastic Compute Cloud - Compute',
    RootCauses: [
      {
        Service: 'Amazon Elastic Compute Cloud - Compute',
        Region: over.region,
        LinkedAccount: over.account,
        LinkedAccountName: over.accountName,
        UsageType: over.usageType,
        Impact: { Contribution: over.total },
      },
    ],
    AnomalyScore: { MaxScore: 0.93, CurrentScore: 0.91 },
    Impact: {
      MaxImpact: Math.round(over.total * 0.8 * 100) / 100,
      TotalImpact: over.total,
      TotalActualSpend: over.actual,
      TotalExpectedSpend: expected,
      TotalImpactPercentage: Math.round((over.total / expected) * 10_000) / 100,
    },
    MonitorArn: MONITOR,
    Feedback: 'NO',
  };
}

const ANOMALIES_1: GetAnomaliesResponse = {
  Anomalies: [
    anomaly('1f4a9c2e-7b3d-4e8a-a1c5-2d6f8b0e3a17', { account: SANDBOX, accountName: 'sandbox', region: 'ap-southeast-3', usageType: 'APS4-BoxUsage:c5.24xlarge', total: 1227.04, actual: 1228.37 }),
    anomaly('8e2b5d71-0c4f-4a96-b3e8-5f1a7c9d2b64', { account: DEV, accountName: 'dev', region: 'us-west-2', usageType: 'USW2-BoxUsage:g4dn.12xlarge', total: 311.52, actual: 330.0 }),
  ],
  NextPageToken: 'eyJwYWdlIjoyLCJtb25pdG9yIjoiM2MxYjdlNTIifQ==',
};
const ANOMALIES_2: GetAnomaliesResponse = {
  Anomalies: [
    anomaly('c7d03a5e-91b8-4f2c-8d6a-0e4b7f1c5a93', {
      account: PROD,
      accountName: 'prod',
      region: 'eu-west-1',
      usageType: 'EU-BoxUsage:m5.large',
      total: 58.4,
      actual: 99.6,
      AnomalyStartDate: '2025-05-08T00:00:00Z',
      AnomalyEndDate: '2025-05-12T00:00:00Z',
      AnomalyScore: { MaxScore: 0.62, CurrentScore: 0.0 },
      Feedback: 'PLANNED_ACTIVITY',
    }),
  ],
};

const instantly = () => {
  const delays: number[] = [];
  return { delays, sleep: (ms: number) => (delays.push(ms), Promise.resolve()) };
};

describe('getAnomalies (client mocked: moto has no GetAnomalies)', () => {
  it('follows NextPageToken and returns every anomaly as the API gave it', async () => {
    const client = new CostExplorerClient({ region: 'us-east-1' });
    const ce = mockClient(client);
    ce.on(GetAnomaliesCommand).resolvesOnce(ANOMALIES_1).resolvesOnce(ANOMALIES_2);

    const anomalies = await getAnomalies({ start: '2025-05-08', end: '2025-05-14' }, { client, monitorArn: MONITOR });

    expect(anomalies).toEqual([...ANOMALIES_1.Anomalies!, ...ANOMALIES_2.Anomalies!]);
    const inputs = ce.commandCalls(GetAnomaliesCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { DateInterval: { StartDate: '2025-05-08', EndDate: '2025-05-14' }, MonitorArn: MONITOR },
      { DateInterval: { StartDate: '2025-05-08', EndDate: '2025-05-14' }, MonitorArn: MONITOR, NextPageToken: ANOMALIES_1.NextPageToken },
    ]);
  });

  it('asks across every monitor when given none', async () => {
    const client = new CostExplorerClient({ region: 'us-east-1' });
    const ce = mockClient(client);
    ce.on(GetAnomaliesCommand).resolves({ Anomalies: [] });
    expect(await getAnomalies({ start: '2025-05-14', end: '2025-05-14' }, { client })).toEqual([]);
    expect(ce.commandCalls(GetAnomaliesCommand).map((c) => c.args[0].input)).toEqual([{ DateInterval: { StartDate: '2025-05-14', EndDate: '2025-05-14' } }]);
  });
});

describe('retries', () => {
  const throttled = () => new LimitExceededException({ $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });
  const notReady = () =>
    new DataUnavailableException({ $metadata: { httpStatusCode: 400 }, message: "Data is not available. Please try to adjust the time period. If querying previous day's data, it is possible that the data is not yet available." });

  it('backs off on throttling and then succeeds', async () => {
    const client = new CostExplorerClient({ region: 'us-east-1' });
    const ce = mockClient(client);
    ce.on(GetAnomaliesCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves(ANOMALIES_2);
    const { delays, sleep } = instantly();

    expect(await getAnomalies({ start: '2025-05-08', end: '2025-05-14' }, { client, sleep })).toEqual(ANOMALIES_2.Anomalies);
    expect(ce.commandCalls(GetAnomaliesCommand)).toHaveLength(3);
    expect(delays).toEqual([1000, 2000]);
  });

  it('retries the page that failed, with its token, and keeps the pages before it', async () => {
    const client = new CostExplorerClient({ region: 'us-east-1' });
    const ce = mockClient(client);
    const throttling = Object.assign(new Error('Too many requests'), { name: 'ThrottlingException' });
    ce.on(GetCostAndUsageCommand).resolvesOnce(PAGE_1).rejectsOnce(throttling).resolvesOnce(PAGE_2);
    const { delays, sleep } = instantly();

    const results = await getDailyCost(PERIOD, BY_REGION, COMPUTE_SERVICES, { client, sleep });

    expect(results).toEqual([...PAGE_1.ResultsByTime!, ...PAGE_2.ResultsByTime!]);
    expect(ce.commandCalls(GetCostAndUsageCommand).map((c) => c.args[0].input.NextPageToken)).toEqual([undefined, PAGE_1.NextPageToken, PAGE_1.NextPageToken]);
    expect(delays).toEqual([1000]);
  });

  it('gives up with a TransientError after five attempts when the data is not ready', async () => {
    const client = new CostExplorerClient({ region: 'us-east-1' });
    const ce = mockClient(client);
    ce.on(GetCostAndUsageCommand).callsFake(() => Promise.reject(notReady()));
    const { delays, sleep } = instantly();

    const failure = await getDailyCost(PERIOD, BY_REGION, COMPUTE_SERVICES, { client, sleep }).then(
      () => undefined,
      (err: unknown) => err,
    );

    expect(failure).toBeInstanceOf(TransientError);
    expect((failure as TransientError).message).toBe(
      "GetCostAndUsage 2025-05-12..2025-05-15: DataUnavailableException after 5 attempts: Data is not available. Please try to adjust the time period. If querying previous day's data, it is possible that the data is not yet available.",
    );
    expect((failure as TransientError).cause).toBeInstanceOf(DataUnavailableException);
    expect(ce.commandCalls(GetCostAndUsageCommand)).toHaveLength(5);
    expect(delays).toEqual([1000, 2000, 4000, 8000]);
  });

  it('rethrows any other error at once', async () => {
    const client = new CostExplorerClient({ region: 'us-east-1' });
    const ce = mockClient(client);
    const denied = Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/billing-check/fn is not authorized to perform: ce:GetAnomalies'), { name: 'AccessDeniedException' });
    ce.on(GetAnomaliesCommand).rejects(denied);
    const { delays, sleep } = instantly();

    await expect(getAnomalies({ start: '2025-05-08', end: '2025-05-14' }, { client, sleep })).rejects.toBe(denied);
    expect(ce.commandCalls(GetAnomaliesCommand)).toHaveLength(1);
    expect(delays).toEqual([]);
  });
});

describe('anomalyStore (moto DynamoDB)', () => {
  let table: string;
  beforeAll(async () => {
    table = await createResponderTable();
  });

  const T0 = Date.parse('2025-05-14T06:00:00Z');
  const DAY_MS = 86_400_000;

  const raw = async (anomalyId: string) =>
    (await new DynamoDBClient({}).send(new GetItemCommand({ TableName: table, Key: { pk: { S: `BILLING#ANOMALY#${anomalyId}` }, sk: { S: 'ALERT' } }, ConsistentRead: true }))).Item;

  it('alerts on a new anomaly, then again only when it has grown past the margin since the last alert', async () => {
    const id = unique('anomaly');
    let now = T0;
    const store = anomalyStore({ tableName: table, now: () => now });

    expect(await store.decide(id, 120.5, 20)).toEqual({ kind: 'new' });
    now += DAY_MS;
    expect(await store.decide(id, 120.5, 20)).toEqual({ kind: 'unchanged', previousImpact: 120.5 });
    now += DAY_MS;
    // 16 % more: under the 20 % margin.
    expect(await store.decide(id, 139.78, 20)).toEqual({ kind: 'unchanged', previousImpact: 120.5 });
    now += DAY_MS;
    const grown = await store.decide(id, 150.62, 20);
    expect(grown).toMatchObject({ kind: 'grown', previousImpact: 120.5 });
    expect(grown.kind === 'grown' && grown.growthPercent).toBeCloseTo(24.996, 3);
    const grownAt = now;
    now += DAY_MS;
    expect(await store.decide(id, 150.62, 20)).toEqual({ kind: 'unchanged', previousImpact: 150.62 });
    // Growth is measured from the last alert: 13 % over it, though 49 % over the first.
    expect(await store.decide(id, 170.2, 20)).toEqual({ kind: 'unchanged', previousImpact: 150.62 });

    expect(await raw(id)).toEqual({
      pk: { S: `BILLING#ANOMALY#${id}` },
      sk: { S: 'ALERT' },
      anomalyId: { S: id },
      lastAlertedImpact: { N: '150.62' },
      alerts: { N: '2' },
      firstAlertedAt: { S: '2025-05-14T06:00:00.000Z' },
      lastAlertedAt: { S: new Date(grownAt).toISOString() },
      // The TTL restarts with each alert.
      expiresAt: { N: String(Math.floor(grownAt / 1000) + 90 * 86_400) },
    });
  });

  it('counts growth of exactly the margin as grown, and keeps records retainDays', async () => {
    const id = unique('anomaly');
    const store = anomalyStore({ tableName: table, now: () => T0, retainDays: 30 });
    expect(await store.decide(id, 100, 10)).toEqual({ kind: 'new' });
    const grown = await store.decide(id, 110, 10);
    expect(grown).toMatchObject({ kind: 'grown', previousImpact: 100 });
    expect(grown.kind === 'grown' && grown.growthPercent).toBeCloseTo(10, 9);
    expect((await raw(id))?.expiresAt).toEqual({ N: String(Math.floor(T0 / 1000) + 30 * 86_400) });
  });

  it('refuses an impact or margin that is not a number', async () => {
    const store = anomalyStore({ tableName: table });
    await expect(store.decide('a-1', Number.NaN, 20)).rejects.toThrow(new InputError('anomaly a-1: totalImpact must be a finite number (USD), found NaN'));
    await expect(store.decide('a-1', 10, -5)).rejects.toThrow(new InputError('anomaly a-1: marginPercent must be a number >= 0, found -5'));
  });

  it('lets one of two concurrent runs alert on a new anomaly', async () => {
    const id = unique('anomaly');
    const { client, writes } = racingClient(2);
    const store = anomalyStore({ tableName: table, client, now: () => T0 });

    const decisions = await Promise.all([store.decide(id, 75.3, 20), store.decide(id, 75.3, 20)]);

    expect(decisions.filter((d) => d.kind === 'new')).toHaveLength(1);
    expect(decisions.filter((d) => d.kind === 'unchanged')).toEqual([{ kind: 'unchanged', previousImpact: 75.3 }]);
    expect(writes.sort()).toEqual(['ConditionalCheckFailedException', 'ok']);
    expect((await raw(id))?.alerts).toEqual({ N: '1' });
  });

  it('lets one of two concurrent runs alert on a grown anomaly', async () => {
    const id = unique('anomaly');
    await anomalyStore({ tableName: table, now: () => T0 }).decide(id, 100, 20);
    const { client, writes } = racingClient(2);
    const store = anomalyStore({ tableName: table, client, now: () => T0 + DAY_MS });

    const decisions = await Promise.all([store.decide(id, 180, 20), store.decide(id, 180, 20)]);

    expect(decisions.filter((d) => d.kind === 'grown')).toEqual([{ kind: 'grown', previousImpact: 100, growthPercent: 80 }]);
    expect(decisions.filter((d) => d.kind === 'unchanged')).toEqual([{ kind: 'unchanged', previousImpact: 180 }]);
    expect(writes.sort()).toEqual(['ConditionalCheckFailedException', 'ok']);
    expect((await raw(id))?.alerts).toEqual({ N: '2' });
  });
});
