import { readFileSync } from 'node:fs';
import { EC2Client, DescribeNetworkInterfacesCommand, DescribeTagsCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../../lambdas/core/cloudtrail/types';
import { withDefaults } from '../../lambdas/core/settings';
import { emptyThreatIntel } from '../../lambdas/core/threat-intel';
import type { WorkflowInput } from '../../lambdas/core/workflow';
import { getFinding, history } from '../../lambdas/adapters/findings';
import { Ledger } from '../../lambdas/adapters/ledger';
import { scoreEvent } from '../../lambdas/handlers/score';
import { createResponderTable, unique } from '../support/aws';
import { MOTO_ACCOUNT } from '../support/moto';
import { synthesizedDefinition } from '../support/definition';
import { buildEstate, recordingClients } from '../support/estate';
import { joinProvisioning, type BillingSignal, type LaunchRecord } from '../../lambdas/core/billing';
import { billingFinding } from '../../lambdas/core/billing-finding';
import { containmentStore } from '../../lambdas/adapters/containment-store';
import { DEFAULT_CONTAINMENT } from '../../lambdas/core/containment';
import { makeContainHandler } from '../../lambdas/handlers/contain';
import { makeAssessHandler } from '../../lambdas/handlers/assess';
import type { ContainmentPolicy } from '../../lambdas/core/policy';

/**
 * The synthesized state machine definition, run by aws-local-stepfunctions
 * with every task bound to the real handler (the `handler` each Lambda
 * exports, middleware included), their AWS calls going to the moto server.
 * The wait for a decision is where a person comes in: the binding stores the
 * task token with the real await-decision handler, then opens the approve
 * or reject link with the real approval endpoint (GET, then the form POST),
 * whose SendTaskSuccess is what ends the wait. moto has no support for
 * task tokens on a definition it cannot run (its Step Functions cannot invoke
 * Lambda), so that one call is captured with aws-sdk-client-mock.
 */

// aws-local-stepfunctions needs Promise.withResolvers (Node 22); the tests run on Node 20 too.
const P = Promise as unknown as { withResolvers?: () => unknown };
P.withResolvers ??= () => {
  let resolve!: (v: unknown) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
};

const REGION = 'us-east-1';
const settings = withDefaults({ approvedPrincipals: ['arn:aws:iam::*:role/ci-*'], approvedRegions: ['us-east-1'], requiredTags: ['CostCenter'] });
const FIXTURES = new URL('../fixtures/events/', import.meta.url);
const fixture = (name: string): CloudTrailRecord => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as CloudTrailRecord;

const ctx = { functionName: 'local', awsRequestId: 'req', getRemainingTimeInMillis: () => 30_000, callbackWaitsForEmptyEventLoop: false } as unknown as Context;
type Handler = (event: unknown, context: Context) => Promise<unknown>;

let definition: Record<string, unknown>;
let notifyOnlyDefinition: Record<string, unknown>;
let operationsDefinition: Record<string, unknown>;
let operationHandlers: Record<string, Handler>;
/** The confirmation page the last person opened. */
let lastPage = '';
let handlers: Record<string, Handler>;
let approve: Handler;
let awaitDecision: Handler;
let queueUrl: string;
let table: string;
let ledger: Ledger;
const sfn = mockClient(SFNClient);
const sqs = new SQSClient({});

function http(method: string, query: URLSearchParams, form?: URLSearchParams): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: query.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mozilla/5.0 (test)' },
    ...(query.size ? { queryStringParameters: Object.fromEntries(query) } : {}),
    requestContext: {
      accountId: 'anonymous', apiId: 'local', domainName: 'local.lambda-url.us-east-1.on.aws', domainPrefix: 'local', requestId: 'r', routeKey: '$default', stage: '$default',
      http: { method, path: '/', protocol: 'HTTP/1.1', sourceIp: '198.51.100.200', userAgent: 'Mozilla/5.0 (test)' },
      time: '', timeEpoch: Date.now(),
    },
    ...(form ? { body: form.toString(), isBase64Encoded: false } : { isBase64Encoded: false }),
  };
}

/** A person answering: open the link (confirmation page), then submit the form. */
function person(decision: 'approve' | 'reject', approver: string): Handler {
  return async (input) => {
    const { Payload } = input as { Payload: { taskToken: string; approval: { approveUrl: string; rejectUrl: string } } };
    await awaitDecision(Payload, ctx);
    const link = new URL(decision === 'approve' ? Payload.approval.approveUrl : Payload.approval.rejectUrl);
    const page = (await approve(http('GET', link.searchParams), ctx)) as APIGatewayProxyStructuredResultV2;
    expect(page.statusCode).toBe(200);
    lastPage = String(page.body);
    expect(page.body).toMatch(/<form[^>]+method="post"/i);
    const form = new URLSearchParams(link.searchParams);
    form.set('approver', approver);
    const done = (await approve(http('POST', new URLSearchParams(), form), ctx)) as APIGatewayProxyStructuredResultV2;
    expect(done.statusCode).toBe(200);
    const call = sfn.commandCalls(SendTaskSuccessCommand).find((c) => c.args[0].input.taskToken === Payload.taskToken);
    return JSON.parse(call!.args[0].input.output!) as unknown;
  };
}

async function run(input: WorkflowInput, wait: Handler, extra: Record<string, Handler> = {}, def = definition) {
  const { StateMachine } = await import('aws-local-stepfunctions');
  const sm = new StateMachine(def as never, { validationOptions: { checkPaths: false } });
  const bound = { ...handlers, 'Wait for a decision': wait, ...extra };
  const taskResourceLocalHandlers = Object.fromEntries(Object.entries(bound).map(([name, fn]) => [name, (i: unknown) => fn(i, ctx)]));
  const execution = sm.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: taskResourceLocalHandlers as never,
      retryIntervalOverrides: Object.fromEntries(Object.keys(bound).map((n) => [n, 0])),
      // The untrack wait is real time in the cloud; here it is the order that matters.
      waitTimeOverrides: { 'Let tracked flows go untracked': 0 },
    },
    context: { Task: { Token: `token-${unique('t')}` } },
  });
  try {
    return { ok: true as const, output: (await execution.result) as Record<string, unknown> };
  } catch (err) {
    return { ok: false as const, error: err as Error };
  }
}

/** The operations state machine on the real handlers. */
async function runOperation(input: Record<string, unknown>) {
  const { StateMachine } = await import('aws-local-stepfunctions');
  const sm = new StateMachine(operationsDefinition as never, { validationOptions: { checkPaths: false } });
  const taskResourceLocalHandlers = Object.fromEntries(Object.entries(operationHandlers).map(([name, fn]) => [name, (i: unknown) => fn(i, ctx)]));
  const execution = sm.run(input as never, { overrides: { taskResourceLocalHandlers: taskResourceLocalHandlers as never, retryIntervalOverrides: Object.fromEntries(Object.keys(operationHandlers).map((n) => [n, 0])) } });
  try {
    return { ok: true as const, output: (await execution.result) as Record<string, unknown> };
  } catch (err) {
    return { ok: false as const, error: err as Error };
  }
}

/** Scores CloudTrail events with the real scorer and returns what it would start the workflow with. */
async function scoredInput(records: CloudTrailRecord[]): Promise<WorkflowInput> {
  const started: WorkflowInput[] = [];
  for (const r of records) {
    await scoreEvent(
      { 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', detail: r },
      { ledger, settings, intel: () => Promise.resolve(emptyThreatIntel()), startExecution: (_n, i) => Promise.resolve(Boolean(started.push(i))), recordGrowth: () => Promise.resolve() },
    );
  }
  return started.at(-1)!;
}

async function launchedInMoto(count: number, instanceType: string): Promise<string[]> {
  const out = await new EC2Client({ region: REGION }).send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: count, MaxCount: count, InstanceType: instanceType as never }));
  return out.Instances!.map((i) => i.InstanceId!);
}

/** A RunInstances record for instances that exist in moto; the caller's address is from the documentation range, on no feed. */
function launchRecord(who: { arn: string; type: string; issuer?: string }, ids: string[], instanceType: string, region: string, tags: Record<string, string> = {}, sourceIp = '192.0.2.10'): CloudTrailRecord {
  const base = fixture('run-instances-success.json');
  return {
    ...base,
    sourceIPAddress: sourceIp,
    eventID: unique('evt'),
    eventTime: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    awsRegion: region,
    recipientAccountId: MOTO_ACCOUNT,
    userIdentity: {
      type: who.type,
      arn: who.arn,
      accountId: MOTO_ACCOUNT,
      accessKeyId: who.type === 'IAMUser' ? 'AKIAEXAMPLEMALLORY01' : 'ASIAEXAMPLE000000001',
      ...(who.issuer ? { sessionContext: { sessionIssuer: { type: 'Role', arn: who.issuer, accountId: MOTO_ACCOUNT } } } : {}),
    },
    requestParameters: {
      instanceType,
      instancesSet: { items: [{ imageId: 'ami-12c6146b', minCount: ids.length, maxCount: ids.length }] },
      tagSpecificationSet: { items: [{ resourceType: 'instance', tags: Object.entries(tags).map(([key, value]) => ({ key, value })) }] },
    },
    responseElements: { instancesSet: { items: ids.map((instanceId) => ({ instanceId, instanceType, tagSet: { items: Object.entries(tags).map(([key, value]) => ({ key, value })) } })) } },
  };
}

async function notifications(): Promise<{ subject: string; message: string }[]> {
  const got: { subject: string; message: string }[] = [];
  for (let i = 0; i < 10; i++) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!r.Messages?.length) break;
    for (const m of r.Messages) {
      const body = JSON.parse(m.Body!) as { Subject?: string; Message: string };
      got.push({ subject: body.Subject ?? '', message: body.Message });
    }
  }
  return got;
}

beforeAll(async () => {
  process.env.CDK_VALIDATION = 'false';
  definition = synthesizedDefinition();
  notifyOnlyDefinition = synthesizedDefinition({ deployment: { containment: { mode: 'notify-only' } } });

  table = await createResponderTable();
  ledger = new Ledger({ tableName: table, ledgerDays: 30, churnMinutes: settings.churn.minutes, now: () => Date.now() });
  const sns = new SNSClient({});
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: unique('findings') }))).TopicArn!;
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: unique('mailbox') }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: queueUrl,
      Attributes: { Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': topicArn } } }] }) },
    }),
  );
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
  const secret = unique('signing-key');
  await new SecretsManagerClient({}).send(new CreateSecretCommand({ Name: secret, SecretString: 'k'.repeat(64) }));
  const bucket = unique('feeds');
  const s3 = new S3Client({ forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'ip/vps.txt', Body: '# known VPS abuse\n203.0.113.0/24\n' }));

  Object.assign(process.env, {
    TABLE_NAME: table,
    TOPIC_ARN: topicArn,
    SIGNING_KEY_SECRET: secret,
    APPROVAL_URL: 'https://approve.example.test/',
    APPROVAL_TTL_HOURS: '12',
    FEEDS_BUCKET: bucket,
    THREAT_INTEL_REFRESH_MINUTES: '15',
    RESPONDER_SETTINGS: JSON.stringify(settings),
    // Isolation waits out what is left of the untrack time after the (skipped) Wait state: keep it short here.
    CONTAINMENT_SETTINGS: JSON.stringify({ untrackSeconds: 1 }),
  });
  const load = async (name: string): Promise<Handler> => ((await import(`../../lambdas/handlers/${name}.ts`)) as { handler: Handler }).handler;
  const [enrich, assess, record, tag, notify, requestApproval, contain] = await Promise.all(['enrich', 'assess', 'record', 'tag', 'notify', 'request-approval', 'contain'].map(load));
  approve = await load('approve');
  awaitDecision = await load('await-decision');
  handlers = {
    'Describe the instances and the account': enrich!,
    'Assess with what was learned': assess!,
    'Record the finding': record!,
    'Tag the instances and addresses': tag!,
    'Notify the Tier 1 finding': notify!,
    'Notify the escalation': notify!,
    'Create the approval request': requestApproval!,
    'Notify the approvers': notify!,
    'Record the approval request': record!,
    'Notify the outcome': notify!,
    'Record the outcome': record!,
    'Notify the failure': notify!,
    'Record the failure': record!,
    'Plan the containment (dry run)': contain!,
    'Preserve the evidence and untrack flows': contain!,
    'Isolate the instances': contain!,
    'Read where each interface stands': contain!,
    'Notify the escalation: never contained here': notify!,
    'Notify the escalation: dry run': notify!,
    'Notify the escalation: automatic containment': notify!,
    'Plan the containment (policy dry run)': contain!,
    'Plan the automatic containment': contain!,
  };
  operationHandlers = { 'Run the operation': contain!, 'Notify what changed': notify!, 'Record what changed': record!, 'Notify the failure': notify! };
  operationsDefinition = synthesizedDefinition(undefined, 'operations');
  sfn.on(SendTaskSuccessCommand).resolves({});
}, 120_000);

afterAll(() => {
  sfn.restore();
});

/** An unapproved IAM user's key buying GPU instances in a region the org does not use. */
async function escalatedFinding(): Promise<WorkflowInput> {
  const ids = await launchedInMoto(3, 'p3.2xlarge');
  const user = `arn:aws:iam::${MOTO_ACCOUNT}:user/${unique('mallory')}`;
  return scoredInput([launchRecord({ arn: user, type: 'IAMUser' }, ids, 'p3.2xlarge', 'ap-southeast-3')]);
}

describe('the escalation workflow, run locally on the real handlers', () => {
  it('Tier 1: enriches, records, tags, notifies once and ends without asking anyone', async () => {
    const ids = await launchedInMoto(1, 't3.small');
    const input = await scoredInput([launchRecord({ arn: `arn:aws:sts::${MOTO_ACCOUNT}:assumed-role/ci-deployer/build-7`, type: 'AssumedRole', issuer: `arn:aws:iam::${MOTO_ACCOUNT}:role/ci-deployer` }, ids, 't3.small', REGION, { CostCenter: 'cc-1' })]);
    expect(input.finding.escalate).toBe(false);
    const r = await run(input, () => Promise.reject(new Error('nobody should be asked')));
    expect(r.ok).toBe(true);
    const out = r.ok ? r.output : {};
    expect(out.outcome).toMatchObject({ kind: 'not-escalated' });
    expect((out.enrichment as { instances: { instanceId: string; found: boolean }[] }).instances).toEqual([expect.objectContaining({ instanceId: ids[0], found: true })]);
    expect(out.tags).toMatchObject({ tagged: expect.arrayContaining([ids[0]]) as unknown });
    const tags = await new EC2Client({ region: REGION }).send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [ids[0]!] }] }));
    expect(tags.Tags?.find((t) => t.Key === 'rogue-infra:finding-id')?.Value).toBe(input.finding.findingId);
    const kinds = (await history(input.finding.findingId, { tableName: table })).map((h) => h.kind);
    expect(kinds).toEqual(['assessed', 'outcome']);
    const mail = (await notifications()).filter((m) => m.message.includes(input.finding.findingId));
    expect(mail.map((m) => m.subject)).toEqual([expect.stringMatching(/^\[Tier 1/)]);
  });

  it('escalates on assessment when the feeds (read from S3 by the workflow) list the caller', async () => {
    const ids = await launchedInMoto(1, 't3.small');
    const who = { arn: `arn:aws:sts::${MOTO_ACCOUNT}:assumed-role/ci-deployer/build-8`, type: 'AssumedRole', issuer: `arn:aws:iam::${MOTO_ACCOUNT}:role/ci-deployer` };
    const input = await scoredInput([launchRecord(who, ids, 't3.small', REGION, { CostCenter: 'cc-1' }, '203.0.113.77')]);
    // The scorer had no feeds here: Tier 1 when it started.
    expect(input.finding.escalate).toBe(false);
    const r = await run(input, person('reject', 'ops lead'));
    const finding = (r.ok ? r.output.finding : {}) as { escalate?: boolean; escalationReasons?: string[] };
    expect(finding.escalate).toBe(true);
    expect(finding.escalationReasons).toContain('threat-intel match');
  });

  it('Tier 2, approved: shows the plan, the approver confirms, the instance is quarantined, and the outcome says what was done', async () => {
    const estate = await buildEstate();
    const user = `arn:aws:iam::${MOTO_ACCOUNT}:user/${unique('mallory')}`;
    const input = await scoredInput([launchRecord({ arn: user, type: 'IAMUser' }, [estate.instanceId], 'g5.xlarge', REGION)]);
    expect(input.finding.escalate).toBe(true);
    const r = await run(input, person('approve', 'ana@example.com'));
    expect(r.ok).toBe(true);
    const out = r.ok ? r.output : {};
    expect(out.decision).toMatchObject({ decision: 'approve', approver: 'ana@example.com', sourceIp: '198.51.100.200' });
    // The dry run the approver saw named both interfaces and both volumes.
    const plan = out.plan as { instances: { enis: { networkInterfaceId: string }[]; snapshots: { volumeId: string }[] }[] };
    expect(plan.instances[0]!.enis.map((e) => e.networkInterfaceId)).toEqual([estate.primaryEni, estate.secondaryEni]);
    expect(plan.instances[0]!.snapshots).toHaveLength(2);
    const outcome = out.outcome as { kind: string; summary: string; containment: { phase: string; enis: { state: string }[]; snapshots: unknown[]; manifest: string } };
    expect(outcome).toMatchObject({ kind: 'contained', summary: expect.stringMatching(/^Approved by ana@example\.com at .*\. Contained 1 instance\(s\)/) as unknown });
    expect(outcome.containment).toMatchObject({ phase: 'isolated', manifest: `${table} FINDING#${input.finding.findingId} CONTAINMENT` });
    expect(outcome.containment.enis.map((e) => e.state)).toEqual(['isolated', 'isolated']);
    expect(outcome.containment.snapshots).toHaveLength(2);

    // EC2 as it is now: both interfaces on the isolation group alone, evidence kept, tags say so.
    const ec2 = new EC2Client({ region: REGION });
    const enis = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [estate.primaryEni, estate.secondaryEni] }));
    const groups = new Set(enis.NetworkInterfaces!.map((n) => n.Groups!.map((g) => g.GroupId).join(',')));
    expect(groups.size).toBe(1);
    expect([...groups][0]).toMatch(/^sg-\w+$/);
    expect([...groups][0]).not.toBe(estate.web);
    const tags = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [estate.instanceId] }] }));
    expect(tags.Tags?.find((t) => t.Key === 'rogue-infra:containment')?.Value).toBe('quarantined');

    const kinds = (await history(input.finding.findingId, { tableName: table })).map((h) => h.kind);
    expect(kinds).toEqual(['assessed', 'approval-requested', 'outcome']);
    expect((await getFinding(input.finding.findingId, { tableName: table }))?.status).toBe('contained');
    const mail = (await notifications()).filter((m) => m.message.includes(input.finding.findingId));
    expect(mail.map((m) => m.subject)).toEqual([
      expect.stringMatching(/^\[Tier 2 ESCALATION\]/),
      expect.stringMatching(/approval/i),
      expect.stringMatching(/^\[Tier 2 CONTAINED\]/),
    ]);
    expect(mail[1]!.message).toContain('https://approve.example.test/?');
    expect(mail[1]!.message).toContain('WHAT APPROVING DOES (DRY RUN, NOTHING CHANGED YET)');
    expect(mail[1]!.message).toContain(`${estate.secondaryEni}: `);
    // ... and the page the approver confirmed on showed the same plan.
    expect(lastPage).toContain('What approving does');
    expect(lastPage).toContain(`${estate.secondaryEni}: `);
    expect(mail[2]!.message).toMatch(new RegExp(`${estate.secondaryEni} \\(${estate.instanceId}\\): isolated`));
    expect(mail[2]!.message).toMatch(/snapshot snap-\w+ of vol-\w+ \(kept\)/);

    // An operator releases it through the operations state machine: groups back, notified, recorded.
    const released = await runOperation({ action: 'release', findingId: input.finding.findingId, requestedBy: 'sam.ops@example.com' });
    expect(released.ok).toBe(true);
    const back = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [estate.primaryEni] }));
    expect(back.NetworkInterfaces![0]!.Groups!.map((g) => g.GroupId)).toEqual([estate.web]);
    expect((await getFinding(input.finding.findingId, { tableName: table }))?.status).toBe('released');
    const after = (await notifications()).filter((m) => m.message.includes(input.finding.findingId));
    expect(after.map((m) => m.subject)).toEqual([expect.stringMatching(/^\[RELEASED\]/)]);
    expect(after[0]!.message).toMatch(/Released from containment by sam\.ops@example\.com/);

    // Twice is a clear no-op: nothing notified, the reason in the output.
    const again = await runOperation({ action: 'release', findingId: input.finding.findingId });
    expect(again.ok && again.output).toMatchObject({ changed: false, message: expect.stringMatching(/already released/) as unknown });
    expect((await notifications()).filter((m) => m.message.includes(input.finding.findingId))).toEqual([]);
  });

  it('a quarantine that fails part way notifies the state of every ENI and fails; the operator\'s "contain" finishes it', async () => {
    const estate = await buildEstate();
    const user = `arn:aws:iam::${MOTO_ACCOUNT}:user/${unique('mallory')}`;
    const input = await scoredInput([launchRecord({ arn: user, type: 'IAMUser' }, [estate.instanceId], 'g5.xlarge', REGION)]);
    // Isolation of the secondary interface is refused (an SCP, say); everything else is real.
    const clients = recordingClients([]);
    clients.ec2.middlewareStack.add(
      (next) => async (args) => {
        const i = args.input as { NetworkInterfaceId?: string; Groups?: string[] };
        if (i.NetworkInterfaceId === estate.secondaryEni && i.Groups && !i.Groups.includes(estate.web)) {
          const { isolation } = (await containmentStore({ tableName: table }).get(input.finding.findingId))!.progress.groups[estate.vpcId]!;
          if (i.Groups[0] === isolation) throw Object.assign(new Error('explicit deny in a service control policy'), { name: 'UnauthorizedOperation', $metadata: {} });
        }
        return next(args);
      },
      { step: 'initialize', name: 'scp' },
    );
    const broken = makeContainHandler({ store: containmentStore({ tableName: table }), clients: () => clients, settings: { ...DEFAULT_CONTAINMENT, untrackSeconds: 1 }, getFinding: () => Promise.resolve(undefined) });
    const r = await run(input, person('approve', 'ana@example.com'), { 'Isolate the instances': (i) => broken((i as { Payload: unknown }).Payload ?? i) });
    expect(r.ok).toBe(false);
    const mail = (await notifications()).filter((m) => m.message.includes(input.finding.findingId));
    const failure = mail.at(-1)!;
    expect(failure.subject).toMatch(/^\[WORKFLOW FAILED\] Isolate the instances: ContainmentError/);
    expect(failure.message).toContain(`${estate.primaryEni} (${estate.instanceId}): isolated`);
    expect(failure.message).toContain(`${estate.secondaryEni} (${estate.instanceId}): untracked`);
    expect(failure.message).toContain('rogue-infra contain FINDING_ID');
    // Read again after the failure, by the workflow's own status step.
    expect(failure.message).toMatch(/Interfaces now: .*: isolated/);
    expect((await containmentStore({ tableName: table }).get(input.finding.findingId))!.progress.phase).toBe('failed');

    // The cause is fixed; an operator runs the quarantine again through the operations state machine.
    const rerun = await runOperation({ action: 'contain', findingId: input.finding.findingId, requestedBy: 'sam.ops@example.com' });
    expect(rerun.ok).toBe(true);
    const enis = await new EC2Client({ region: REGION }).send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [estate.primaryEni, estate.secondaryEni] }));
    expect(new Set(enis.NetworkInterfaces!.map((n) => n.Groups!.map((g) => g.GroupId).join(','))).size).toBe(1);
    const done = (await notifications()).filter((m) => m.message.includes(input.finding.findingId));
    expect(done.map((m) => m.subject)).toEqual([expect.stringMatching(/^\[Tier 2 CONTAINED\]/)]);
    expect(done[0]!.message).toMatch(/Contained: quarantine run by sam\.ops@example\.com\./);
    expect((await getFinding(input.finding.findingId, { tableName: table }))?.status).toBe('contained');
  });

  it('a billing finding (anomaly corroborated by an unapproved launcher) takes the same path: escalated, approved, contained', async () => {
    const estate = await buildEstate();
    const mallory = `arn:aws:iam::${MOTO_ACCOUNT}:user/${unique('mallory')}`;
    const day = new Date().toISOString().slice(0, 10);
    const signal: BillingSignal = {
      id: unique('anomaly'), source: 'anomaly-detection', accountId: MOTO_ACCOUNT, region: REGION, start: day, end: day, impact: 1874.32,
      usageTypes: ['USE1-BoxUsage:g5.xlarge'], families: ['g5'], explanation: 'Cost Anomaly Detection: USD 1874.32 above expected',
    };
    const launch: LaunchRecord = { accountId: MOTO_ACCOUNT, region: REGION, time: Date.now() - 3_600_000, eventId: unique('evt'), actor: { arn: mallory, type: 'IAMUser' }, instanceTypes: ['g5.xlarge'], instanceIds: [estate.instanceId] };
    const finding = billingFinding(signal, joinProvisioning(signal, [launch], settings), settings);
    expect(finding).toMatchObject({ escalate: true, tier: 2, principal: mallory });
    const r = await run({ finding, groupKey: `billing:${signal.id}`, trigger: 'new' }, person('approve', 'ana@example.com'));
    expect(r.ok).toBe(true);
    const out = r.ok ? r.output : {};
    // Assessment keeps a billing finding as it is (there is no CloudTrail group to rebuild).
    expect((out.finding as { findingId: string; indicators: { id: string }[] }).indicators.map((i) => i.id)).toEqual(['billing-anomaly', 'unapproved-principal']);
    expect(out.outcome).toMatchObject({ kind: 'contained' });
    const mail = (await notifications()).filter((m) => m.message.includes(finding.findingId));
    expect(mail.map((m) => m.subject)).toEqual([expect.stringMatching(/^\[Tier 2 ESCALATION\]/), expect.stringMatching(/APPROVAL NEEDED/), expect.stringMatching(/^\[Tier 2 CONTAINED\]/)]);
    expect(mail[0]!.message).toContain('USD 1874.32 above expected');
  });

  it('a lone billing anomaly (nobody unapproved launched) is Tier 1: notified and recorded, nobody asked', async () => {
    const signal: BillingSignal = {
      id: unique('baseline'), source: 'baseline', accountId: MOTO_ACCOUNT, region: REGION, start: '2025-05-14', end: '2025-05-14', impact: 420,
      usageTypes: [], families: [], explanation: 'USD 450.00 of compute: 15.0x the median',
    };
    const finding = billingFinding(signal, joinProvisioning(signal, [], settings), settings);
    const r = await run({ finding, groupKey: `billing:${signal.id}`, trigger: 'new' }, () => Promise.reject(new Error('nobody should be asked')));
    expect(r.ok).toBe(true);
    expect(r.ok && r.output.outcome).toMatchObject({ kind: 'not-escalated' });
    const mail = (await notifications()).filter((m) => m.message.includes(finding.findingId));
    expect(mail.map((m) => m.subject)).toEqual([expect.stringMatching(/^\[Tier 1/)]);
    expect(mail[0]!.message).toContain('15.0x the median');
    expect((await history(finding.findingId, { tableName: table })).map((h) => h.kind)).toEqual(['assessed', 'outcome']);
  });

  /** The real assessment, with a containment policy of the test's choosing. */
  const assessWith = (policy: ContainmentPolicy): Handler => {
    const a = makeAssessHandler({ getGroup: (k) => ledger.getGroup(k), settings, intel: () => Promise.resolve(emptyThreatIntel()), policy });
    return (i) => a(((i as { Payload?: unknown }).Payload ?? i) as never);
  };

  it('policy automatic (by account): contained without asking anyone, and the outcome names the rule', async () => {
    const estate = await buildEstate();
    const input = await scoredInput([launchRecord({ arn: `arn:aws:iam::${MOTO_ACCOUNT}:user/${unique('mallory')}`, type: 'IAMUser' }, [estate.instanceId], 'g5.xlarge', REGION)]);
    const policy: ContainmentPolicy = { dryRun: false, rules: [{ match: { accountId: MOTO_ACCOUNT }, action: 'automatic' }] };
    const r = await run(input, () => Promise.reject(new Error('nobody should be asked')), { 'Assess with what was learned': assessWith(policy) });
    expect(r.ok).toBe(true);
    const out = r.ok ? r.output : {};
    expect((out.finding as { containmentPolicy: unknown }).containmentPolicy).toEqual({ action: 'automatic', dryRun: false, rule: `rule 1 (account ${MOTO_ACCOUNT}): automatic` });
    expect(out.outcome).toMatchObject({ kind: 'contained', policyRule: `rule 1 (account ${MOTO_ACCOUNT}): automatic` });
    expect(out.approval).toBeUndefined();
    const mail = (await notifications()).filter((m) => m.message.includes(input.finding.findingId));
    expect(mail.map((m) => m.subject)).toEqual([expect.stringMatching(/^\[Tier 2 ESCALATION\]/), expect.stringMatching(/^\[Tier 2 CONTAINED\]/)]);
    expect(mail[1]!.message).toMatch(/^Contained automatically, as the containment policy says for this account \(rule 1/);
    expect((await getFinding(input.finding.findingId, { tableName: table }))?.status).toBe('contained');
  });

  it('policy never: notified as an escalation, nothing planned or changed, and the rule recorded', async () => {
    const input = await escalatedFinding();
    const policy: ContainmentPolicy = { dryRun: false, rules: [{ match: { accountId: MOTO_ACCOUNT }, action: 'never' }] };
    const r = await run(input, () => Promise.reject(new Error('nobody should be asked')), { 'Assess with what was learned': assessWith(policy) });
    expect(r.ok && r.output.outcome).toMatchObject({ kind: 'notify-only', summary: expect.stringMatching(/policy says never for this account \(rule 1/) as unknown });
    expect(r.ok && r.output.plan).toBeUndefined();
  });

  it('policy dry run: the plan is made and notified, nothing is changed', async () => {
    const estate = await buildEstate();
    const input = await scoredInput([launchRecord({ arn: `arn:aws:iam::${MOTO_ACCOUNT}:user/${unique('mallory')}`, type: 'IAMUser' }, [estate.instanceId], 'g5.xlarge', REGION)]);
    const r = await run(input, () => Promise.reject(new Error('nobody should be asked')), { 'Assess with what was learned': assessWith({ dryRun: true, rules: [{ match: { accountId: MOTO_ACCOUNT }, action: 'automatic' }] }) });
    expect(r.ok && r.output.outcome).toMatchObject({ kind: 'dry-run' });
    const enis = await new EC2Client({ region: REGION }).send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [estate.primaryEni] }));
    expect(enis.NetworkInterfaces![0]!.Groups!.map((g) => g.GroupId)).toEqual([estate.web]);
    const mail = (await notifications()).filter((m) => m.message.includes(input.finding.findingId));
    expect(mail.at(-1)!.subject).toMatch(/^\[Tier 2 DRY RUN\]/);
    expect(mail.at(-1)!.message).toContain('WHAT CONTAINMENT WOULD DO (DRY RUN)');
    expect(mail.at(-1)!.message).toContain(`${estate.secondaryEni}: `);
  });

  it('Tier 2, rejected: not contained, and says who rejected it', async () => {
    const input = await escalatedFinding();
    const r = await run(input, person('reject', 'ops lead'));
    expect(r.ok && r.output.outcome).toMatchObject({ kind: 'rejected', summary: expect.stringMatching(/^Not contained: rejected by ops lead at /) as unknown });
  });

  it('Tier 2, no decision by the deadline: not contained, no decision', async () => {
    const input = await escalatedFinding();
    const timeout = Object.assign(new Error('States.Timeout'), { name: 'States.Timeout' });
    const r = await run(input, () => Promise.reject(timeout));
    expect(r.ok).toBe(true);
    const out = r.ok ? r.output : {};
    expect(out.outcome).toMatchObject({ kind: 'no-decision', summary: expect.stringMatching(/^Not contained: no decision by .*when the approval links expired\.$/) as unknown });
    const mail = (await notifications()).filter((m) => m.message.includes(input.finding.findingId));
    expect(mail.at(-1)?.message).toMatch(/Not contained: no decision by/);
  });

  it('notify-only: an escalation is notified as one and nothing waits for a decision', async () => {
    const input = await escalatedFinding();
    const r = await run(input, () => Promise.reject(new Error('nobody should be asked')), {}, notifyOnlyDefinition);
    expect(r.ok).toBe(true);
    const out = r.ok ? r.output : {};
    expect(out.outcome).toMatchObject({ kind: 'notify-only' });
    expect(out.approval).toBeUndefined();
    const kinds = (await history(input.finding.findingId, { tableName: table })).map((h) => h.kind);
    expect(kinds).toEqual(['assessed', 'outcome']);
    const mail = (await notifications()).filter((m) => m.message.includes(input.finding.findingId));
    expect(mail.map((m) => m.subject)).toEqual([expect.stringMatching(/^\[Tier 2 ESCALATION\]/)]);
    expect(mail[0]!.message).toMatch(/Notify-only: this deployment does not contain automatically/);
  });

  it('a failing task is caught: the failure is announced with the state and the error, recorded, and the execution fails', async () => {
    const input = await escalatedFinding();
    const denied = Object.assign(new Error('User is not authorized to perform: ec2:CreateTags'), { name: 'AccessDeniedException' });
    const r = await run(input, () => Promise.reject(new Error('not reached')), { 'Tag the instances and addresses': () => Promise.reject(denied) });
    expect(r.ok).toBe(false);
    // The local engine wraps the Fail state's error.
    expect(r.ok ? '' : (r.error.cause as Error | undefined)?.name).toBe('WorkflowFailed');
    const mail = (await notifications()).filter((m) => m.message.includes(input.finding.findingId));
    expect(mail.at(-1)?.message).toMatch(/Tag the instances and addresses[\s\S]*AccessDeniedException/);
    const kinds = (await history(input.finding.findingId, { tableName: table })).map((h) => h.kind);
    expect(kinds).toEqual(['assessed', 'failed']);
  });
});
