import { randomBytes } from 'node:crypto';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { approvals, type Approvals } from '../adapters/approvals';
import { readSecret } from '../adapters/secrets';
import { signedUrl, verifyLink, type ApprovalLink, type Decision } from '../core/approval';
import { describePlan, type ContainmentPlan } from '../core/containment';
import { ConfigError, InputError } from '../core/errors';
import type { Finding } from '../core/model';
import { summarize } from '../core/render/pages';
import type { ApprovalRequest } from '../core/workflow';
import { logger, traced } from './shared/observability';
import { numberEnv, requireEnv } from './shared/runtime';

/**
 * "Create the approval request": a new approval id, signed approve and
 * reject links that expire, and the pending record the endpoint decides
 * on. The notification that carries the links is another task.
 */

export interface RequestApprovalInput {
  readonly finding: Finding;
  /** The containment dry run, shown on the approve page. */
  readonly plan?: ContainmentPlan;
}

export interface RequestApprovalDeps {
  readonly approvals: Approvals;
  readonly signingKey: () => Promise<string>;
  readonly now: () => number;
  /** The approval endpoint (the function URL). */
  readonly approvalUrl: string;
  readonly ttlHours: number;
}

/** 128 random bits: the id is in the link, and a guessable one would invite probing. */
function newApprovalId(): string {
  return `apr-${randomBytes(16).toString('base64url')}`;
}

export function makeRequestApprovalHandler(deps: RequestApprovalDeps): (input: RequestApprovalInput) => Promise<ApprovalRequest> {
  return async (input) => {
    const finding = input?.finding;
    if (!finding?.findingId) throw new InputError('request-approval: input.finding.findingId is missing');
    const now = deps.now();
    const approvalId = newApprovalId();
    const expiresAt = Math.floor(now / 1000) + Math.round(deps.ttlHours * 3600);
    const key = await deps.signingKey();
    const url = (decision: Decision): string => {
      const link: ApprovalLink = { approvalId, findingId: finding.findingId, decision, expiresAt };
      const signed = signedUrl(deps.approvalUrl, link, key);
      // Send only links the endpoint will accept: a finding id outside the
      // link alphabet would otherwise surface as a broken link in an inbox.
      const check = verifyLink(Object.fromEntries(new URL(signed).searchParams), key, Math.floor(now / 1000));
      if (!check.ok) throw new InputError(`request-approval: cannot make a valid link for finding ${finding.findingId}: ${check.message}`);
      return signed;
    };
    const approveUrl = url('approve');
    const rejectUrl = url('reject');
    await deps.approvals.createApproval({ approvalId, findingId: finding.findingId, summary: summarize(finding, input.plan?.instances ? describePlan(input.plan) : undefined), linkExpiresAt: expiresAt, now });
    logger.info('approval requested', { approvalId, findingId: finding.findingId, expiresAt });
    return { approvalId, findingId: finding.findingId, approveUrl, rejectUrl, expiresAt: new Date(expiresAt * 1000).toISOString() };
  };
}

/** Links over plain HTTP would expose the credential they are. */
function approvalUrlFromEnv(): string {
  const raw = requireEnv('APPROVAL_URL');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`environment variable APPROVAL_URL: expected an https URL, found "${raw}"`);
  }
  if (url.protocol !== 'https:') throw new ConfigError(`environment variable APPROVAL_URL: expected an https URL, found "${raw}"`);
  return raw;
}

function depsFromEnv(): RequestApprovalDeps {
  const ttlHours = numberEnv('APPROVAL_TTL_HOURS', 24);
  if (!(ttlHours > 0 && ttlHours <= 24 * 30)) throw new ConfigError(`environment variable APPROVAL_TTL_HOURS: expected hours between 0 and 720, found ${ttlHours}`);
  const secretName = requireEnv('SIGNING_KEY_SECRET');
  return {
    approvals: approvals(requireEnv('TABLE_NAME')),
    signingKey: () => readSecret(secretName),
    now: Date.now,
    approvalUrl: approvalUrlFromEnv(),
    ttlHours,
  };
}

let wired: ((input: RequestApprovalInput) => Promise<ApprovalRequest>) | undefined;

export const handler = middy(async (input: RequestApprovalInput): Promise<ApprovalRequest> => {
  wired ??= makeRequestApprovalHandler(depsFromEnv());
  return wired(input);
})
  .use(traced())
  .use(injectLambdaContext(logger));
