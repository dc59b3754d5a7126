import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { EC2Client } from '@aws-sdk/client-ec2';
import { describeError } from '../core/errors';
import { sweepAddressRecord, sweepRecord, unreported, type SweptAddress, type SweptInstance } from '../core/sweep';
import { awsErrorName } from '../adapters/aws';
import { allAddresses, enabledRegions, instancesLaunchedSince } from '../adapters/ec2';
import { Ledger } from '../adapters/ledger';
import { clientForAccount, memberAccessFromEnvironment, type MemberAccess } from '../adapters/member';
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
  readonly addresses: (accountId: string, region: string) => Promise<SweptAddress[]>;
  /** Instance and allocation ids the scorer saw created in the account between two times. */
  readonly reported: (accountId: string, from: number, to: number) => Promise<Set<string>>;
  /** Addresses the sweep already knows there, and whether it swept there before. */
  readonly sweptAddresses: (accountId: string, region: string) => Promise<{ baseline: boolean; ids: Set<string> }>;
  readonly markSwept: (accountId: string, region: string, ids: readonly string[]) => Promise<void>;
  readonly score: (envelope: unknown) => Promise<ScoreResult>;
}

export interface SweepResult {
  readonly accounts: number;
  readonly regions: number;
  readonly instances: number;
  readonly addresses: number;
  /** Each resource no event reported, and how it was scored. */
  readonly unreported: readonly { readonly accountId: string; readonly region: string; readonly resourceId: string; readonly result: ScoreResult }[];
  /** Regions swept for the first time: their addresses were learned, not reported. */
  readonly baselined: readonly string[];
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
    let addressCount = 0;
    const baselined: string[] = [];
    const envelope = (record: ReturnType<typeof sweepRecord>, accountId: string, region: string) => ({
      version: '0', id: record.eventID, 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', account: accountId, time: record.eventTime, region, resources: [], detail: record,
    });
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
            found.push({ accountId, region, resourceId: i.instanceId, result: await deps.score(envelope(sweepRecord(i), accountId, region)) });
          }
          const addresses = await deps.addresses(accountId, region);
          addressCount += addresses.length;
          const known = await deps.sweptAddresses(accountId, region);
          const fresh = addresses.filter((a) => !seen.has(a.allocationId) && !known.ids.has(a.allocationId));
          if (!known.baseline) baselined.push(`${accountId} ${region}`);
          else for (const a of fresh) found.push({ accountId, region, resourceId: a.allocationId, result: await deps.score(envelope(sweepAddressRecord(a, new Date(now).toISOString()), accountId, region)) });
          await deps.markSwept(accountId, region, addresses.map((a) => a.allocationId).filter((id) => !known.ids.has(id)));
        } catch (err) {
          errors.push(`${accountId} ${region}: ${awsErrorName(err)}: ${describeError(err)}`);
        }
      }
    }
    const result: SweepResult = { accounts: accounts.length, regions, instances, addresses: addressCount, unreported: found, baselined, errors };
    if (errors.length) logger.warn('sweep: some accounts or regions could not be swept', { errors });
    logger.info('sweep done', { ...result, unreported: found.length });
    return result;
  };
}

/**
 * Where the sweep looks, through the member role (each account, region by
 * region), and what it remembers, in the ledger: the wiring both the
 * deployed function and the tests against moto use.
 */
export function awsSweepSources(
  access: MemberAccess,
  ledger: Ledger,
  home: string,
): Pick<SweepDeps, 'enabledRegions' | 'instances' | 'addresses' | 'reported' | 'sweptAddresses' | 'markSwept'> {
  return {
    enabledRegions: (accountId) => enabledRegions(clientForAccount(EC2Client, home, accountId, access)),
    instances: (accountId, region, since) => instancesLaunchedSince(clientForAccount(EC2Client, region, accountId, access), accountId, region, since),
    addresses: (accountId, region) => allAddresses(clientForAccount(EC2Client, region, accountId, access), accountId, region),
    reported: async (accountId, from, to) => new Set((await ledger.launches(accountId, from, to)).flatMap((l) => [...l.instanceIds, ...(l.allocationIds ?? [])])),
    sweptAddresses: (accountId, region) => ledger.sweptAddresses(accountId, region),
    markSwept: (accountId, region, ids) => ledger.markSwept(accountId, region, ids),
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
    ...awsSweepSources(access, ledger, home),
    score: (envelope) => scoreEvent(envelope, score),
  });
}

export const handler = middy(() => (sweep ??= fromEnvironment())())
  .use(traced())
  .use(injectLambdaContext(logger));
