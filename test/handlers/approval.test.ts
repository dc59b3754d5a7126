import { randomBytes } from 'node:crypto';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { approvals, type Approvals } from '../../lambdas/adapters/approvals';
import { readSecret } from '../../lambdas/adapters/secrets';
import { signedUrl } from '../../lambdas/core/approval';
import { buildFinding } from '../../lambdas/core/finding';
import type { Finding } from '../../lambdas/core/model';
import type { ApprovalDecision, ApprovalRequest } from '../../lambdas/core/workflow';
import { handler as approveHandler, makeApproveHandler, type ApproveHandler } from '../../lambdas/handlers/approve';
import { handler as awaitDecisionHandler, makeAwaitDecisionHandler } from '../../lambdas/handlers/await-decision';
import { handler as requestApprovalHandler, makeRequestApprovalHandler } from '../../lambdas/handlers/request-approval';
import { createResponderTable, unique } from '../support/aws';
import { launchTags, Principal, trail } from '../support/fixtures';
import { context, group } from '../support/groups';

/**
 * The approval gate through its three handlers, against moto: DynamoDB for
 * the records, Secrets Manager for the signing key.
 *
 * The SFN client alone is mocked (aws-sdk-client-mock): moto has no support
 * for SendTaskSuccess with a real task token on the shared server. Its
 * default Step Functions backend accepts any token as a no-op, so a test
 * against it could not fail. Its state-machine-executing mode does hand out
 * and check real tokens (a `sqs:sendMessage.waitForTaskToken` state), but it
 * is a server-wide switch that would change Step Functions for every test
 * sharing the server, and a second server in that mode costs seconds per
 * run. The mock also plays the errors Step Functions gives (TaskTimedOut,
 * throttling), which no emulator produces on demand.
 */

const T0 = Date.parse('2025-03-04T10:00:00Z');
const HOUR = 3_600_000;
const APPROVAL_URL = 'https://approvals.example/';
const TOKEN = `AQCEAAAAKgAAAA${randomBytes(24).toString('base64url')}`;
const IP = '198.51.100.7';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) approval-test';

function escalatedFinding(): Finding {
  const f = buildFinding(group([trail('run-instances-gpu-success.json', { as: Principal.backupUser, edit: launchTags({ Name: '<script>alert(1)</script>' }) })]), context());
  if (!f?.escalate) throw new Error('the fixture should produce an escalated finding');
  return f;
}

type Query = Record<string, string>;
const queryOf = (url: string): Query => Object.fromEntries(new URL(url).searchParams);

function httpEvent(method: string, opts: { query?: Query; form?: Query; base64?: boolean } = {}): APIGatewayProxyEventV2 {
  const query = opts.query ?? {};
  const body = opts.form ? new URLSearchParams(opts.form).toString() : undefined;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: new URLSearchParams(query).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': UA },
    queryStringParameters: Object.keys(query).length ? query : undefined,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'abcdefgh',
      domainName: 'abcdefgh.lambda-url.us-east-1.on.aws',
      domainPrefix: 'abcdefgh',
      http: { method, path: '/', protocol: 'HTTP/1.1', sourceIp: IP, userAgent: UA },
      requestId: 'req-0001',
      routeKey: '$default',
      stage: '$default',
      time: '04/Mar/2025:11:00:00 +0000',
      timeEpoch: T0 + HOUR,
    },
    body: body !== undefined && opts.base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: Boolean(opts.base64 && body !== undefined),
  };
}

/** The confirmation form as a browser submits it: the link's fields and the name typed. */
const submitted = (url: string, approver?: string): Query => ({ ...queryOf(url), ...(approver === undefined ? {} : { approver }) });

const bodyOf = (r: APIGatewayProxyStructuredResultV2): string => r.body ?? '';

/** Text a reader sees: tags dropped, entities decoded. */
const textOf = (r: APIGatewayProxyStructuredResultV2): string =>
  bodyOf(r)
    .replace(/<style>[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

let store: Approvals;
let key: string;
let secretName: string;
let clock: number;
const finding = escalatedFinding();

beforeAll(async () => {
  store = approvals(await createResponderTable());
  secretName = unique('approval-signing-key');
  key = randomBytes(32).toString('base64url');
  await new SecretsManagerClient({}).send(new CreateSecretCommand({ Name: secretName, SecretString: key }));
});

/** The handlers as the stack wires them, with the test's clock. */
function handlers(sfn: SFNClient) {
  const signingKey = () => readSecret(secretName);
  const now = () => clock;
  return {
    request: makeRequestApprovalHandler({ approvals: store, signingKey, now, approvalUrl: APPROVAL_URL, ttlHours: 24 }),
    wait: makeAwaitDecisionHandler({ approvals: store, now }),
    endpoint: makeApproveHandler({ approvals: store, signingKey, now, sfn }),
  };
}

describe('the approval gate (Step Functions client mocked)', () => {
  const sfn = new SFNClient({});
  const sfnMock = mockClient(sfn);
  let h: ReturnType<typeof handlers>;
  let seen: string[];

  /** Every response, so the last test can check none leaked a credential. */
  async function call(endpoint: ApproveHandler, event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
    const r = await endpoint(event);
    seen.push(bodyOf(r), JSON.stringify(r.headers));
    return r;
  }

  /** A request the workflow is waiting on (token stored) unless `waiting: false`. */
  async function requested(opts: { waiting?: boolean } = {}): Promise<ApprovalRequest> {
    const request = await h.request({ finding });
    if (opts.waiting !== false) expect(await h.wait({ taskToken: TOKEN, approval: request })).toEqual({ stored: true });
    return request;
  }

  beforeAll(() => {
    h = handlers(sfn);
    seen = [];
  });

  beforeEach(() => {
    clock = T0;
    sfnMock.reset();
    sfnMock.on(SendTaskSuccessCommand).resolves({});
  });

  it('creates a request with unguessable id, signed expiring links and a pending record', async () => {
    const request = await h.request({ finding });
    expect(request.approvalId).toMatch(/^apr-[A-Za-z0-9_-]{22}$/);
    expect(request).toMatchObject({ findingId: finding.findingId, expiresAt: '2025-03-05T10:00:00.000Z' });
    expect(queryOf(request.approveUrl)).toMatchObject({ a: request.approvalId, f: finding.findingId, d: 'approve', e: String((T0 + 24 * HOUR) / 1000) });
    expect(queryOf(request.rejectUrl)).toMatchObject({ a: request.approvalId, d: 'reject' });
    expect(request.approveUrl.startsWith(`${APPROVAL_URL}?`)).toBe(true);
    expect((await h.request({ finding })).approvalId).not.toBe(request.approvalId);
    expect(await store.getApproval(request.approvalId)).toMatchObject({
      status: 'pending',
      findingId: finding.findingId,
      summary: { principal: finding.principal, accountId: finding.accountId, severity: finding.severity, score: finding.score, instanceCount: 1, escalationReasons: finding.escalationReasons },
    });
  });

  it('runs request, wait, GET confirmation, POST approve, and refuses the replay', async () => {
    const request = await requested();
    // A retry of the wait task with the same token changes nothing.
    expect(await h.wait({ taskToken: TOKEN, approval: request })).toEqual({ stored: true });

    clock = T0 + HOUR;
    const page = await call(h.endpoint, httpEvent('GET', { query: queryOf(request.approveUrl) }));
    expect(page.statusCode).toBe(200);
    expect(page.headers).toMatchObject({ 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'X-Frame-Options': 'DENY', 'Referrer-Policy': 'no-referrer' });
    expect(textOf(page)).toContain(finding.principal);
    expect(textOf(page)).toContain(finding.escalationReasons[0]);
    expect(bodyOf(page)).toMatch(/<form method="post">/);
    expect(bodyOf(page)).toContain(`<input type="hidden" name="s" value="${queryOf(request.approveUrl).s}">`);
    // Opening the link decided nothing.
    expect((await store.getApproval(request.approvalId))?.status).toBe('pending');
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);

    clock = T0 + HOUR + 30_000;
    const done = await call(h.endpoint, httpEvent('POST', { form: submitted(request.approveUrl, '  Dana   Scully '), base64: true }));
    expect(done.statusCode).toBe(200);
    expect(textOf(done)).toContain('Recorded: approve by Dana Scully at 2025-03-04T11:00:30.000Z');
    const expected: ApprovalDecision = { approvalId: request.approvalId, decision: 'approve', approver: 'Dana Scully', decidedAt: '2025-03-04T11:00:30.000Z', sourceIp: IP, userAgent: UA };
    expect(sfnMock).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
    expect(sfnMock).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: TOKEN });
    const sent = sfnMock.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input;
    expect(JSON.parse(sent.output ?? '')).toEqual(expected);
    expect(await store.getApproval(request.approvalId)).toMatchObject({ status: 'approved', approver: 'Dana Scully', sourceIp: IP, userAgent: UA, deliveredAt: '2025-03-04T11:00:30.000Z' });

    // The reject link of the same request, or the approve link again: already decided.
    clock = T0 + 2 * HOUR;
    for (const url of [request.rejectUrl, request.approveUrl]) {
      const replay = await call(h.endpoint, httpEvent('POST', { form: submitted(url, 'Mallory') }));
      expect(replay.statusCode).toBe(409);
      expect(textOf(replay)).toContain('already decided: approve by Dana Scully at 2025-03-04T11:00:30.000Z');
    }
    const reopened = await call(h.endpoint, httpEvent('GET', { query: queryOf(request.rejectUrl) }));
    expect(reopened.statusCode).toBe(409);
    expect(sfnMock).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
    expect((await store.getApproval(request.approvalId))?.approver).toBe('Dana Scully');
  });

  it.each([
    ['forged (signed with another key)', (r: ApprovalRequest) => queryOf(signedUrl(APPROVAL_URL, { approvalId: r.approvalId, findingId: r.findingId, decision: 'approve', expiresAt: T0 / 1000 + 86_400 }, 'not-the-key')), 0, 403, /not genuine/],
    ['tampered (decision flipped)', (r: ApprovalRequest) => ({ ...queryOf(r.rejectUrl), d: 'approve' }), 0, 403, /altered.*decision does not match its signature/],
    ['expired', (r: ApprovalRequest) => queryOf(r.approveUrl), 24 * HOUR, 410, /expired at 2025-03-05T10:00:00\.000Z/],
    ['expiry pushed out', (r: ApprovalRequest) => ({ ...queryOf(r.approveUrl), e: String(T0 / 1000 + 48 * 3600) }), 24 * HOUR, 403, /not genuine/],
    ['incomplete', (r: ApprovalRequest) => ({ a: r.approvalId, d: 'approve' }), 0, 400, /incomplete/],
  ])('refuses a %s link on GET and POST, and decides nothing', async (_name, link, later, status, why) => {
    const request = await requested();
    clock = T0 + later;
    for (const event of [httpEvent('GET', { query: link(request) }), httpEvent('POST', { form: { ...link(request), approver: 'Mallory' } })]) {
      const r = await call(h.endpoint, event);
      expect(r.statusCode).toBe(status);
      expect(textOf(r)).toMatch(why);
    }
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    expect((await store.getApproval(request.approvalId))?.status).toBe('pending');
  });

  it('answers 404 for a genuine link to a request it has no record of', async () => {
    const link = { approvalId: 'apr-neverstoredneverstored', findingId: finding.findingId, decision: 'approve' as const, expiresAt: T0 / 1000 + 3600 };
    const r = await call(h.endpoint, httpEvent('GET', { query: queryOf(signedUrl(APPROVAL_URL, link, key)) }));
    expect(r.statusCode).toBe(404);
    expect(textOf(r)).toMatch(/No approval request matches/);
  });

  it('asks to try again in a minute when the workflow is not waiting yet', async () => {
    const request = await requested({ waiting: false });
    const page = await call(h.endpoint, httpEvent('GET', { query: queryOf(request.approveUrl) }));
    expect(page.statusCode).toBe(200);
    const r = await call(h.endpoint, httpEvent('POST', { form: submitted(request.approveUrl, 'Dana') }));
    expect(r.statusCode).toBe(409);
    expect(textOf(r)).toMatch(/not started waiting.*Try again in a minute/);
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    // Once the token is stored, the same link works.
    await h.wait({ taskToken: TOKEN, approval: request });
    expect((await call(h.endpoint, httpEvent('POST', { form: submitted(request.approveUrl, 'Dana') }))).statusCode).toBe(200);
  });

  it('asks for a name before deciding', async () => {
    const request = await requested();
    for (const approver of [undefined, '   ', '\u200B']) {
      const r = await call(h.endpoint, httpEvent('POST', { form: submitted(request.rejectUrl, approver) }));
      expect(r.statusCode).toBe(400);
      expect(textOf(r)).toContain('Enter your name or e-mail');
      expect(bodyOf(r)).toMatch(/<form method="post">/);
    }
    expect((await store.getApproval(request.approvalId))?.status).toBe('pending');
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it('says the workflow stopped waiting when Step Functions reports the task timed out, and keeps the late decision', async () => {
    sfnMock.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ $metadata: {}, message: 'Task Timed Out' }));
    const request = await requested();
    clock = T0 + 3 * HOUR;
    const r = await call(h.endpoint, httpEvent('POST', { form: submitted(request.rejectUrl, 'Lee') }));
    expect(r.statusCode).toBe(410);
    expect(textOf(r)).toMatch(/stopped waiting.*reject by Lee at 2025-03-04T13:00:00\.000Z/);
    expect(await store.getApproval(request.approvalId)).toMatchObject({ status: 'timed-out', timedOutAt: '2025-03-04T13:00:00.000Z', approver: 'Lee', decision: 'reject' });
    const again = await call(h.endpoint, httpEvent('POST', { form: submitted(request.approveUrl, 'Dana') }));
    expect(again.statusCode).toBe(410);
    expect(sfnMock).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
  });

  it('undoes a decision the workflow could not be told about, so the link can be used again', async () => {
    sfnMock.on(SendTaskSuccessCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })).resolves({});
    const request = await requested();
    const failed = await call(h.endpoint, httpEvent('POST', { form: submitted(request.approveUrl, 'Dana') }));
    expect(failed.statusCode).toBe(503);
    expect(textOf(failed)).toMatch(/nothing was recorded/);
    expect((await store.getApproval(request.approvalId))?.status).toBe('pending');
    const retried = await call(h.endpoint, httpEvent('POST', { form: submitted(request.approveUrl, 'Dana') }));
    expect(retried.statusCode).toBe(200);
    expect(sfnMock).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 2);
  });

  it('allows only GET, HEAD and POST', async () => {
    const request = await requested();
    const r = await call(h.endpoint, httpEvent('DELETE', { query: queryOf(request.approveUrl) }));
    expect(r.statusCode).toBe(405);
    expect(r.headers?.Allow).toBe('GET, HEAD, POST');
    const head = await call(h.endpoint, httpEvent('HEAD', { query: queryOf(request.approveUrl) }));
    expect(head).toMatchObject({ statusCode: 200, body: '' });
    expect((await store.getApproval(request.approvalId))?.status).toBe('pending');
  });

  it('refuses a wait for an unknown request by a stable error name; a retried wait\'s new token replaces the old', async () => {
    const request = await requested();
    await expect(h.wait({ taskToken: `${TOKEN}-retry`, approval: request })).resolves.toEqual({ stored: true });
    await expect(h.wait({ taskToken: TOKEN, approval: { ...request, approvalId: 'apr-neverstoredneverstored' } })).rejects.toMatchObject({ name: 'ApprovalStateError' });
    await expect(h.wait({ taskToken: '', approval: request })).rejects.toMatchObject({ name: 'InputError' });
  });

  it('never shows the signing key or the task token', () => {
    expect(seen.length).toBeGreaterThan(20);
    for (const text of seen) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(TOKEN);
    }
  });
});

describe('the handlers as deployed (configured from the environment)', () => {
  const lambdaContext = (name: string): Context => ({
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    memoryLimitInMB: '256',
    awsRequestId: unique('req'),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  });
  const saved = { ...process.env };

  afterEach(() => {
    for (const k of ['TABLE_NAME', 'SIGNING_KEY_SECRET', 'APPROVAL_URL', 'APPROVAL_TTL_HOURS']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('creates a request, stores the token and shows the confirmation page', async () => {
    const table = await createResponderTable();
    Object.assign(process.env, { TABLE_NAME: table, SIGNING_KEY_SECRET: secretName, APPROVAL_URL, APPROVAL_TTL_HOURS: '2' });
    const before = Date.now();
    const request = await requestApprovalHandler({ finding }, lambdaContext('request-approval'));
    const expires = Date.parse(request.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 2 * HOUR);
    expect(expires).toBeLessThanOrEqual(Date.now() + 2 * HOUR);
    expect(await awaitDecisionHandler({ taskToken: TOKEN, approval: request }, lambdaContext('await-decision'))).toEqual({ stored: true });
    const page = await approveHandler(httpEvent('GET', { query: queryOf(request.approveUrl) }), lambdaContext('approve'));
    expect(page.statusCode).toBe(200);
    expect(textOf(page)).toContain(finding.principal);
    expect(await approvals(table).getApproval(request.approvalId)).toMatchObject({ status: 'pending', taskToken: TOKEN });
  });
});
