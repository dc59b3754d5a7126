import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { clientFor, awsErrorName } from '../adapters/aws';
import { approvals, type ApprovalRecord, type Approvals, type DecideResult } from '../adapters/approvals';
import { readSecret } from '../adapters/secrets';
import { verifyLink, type ApprovalLink } from '../core/approval';
import { cleanApprover, confirmationPage, recordedPage, refusalPage, type HtmlResponse, type LinkParams, type Refusal } from '../core/render/pages';
import { logger, traced } from './shared/observability';
import { requireEnv } from './shared/runtime';

/**
 * The approval endpoint (a Lambda function URL with auth NONE: the signed
 * link is the credential). GET shows what would be decided and decides
 * nothing, because mail scanners and link previewers fetch links; the
 * confirmation form's POST decides, once, and resumes the waiting execution.
 */

export interface ApproveDeps {
  readonly approvals: Approvals;
  readonly signingKey: () => Promise<string>;
  readonly sfn: SFNClient;
  readonly now: () => number;
}

export type ApproveHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** SendTaskSuccess errors that mean nobody is waiting any more (timed out, stopped, finished). */
const GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** A form with a name and five link fields is far below this; anything bigger is not ours. */
const MAX_BODY_BYTES = 8192;

const LINK_FIELDS = ['a', 'f', 'd', 'e', 's'] as const;

function linkParams(source: URLSearchParams | Readonly<Record<string, string | undefined>>): Partial<LinkParams> {
  const get = (k: string) => (source instanceof URLSearchParams ? (source.get(k) ?? undefined) : source[k]);
  return Object.fromEntries(LINK_FIELDS.map((k) => [k, get(k)]).filter(([, v]) => v !== undefined)) as Partial<LinkParams>;
}

function formOf(event: APIGatewayProxyEventV2): URLSearchParams | undefined {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return undefined;
  return new URLSearchParams(text);
}

function refusalOfDecide(r: Exclude<DecideResult, { ok: true }>): Refusal {
  switch (r.reason) {
    case 'not-found':
      return { kind: 'not-found' };
    case 'replay':
      return { kind: 'replay', ...r.earlier };
    case 'timed-out':
      return r.earlier ? { kind: 'timed-out', at: r.timedOutAt, attempted: r.earlier } : { kind: 'timed-out', at: r.timedOutAt };
    case 'expired':
      return { kind: 'expired', message: `The link expired at ${r.expiredAt}.` };
    case 'not-ready':
      return { kind: 'not-ready' };
    case 'conflict':
      return { kind: 'unavailable' };
  }
}

/** A record that can no longer take a decision, as the page that says so. */
function closed(record: ApprovalRecord): Refusal | undefined {
  if (record.status === 'approved' || record.status === 'rejected') {
    return { kind: 'replay', decision: record.decision ?? (record.status === 'approved' ? 'approve' : 'reject'), approver: record.approver ?? 'unknown', decidedAt: record.decidedAt ?? 'unknown' };
  }
  if (record.status === 'timed-out') {
    const attempted = record.decision && record.approver && record.decidedAt ? { decision: record.decision, approver: record.approver, decidedAt: record.decidedAt } : undefined;
    return attempted ? { kind: 'timed-out', at: record.timedOutAt ?? 'unknown', attempted } : { kind: 'timed-out', at: record.timedOutAt ?? 'unknown' };
  }
  return undefined;
}

export function makeApproveHandler(deps: ApproveDeps): ApproveHandler {
  /** The link checked against the key and the clock, and its record; or the page that refuses it. */
  async function load(params: Partial<LinkParams>): Promise<{ link: ApprovalLink; record: ApprovalRecord } | { refusal: Refusal }> {
    const check = verifyLink(params, await deps.signingKey(), Math.floor(deps.now() / 1000));
    if (!check.ok) return { refusal: { kind: check.reason, message: check.message } };
    const record = await deps.approvals.getApproval(check.link.approvalId);
    if (!record || record.findingId !== check.link.findingId) return { refusal: { kind: 'not-found' } };
    return { link: check.link, record };
  }

  async function show(params: Partial<LinkParams>): Promise<HtmlResponse> {
    const loaded = await load(params);
    if ('refusal' in loaded) return refusalPage(loaded.refusal);
    const refusal = closed(loaded.record);
    if (refusal) return refusalPage(refusal);
    return confirmationPage({ decision: loaded.link.decision, summary: loaded.record.summary, link: params as LinkParams, expiresAt: new Date(loaded.link.expiresAt * 1000).toISOString() });
  }

  async function submit(event: APIGatewayProxyEventV2): Promise<HtmlResponse> {
    const form = formOf(event);
    if (!form) return refusalPage({ kind: 'malformed', message: 'The request body is larger than the confirmation form sends.' });
    // The form carries the link in hidden fields; a bare POST to the link's own address carries it in the query.
    const fromForm = linkParams(form);
    const params = Object.keys(fromForm).length > 0 ? fromForm : linkParams(event.queryStringParameters ?? {});
    const loaded = await load(params);
    if ('refusal' in loaded) return refusalPage(loaded.refusal);
    const { link, record } = loaded;

    const approver = cleanApprover(form.get('approver') ?? undefined);
    if (!approver) {
      const refusal = closed(record);
      if (refusal) return refusalPage(refusal);
      return confirmationPage({ decision: link.decision, summary: record.summary, link: params as LinkParams, expiresAt: new Date(link.expiresAt * 1000).toISOString(), error: 'Enter your name or e-mail: it is recorded with the decision.' });
    }

    const http = event.requestContext.http;
    const decided = await deps.approvals.decide({
      approvalId: link.approvalId,
      findingId: link.findingId,
      decision: link.decision,
      approver,
      sourceIp: http.sourceIp,
      userAgent: http.userAgent,
      now: deps.now(),
    });
    const ids = { approvalId: link.approvalId, findingId: link.findingId };
    if (!decided.ok) {
      logger.warn('decision refused', { ...ids, reason: decided.reason, decision: link.decision, approver, sourceIp: http.sourceIp });
      return refusalPage(refusalOfDecide(decided));
    }

    try {
      await deps.sfn.send(new SendTaskSuccessCommand({ taskToken: decided.taskToken, output: JSON.stringify(decided.decision) }));
    } catch (err) {
      // Only the error's name is logged: messages about a token may quote it.
      const name = awsErrorName(err);
      if (GONE.has(name)) {
        await deps.approvals.markTimedOut(link.approvalId, decided.claimId, deps.now());
        logger.warn('decision arrived after the workflow stopped waiting', { ...ids, error: name, decision: decided.decision });
        return refusalPage({ kind: 'timed-out', at: new Date(deps.now()).toISOString(), attempted: decided.decision });
      }
      // The execution was not told: undo the decision so the same link can be used again.
      await deps.approvals.releaseClaim(link.approvalId, decided.claimId);
      logger.error('could not deliver the decision; released it', { ...ids, error: name });
      return refusalPage({ kind: 'unavailable' });
    }

    try {
      await deps.approvals.markDelivered(link.approvalId, decided.claimId, deps.now());
    } catch (err) {
      // The execution has the decision and the record says who made it; only the receipt time is lost.
      logger.warn('could not mark the decision delivered', { ...ids, error: awsErrorName(err) });
    }
    logger.info('decision recorded', { ...ids, decision: decided.decision });
    return recordedPage({ decision: link.decision, approver, decidedAt: decided.decision.decidedAt, findingId: link.findingId });
  }

  return async (event) => {
    const method = event.requestContext?.http?.method?.toUpperCase() ?? 'UNKNOWN';
    try {
      if (method === 'GET') return await show(linkParams(event.queryStringParameters ?? {}));
      if (method === 'HEAD') return { ...(await show(linkParams(event.queryStringParameters ?? {}))), body: '' };
      if (method === 'POST') return await submit(event);
      return refusalPage({ kind: 'method', method });
    } catch (err) {
      logger.error('approval endpoint failed', { method, error: awsErrorName(err), message: err instanceof Error ? err.message : String(err) });
      return refusalPage({ kind: 'error', requestId: event.requestContext?.requestId });
    }
  };
}

function depsFromEnv(): ApproveDeps {
  const secretName = requireEnv('SIGNING_KEY_SECRET');
  return { approvals: approvals(requireEnv('TABLE_NAME')), signingKey: () => readSecret(secretName), sfn: clientFor(SFNClient), now: Date.now };
}

let wired: ApproveHandler | undefined;

export const handler = middy(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  wired ??= makeApproveHandler(depsFromEnv());
  return wired(event);
})
  .use(traced())
  .use(injectLambdaContext(logger));
