import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { normalizeRecord, unwrap } from '../core/cloudtrail/normalize';
import { isRelevant } from '../core/constants';
import { groupKey } from '../core/correlate';
import { InputError } from '../core/errors';
import { extractFacts } from '../core/facts';
import { buildFinding } from '../core/finding';
import { compactEvent, executionName, tierToStart, toEventGroup } from '../core/ledger';
import type { Finding } from '../core/model';
import type { EngineSettings } from '../core/settings';
import type { ThreatIntel } from '../core/threat-intel';
import type { WorkflowInput } from '../core/workflow';
import { startWorkflow } from '../adapters/executions';
import { recordFinding } from '../adapters/findings';
import { Ledger } from '../adapters/ledger';
import { feedsFromEnvironment } from './shared/feeds';
import { logger, metrics, traced } from './shared/observability';
import { engineSettings, numberEnv, optionalEnv, requireEnv } from './shared/runtime';

/**
 * The scorer: EventBridge -> SQS -> here. For each CloudTrail event it
 * updates the ledger (baseline, churn, the event's correlation group),
 * rebuilds the group's finding with the same engine as the hunt, and starts
 * the workflow when a finding needs one: once per tier, with an execution
 * name derived from the finding, so redeliveries and concurrent invocations
 * never start the same finding twice. A finding that grows within its tier
 * is updated in place.
 */

export type ScoreResult =
  | { readonly status: 'ignored'; readonly reason: string }
  | { readonly status: 'duplicate'; readonly findingId: string }
  | { readonly status: 'scored'; readonly findingId: string; readonly tier?: 1 | 2; readonly started?: 1 | 2; readonly updated?: boolean };

/** What the scorer needs of the ledger (lambdas/adapters/ledger.ts; an in-memory one in the benchmark). */
export type LedgerPort = Pick<Ledger, 'novelty' | 'churn' | 'place' | 'markStarted' | 'recordLaunch'>;

export interface ScoreDeps {
  readonly ledger: LedgerPort;
  readonly settings: EngineSettings;
  readonly intel: () => Promise<ThreatIntel>;
  /** Starts an execution; resolves false when one with this name already exists. */
  readonly startExecution: (name: string, input: WorkflowInput) => Promise<boolean>;
  /** Updates the finding record of a finding that grew within its tier. */
  readonly recordGrowth: (finding: Finding) => Promise<void>;
}

/** Scores one EventBridge event (the SQS message body). */
export async function scoreEvent(body: unknown, deps: ScoreDeps): Promise<ScoreResult> {
  const found = unwrap(body);
  const item = found[0];
  if (!item || found.length !== 1) throw new InputError(`expected one EventBridge event with a CloudTrail record, found ${found.length} records`);
  if (item.kind === 'ignored') return { status: 'ignored', reason: `detail-type "${item.detailType}"` };
  if (item.kind === 'rejected') throw new InputError(`${item.reason}: ${item.message}`);
  const normalized = normalizeRecord(item.record, String(item.record.eventID ?? 'unknown'));
  if (!normalized.ok) throw new InputError(`${normalized.reason}: ${normalized.message}`);
  const event = normalized.event;
  if (!isRelevant(event.eventSource, event.eventName)) return { status: 'ignored', reason: `${event.eventSource} ${event.eventName} is not acquisition-related` };

  const facts = extractFacts(event);
  const novelty = await deps.ledger.novelty(event, facts);
  const churn = await deps.ledger.churn(event, facts);
  const key = groupKey(event, facts);
  const placement = await deps.ledger.place(compactEvent(event, facts, novelty, churn), key, deps.settings);
  if (placement.kind === 'duplicate') return { status: 'duplicate', findingId: placement.group.findingId };
  // Who launched what, where: what the daily billing check joins its anomalies to.
  await deps.ledger.recordLaunch(event, facts, placement.group.findingId);

  const group = placement.group;
  const finding = buildFinding(toEventGroup(group), { settings: deps.settings, intel: await deps.intel() });
  if (!finding) return { status: 'scored', findingId: group.findingId };
  const tier = tierToStart(group, finding.tier);
  if (tier && (await deps.ledger.markStarted(group, tier))) {
    const input: WorkflowInput = { finding, groupKey: key, trigger: tier === 2 && group.startedTiers.includes(1) ? 'escalated' : 'new' };
    await deps.startExecution(executionName(finding.findingId, tier), input);
    return { status: 'scored', findingId: finding.findingId, tier: finding.tier, started: tier };
  }
  await deps.recordGrowth(finding);
  return { status: 'scored', findingId: finding.findingId, tier: finding.tier, updated: true };
}

let deps: ScoreDeps | undefined;

/** The scorer's dependencies from its environment: the sweep scores with the same. */
export function scoreDepsFromEnvironment(): ScoreDeps {
  const settings = engineSettings();
  const stateMachineArn = requireEnv('STATE_MACHINE_ARN');
  return {
    settings,
    ledger: new Ledger({ tableName: requireEnv('TABLE_NAME'), ledgerDays: numberEnv('LEDGER_DAYS', 30), churnMinutes: settings.churn.minutes, now: () => Date.now() }),
    intel: feedsFromEnvironment(),
    startExecution: (name, input) => startWorkflow(stateMachineArn, name, input),
    recordGrowth: async (finding) => {
      await recordFinding(finding, { kind: 'grown', at: new Date().toISOString(), summary: `${finding.eventCount} events, score ${finding.score}` });
    },
  };
}


export function setScoreDeps(d: ScoreDeps): void {
  deps = d;
}

const processor = new BatchProcessor(EventType.SQS);

function parseBody(record: SQSRecord): unknown {
  try {
    return JSON.parse(record.body);
  } catch (err) {
    throw new InputError(`message ${record.messageId} is not JSON: ${(err as Error).message}`, { cause: err });
  }
}

async function scoreRecord(record: SQSRecord): Promise<ScoreResult> {
  let body: unknown;
  try {
    body = parseBody(record);
    const result = await scoreEvent(body, (deps ??= scoreDepsFromEnvironment()));
    metrics.addMetric(result.status === 'scored' && result.started ? 'WorkflowsStarted' : `Events${result.status[0]!.toUpperCase()}${result.status.slice(1)}`, MetricUnit.Count, 1);
    return result;
  } catch (err) {
    // The message goes back to the queue (and, after its last try, to the
    // dead-letter queue, where the alarm points): say here what was wrong.
    const detail = (body as { detail?: { eventID?: unknown; eventName?: unknown } } | undefined)?.detail;
    logger.error('event not scored', { messageId: record.messageId, eventID: detail?.eventID, eventName: detail?.eventName, receiveCount: record.attributes.ApproximateReceiveCount, error: err as Error });
    throw err;
  }
}

/**
 * At-least-once delivery: the same CloudTrail event can arrive twice (two
 * rules, redelivery after a timeout). Idempotency on its eventID returns the
 * first result instead of scoring it again.
 */
function idempotent(fn: (record: SQSRecord) => Promise<ScoreResult>): (record: SQSRecord) => Promise<ScoreResult> {
  const table = optionalEnv('IDEMPOTENCY_TABLE_NAME');
  if (!table) return fn;
  return makeIdempotent(fn, {
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: table }),
    config: new IdempotencyConfig({ eventKeyJmesPath: 'powertools_json(body).detail.eventID', expiresAfterSeconds: 24 * 3600 }),
  });
}

let recordHandler: ((record: SQSRecord) => Promise<ScoreResult>) | undefined;

export const handler = middy(async (event: SQSEvent, context: Context) =>
  processPartialResponse(event, (recordHandler ??= idempotent(scoreRecord)), processor, { context }),
)
  .use(traced())
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
