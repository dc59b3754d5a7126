import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { EC2Client } from '@aws-sdk/client-ec2';
import { describeError } from '../core/errors';
import { sweepRecord, unreported, type SweptInstance } from '../core/sweep';
import { awsErrorName } from '../adapters/aws';
import { enabledRegions, instancesLaunchedSince } from '../adapters/ec2';
import { Ledger } from '../adapters/ledger';
import { clientForAccount, memberAccessFromEnvironment } from '../adapters/member';
import { listActiveAccounts } from '../adapters/organizations';
import { logger, traced } from './shared/observability';
import { numberEnv, requireEnv } from './shared/runtime';
import { scoreDepsFromEnvironment, scoreEvent, type ScoreResult } from './score';

/**
 * The reconciliation sweep (scheduled): EventBridge delivery is best
 * effort and a member may not have forwarded yet, so every account of the
 * organisation and every region it has enabled (newly enabled ones
 * included: DescribeRegions answers per account, per run) is listed through
 * the member role; a running instance launched in the window that no event
 * reported (the scorer's launch index has no trace of it) is scored as a
 * RunInstances "seen by the sweep". One account or region that fails is
 * reported; the rest is swept.
 */

export interface SweepDeps {
  readonly now: () => number;
  readonly windowHours: number;
  /** Configured regions (the member stack's); a region is swept when the account also has it enabled. */
  readonly regions: readonly string[];
  readonly listAccounts: () => Promise<string[]>;
  readonly enabledRegions: (accountId: string) => Promise<string[]>;
  readonly instances: (accountId: string, region: string, since: number) => Promise<SweptInstance[]>;
  /** Instance ids the scorer saw launched in the account between two times. */
  readonly reported: (accountId: string, from: number, to: number) => Promise<Set<string>>;
  readonly score: (envelope: unknown) => Promise<ScoreResult>;
}

export interface SweepResult {
  readonly accounts: number;
  readonly regions: number;
  readonly instances: number;
  readonly unreported: readonly { readonly accountId: string; readonly region: string; readonly instanceId: string; readonly result: ScoreResult }[];
  readonly errors: readonly string[];
}

export function makeSweep(deps: SweepDeps): () => Promise<SweepResult> {
  return async () => {
    const now = deps.now();
    const since = now - deps.windowHours * 3_600_000;
    const errors: string[] = [];
    const found: SweepResult['unreported'][number][] = [];
    let regions = 0;
    let instances = 0;
    let accounts: string[] = [];
    try {
      accounts = await deps.listAccounts();
    } catch (err) {
      errors.push(`ListAccounts: ${awsErrorName(err)}: ${describeError(err)}`);
    }
    for (const accountId of accounts) {
      let enabled: string[];
      try {
        enabled = (await deps.enabledRegions(accountId)).filter((r) => deps.regions.includes(r));
      } catch (err) {
        errors.push(`${accountId}: DescribeRegions: ${awsErrorName(err)}: ${describeError(err)}`);
        continue;
      }
      let seen: Set<string>;
      try {
        seen = await deps.reported(accountId, since - 3_600_000, now);
      } catch (err) {
        errors.push(`${accountId}: the launch index: ${awsErrorName(err)}: ${describeError(err)}`);
        continue;
      }
      for (const region of enabled) {
        regions++;
        try {
          const listed = await deps.instances(accountId, region, since);
          instances += listed.length;
          for (const i of unreported(listed, seen, since)) {
            const record = sweepRecord(i);
            const envelope = { version: '0', id: record.eventID, 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', account: accountId, time: record.eventTime, region, resources: [], detail: record };
            found.push({ accountId, region, instanceId: i.instanceId, result: await deps.score(envelope) });
          }
        } catch (err) {
          errors.push(`${accountId} ${region}: ${awsErrorName(err)}: ${describeError(err)}`);
        }
      }
    }
    const result: SweepResult = { accounts: accounts.length, regions, instances, unreported: found, errors };
    if (errors.length) logger.warn('sweep: some accounts or regions could not be swept', { errors });
    logger.info('sweep done', { ...result, unreported: found.length });
    return result;
  };
}

let sweep: (() => Promise<SweepResult>) | undefined;

function fromEnvironment(): () => Promise<SweepResult> {
  const access = memberAccessFromEnvironment();
  const ledger = new Ledger({ tableName: requireEnv('TABLE_NAME'), ledgerDays: numberEnv('LEDGER_DAYS', 30), churnMinutes: 30, now: Date.now });
  const score = scoreDepsFromEnvironment();
  const regions = requireEnv('SWEEP_REGIONS').split(',').filter(Boolean);
  const home = process.env.AWS_REGION ?? 'us-east-1';
  return makeSweep({
    now: Date.now,
    windowHours: numberEnv('SWEEP_WINDOW_HOURS', 24),
    regions,
    // Without forwarding there is no member role: the own account only.
    listAccounts: async () => (access.roleName ? [...new Set([access.ownAccount, ...(await listActiveAccounts())])] : [access.ownAccount]),
    enabledRegions: (accountId) => enabledRegions(clientForAccount(EC2Client, home, accountId, access)),
    instances: (accountId, region, since) => instancesLaunchedSince(clientForAccount(EC2Client, region, accountId, access), accountId, region, since),
    reported: async (accountId, from, to) => new Set((await ledger.launches(accountId, from, to)).flatMap((l) => l.instanceIds)),
    score: (envelope) => scoreEvent(envelope, score),
  });
}

export const handler = middy(() => (sweep ??= fromEnvironment())())
  .use(traced())
  .use(injectLambdaContext(logger));
