import { performance } from 'node:perf_hooks';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSRecord } from 'aws-lambda';
import { emptyThreatIntel } from '../../lambdas/core/threat-intel';
import { Ledger } from '../../lambdas/adapters/ledger';
import { engineSettings } from '../../lambdas/handlers/shared/runtime';
import { handler, setScoreDeps } from '../../lambdas/handlers/score';
import { REGIONS, TrailSynth } from './records';
import { Rng } from './rng';

/**
 * The scorer's warm path, bundled exactly like the deployed function and
 * run in its own process by scripts/bench/lambda.ts: SQS batches of
 * EventBridge-wrapped provisioning events through the real handler (middy,
 * Powertools batch, logger and metrics, the ledger's code building every
 * DynamoDB request), with the AWS calls answered from memory so that what
 * is timed is the handler's own work. Prints one JSON line.
 *
 *   node score-warm.mjs EVENTS
 */

type Item = Record<string, unknown>;

/** A DynamoDB document client that answers from a Map, for the commands the ledger sends. */
function memoryDocumentClient(): DynamoDBDocumentClient {
  const items = new Map<string, Item>();
  const id = (key: unknown): string => {
    const k = key as { pk: string; sk: string };
    return `${k.pk}\u0000${k.sk}`;
  };
  // The SDK is bundled and minified like the function's, so commands are told apart by class, not name.
  const answer = (command: { input: Record<string, unknown> }): unknown => {
    const input = command.input;
    if (command instanceof GetCommand) return { Item: items.get(id(input.Key)) };
    if (command instanceof PutCommand) {
      const item = input.Item as Item;
      items.set(id(item), item);
      return {};
    }
    if (command instanceof DeleteCommand) {
      const key = id(input.Key);
      const old = items.get(key);
      items.delete(key);
      return { Attributes: old };
    }
    if (command instanceof UpdateCommand) {
      // The ledger's updates only ever set first-seen times: keep the first.
      const key = id(input.Key);
      const t = (input.ExpressionAttributeValues as Item)[':t'];
      items.set(key, { ...(input.Key as Item), since: t, firstSeen: t, ...items.get(key) });
      return {};
    }
    if (command instanceof BatchGetCommand) {
      const request = input.RequestItems as Record<string, { Keys: unknown[] }>;
      const responses: Record<string, Item[]> = {};
      for (const [table, { Keys }] of Object.entries(request)) {
        responses[table] = Keys.map((k) => items.get(id(k))).filter((i): i is Item => i !== undefined);
      }
      return { Responses: responses };
    }
    throw new Error(`memory DynamoDB: ${command.constructor.name} is not implemented`);
  };
  const send = (command: { input: Record<string, unknown> }): Promise<unknown> => Promise.resolve().then(() => answer(command));
  return { send } as unknown as DynamoDBDocumentClient;
}

const BATCH = 10;
const WARMUP_BATCHES = 10;

const events = Number(process.argv[2] ?? 2000);
const rng = new Rng(0x5c0e);
const start = Date.parse('2026-03-02T08:00:00Z');
const synth = new TrailSynth(rng, start);
const accounts = synth.accountIds.length;
const bodies: string[] = [];
for (let i = 0; i < events; i++) {
  const region = REGIONS[rng.int(0, REGIONS.length - 1)]![0];
  const { json } = synth.next(rng.int(0, accounts - 1), region, start + i * 2_000, true);
  const detail = JSON.parse(json) as { eventSource: string; eventID: string };
  bodies.push(JSON.stringify({ version: '0', id: `eb-${i}`, 'detail-type': 'AWS API Call via CloudTrail', source: `aws.${detail.eventSource.split('.')[0]}`, detail }));
}

const settings = engineSettings();
let started = 0;
let grown = 0;
setScoreDeps({
  settings,
  ledger: new Ledger({ tableName: 'bench', ledgerDays: 30, churnMinutes: settings.churn.minutes, now: () => start, client: memoryDocumentClient() }),
  intel: () => Promise.resolve(emptyThreatIntel()),
  startExecution: () => {
    started++;
    return Promise.resolve(true);
  },
  recordGrowth: () => {
    grown++;
    return Promise.resolve();
  },
});

const context = {
  functionName: 'bench-score',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:bench-score',
  memoryLimitInMB: '512',
  awsRequestId: 'bench',
  logGroupName: '/aws/lambda/bench-score',
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

const perEvent: number[] = [];
let failures = 0;
for (let b = 0; b * BATCH < bodies.length; b++) {
  const Records = bodies.slice(b * BATCH, (b + 1) * BATCH).map(
    (body, i): SQSRecord => ({ messageId: `m-${b}-${i}`, receiptHandle: 'r', body, attributes: {} as SQSRecord['attributes'], messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:events', awsRegion: 'us-east-1' }),
  );
  const t0 = performance.now();
  const out = await handler({ Records }, context);
  const ms = performance.now() - t0;
  failures += out.batchItemFailures.length;
  if (b >= WARMUP_BATCHES) perEvent.push(ms / Records.length);
}
perEvent.sort((a, b) => a - b);
const at = (q: number): number => perEvent[Math.min(perEvent.length - 1, Math.floor(q * perEvent.length))] ?? 0;
const mean = perEvent.reduce((s, v) => s + v, 0) / Math.max(1, perEvent.length);
process.stdout.write(`\n${JSON.stringify({ events, batches: perEvent.length, p50: at(0.5), p95: at(0.95), mean, failures, started, grown })}\n`);
