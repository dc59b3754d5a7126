import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { describeError, InputError, TransientError } from '../core/errors';
import type { Finding } from '../core/model';
import { isTransient } from '../adapters/aws';
import { recordFinding, type FindingEvent, type FindingStatus } from '../adapters/findings';
import { logger, traced } from './shared/observability';
import { numberEnv, requireEnv } from './shared/runtime';

/**
 * Record: writes the finding as it stands and one history entry for what
 * just happened to it (assessed, notified, a decision, the outcome, a
 * failure). The workflow calls it after each step that changes the story.
 */

export interface RecordInput {
  readonly finding: Finding;
  readonly event: {
    readonly kind: string;
    readonly detail?: unknown;
    /** Overrides the derived status (e.g. 'closed' when a person closes it). */
    readonly status?: FindingStatus;
    readonly summary?: string;
  };
}

export interface RecordOutput {
  readonly version: number;
  readonly status: string;
}

export interface RecordDeps {
  readonly recordFinding: (finding: Finding, event: FindingEvent) => Promise<{ version: number; status: FindingStatus }>;
  /** Epoch ms. */
  readonly now: () => number;
}

export function makeRecordHandler(deps: RecordDeps): (input: RecordInput) => Promise<RecordOutput> {
  return async ({ finding, event }) => {
    if (!finding?.findingId) throw new InputError('record: expected { finding, event }, found no finding.findingId');
    if (typeof event?.kind !== 'string' || event.kind === '') throw new InputError(`record: expected event.kind to be a non-empty string, found ${JSON.stringify(event?.kind)}`);
    try {
      const out = await deps.recordFinding(finding, { ...event, at: new Date(deps.now()).toISOString() });
      logger.info('recorded', { findingId: finding.findingId, kind: event.kind, ...out });
      return out;
    } catch (err) {
      if (isTransient(err)) throw new TransientError(`record ${finding.findingId}: ${describeError(err)}`, { cause: err });
      throw err;
    }
  };
}

let record: ((input: RecordInput) => Promise<RecordOutput>) | undefined;

function fromEnvironment(): (input: RecordInput) => Promise<RecordOutput> {
  const options = { tableName: requireEnv('TABLE_NAME'), findingDays: numberEnv('FINDING_DAYS', 400) };
  return makeRecordHandler({ recordFinding: (finding, event) => recordFinding(finding, event, options), now: Date.now });
}

export const handler = middy((input: RecordInput) => (record ??= fromEnvironment())(input))
  .use(traced())
  .use(injectLambdaContext(logger));
