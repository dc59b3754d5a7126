import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { approvals, type Approvals } from '../adapters/approvals';
import { InputError } from '../core/errors';
import type { ApprovalRequest } from '../core/workflow';
import { logger, traced } from './shared/observability';
import { requireEnv } from './shared/runtime';

/**
 * "Wait for a decision" (a `.waitForTaskToken` task): stores the execution's
 * task token on the approval record, where the endpoint finds it when a
 * person decides. The execution then waits for the endpoint's callback or
 * the state's timeout. The token is a credential: it is not logged.
 */

export interface AwaitDecisionInput {
  readonly taskToken: string;
  readonly approval: ApprovalRequest;
}

export interface AwaitDecisionOutput {
  readonly stored: true;
}

export interface AwaitDecisionDeps {
  readonly approvals: Approvals;
  readonly now: () => number;
}

export function makeAwaitDecisionHandler(deps: AwaitDecisionDeps): (input: AwaitDecisionInput) => Promise<AwaitDecisionOutput> {
  return async (input) => {
    const { taskToken, approval } = input ?? {};
    if (typeof taskToken !== 'string' || taskToken.length === 0) throw new InputError('await-decision: input.taskToken is missing (pass $$.Task.Token)');
    if (!approval?.approvalId || !approval.findingId) throw new InputError('await-decision: input.approval must carry approvalId and findingId');
    // Throws ApprovalStateError when the record is missing, decided, or
    // waited on with another token: the workflow's Catch handles it.
    await deps.approvals.attachToken({ approvalId: approval.approvalId, findingId: approval.findingId, taskToken, now: deps.now() });
    logger.info('waiting for a decision', { approvalId: approval.approvalId, findingId: approval.findingId, expiresAt: approval.expiresAt });
    return { stored: true };
  };
}

let wired: ((input: AwaitDecisionInput) => Promise<AwaitDecisionOutput>) | undefined;

export const handler = middy(async (input: AwaitDecisionInput): Promise<AwaitDecisionOutput> => {
  wired ??= makeAwaitDecisionHandler({ approvals: approvals(requireEnv('TABLE_NAME')), now: Date.now });
  return wired(input);
})
  .use(traced())
  .use(injectLambdaContext(logger));
