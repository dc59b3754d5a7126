import { globToRegExp } from './instance-types';
import type { AccountContext } from './workflow';

/**
 * Which containment an escalated finding gets, by where it happened: per OU
 * and per account tag, the first matching rule wins, approval by default.
 * `automatic` contains without asking and is only ever what a rule says;
 * `never` notifies and changes nothing (production databases, say);
 * `dryRun` (global) plans and notifies the plan, whatever the rule.
 * The decision, and the rule that made it, are kept on the finding.
 */

export type ContainmentAction = 'never' | 'approval' | 'automatic';

export interface PolicyRule {
  readonly match: {
    /** An OU name on the account's path (glob, case-insensitive): "Sandbox", "Prod*". */
    readonly ou?: string;
    readonly accountId?: string;
    /** "key=value" (value may be a glob) or "key" (present). */
    readonly tag?: string;
  };
  readonly action: ContainmentAction;
}

export interface ContainmentPolicy {
  readonly dryRun: boolean;
  readonly rules: readonly PolicyRule[];
}

export const DEFAULT_POLICY: ContainmentPolicy = { dryRun: false, rules: [] };

export interface PolicyDecision {
  readonly action: ContainmentAction;
  readonly dryRun: boolean;
  /** "rule 2 (ou Sandbox): automatic", or "default: approval". */
  readonly rule: string;
}

function describeMatch(m: PolicyRule['match']): string {
  return [m.ou !== undefined ? `ou ${m.ou}` : '', m.accountId ? `account ${m.accountId}` : '', m.tag ? `tag ${m.tag}` : ''].filter(Boolean).join(', ');
}

function matches(rule: PolicyRule, accountId: string, account: AccountContext | undefined): boolean {
  const m = rule.match;
  if (m.accountId !== undefined && m.accountId !== accountId) return false;
  if (m.ou !== undefined) {
    if (!account) return false;
    const re = globToRegExp(m.ou, 'i');
    if (!account.ouPath.some((name) => re.test(name))) return false;
  }
  if (m.tag !== undefined) {
    if (!account) return false;
    const eq = m.tag.indexOf('=');
    const key = eq < 0 ? m.tag : m.tag.slice(0, eq);
    const value = account.tags[key];
    if (value === undefined) return false;
    if (eq >= 0 && !globToRegExp(m.tag.slice(eq + 1), 'i').test(value)) return false;
  }
  return m.ou !== undefined || m.accountId !== undefined || m.tag !== undefined;
}

export function decideContainment(accountId: string, account: AccountContext | undefined, policy: ContainmentPolicy): PolicyDecision {
  const index = policy.rules.findIndex((r) => matches(r, accountId, account));
  if (index >= 0) {
    const r = policy.rules[index]!;
    return { action: r.action, dryRun: policy.dryRun, rule: `rule ${index + 1} (${describeMatch(r.match)}): ${r.action}` };
  }
  const needsContext = !account && policy.rules.some((r) => r.match.ou !== undefined || r.match.tag !== undefined);
  return { action: 'approval', dryRun: policy.dryRun, rule: `default: approval${needsContext ? ' (the account\'s OU and tags were not known, so no OU or tag rule could match)' : ''}` };
}
