import { readFileSync } from 'node:fs';
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateStateMachineCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '../../lambdas/handlers/shared/observability';
import type { CloudTrailRecord } from '../../lambdas/core/cloudtrail/types';
import { withDefaults } from '../../lambdas/core/settings';
import { createResponderTable, unique } from '../support/aws';
import { MOTO_ACCOUNT } from '../support/moto';

/**
 * The scorer as Lambda runs it: an SQS batch through middy, Powertools batch
 * processing (partial failures) and idempotency on the CloudTrail eventID,
 * the ledger in DynamoDB and StartExecution on a state machine, all in moto.
 */

const fixture = (name: string): CloudTrailRecord =>
  JSON.parse(readFileSync(new URL(`../fixtures/events/${name}`, import.meta.url), 'utf8')) as CloudTrailRecord;
const ctx = { functionName: 'scorer', awsRequestId: 'req', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

function sqsRecord(id: string, body: unknown): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'events', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:${MOTO_ACCOUNT}:events`,
    awsRegion: 'us-east-1',
  };
}

const envelope = (detail: CloudTrailRecord) => ({ version: '0', id: unique('eb'), 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', detail });

let handler: (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
let stateMachineArn: string;
let idempotencyTable: string;
const completed = async (): Promise<number> =>
  ((await new DynamoDBClient({}).send(new ScanCommand({ TableName: idempotencyTable }))).Items ?? []).filter((i) => i.status?.S === 'COMPLETED').length;

beforeAll(async () => {
  const idempotency = unique('idempotency');
  idempotencyTable = idempotency;
  await new DynamoDBClient({}).send(
    new CreateTableCommand({
      TableName: idempotency,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  stateMachineArn = (
    await new SFNClient({}).send(
      new CreateStateMachineCommand({
        name: unique('workflow'),
        roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/workflow`,
        definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
      }),
    )
  ).stateMachineArn!;
  Object.assign(process.env, {
    TABLE_NAME: await createResponderTable(),
    IDEMPOTENCY_TABLE_NAME: idempotency,
    STATE_MACHINE_ARN: stateMachineArn,
    RESPONDER_SETTINGS: JSON.stringify(withDefaults({ approvedRegions: ['us-east-1'] })),
  });
  ({ handler } = (await import('../../lambdas/handlers/score')) as unknown as { handler: typeof handler });
}, 60_000);

describe('the scorer Lambda', () => {
  it('reports only the broken records of a batch as failed, and scores the rest', async () => {
    const gpu = { ...fixture('run-instances-gpu-success.json'), eventID: unique('gpu'), awsRegion: 'ap-southeast-3' };
    const logged = vi.spyOn(logger, 'error');
    const out = await handler(
      {
        Records: [
          sqsRecord('good', envelope(gpu)),
          sqsRecord('not-json', '{"detail": '),
          sqsRecord('not-a-record', { 'detail-type': 'AWS API Call via CloudTrail', detail: { hello: 'world' } }),
          sqsRecord('unrelated', envelope({ ...fixture('run-instances-success.json'), eventID: unique('x'), eventName: 'DescribeInstances' })),
        ],
      },
      ctx,
    );
    expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['not-a-record', 'not-json']);
    // Each failure is logged with its message id and why, for whoever reads the dead-letter queue.
    const failures = logged.mock.calls.filter(([message]) => message === 'event not scored').map(([, extra]) => extra as { messageId: string; error: Error });
    expect(failures.map((f) => f.messageId).sort()).toEqual(['not-a-record', 'not-json']);
    expect(failures.find((f) => f.messageId === 'not-json')?.error.message).toMatch(/is not JSON/);
    logged.mockRestore();
    const executions = await new SFNClient({}).send(new ListExecutionsCommand({ stateMachineArn }));
    expect(executions.executions?.map((e) => e.name)).toEqual([expect.stringMatching(/^rif-[0-9a-f]{24}-tier2$/)]);
  });

  it('scores an event delivered twice only once (idempotency on the CloudTrail eventID)', async () => {
    const launch = { ...fixture('run-instances-gpu-success.json'), eventID: unique('twice'), awsRegion: 'ap-southeast-3', userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${MOTO_ACCOUNT}:user/${unique('u')}`, accountId: MOTO_ACCOUNT } };
    const before = (await new SFNClient({}).send(new ListExecutionsCommand({ stateMachineArn }))).executions?.length ?? 0;
    const done = await completed();
    const first = await handler({ Records: [sqsRecord('a', envelope(launch))] }, ctx);
    expect(await completed()).toBe(done + 1);
    // The second delivery is answered from the idempotency record, not scored again.
    const second = await handler({ Records: [sqsRecord('b', envelope(launch))] }, ctx);
    expect(await completed()).toBe(done + 1);
    expect([first.batchItemFailures, second.batchItemFailures]).toEqual([[], []]);
    const after = (await new SFNClient({}).send(new ListExecutionsCommand({ stateMachineArn }))).executions?.length ?? 0;
    expect(after - before).toBe(1);
  });
});
