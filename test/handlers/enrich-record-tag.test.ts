import { randomInt } from 'node:crypto';
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  DescribeTagsCommand,
  EC2Client,
  EC2ServiceException,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
  TagResourceCommand,
} from '@aws-sdk/client-organizations';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeAddresses, describeInstances, tagResources } from '../../lambdas/adapters/ec2';
import { clearFeedCache, loadFeeds } from '../../lambdas/adapters/feeds';
import { getFinding, history } from '../../lambdas/adapters/findings';
import { clearAccountCache, lookupAccount } from '../../lambdas/adapters/organizations';
import type { Finding } from '../../lambdas/core/model';
import { TAG } from '../../lambdas/core/workflow';
import { makeEnrichHandler, type EnrichDeps, type Scope } from '../../lambdas/handlers/enrich';
import { handler as recordHandler } from '../../lambdas/handlers/record';
import { makeTagHandler } from '../../lambdas/handlers/tag';
import { makeAssessHandler } from '../../lambdas/handlers/assess';
import { INDICATOR_BY_ID } from '../../lambdas/core/indicators/catalogue';
import type { ContainmentPolicy } from '../../lambdas/core/policy';
import { withDefaults } from '../../lambdas/core/settings';
import { emptyThreatIntel } from '../../lambdas/core/threat-intel';
import { trail } from '../support/fixtures';
import { context as indicatorContext, group } from '../support/groups';
import { loadConfig } from '../../lib/config/load';
import { hunt } from '../../lib/hunt/hunt';
import { createResponderTable, unique } from '../support/aws';
import { inMotoAccount } from '../support/moto';

/**
 * Enrich -> Record -> Tag for a finding about resources that exist: two
 * instances and two Elastic IPs in a member account, in us-east-1 and
 * eu-west-1, an organization that knows the account, feeds in S3 and the
 * responder table. The member account and the management account are moto
 * accounts of their own (`x-moto-account-id`), which is exactly where the
 * workflow will use an assumed-role client per account: the deps receive
 * the scope and pick the client.
 */

const randomAccount = () => String(randomInt(100_000_000_000, 999_999_999_999));
const managementAccount = randomAccount();
const org = inMotoAccount(new OrganizationsClient({ region: 'us-east-1' }), managementAccount);

const ec2Clients = new Map<string, EC2Client>();
/** Where a role assumed in `scope.accountId` will be used. */
function ec2For(scope: Scope): EC2Client {
  const key = `${scope.accountId}/${scope.region}`;
  let client = ec2Clients.get(key);
  if (!client) ec2Clients.set(key, (client = inMotoAccount(new EC2Client({ region: scope.region }), scope.accountId)));
  return client;
}

const context = { functionName: 'record', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:record' } as Context;

interface Launched {
  instanceId: string;
  allocationId: string;
  publicIp: string;
}

async function launch(client: EC2Client, cidr: string, name: string): Promise<Launched> {
  const imageId = (await client.send(new DescribeImagesCommand({ Filters: [{ Name: 'name', Values: ['amzn2-ami-hvm-*'] }] }))).Images![0]!.ImageId!;
  const vpcId = (await client.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
  const subnetId = (await client.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr.replace('.0.0/16', '.1.0/24') }))).Subnet!.SubnetId!;
  const run = await client.send(
    new RunInstancesCommand({
      ImageId: imageId,
      MinCount: 1,
      MaxCount: 1,
      InstanceType: 'g4dn.12xlarge',
      SubnetId: subnetId,
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: name }] }],
    }),
  );
  const instanceId = run.Instances![0]!.InstanceId!;
  const eip = await client.send(new AllocateAddressCommand({ Domain: 'vpc' }));
  await client.send(new AssociateAddressCommand({ AllocationId: eip.AllocationId!, InstanceId: instanceId }));
  return { instanceId, allocationId: eip.AllocationId!, publicIp: eip.PublicIp! };
}

let member: string;
let memberName: string;
let east: Launched;
let west: Launched;
let bucket: string;
let finding: Finding;
const ghost = 'i-0fffffffffffffff1';

async function createOrganization(): Promise<void> {
  // Root > Workloads > Sandbox > the member account.
  await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const rootId = (await org.send(new ListRootsCommand({}))).Roots![0]!.Id!;
  const workloads = await org.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'Workloads' }));
  const sandbox = await org.send(new CreateOrganizationalUnitCommand({ ParentId: workloads.OrganizationalUnit!.Id!, Name: 'Sandbox' }));
  memberName = unique('dev-data');
  member = (await org.send(new CreateAccountCommand({ AccountName: memberName, Email: `${memberName}@example.com` }))).CreateAccountStatus!.AccountId!;
  await org.send(new MoveAccountCommand({ AccountId: member, SourceParentId: rootId, DestinationParentId: sandbox.OrganizationalUnit!.Id! }));
  await org.send(new TagResourceCommand({ ResourceId: member, Tags: [{ Key: 'owner', Value: 'data-platform' }] }));
}

async function createFeeds(): Promise<void> {
  // Threat intel: the east address is listed, one line is not an entry.
  const s3 = new S3Client({ region: 'us-east-1' });
  bucket = unique('feeds');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'ip/c2.txt', Body: `${east.publicIp}\n203.0.113.0/24\n` }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'domain/pool.txt', Body: 'pool.miner.example\nnot a domain\n' }));
}

/** A real finding: the bundled sample's stolen-key escalation, as the engine produces it. */
async function sampleFinding(): Promise<Finding> {
  const samples = new URL('../../samples/', import.meta.url).pathname;
  const config = loadConfig(`${samples}config.yaml`);
  const { findings } = await hunt({ paths: [`${samples}trail`], settings: config.settings, intel: config.intel });
  return findings.find((f) => f.tier === 2 && f.principal.endsWith(':user/svc-reporting'))!;
}

beforeAll(async () => {
  // Independent set-up side by side: the emulator's first EC2 call is slow.
  const [, critical, tableName] = await Promise.all([
    createOrganization().then(async () => {
      // What the attacker bought, in two regions of the member account.
      const name = unique('miner');
      [east, west] = await Promise.all([
        launch(ec2For({ accountId: member, region: 'us-east-1' }), '10.30.0.0/16', name),
        launch(ec2For({ accountId: member, region: 'eu-west-1' }), '10.31.0.0/16', name),
      ]);
      await createFeeds();
    }),
    sampleFinding(),
    createResponderTable(),
  ]);
  // The finding, pointed at what exists.
  finding = {
    ...critical,
    findingId: unique('rif'),
    accountId: member,
    region: 'us-east-1',
    regions: ['us-east-1', 'eu-west-1'],
    resources: {
      ...critical.resources,
      instanceIds: [west.instanceId, east.instanceId, ghost],
      allocationIds: [east.allocationId, west.allocationId],
      publicIps: [east.publicIp, west.publicIp],
    },
  };
  process.env.TABLE_NAME = tableName;
});

const deps = (over: Partial<EnrichDeps> = {}): EnrichDeps => ({
  describeInstances: (scope, ids) => describeInstances(scope.region, ids, ec2For(scope)),
  describeAddresses: (scope, query) => describeAddresses(scope.region, query, ec2For(scope)),
  lookupAccount: (accountId) => lookupAccount(accountId, { client: org }),
  loadFeeds: () => loadFeeds(bucket, { refreshMinutes: 15 }),
  ...over,
});

describe('enrich -> record -> tag', () => {
  it('enriches, records and tags a finding across two regions', async () => {
    clearFeedCache();
    const enrichment = await makeEnrichHandler(deps())({ finding });

    expect(enrichment.instances.map((i) => [i.instanceId, i.region, i.found])).toEqual([
      [west.instanceId, 'eu-west-1', true],
      [east.instanceId, 'us-east-1', true],
      [ghost, 'us-east-1', false],
    ]);
    expect(enrichment.instances[1]).toMatchObject({ instanceType: 'g4dn.12xlarge', state: 'running', publicIps: [east.publicIp], tags: { Name: expect.stringMatching(/^miner-/) } });
    expect(enrichment.addresses).toEqual([
      { publicIp: east.publicIp, allocationId: east.allocationId, associationId: expect.stringMatching(/^eipassoc-/), instanceId: east.instanceId, networkInterfaceId: expect.stringMatching(/^eni-/) },
      { publicIp: west.publicIp, allocationId: west.allocationId, associationId: expect.stringMatching(/^eipassoc-/), instanceId: west.instanceId, networkInterfaceId: expect.stringMatching(/^eni-/) },
    ]);
    expect(enrichment.account).toEqual({
      id: member,
      name: memberName,
      email: `${memberName}@example.com`,
      ouPath: ['Root', 'Workloads', 'Sandbox'],
      tags: { owner: 'data-platform' },
      joinedAt: expect.any(String),
    });
    expect(enrichment.threatIntel).toEqual({ feeds: ['domain/pool.txt', 'ip/c2.txt'], entries: 3, loadedAt: expect.any(String) });
    expect(enrichment.errors).toEqual(['Threat-intel feeds: 1 bad line, first domain/pool.txt:2: expected a domain name such as evil.example, found "not a domain"']);
    // What the workflow carries between states must survive JSON (no Dates, no class instances).
    expect(JSON.parse(JSON.stringify(enrichment))).toEqual(enrichment);

    const recorded = await recordHandler({ finding, event: { kind: 'assessed', detail: { errors: enrichment.errors } } }, context);
    expect(recorded).toEqual({ version: 1, status: 'escalated' });
    const tagging = await makeTagHandler({ tagResources: (scope, ids, tags) => tagResources(scope.region, ids, tags, ec2For(scope)) })({ finding });
    expect(tagging.tagged.sort()).toEqual([east.instanceId, east.allocationId, west.instanceId, west.allocationId].sort());
    expect(tagging.missing).toEqual([ghost]);
    expect(tagging.errors).toEqual([]);
    expect(await recordHandler({ finding, event: { kind: 'notified', detail: { email: { sent: true, messageId: 'm-1' }, slack: { sent: false, skipped: true } } } }, context)).toEqual({ version: 2, status: 'escalated' });

    for (const [region, ids] of [['us-east-1', [east.instanceId, east.allocationId]], ['eu-west-1', [west.instanceId, west.allocationId]]] as const) {
      const tags = await ec2For({ accountId: member, region }).send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [...ids] }, { Name: 'key', Values: Object.values(TAG) }] }));
      for (const id of ids) {
        expect(Object.fromEntries((tags.Tags ?? []).filter((t) => t.ResourceId === id).map((t) => [t.Key, t.Value]))).toEqual({
          [TAG.FINDING]: finding.findingId,
          [TAG.SEVERITY]: 'critical',
          [TAG.STATUS]: 'escalated',
        });
      }
    }
    expect(await getFinding(finding.findingId)).toMatchObject({ version: 2, status: 'escalated', accountId: member });
    expect((await history(finding.findingId)).map((h) => h.kind)).toEqual(['assessed', 'notified']);
  });

  it('the member account\'s context decides: a new account in a sandbox OU scores new-account-activity, and the OU rule picks the containment', async () => {
    const enrichment = await makeEnrichHandler(deps())({ finding });
    expect(enrichment.account).toMatchObject({ id: member, ouPath: ['Root', 'Workloads', 'Sandbox'] });
    const policy: ContainmentPolicy = { dryRun: false, rules: [{ match: { tag: 'owner=finance' }, action: 'never' }, { match: { ou: 'sandbox' }, action: 'automatic' }] };
    // The finding's group has gone from the ledger here, so assessment keeps
    // the scored finding; the indicator is evaluated on a group of its own.
    const assessed = await makeAssessHandler({ getGroup: () => Promise.resolve(undefined), settings: withDefaults(), intel: () => Promise.resolve(emptyThreatIntel()), policy })({ finding, groupKey: 'gone', enrichment });
    expect(assessed.containmentPolicy).toEqual({ action: 'automatic', dryRun: false, rule: 'rule 2 (ou sandbox): automatic' });
    const launch = trail('run-instances-gpu-success.json', { account: member, at: new Date().toISOString() });
    const result = INDICATOR_BY_ID.get('new-account-activity')!.evaluate(group([launch]), { ...indicatorContext(), enrichment });
    expect(result.status).toBe('fired');
    expect(result.status === 'fired' && result.evidence.summary).toMatch(new RegExp(`^account ${member} \\(${memberName}\\) joined the organisation \\d{4}-\\d{2}-\\d{2}, 0 day\\(s\\) before this activity and is in the sandbox OU Sandbox`));
  });

  it('reports a region it may not call, and keeps the rest', async () => {
    const denied = (scope: Scope): EC2Client => {
      if (scope.region !== 'eu-west-1') return ec2For(scope);
      const client = new EC2Client({ region: scope.region });
      client.middlewareStack.add(
        () => () => Promise.reject(new EC2ServiceException({ name: 'UnauthorizedOperation', $fault: 'client', $metadata: {}, message: 'You are not authorized to perform this operation.' })),
        { step: 'initialize', name: 'deny' },
      );
      return client;
    };
    const enrichment = await makeEnrichHandler(
      deps({
        describeInstances: (scope, ids) => describeInstances(scope.region, ids, denied(scope)),
        describeAddresses: (scope, query) => describeAddresses(scope.region, query, denied(scope)),
        loadFeeds: undefined,
      }),
    )({ finding });
    expect(enrichment.instances.map((i) => [i.instanceId, i.found])).toEqual([
      [west.instanceId, false],
      [east.instanceId, true],
      [ghost, false],
    ]);
    expect(enrichment.addresses.map((a) => a.allocationId)).toEqual([east.allocationId]);
    expect(enrichment.account?.name).toBe(memberName);
    expect(enrichment.threatIntel).toEqual({ feeds: [], entries: 0 });
    expect(enrichment.errors).toEqual([
      'DescribeInstances in eu-west-1: UnauthorizedOperation: You are not authorized to perform this operation.',
      'DescribeAddresses in eu-west-1: UnauthorizedOperation: You are not authorized to perform this operation.',
    ]);
  });

  it('reports an organization it cannot see', async () => {
    clearAccountCache();
    const outsider = inMotoAccount(new OrganizationsClient({ region: 'us-east-1' }), randomAccount());
    const enrichment = await makeEnrichHandler(deps({ lookupAccount: (id) => lookupAccount(id, { client: outsider }), loadFeeds: undefined }))({ finding: { ...finding, findingId: unique('rif') } });
    expect(enrichment.account).toBeUndefined();
    expect(enrichment.errors).toEqual([expect.stringMatching(new RegExp(`^Organizations, account ${member}: AccountNotFoundException: `))]);
    expect(enrichment.instances.filter((i) => i.found)).toHaveLength(2);
  });

  it('throws throttling as TransientError for the workflow to retry', async () => {
    const throttled = () => Promise.reject(new EC2ServiceException({ name: 'RequestLimitExceeded', $fault: 'client', $metadata: {}, message: 'Request limit exceeded.' }));
    const enrich = makeEnrichHandler(deps({ describeInstances: throttled, loadFeeds: undefined }));
    await expect(enrich({ finding })).rejects.toMatchObject({ name: 'TransientError', message: expect.stringContaining('DescribeInstances in us-east-1: RequestLimitExceeded') });
    const tag = makeTagHandler({ tagResources: throttled });
    await expect(tag({ finding })).rejects.toMatchObject({ name: 'TransientError' });
  });

  it('rejects a record request without an event kind', async () => {
    await expect(recordHandler({ finding, event: { kind: '' } }, context)).rejects.toMatchObject({ name: 'InputError' });
  });
});
