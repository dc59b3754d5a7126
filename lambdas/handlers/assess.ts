import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { buildFinding } from '../core/finding';
import { decideContainment, DEFAULT_POLICY, type ContainmentPolicy } from '../core/policy';
import { toEventGroup, type StoredGroup } from '../core/ledger';
import type { Finding } from '../core/model';
import type { EngineSettings } from '../core/settings';
import type { ThreatIntel } from '../core/threat-intel';
import type { Enrichment } from '../core/workflow';
import { Ledger } from '../adapters/ledger';
import { feedsFromEnvironment } from './shared/feeds';
import { logger, traced } from './shared/observability';
import { engineSettings, jsonSettings, numberEnv, requireEnv } from './shared/runtime';

/**
 * Assess: the engine's verdict again, now with what enrichment learned
 * (the instances' tags and addresses as they are, fresh threat intel, the
 * account's name and OU). Same code as the scorer and the hunt: the group is
 * read back from the ledger and rebuilt into a finding.
 */

export interface AssessInput {
  readonly finding: Finding;
  readonly groupKey: string;
  readonly enrichment: Enrichment;
}

export interface AssessDeps {
  readonly getGroup: (key: string) => Promise<StoredGroup | undefined>;
  readonly settings: EngineSettings;
  readonly intel: () => Promise<ThreatIntel>;
  /** Which containment an escalation gets where (deployment.containment.policy). */
  readonly policy?: ContainmentPolicy;
}

export function makeAssessHandler(deps: AssessDeps): (input: AssessInput) => Promise<Finding> {
  const assess = rebuild(deps);
  return async (input) => {
    const f = await assess(input);
    // The account is known now (OU path, tags): the policy decides, and the finding keeps why.
    const decision = decideContainment(f.accountId, f.account ?? input.enrichment.account, deps.policy ?? DEFAULT_POLICY);
    return { ...f, containmentPolicy: decision };
  };
}

function rebuild(deps: AssessDeps): (input: AssessInput) => Promise<Finding> {
  return async ({ finding, groupKey, enrichment }) => {
    // A billing finding has no correlation group: its evidence is the bill
    // and the launches it was joined to, which enrichment does not change.
    if (groupKey.startsWith('billing:')) return enrichment.account ? { ...finding, account: enrichment.account } : finding;
    const group = await deps.getGroup(groupKey);
    // The group may have moved on (a newer group for the same principal) or
    // expired: keep the finding as scored, with the account context added.
    if (!group || group.findingId !== finding.findingId) {
      logger.warn('correlation group no longer holds this finding; keeping the scored finding', { findingId: finding.findingId, groupKey });
      return enrichment.account ? { ...finding, account: enrichment.account } : finding;
    }
    const rebuilt = buildFinding(toEventGroup(group), { settings: deps.settings, intel: await deps.intel(), enrichment });
    return rebuilt ?? finding;
  };
}

/** CONTAINMENT_POLICY (JSON, set by the stack); absent: approval everywhere. */
export function policyFromEnvironment(raw = process.env.CONTAINMENT_POLICY): ContainmentPolicy {
  return jsonSettings('CONTAINMENT_POLICY', raw, DEFAULT_POLICY, (p: Partial<ContainmentPolicy>) => ({ ...DEFAULT_POLICY, ...p }));
}

let assess: ((input: AssessInput) => Promise<Finding>) | undefined;

function fromEnvironment(): (input: AssessInput) => Promise<Finding> {
  const settings = engineSettings();
  const ledger = new Ledger({ tableName: requireEnv('TABLE_NAME'), ledgerDays: numberEnv('LEDGER_DAYS', 30), churnMinutes: settings.churn.minutes, now: () => Date.now() });
  return makeAssessHandler({ getGroup: (k) => ledger.getGroup(k), settings, intel: feedsFromEnvironment(), policy: policyFromEnvironment() });
}

export const handler = middy((input: AssessInput) => (assess ??= fromEnvironment())(input))
  .use(traced())
  .use(injectLambdaContext(logger));
