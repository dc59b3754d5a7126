import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeNotifier, parseWebhookSecret } from '../../lambdas/adapters/notifier';
import { renderEmail } from '../../lambdas/core/render/text';
import { ConfigError, TransientError } from '../../lambdas/core/errors';
import type { Notification } from '../../lambdas/core/workflow';
import { MOTO_ACCOUNT } from '../support/moto';
import { unique } from '../support/aws';
import { approvalFor, sampleFindings, type SampleFindings } from '../fixtures/notifications/build';

/**
 * The notifier against moto's SNS (delivering to an SQS queue subscribed to
 * the topic, which is how we see what an e-mail subscriber would get) and a
 * local HTTP server standing in for Slack's incoming webhook.
 */

const sns = new SNSClient({});
const sqs = new SQSClient({});

/** A topic with a queue subscribed to it; moto delivers each publish to the queue. */
async function topicWithQueue(): Promise<{ topicArn: string; queueUrl: string }> {
  const { TopicArn: topicArn } = await sns.send(new CreateTopicCommand({ Name: unique('notify') }));
  const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: unique('notify-inbox') }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const queueArn = Attributes?.QueueArn;
  if (!topicArn || !queueUrl || !queueArn) throw new Error('moto did not create the topic or queue');
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': topicArn } } }],
  };
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: JSON.stringify(policy) } }));
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
  return { topicArn, queueUrl };
}

interface Envelope {
  Type: string;
  TopicArn: string;
  Subject: string;
  Message: string;
  MessageId: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

async function received(queueUrl: string): Promise<Envelope[]> {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  return (out.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}') as Envelope);
}

/** A stand-in for Slack: records each POST and answers with `status`. */
interface FakeSlack {
  readonly url: string;
  readonly posts: { path: string; contentType?: string; body: unknown }[];
  status: number;
  close(): Promise<void>;
}

async function fakeSlack(): Promise<FakeSlack> {
  const posts: FakeSlack['posts'] = [];
  const state = { status: 200 };
  const read = async (req: IncomingMessage): Promise<string> => {
    let data = '';
    for await (const chunk of req) data += String(chunk);
    return data;
  };
  const server: Server = createServer((req, res) => {
    void read(req).then((body) => {
      posts.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: JSON.parse(body) as unknown });
      // What Slack answers: "ok", a reason, and Retry-After when rate limited.
      res.writeHead(state.status, { 'content-type': 'text/plain', ...(state.status === 429 ? { 'retry-after': '30' } : {}) });
      res.end(state.status === 200 ? 'ok' : state.status === 429 ? 'rate_limited' : 'invalid_blocks');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/secretpart`,
    posts,
    get status() {
      return state.status;
    },
    set status(v: number) {
      state.status = v;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let s: SampleFindings;
let slack: FakeSlack;
let finding: Notification;
/** A topic nobody reads, for tests that look only at the report. */
let topic: string;
beforeAll(async () => {
  let created;
  [s, slack, created] = await Promise.all([sampleFindings(), fakeSlack(), sns.send(new CreateTopicCommand({ Name: unique('notify-any') }))]);
  if (!created.TopicArn) throw new Error('moto did not create the topic');
  topic = created.TopicArn;
  finding = { kind: 'finding', finding: s.critical, approvalFollows: true };
});
afterAll(() => slack.close());

/** A notifier allowed to post to the local stand-in; `null`: Slack not configured. */
const local = (topicArn: string, url: string | null = slack.url) =>
  makeNotifier({ topicArn, slackWebhookUrl: () => Promise.resolve(url ?? undefined), allowLocalWebhook: true });

describe('delivery to both channels', () => {
  it('publishes the e-mail to SNS with filterable attributes and posts Block Kit to Slack', async () => {
    const { topicArn, queueUrl } = await topicWithQueue();
    slack.status = 200;
    const before = slack.posts.length;
    const report = await local(topicArn).send(finding);

    expect(report.email).toEqual({ sent: true, messageId: expect.stringMatching(/\S/) });
    expect(report.slack).toEqual({ sent: true });

    const [envelope, ...rest] = await received(queueUrl);
    expect(rest).toEqual([]);
    const expected = renderEmail(finding);
    expect(envelope?.TopicArn).toBe(topicArn);
    expect(envelope?.Subject).toBe(expected.subject);
    expect(envelope?.Subject).toMatch(/^\[Tier 2 ESCALATION\] critical: 30 GPU instances by svc-reporting/);
    expect(envelope?.Message).toBe(expected.body);
    expect(envelope?.MessageId).toBe(report.email.sent ? report.email.messageId : 'not sent');
    expect(envelope?.MessageAttributes).toEqual({
      kind: { Type: 'String', Value: 'finding' },
      findingId: { Type: 'String', Value: s.critical.findingId },
      severity: { Type: 'String', Value: 'critical' },
      tier: { Type: 'Number', Value: '2' },
    });

    const post = slack.posts[before];
    expect(slack.posts).toHaveLength(before + 1);
    expect(post?.path).toBe('/services/T000/B000/secretpart');
    expect(post?.contentType).toMatch(/^application\/json/);
    expect(post?.body).toMatchObject({ text: expect.stringContaining('Tier 2 ESCALATION'), unfurl_links: false, unfurl_media: false });
    expect((post?.body as { blocks: { type: string }[] }).blocks[0]?.type).toBe('header');
  });

  it('tags approvals and outcomes so subscriptions can filter them', async () => {
    const { topicArn, queueUrl } = await topicWithQueue();
    await local(topicArn, null).send({ kind: 'approval', finding: s.critical, approval: approvalFor(s.critical) });
    await local(topicArn, null).send({ kind: 'outcome', finding: s.tier1, outcome: { kind: 'not-escalated', summary: 'Tier 1' } });
    await local(topicArn, null).send({ kind: 'failure', failure: { state: 'Enrich finding', error: 'States.Timeout', cause: 'timed out' } });
    const attrs = (await received(queueUrl)).map((e) => e.MessageAttributes);
    expect(attrs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: { Type: 'String', Value: 'approval' }, tier: { Type: 'Number', Value: '2' } }),
        expect.objectContaining({ kind: { Type: 'String', Value: 'outcome' }, outcome: { Type: 'String', Value: 'not-escalated' }, tier: { Type: 'Number', Value: '1' } }),
        // A failure may come before any finding: no finding id, severity or tier, rather than empty values SNS rejects.
        { kind: { Type: 'String', Value: 'failure' } },
      ]),
    );
    expect(attrs).toHaveLength(3);
  });
});

describe('one channel failing', () => {
  it('still sends the e-mail when Slack answers 500, and says Slack failed', async () => {
    const { topicArn, queueUrl } = await topicWithQueue();
    slack.status = 500;
    try {
      const report = await local(topicArn).send(finding);
      expect(report.email.sent).toBe(true);
      expect(report.slack).toEqual({ sent: false, error: 'Slack answered HTTP 500: invalid_blocks' });
      expect(await received(queueUrl)).toHaveLength(1);
    } finally {
      slack.status = 200;
    }
  });

  it('says when Slack rate-limits and when to try again', async () => {
    slack.status = 429;
    try {
      const report = await local(topic).send(finding);
      expect(report.email.sent).toBe(true);
      expect(report.slack).toEqual({ sent: false, error: 'Slack answered HTTP 429: rate_limited (retry after 30 s)' });
    } finally {
      slack.status = 200;
    }
  });

  it('still posts to Slack when the topic does not exist, and says the e-mail failed', async () => {
    const before = slack.posts.length;
    const missing = `arn:aws:sns:us-east-1:${MOTO_ACCOUNT}:${unique('gone')}`;
    const report = await local(missing).send(finding);
    expect(report.email).toEqual({ sent: false, error: expect.stringMatching(/^NotFound/) });
    expect(report.slack).toEqual({ sent: true });
    expect(slack.posts).toHaveLength(before + 1);
  });

  it('reports Slack as skipped, not failed, when no webhook is configured', async () => {
    const report = await local(topic, null).send(finding);
    expect(report).toEqual({ email: { sent: true, messageId: expect.any(String) }, slack: { sent: false, skipped: true } });
  });

  it('reports a secret it cannot read, without failing the e-mail', async () => {
    const notifier = makeNotifier({ topicArn: topic, slackWebhookUrl: () => Promise.reject(new Error('ResourceNotFoundException: no such secret')) });
    const report = await notifier.send(finding);
    expect(report.email.sent).toBe(true);
    expect(report.slack).toEqual({ sent: false, error: expect.stringContaining('reading the webhook secret') });
  });
});

describe('both channels failing', () => {
  it('throws a TransientError naming both causes, so the workflow retries', async () => {
    const missing = `arn:aws:sns:us-east-1:${MOTO_ACCOUNT}:${unique('gone')}`;
    slack.status = 500;
    try {
      const err = await local(missing).send(finding).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TransientError);
      expect((err as Error).name).toBe('TransientError');
      expect((err as Error).message).toMatch(/e-mail failed \(NotFound.*\); Slack failed \(Slack answered HTTP 500: invalid_blocks\)/);
    } finally {
      slack.status = 200;
    }
  });

  it('throws when e-mail fails and Slack is not configured: nobody was told', async () => {
    const missing = `arn:aws:sns:us-east-1:${MOTO_ACCOUNT}:${unique('gone')}`;
    await expect(local(missing, null).send(finding)).rejects.toThrow(/e-mail failed .*; Slack is not configured/);
  });
});

describe('the Slack webhook', () => {
  it('gives up after the timeout, and the message names neither the URL nor its path', async () => {
    const hang = createServer(() => undefined);
    await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/services/T1/B1/topsecret`;
    try {
      const notifier = makeNotifier({ topicArn: topic, slackWebhookUrl: () => Promise.resolve(url), allowLocalWebhook: true, slackTimeoutMs: 200 });
      const started = Date.now();
      const report = await notifier.send(finding);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(report.slack).toEqual({ sent: false, error: expect.stringMatching(/^TimeoutError/) });
      expect(JSON.stringify(report)).not.toContain('topsecret');
    } finally {
      hang.closeAllConnections();
      await new Promise((resolve) => hang.close(resolve));
    }
  });

  it('accepts a plain URL or JSON {"url"}, and only hooks.slack.com over https', () => {
    const real = 'https://hooks.slack.com/services/T0/B0/xyz';
    expect(parseWebhookSecret(real).href).toBe(real);
    expect(parseWebhookSecret(`  ${JSON.stringify({ url: real })}\n`).href).toBe(real);
    for (const bad of ['http://hooks.slack.com/services/T0/B0/xyz', 'https://hooks.slack.com.evil.example/x', 'https://evil.example/services/x', 'not a url', '{"webhook": "x"}', '{broken']) {
      expect(() => parseWebhookSecret(bad), bad).toThrow(ConfigError);
    }
  });

  it('accepts http://127.0.0.1 only when asked to, and never says the path when refusing', () => {
    const url = 'http://127.0.0.1:9/services/T0/B0/topsecret';
    expect(() => parseWebhookSecret(url)).toThrow(/expected an https:\/\/hooks\.slack\.com\/\.\.\. incoming webhook URL, found one for http:\/\/127\.0\.0\.1$/);
    expect(parseWebhookSecret(url, true).port).toBe('9');
    expect(() => parseWebhookSecret('http://10.0.0.1/x', true)).toThrow(ConfigError);
  });

  it('reports a bad secret as a Slack failure while the e-mail still goes', async () => {
    const report = await makeNotifier({ topicArn: topic, slackWebhookUrl: () => Promise.resolve('https://example.com/hook/topsecret') }).send(finding);
    expect(report.email.sent).toBe(true);
    expect(report.slack).toEqual({ sent: false, error: expect.stringContaining('found one for https://example.com') });
    expect(JSON.stringify(report)).not.toContain('topsecret');
  });
});
