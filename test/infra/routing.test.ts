import { readFileSync } from 'node:fs';
import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../../lambdas/core/cloudtrail/types';
import { unique } from '../support/aws';
import { synthesize } from './stack';

/**
 * The rules' event patterns, taken from the synthesized template, installed
 * in moto's EventBridge (whose rule matcher is real) with an SQS target; real
 * CloudTrail-shaped events are put on the bus and we read what arrives.
 */

const FIXTURES = new URL('../fixtures/events/', import.meta.url);
const fixture = (name: string): CloudTrailRecord => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as CloudTrailRecord;

const events = new EventBridgeClient({});
const sqs = new SQSClient({});

interface Case {
  readonly name: string;
  readonly record: CloudTrailRecord;
  readonly detailType?: string;
  readonly delivered: boolean;
}

const CASES: Case[] = [
  { name: 'successful RunInstances', record: fixture('run-instances-success.json'), delivered: true },
  { name: 'denied RunInstances (errorCode)', record: fixture('run-instances-gpu-denied.json'), delivered: true },
  { name: 'DryRun RunInstances', record: fixture('run-instances-dry-run.json'), delivered: true },
  { name: 'RunInstances by Auto Scaling', record: fixture('run-instances-autoscaling.json'), delivered: true },
  { name: 'RequestSpotFleet', record: fixture('request-spot-fleet.json'), delivered: true },
  { name: 'AllocateAddress', record: fixture('allocate-address.json'), delivered: true },
  { name: 'ImportKeyPair', record: fixture('import-key-pair.json'), delivered: true },
  { name: 'world-open ingress', record: fixture('authorize-sg-ingress-world-22.json'), delivered: true },
  { name: 'a quota increase request', record: fixture('service-quotas-increase.json'), delivered: true },
  { name: 'Lightsail CreateInstances', record: fixture('lightsail-create-instances.json'), delivered: true },
  { name: 'an unrelated EC2 call (DescribeInstances)', record: { ...fixture('run-instances-success.json'), eventName: 'DescribeInstances' }, delivered: false },
  { name: 'an unrelated service (s3 PutObject)', record: { ...fixture('run-instances-success.json'), eventSource: 's3.amazonaws.com', eventName: 'PutObject' }, delivered: false },
  { name: 'a relevant name from another service', record: { ...fixture('run-instances-success.json'), eventSource: 'gamelift.amazonaws.com', eventName: 'CreateFleet' }, delivered: false },
  { name: 'another detail-type', record: fixture('run-instances-success.json'), detailType: 'EC2 Instance State-change Notification', delivered: false },
];

describe('EventBridge routing with the synthesized patterns', () => {
  let bus: string;
  let queueUrl: string;

  beforeAll(async () => {
    process.env.CDK_VALIDATION = 'false';
    const { template } = synthesize();
    const patterns = Object.values(template.findResources('AWS::Events::Rule'))
      .filter((r) => (r as { Properties: { EventBusName?: unknown } }).Properties.EventBusName === 'default')
      .map((r) => (r as { Properties: { EventPattern: unknown } }).Properties.EventPattern);
    expect(patterns.length).toBeGreaterThanOrEqual(3);

    bus = unique('bus');
    await events.send(new CreateEventBusCommand({ Name: bus }));
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: unique('scored') }));
    queueUrl = queue.QueueUrl!;
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    for (const [i, pattern] of patterns.entries()) {
      const name = `rule-${i}`;
      await events.send(new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: JSON.stringify(pattern) }));
      await events.send(new PutTargetsCommand({ Rule: name, EventBusName: bus, Targets: [{ Id: 'queue', Arn: arn }] }));
    }
  });

  it('delivers acquisition calls, failed and dry-run ones included, and nothing else', async () => {
    const entries = CASES.map((c, i) => ({
      EventBusName: bus,
      Source: `aws.${String(c.record.eventSource).split('.')[0]}`,
      DetailType: c.detailType ?? 'AWS API Call via CloudTrail',
      Detail: JSON.stringify({ ...c.record, eventID: `case-${i}` }),
    }));
    for (let i = 0; i < entries.length; i += 10) {
      const out = await events.send(new PutEventsCommand({ Entries: entries.slice(i, i + 10) }));
      expect(out.FailedEntryCount ?? 0).toBe(0);
    }
    const got = new Set<string>();
    for (let round = 0; round < 10; round++) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      for (const m of r.Messages ?? []) got.add((JSON.parse(m.Body!) as { detail: { eventID: string } }).detail.eventID);
      if ((r.Messages ?? []).length === 0 && got.size >= CASES.filter((c) => c.delivered).length) break;
    }
    const delivered = CASES.filter((_c, i) => got.has(`case-${i}`)).map((c) => c.name);
    expect(delivered).toEqual(CASES.filter((c) => c.delivered).map((c) => c.name));
  });
});
