import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Notifier } from '../../lambdas/adapters/notifier';
import { TransientError } from '../../lambdas/core/errors';
import type { DeliveryReport, Notification } from '../../lambdas/core/workflow';
import { handler, makeNotifyHandler } from '../../lambdas/handlers/notify';
import { metrics } from '../../lambdas/handlers/shared/observability';
import { unique } from '../support/aws';
import { sampleFindings, type SampleFindings } from '../fixtures/notifications/build';

/**
 * The Notify Lambda as deployed: the exported middy handler, its
 * configuration from the environment, the webhook URL from Secrets Manager
 * (moto), the e-mail through SNS (moto) and Slack replaced by a local
 * server. SLACK_ALLOW_LOCAL=true is what lets the handler post to
 * http://127.0.0.1; only tests set it.
 */

const context: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'rogue-infra-notify',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:rogue-infra-notify',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/rogue-infra-notify',
  logStreamName: '2025/05/15/[$LATEST]abcdef',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

let s: SampleFindings;
let server: Server;
const posts: unknown[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  s = await sampleFindings();
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      posts.push(JSON.parse(body));
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const key of ['TOPIC_ARN', 'SLACK_WEBHOOK_SECRET', 'SLACK_ALLOW_LOCAL']) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  await new Promise((resolve) => server.close(resolve));
});

describe('the deployed handler', () => {
  it('fails an invocation without TOPIC_ARN with a message that says so', async () => {
    delete process.env.TOPIC_ARN;
    await expect(handler({ kind: 'finding', finding: s.tier1, approvalFollows: false }, context)).rejects.toThrow(
      expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining('TOPIC_ARN') }),
    );
  });

  it('reads its configuration on the next invocation, e-mails through SNS and posts to the webhook from the secret', async () => {
    const { TopicArn } = await new SNSClient({}).send(new CreateTopicCommand({ Name: unique('notify-handler') }));
    const secretName = unique('slack-webhook');
    const { port } = server.address() as AddressInfo;
    // The JSON form of the secret, as a Slack app's setup page is often pasted.
    await new SecretsManagerClient({}).send(
      new CreateSecretCommand({ Name: secretName, SecretString: JSON.stringify({ url: `http://127.0.0.1:${port}/services/T0/B0/handler` }) }),
    );
    process.env.TOPIC_ARN = TopicArn;
    process.env.SLACK_WEBHOOK_SECRET = secretName;
    process.env.SLACK_ALLOW_LOCAL = 'true';

    const report = await handler({ kind: 'finding', finding: s.critical, approvalFollows: true }, context);
    expect(report).toEqual({ email: { sent: true, messageId: expect.any(String) }, slack: { sent: true } });
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ text: expect.stringContaining('[Tier 2 ESCALATION] critical') });

    const failure: Notification = { kind: 'failure', findingId: s.critical.findingId, failure: { state: 'Tag resources', error: 'States.TaskFailed', cause: 'boom' } };
    expect(await handler(failure, context)).toEqual({ email: { sent: true, messageId: expect.any(String) }, slack: { sent: true } });
    expect(posts).toHaveLength(2);
  });
});

describe('makeNotifyHandler', () => {
  const fixed = (report: DeliveryReport): Notifier => ({ send: () => Promise.resolve(report) });

  function captureMetrics(): { dimensions: Record<string, string>[]; names: string[] } {
    const seen = { dimensions: [] as Record<string, string>[], names: [] as string[] };
    vi.spyOn(metrics, 'singleMetric').mockImplementation(() => {
      const single = {
        addDimensions: (d: Record<string, string>) => (seen.dimensions.push(d), single),
        addMetric: (name: string) => (seen.names.push(name), single),
      };
      return single as unknown as ReturnType<typeof metrics.singleMetric>;
    });
    return seen;
  }

  it('counts deliveries by channel and result', async () => {
    const seen = captureMetrics();
    try {
      const notify = makeNotifyHandler({ notifier: fixed({ email: { sent: true, messageId: 'm-1' }, slack: { sent: false, error: 'HTTP 500' } }) });
      await notify({ kind: 'finding', finding: s.tier1, approvalFollows: false });
      const skipped = makeNotifyHandler({ notifier: fixed({ email: { sent: false, error: 'NotFound' }, slack: { sent: false, skipped: true } }) });
      await skipped({ kind: 'finding', finding: s.tier1, approvalFollows: false });
      expect(seen.names).toEqual(['Deliveries', 'Deliveries', 'Deliveries', 'Deliveries']);
      expect(seen.dimensions).toEqual([
        { channel: 'email', result: 'sent' },
        { channel: 'slack', result: 'failed' },
        { channel: 'email', result: 'failed' },
        { channel: 'slack', result: 'skipped' },
      ]);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('lets a TransientError through for the workflow to retry', async () => {
    const notify = makeNotifyHandler({ notifier: { send: () => Promise.reject(new TransientError('notification not delivered')) } });
    await expect(notify({ kind: 'finding', finding: s.tier1, approvalFollows: false })).rejects.toThrow(TransientError);
  });
});
