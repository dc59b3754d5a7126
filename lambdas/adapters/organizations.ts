import {
  DescribeAccountCommand,
  DescribeOrganizationalUnitCommand,
  ListParentsCommand,
  ListAccountsCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  OrganizationsClient,
  type Parent,
} from '@aws-sdk/client-organizations';
import type { AccountContext } from '../core/workflow';
import { awsErrorName, clientFor } from './aws';

/**
 * The account a finding happened in, as the organization describes it: name,
 * e-mail, when it joined, where it sits (OU path) and its tags.
 *
 * Organizations allows only a few calls per second per organization and
 * every enrichment asks about the same handful of accounts, so answers are
 * kept in module memory (a warm Lambda reuses them) for a TTL. OUs are
 * cached separately: accounts in the same OU share their path lookups.
 *
 * Only the management account or a delegated administrator may ask. Anywhere
 * else the answer is "unavailable", with the reason, for the caller to
 * report: a finding without its account's OU is still a finding.
 */

/** Organizations' OU depth is at most five under the root; this guards against a cycle in a bad answer. */
const MAX_DEPTH = 8;
const DEFAULT_TTL_MINUTES = 15;

/** Answers that mean "this caller cannot see the organization" rather than "something broke". */
const UNAVAILABLE = new Set(['AWSOrganizationsNotInUseException', 'AccessDeniedException', 'AccessDenied', 'AccountNotFoundException']);

export interface AccountLookupOptions {
  readonly client?: OrganizationsClient;
  /** How long an answer is reused. @default 15 */
  readonly ttlMinutes?: number;
  /** Epoch ms; injected by tests. @default Date.now */
  readonly now?: () => number;
}

export type AccountLookup =
  | { readonly account: AccountContext; readonly unavailable?: undefined }
  | { readonly account?: undefined; readonly unavailable: string };

interface Cached<T> {
  readonly value: T;
  readonly expires: number;
}

interface OuNode {
  readonly name: string;
  readonly parent: Parent | undefined;
}

const accounts = new Map<string, Cached<Promise<AccountContext>>>();
const units = new Map<string, Cached<Promise<OuNode>>>();
const roots = new Map<string, Cached<Promise<string>>>();

/** Forgets every cached answer (tests, or after a reorganisation). */
export function clearAccountCache(): void {
  accounts.clear();
  units.clear();
  roots.clear();
}

/**
 * Caches the promise, not the value: concurrent lookups of one account share
 * one set of calls. A failed promise is dropped so the next call asks again.
 */
function cached<T>(map: Map<string, Cached<Promise<T>>>, key: string, now: number, ttlMs: number, load: () => Promise<T>): Promise<T> {
  const hit = map.get(key);
  if (hit && hit.expires > now) return hit.value;
  const value = load();
  map.set(key, { value, expires: now + ttlMs });
  value.catch(() => {
    if (map.get(key)?.value === value) map.delete(key);
  });
  return value;
}

async function pages<T>(fetch: (token: string | undefined) => Promise<{ items: T[]; next: string | undefined }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    out.push(...page.items);
    token = page.next;
  } while (token);
  return out;
}

async function parentOf(client: OrganizationsClient, childId: string): Promise<Parent | undefined> {
  const parents = await pages(async (NextToken) => {
    const out = await client.send(new ListParentsCommand({ ChildId: childId, NextToken }));
    return { items: out.Parents ?? [], next: out.NextToken };
  });
  return parents[0];
}

async function load(client: OrganizationsClient, accountId: string, now: number, ttlMs: number): Promise<AccountContext> {
  const { Account: account } = await client.send(new DescribeAccountCommand({ AccountId: accountId }));
  const [path, tags] = await Promise.all([
    ouPath(client, accountId, now, ttlMs),
    pages(async (NextToken) => {
      const out = await client.send(new ListTagsForResourceCommand({ ResourceId: accountId, NextToken }));
      return { items: out.Tags ?? [], next: out.NextToken };
    }),
  ]);
  return {
    id: accountId,
    name: account?.Name,
    email: account?.Email,
    ouPath: path,
    tags: Object.fromEntries(tags.filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? ''])),
    joinedAt: account?.JoinedTimestamp?.toISOString(),
  };
}

async function ouPath(client: OrganizationsClient, accountId: string, now: number, ttlMs: number): Promise<string[]> {
  const path: string[] = [];
  let parent = await parentOf(client, accountId);
  for (let depth = 0; parent?.Id && depth < MAX_DEPTH; depth++) {
    const id = parent.Id;
    if (parent.Type === 'ROOT') {
      path.unshift(await cached(roots, id, now, ttlMs, () => rootName(client, id)));
      break;
    }
    const node = await cached(units, id, now, ttlMs, async () => {
      const [ou, up] = await Promise.all([client.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: id })), parentOf(client, id)]);
      return { name: ou.OrganizationalUnit?.Name ?? id, parent: up };
    });
    path.unshift(node.name);
    parent = node.parent;
  }
  return path;
}

async function rootName(client: OrganizationsClient, rootId: string): Promise<string> {
  const all = await pages(async (NextToken) => {
    const out = await client.send(new ListRootsCommand({ NextToken }));
    return { items: out.Roots ?? [], next: out.NextToken };
  });
  return all.find((r) => r.Id === rootId)?.Name ?? 'Root';
}

/**
 * The account's context, or why it is unavailable. Throws only for other
 * failures (throttling included), which the caller classifies.
 */
export async function lookupAccount(accountId: string, options: AccountLookupOptions = {}): Promise<AccountLookup> {
  // Organizations is a global service served from us-east-1.
  const client = options.client ?? clientFor(OrganizationsClient, 'us-east-1');
  const now = (options.now ?? Date.now)();
  const ttlMs = (options.ttlMinutes ?? DEFAULT_TTL_MINUTES) * 60_000;
  try {
    return { account: await cached(accounts, accountId, now, ttlMs, () => load(client, accountId, now, ttlMs)) };
  } catch (err) {
    const name = awsErrorName(err);
    if (!UNAVAILABLE.has(name)) throw err;
    const why =
      name === 'AccountNotFoundException'
        ? 'the account is not in the organization this responder can see'
        : 'account context needs the management account or a delegated administrator for Organizations';
    return { unavailable: `Organizations, account ${accountId}: ${name}: ${err instanceof Error ? err.message : String(err)} (${why})` };
  }
}

/** The account's context, or undefined when this caller cannot see the organization. */
export async function accountContext(accountId: string, options: AccountLookupOptions = {}): Promise<AccountContext | undefined> {
  return (await lookupAccount(accountId, options)).account;
}

/** The organisation's active accounts (ListAccounts, paged). */
export async function listActiveAccounts(client: OrganizationsClient = clientFor(OrganizationsClient, 'us-east-1')): Promise<string[]> {
  const all = await pages(async (NextToken) => {
    const out = await client.send(new ListAccountsCommand({ NextToken }));
    return { items: out.Accounts ?? [], next: out.NextToken };
  });
  return all.filter((a) => a.Id && (a.Status === undefined || a.Status === 'ACTIVE')).map((a) => a.Id!);
}
