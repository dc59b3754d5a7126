import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { describeError, TransientError } from '../core/errors';
import type { Finding } from '../core/model';
import type { AddressContext, Enrichment, InstanceContext } from '../core/workflow';
import { awsErrorName, isTransient } from '../adapters/aws';
import { EC2Client } from '@aws-sdk/client-ec2';
import { describeAddresses, describeInstances, missingInstance } from '../adapters/ec2';
import { clientForAccount, memberAccessFromEnvironment } from '../adapters/member';
import { loadFeeds, type LoadedFeeds } from '../adapters/feeds';
import { lookupAccount, type AccountLookup } from '../adapters/organizations';
import { logger, traced } from './shared/observability';
import { numberEnv, optionalEnv } from './shared/runtime';

/**
 * Enrich: what the finding's resources look like now. Every part is best
 * effort: a region we may not call, an account outside our organization or
 * an unreadable feed becomes a line in `errors` and the rest still arrives.
 * Throttling and timeouts are thrown as TransientError instead, for the
 * workflow's Retry.
 */

export interface EnrichInput {
  readonly finding: Finding;
}

/** Where a resource lives: the account matters once member accounts are reached through an assumed role. */
export interface Scope {
  readonly accountId: string;
  readonly region: string;
}

export interface EnrichDeps {
  readonly describeInstances: (scope: Scope, instanceIds: readonly string[]) => Promise<InstanceContext[]>;
  readonly describeAddresses: (scope: Scope, query: { allocationIds: readonly string[]; publicIps: readonly string[] }) => Promise<AddressContext[]>;
  readonly lookupAccount: (accountId: string) => Promise<AccountLookup>;
  /** Absent when no feeds bucket is configured. */
  readonly loadFeeds?: () => Promise<LoadedFeeds>;
}

const unique = (xs: readonly string[]): string[] => [...new Set(xs)];

export function makeEnrichHandler(deps: EnrichDeps): (input: EnrichInput) => Promise<Enrichment> {
  return async ({ finding }) => {
    const regions = unique([finding.region, ...finding.regions]);
    // One list per part, joined in a fixed order: the parts run side by side,
    // the report should not depend on which answered first.
    const problems = { instances: [] as string[], addresses: [] as string[], account: [] as string[], intel: [] as string[] };
    const transient: unknown[] = [];
    const attempt = async <T>(errors: string[], what: string, call: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await call();
      } catch (err) {
        if (isTransient(err)) transient.push(err);
        errors.push(`${what}: ${awsErrorName(err)}: ${describeError(err)}`);
        return undefined;
      }
    };

    // An id is looked up where it was launched: try the finding's regions in
    // order, asking each only for what the earlier ones did not have.
    const instances = async (): Promise<InstanceContext[]> => {
      const ids = unique(finding.resources.instanceIds);
      const found = new Map<string, InstanceContext>();
      for (const region of regions) {
        const pending = ids.filter((id) => !found.has(id));
        if (pending.length === 0) break;
        const got = await attempt(problems.instances, `DescribeInstances in ${region}`, () => deps.describeInstances({ accountId: finding.accountId, region }, pending));
        for (const i of got ?? []) if (i.found) found.set(i.instanceId, i);
      }
      return ids.map((id) => found.get(id) ?? missingInstance(id, finding.region));
    };

    const addresses = async (): Promise<AddressContext[]> => {
      const out: AddressContext[] = [];
      const seen = new Set<string>();
      for (const region of regions) {
        const allocationIds = finding.resources.allocationIds.filter((id) => !seen.has(id));
        const publicIps = finding.resources.publicIps.filter((ip) => !seen.has(ip));
        if (allocationIds.length + publicIps.length === 0) break;
        const got = await attempt(problems.addresses, `DescribeAddresses in ${region}`, () => deps.describeAddresses({ accountId: finding.accountId, region }, { allocationIds, publicIps }));
        for (const a of got ?? []) {
          if (seen.has(a.publicIp) || (a.allocationId && seen.has(a.allocationId))) continue;
          out.push(a);
          seen.add(a.publicIp);
          if (a.allocationId) seen.add(a.allocationId);
        }
      }
      return out;
    };

    const account = async () => {
      const got = await attempt(problems.account, 'Organizations', () => deps.lookupAccount(finding.accountId));
      if (got?.unavailable) problems.account.push(got.unavailable);
      return got?.account;
    };

    const intel = async (): Promise<Enrichment['threatIntel']> => {
      if (!deps.loadFeeds) return { feeds: [], entries: 0 };
      const got = await attempt(problems.intel, 'Threat-intel feeds', deps.loadFeeds);
      if (!got) return { feeds: [], entries: 0 };
      problems.intel.push(...got.errors.map((e) => `Threat-intel feed ${e}`));
      const bad = got.warnings.length;
      if (bad > 0) problems.intel.push(`Threat-intel feeds: ${bad} bad line${bad === 1 ? '' : 's'}, first ${got.warnings[0]}`);
      return { feeds: [...got.feeds], entries: got.entries, loadedAt: got.loadedAt };
    };

    // Parts run side by side and all finish before a transient failure is
    // thrown, so nothing is left running into the next invocation.
    const [i, a, acct, ti] = await Promise.all([instances(), addresses(), account(), intel()]);
    const errors = [...problems.instances, ...problems.addresses, ...problems.account, ...problems.intel];
    if (transient.length > 0) {
      throw new TransientError(`enrichment of ${finding.findingId} hit a transient failure: ${errors.join('; ')}`, { cause: transient[0] });
    }
    const enrichment: Enrichment = { instances: i, addresses: a, ...(acct ? { account: acct } : {}), threatIntel: ti, errors };
    logger.info('enriched', { findingId: finding.findingId, instancesFound: i.filter((x) => x.found).length, instances: i.length, addresses: a.length, account: acct !== undefined, errors });
    return enrichment;
  };
}

let enrich: ((input: EnrichInput) => Promise<Enrichment>) | undefined;

function fromEnvironment(): (input: EnrichInput) => Promise<Enrichment> {
  const bucket = optionalEnv('FEEDS_BUCKET');
  const refreshMinutes = numberEnv('THREAT_INTEL_REFRESH_MINUTES', 15);
  const ttlMinutes = numberEnv('ACCOUNT_CACHE_MINUTES', 15);
  const access = memberAccessFromEnvironment();
  return makeEnrichHandler({
    // Resources in member accounts are read through the member role there.
    describeInstances: (scope, ids) => describeInstances(scope.region, ids, clientForAccount(EC2Client, scope.region, scope.accountId, access)),
    describeAddresses: (scope, query) => describeAddresses(scope.region, query, clientForAccount(EC2Client, scope.region, scope.accountId, access)),
    lookupAccount: (accountId) => lookupAccount(accountId, { ttlMinutes }),
    ...(bucket ? { loadFeeds: () => loadFeeds(bucket, { refreshMinutes }) } : {}),
  });
}

export const handler = middy((input: EnrichInput) => (enrich ??= fromEnvironment())(input))
  .use(traced())
  .use(injectLambdaContext(logger));
