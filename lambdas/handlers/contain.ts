import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { DEFAULT_CONTAINMENT, type ContainmentPlan, type ContainmentReport, type ContainmentSettings } from '../core/containment';
import { InputError } from '../core/errors';
import type { Finding } from '../core/model';
import type { Outcome } from '../core/workflow';
import { containmentClients } from '../adapters/containment';
import { containmentStore } from '../adapters/containment-store';
import { memberAccessFromEnvironment } from '../adapters/member';
import { getFinding } from '../adapters/findings';
import { contain, isolate, plan, prepare, release, status, type QuarantineDeps } from '../adapters/quarantine';
import { logger, traced } from './shared/observability';
import { jsonSettings, numberEnv, requireEnv } from './shared/runtime';

/**
 * Contain: the workflow's containment tasks and the operators' actions, on
 * one function (one set of EC2 permissions to review).
 *
 * From the escalation workflow, with the finding in the state:
 *   { action: "plan",    finding }  the dry run shown to the approver
 *   { action: "prepare", finding }  manifest, evidence, untrack (after approval)
 *   { action: "isolate", finding }  isolation group on every ENI, options
 *   { action: "status", findingId }  where each ENI stands (for a failure notice)
 *
 * From the operations state machine (an operator starts it), by finding id:
 *   { action: "contain", findingId, requestedBy }  run (or finish) a quarantine
 *   { action: "release", findingId, requestedBy }  undo one
 *
 * Environment: TABLE_NAME, FINDING_DAYS, CONTAINMENT_SETTINGS (JSON, set by
 * the stack from `deployment.containment`).
 */

export type ContainInput =
  | { readonly action: 'plan' | 'prepare' | 'isolate'; readonly finding: Finding }
  | { readonly action: 'contain' | 'release'; readonly findingId: string; readonly requestedBy?: string }
  | { readonly action: 'status'; readonly findingId: string };

/** What an operator action returns: whether anything changed and, if so, the outcome to notify and record. */
export interface OperatorResult {
  readonly changed: boolean;
  readonly message: string;
  readonly finding?: Finding;
  readonly outcome?: Outcome;
}

export type ContainOutput = ContainmentPlan | ContainmentReport | OperatorResult | { interfaces: string; report?: ContainmentReport };

export interface ContainDeps extends QuarantineDeps {
  readonly getFinding: (findingId: string) => Promise<Finding | undefined>;
}

const ACTIONS = ['plan', 'prepare', 'isolate', 'contain', 'release', 'status'] as const;

function validated(input: unknown): ContainInput {
  const o = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const action = o.action;
  if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
    throw new InputError(`contain: "action" must be one of ${ACTIONS.join(', ')}; found ${JSON.stringify(action) ?? 'nothing'}`);
  }
  if (action === 'contain' || action === 'release' || action === 'status') {
    if (typeof o.findingId !== 'string' || o.findingId === '') throw new InputError(`contain: ${action} needs "findingId" (a finding id such as "rif-..."); found ${JSON.stringify(o.findingId) ?? 'nothing'}`);
    if (o.requestedBy !== undefined && typeof o.requestedBy !== 'string') throw new InputError(`contain: "requestedBy" must be a name or an address; found ${JSON.stringify(o.requestedBy)}`);
    return input as ContainInput;
  }
  const f = o.finding as Partial<Finding> | undefined;
  if (!f || typeof f.findingId !== 'string' || !f.resources || !Array.isArray(f.resources.instanceIds)) {
    throw new InputError(`contain: ${action} needs "finding" with findingId and resources.instanceIds (the workflow passes $.finding)`);
  }
  return input as ContainInput;
}

export function makeContainHandler(deps: ContainDeps): (input: unknown) => Promise<ContainOutput> {
  return async (raw) => {
    const input = validated(raw);
    switch (input.action) {
      case 'plan':
        return plan(input.finding, deps);
      case 'prepare': {
        const r = await prepare(input.finding, deps);
        logger.info('prepared', { findingId: r.findingId, enis: r.enis, snapshots: r.snapshots, errors: r.errors });
        return r;
      }
      case 'isolate': {
        const r = await isolate(input.finding, deps);
        logger.info('isolated', { findingId: r.findingId, enis: r.enis, errors: r.errors });
        return r;
      }
      case 'status':
        return status(input.findingId, deps);
      case 'contain': {
        const finding = await deps.getFinding(input.findingId);
        if (!finding) throw new InputError(`contain: there is no finding ${input.findingId} in the responder table (check the id in the notification)`);
        const by = input.requestedBy ?? 'an operator';
        const report = await contain(finding, deps);
        logger.info('contained by an operator', { findingId: finding.findingId, requestedBy: by, enis: report.enis });
        return { changed: true, message: report.summary, finding, outcome: { kind: 'contained', summary: `Quarantine run by ${by}. ${report.summary}`, requestedBy: by, containment: report } };
      }
      case 'release': {
        const by = input.requestedBy ?? 'an operator';
        const result = await release(input.findingId, by, deps);
        logger.info(result.released ? 'released' : 'nothing to release', { findingId: input.findingId, requestedBy: by, message: result.message });
        if (!result.released) return { changed: false, message: result.message };
        const finding = await deps.getFinding(input.findingId);
        if (!finding) return { changed: true, message: `${result.message} (the finding record itself is gone, so nothing is notified)` };
        return { changed: true, message: result.message, finding, outcome: { kind: 'released', summary: result.message, requestedBy: by, ...(result.report ? { containment: result.report } : {}) } };
      }
    }
  };
}

/** `deployment.containment` as the stack passes it; defaults for what is absent. */
export function containmentSettings(raw = process.env.CONTAINMENT_SETTINGS): ContainmentSettings {
  return jsonSettings('CONTAINMENT_SETTINGS', raw, DEFAULT_CONTAINMENT, (p: Partial<ContainmentSettings>) => ({
    ...DEFAULT_CONTAINMENT,
    ...p,
    connectionTracking: { ...DEFAULT_CONTAINMENT.connectionTracking, ...p.connectionTracking },
  }));
}

let handle: ((input: unknown) => Promise<ContainOutput>) | undefined;

function fromEnvironment(): (input: unknown) => Promise<ContainOutput> {
  const tableName = requireEnv('TABLE_NAME');
  const findingDays = numberEnv('FINDING_DAYS', 400);
  const access = memberAccessFromEnvironment();
  return makeContainHandler({
    store: containmentStore({ tableName, findingDays }),
    // A member account's instances go through the member role there.
    clients: (scope) => containmentClients(scope.region, scope.accountId, access),
    settings: containmentSettings(),
    getFinding: async (id) => (await getFinding(id, { tableName }))?.finding,
  });
}

export const handler = middy((input: unknown) => (handle ??= fromEnvironment())(input))
  .use(traced())
  .use(injectLambdaContext(logger));
