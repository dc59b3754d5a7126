import { randomInt } from 'node:crypto';
import {
  AccessDeniedException,
  AWSOrganizationsNotInUseException,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
  TagResourceCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountContext, clearAccountCache, lookupAccount } from '../../lambdas/adapters/organizations';
import { unique } from '../support/aws';

/**
 * moto keeps one organization per account, and the server is shared by every
 * test file: each client here speaks as its own random management account
 * (moto's `x-moto-account-id` header), so no other file's organization is
 * in the way. Every call is counted, which is how the cache is observed.
 */
function orgClient(accountId: string): { client: OrganizationsClient; calls: string[] } {
  const client = new OrganizationsClient({ region: 'us-east-1' });
  const calls: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      calls.push(context.commandName ?? 'unknown');
      (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = accountId;
      return next(args);
    },
    { step: 'build', name: 'motoAccount' },
  );
  return { client, calls };
}

/** A client that fails every call with `err` before it leaves the process. */
function failingClient(err: Error): OrganizationsClient {
  const client = new OrganizationsClient({ region: 'us-east-1' });
  client.middlewareStack.add(
    () => () => Promise.reject(err),
    { step: 'initialize', name: 'fail' },
  );
  return client;
}

const randomAccount = () => String(randomInt(100_000_000_000, 999_999_999_999));

const management = randomAccount();
const org = orgClient(management);
let sandboxAccount: string;
let sandboxName: string;
let sandboxOu: string;
let rootAccount: string;

async function createAccount(name: string): Promise<string> {
  const out = await org.client.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
  return out.CreateAccountStatus!.AccountId!;
}

beforeAll(async () => {
  await org.client.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const rootId = (await org.client.send(new ListRootsCommand({}))).Roots![0]!.Id!;
  const workloads = await org.client.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Workloads' }));
  const sandbox = await org.client.send(new CreateOrganizationalUnitCommand({ ParentId: workloads.OrganizationalUnit!.Id!, Name: 'Sandbox' }));
  sandboxOu = sandbox.OrganizationalUnit!.Id!;
  sandboxName = unique('sandbox');
  sandboxAccount = await createAccount(sandboxName);
  await org.client.send(new MoveAccountCommand({ AccountId: sandboxAccount, SourceParentId: rootId, DestinationParentId: sandboxOu }));
  await org.client.send(new TagResourceCommand({ ResourceId: sandboxAccount, Tags: [{ Key: 'owner', Value: 'team-a' }, { Key: 'environment', Value: 'sandbox' }] }));
  rootAccount = await createAccount(unique('loose'));
});

beforeEach(() => {
  clearAccountCache();
  org.calls.length = 0;
});

describe('accountContext', () => {
  it('returns the name, e-mail, OU path (root first) and tags', async () => {
    const got = await accountContext(sandboxAccount, { client: org.client });
    expect(got).toEqual({
      id: sandboxAccount,
      name: sandboxName,
      email: `${sandboxName}@example.com`,
      ouPath: ['Root', 'Workloads', 'Sandbox'],
      tags: { owner: 'team-a', environment: 'sandbox' },
      joinedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const direct = await accountContext(rootAccount, { client: org.client });
    expect(direct).toMatchObject({ id: rootAccount, ouPath: ['Root'], tags: {} });
  });

  it('answers from memory until the TTL passes', async () => {
    let now = Date.parse('2025-05-15T00:00:00Z');
    const options = { client: org.client, ttlMinutes: 15, now: () => now };
    const first = await accountContext(sandboxAccount, options);
    expect(org.calls).toContain('DescribeAccountCommand');
    const callsAfterFirst = org.calls.length;

    // Changed behind the cache's back: still the cached answer, and no call.
    await org.client.send(new TagResourceCommand({ ResourceId: sandboxAccount, Tags: [{ Key: 'owner', Value: 'team-b' }] }));
    org.calls.length = callsAfterFirst;
    now += 14 * 60_000;
    expect(await accountContext(sandboxAccount, options)).toEqual(first);
    expect(org.calls).toHaveLength(callsAfterFirst);

    now += 2 * 60_000;
    const refreshed = await accountContext(sandboxAccount, options);
    expect(refreshed?.tags.owner).toBe('team-b');
    await org.client.send(new TagResourceCommand({ ResourceId: sandboxAccount, Tags: [{ Key: 'owner', Value: 'team-a' }] }));
  });

  it('shares OU lookups between accounts, and one lookup between concurrent callers', async () => {
    const sibling = await createAccount(unique('sibling'));
    const rootId = (await org.client.send(new ListRootsCommand({}))).Roots![0]!.Id!;
    await org.client.send(new MoveAccountCommand({ AccountId: sibling, SourceParentId: rootId, DestinationParentId: sandboxOu }));
    org.calls.length = 0;

    const [a, b] = await Promise.all([accountContext(sandboxAccount, { client: org.client }), accountContext(sandboxAccount, { client: org.client })]);
    expect(a).toBe(b);
    expect(org.calls.filter((c) => c === 'DescribeAccountCommand')).toHaveLength(1);

    org.calls.length = 0;
    expect((await accountContext(sibling, { client: org.client }))?.ouPath).toEqual(['Root', 'Workloads', 'Sandbox']);
    expect(org.calls.sort()).toEqual(['DescribeAccountCommand', 'ListParentsCommand', 'ListTagsForResourceCommand']);
  });

  it('gives undefined, with the reason, where the organization cannot be seen', async () => {
    // An account that is in no organization: moto answers AccountNotFoundException.
    const outsider = orgClient(randomAccount());
    expect(await accountContext(sandboxAccount, { client: outsider.client })).toBeUndefined();
    const lookup = await lookupAccount(sandboxAccount, { client: outsider.client });
    expect(lookup.unavailable).toMatch(new RegExp(`^Organizations, account ${sandboxAccount}: AccountNotFoundException: `));

    // What AWS answers outside an organization and from a member account.
    const notInUse = new AWSOrganizationsNotInUseException({ message: 'Your account is not a member of an organization.', $metadata: {} });
    const denied = new AccessDeniedException({ message: 'You don\u2019t have permissions to access this resource.', $metadata: {} });
    expect(await lookupAccount('111111111111', { client: failingClient(notInUse) })).toEqual({
      unavailable: expect.stringMatching(/AWSOrganizationsNotInUseException: .*management account or a delegated administrator/),
    });
    expect(await accountContext('111111111111', { client: failingClient(denied) })).toBeUndefined();
  });

  it('throws throttling for the caller to retry, and does not cache the failure', async () => {
    const throttled = new TooManyRequestsException({ message: 'AWS Organizations can\u2019t complete your request because another request is already in progress.', $metadata: {} });
    await expect(accountContext(sandboxAccount, { client: failingClient(throttled) })).rejects.toThrow(TooManyRequestsException);
    expect((await accountContext(sandboxAccount, { client: org.client }))?.name).toBe(sandboxName);
  });
});
