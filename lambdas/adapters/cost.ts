import { CostExplorerClient, GetAnomaliesCommand, GetCostAndUsageCommand, type Anomaly, type ResultByTime } from '@aws-sdk/client-cost-explorer';
import { InputError, RogueInfraError, TransientError } from '../core/errors';
import { awsErrorName, instrumentClient } from './aws';

/**
 * Cost Explorer I/O for the daily billing check: the anomalies Cost Anomaly
 * Detection found, and the daily compute spend per account and region (or
 * usage type).
 *
 * Every Cost Explorer API request is billed (USD 0.01 per request at the
 * time of writing), unlike most read APIs. That is why the check makes a
 * handful of calls a day, asks for whole periods at once rather than day by
 * day, and stops paginating if the API ever hands back the token it was
 * just given instead of looping on it.
 *
 * Cost Explorer is served from us-east-1 only, whatever region the caller
 * runs in.
 */

/**
 * The services a rogue server shows up under: EC2 instances (Compute); EC2
 * - Other, which carries the Elastic IPs, data transfer and EBS volumes that
 * come with them; and Lightsail, whose servers never appear as EC2.
 */
export const COMPUTE_SERVICES = ['Amazon Elastic Compute Cloud - Compute', 'EC2 - Other', 'Amazon Lightsail'] as const;

/** Dates as Cost Explorer takes them, YYYY-MM-DD (UTC days). */
export interface CostPeriod {
  readonly start: string;
  readonly end: string;
}

export type CostGroupBy = readonly ['LINKED_ACCOUNT', 'REGION'] | readonly ['LINKED_ACCOUNT', 'USAGE_TYPE'];

export interface CostOptions {
  /** @default the shared us-east-1 client */
  readonly client?: CostExplorerClient;
  /** Waits between attempts (tests pass one that does not wait). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Throttling, and DataUnavailableException: Cost Explorer's answer while it
 * is still processing the period's billing data (common for the latest day).
 * Both pass with time; anything else (access denied, a bad request) will not.
 */
const RETRIED = new Set(['LimitExceededException', 'ThrottlingException', 'TooManyRequestsException', 'DataUnavailableException']);
const MAX_ATTEMPTS = 5;
const FIRST_DELAY_MS = 1_000;

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let shared: CostExplorerClient | undefined;

/**
 * One attempt per SDK call: the backoff above is the only retry, so a
 * throttled day costs at most MAX_ATTEMPTS paid requests per page, not
 * MAX_ATTEMPTS times the SDK's own attempts.
 */
function costExplorer(client: CostExplorerClient | undefined): CostExplorerClient {
  return client ?? (shared ??= instrumentClient(new CostExplorerClient({ region: 'us-east-1', maxAttempts: 1 })));
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A malformed period is refused here rather than paid for as a ValidationException. */
function checkPeriod(call: string, range: CostPeriod, endExclusive: boolean): string {
  for (const [name, value] of [['start', range.start], ['end', range.end]] as const) {
    if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
      throw new InputError(`${call}: period ${name} must be a YYYY-MM-DD date, found "${value}"`);
    }
  }
  // Same-length ISO dates compare as strings.
  if (endExclusive ? range.end <= range.start : range.end < range.start) {
    throw new InputError(`${call}: period end ${range.end} must be ${endExclusive ? 'after' : 'on or after'} start ${range.start}${endExclusive ? ' (the end day is excluded)' : ''}`);
  }
  return `${range.start}..${range.end}`;
}

/**
 * Every page of one call, following NextPageToken; each page is retried
 * with exponential backoff (1 s, 2 s, 4 s, 8 s) on the errors that pass.
 * The shared client's SDK retry also absorbs short throttling bursts within
 * an attempt; this covers what outlasts it and data that is not ready yet.
 */
async function allPages<P extends { NextPageToken?: string | undefined }>(
  call: string,
  period: string,
  fetchPage: (token: string | undefined) => Promise<P>,
  sleep: (ms: number) => Promise<void>,
): Promise<P[]> {
  const pages: P[] = [];
  let token: string | undefined;
  do {
    let page: P | undefined;
    for (let attempt = 1; page === undefined; attempt++) {
      try {
        page = await fetchPage(token);
      } catch (err) {
        const name = awsErrorName(err);
        if (!RETRIED.has(name)) throw err;
        if (attempt >= MAX_ATTEMPTS) {
          throw new TransientError(`${call} ${period}: ${name} after ${MAX_ATTEMPTS} attempts: ${(err as Error).message}`, { cause: err });
        }
        await sleep(FIRST_DELAY_MS * 2 ** (attempt - 1));
      }
    }
    pages.push(page);
    if (page.NextPageToken !== undefined && page.NextPageToken === token) {
      throw new RogueInfraError(`${call} ${period}: the API returned the page token it was sent (${token}); stopped rather than request the same page again`);
    }
    token = page.NextPageToken || undefined;
  } while (token);
  return pages;
}

/**
 * Every anomaly whose last day detected (AnomalyEndDate) falls in the
 * interval, as GetAnomalies selects them, for one monitor or all of them.
 * An anomaly still going on is returned again each day, with its impact so
 * far (see anomaly-store.ts for how repeats are told apart).
 */
export async function getAnomalies(range: CostPeriod, options: CostOptions & { readonly monitorArn?: string } = {}): Promise<Anomaly[]> {
  const period = checkPeriod('GetAnomalies', range, false);
  const client = costExplorer(options.client);
  const pages = await allPages(
    'GetAnomalies',
    period,
    (token) =>
      client.send(
        new GetAnomaliesCommand({
          DateInterval: { StartDate: range.start, EndDate: range.end },
          ...(options.monitorArn ? { MonitorArn: options.monitorArn } : {}),
          ...(token ? { NextPageToken: token } : {}),
        }),
      ),
    options.sleep ?? wait,
  );
  return pages.flatMap((p) => p.Anomalies ?? []);
}

/**
 * Daily unblended cost of the given services from `start` to `end` (end
 * excluded, as GetCostAndUsage defines it), grouped by linked account and
 * region or usage type.
 *
 * The results of every page are concatenated as they come. With groups,
 * Cost Explorer pages by group, so one day can appear on several pages,
 * each time with other groups: sum by day and group, do not expect one
 * entry per day.
 */
export async function getDailyCost(range: CostPeriod, groupBy: CostGroupBy, services: readonly string[], options: CostOptions = {}): Promise<ResultByTime[]> {
  const period = checkPeriod('GetCostAndUsage', range, true);
  if (services.length === 0) throw new InputError(`GetCostAndUsage ${period}: no services to filter on (expected at least one, e.g. COMPUTE_SERVICES)`);
  const client = costExplorer(options.client);
  const pages = await allPages(
    'GetCostAndUsage',
    period,
    (token) =>
      client.send(
        new GetCostAndUsageCommand({
          TimePeriod: { Start: range.start, End: range.end },
          Granularity: 'DAILY',
          Metrics: ['UnblendedCost'],
          Filter: { Dimensions: { Key: 'SERVICE', Values: [...services] } },
          GroupBy: groupBy.map((key) => ({ Type: 'DIMENSION' as const, Key: key })),
          ...(token ? { NextPageToken: token } : {}),
        }),
      ),
    options.sleep ?? wait,
  );
  return pages.flatMap((p) => p.ResultsByTime ?? []);
}
