import { IndicatorId } from './constants';
import type { EventGroup, IndicatorResult, Severity } from './model';
import type { EngineSettings } from './settings';
import { telling } from './indicators/failed-provisioning';

export type Results = ReadonlyMap<IndicatorId, IndicatorResult>;

const firedIds = (results: Results): IndicatorId[] => [...results].filter(([, r]) => r.status === 'fired').map(([id]) => id);

/** Sum of the weights of the indicators that fired, capped at 100. */
export function score(results: Results, weights: Readonly<Record<IndicatorId, number>>): number {
  const total = firedIds(results).reduce((sum, id) => sum + Math.max(0, weights[id]), 0);
  return Math.min(100, Math.round(total));
}

const ORDER: readonly Severity[] = ['informational', 'low', 'medium', 'high', 'critical'];

/** Severity from the score; an escalated finding is at least high. */
export function severityFor(value: number, escalate: boolean, t: EngineSettings['severity']): Severity {
  const byScore: Severity = value >= t.critical ? 'critical' : value >= t.high ? 'high' : value >= t.medium ? 'medium' : value >= t.low ? 'low' : 'informational';
  if (!escalate) return byScore;
  return ORDER.indexOf(byScore) >= ORDER.indexOf('high') ? byScore : 'high';
}

export interface Escalation {
  readonly escalate: boolean;
  readonly reasons: readonly string[];
}

/**
 * The playbook's decision for escalation to Tier 2:
 * - a threat-intel hit, or
 * - atypical high traffic (flow-log data; not available to a CloudTrail-only hunt), or
 * - an unexplained acquisition: servers or addresses acquired (or attempted
 *   and denied/limited) with no documented business need (unapproved
 *   principal or missing required tags), together with a risk indicator.
 */
export function decideEscalation(results: Results, group: EventGroup, settings: EngineSettings): Escalation {
  const on = (id: IndicatorId): boolean => results.get(id)?.status === 'fired';
  const reasons: string[] = [];
  if (on(IndicatorId.THREAT_INTEL_MATCH)) reasons.push('threat-intel match');

  const acquired = on(IndicatorId.SERVER_PROVISIONED) || on(IndicatorId.IP_ALLOCATED);
  const attempted = group.events.some((e) => (e.facts.launch || e.facts.address) && e.facts.outcome === 'failed' && telling(e));
  const unexplained: string[] = [];
  if (on(IndicatorId.UNAPPROVED_PRINCIPAL)) unexplained.push('unapproved principal');
  if (on(IndicatorId.MISSING_BUSINESS_TAGS)) unexplained.push('missing business tags');
  // A failed call is the attempt itself; it only adds risk to a real acquisition.
  const risks = settings.escalation.riskIndicators.filter((id) => on(id) && (acquired || id !== IndicatorId.FAILED_PROVISIONING));
  if ((acquired || attempted) && unexplained.length > 0 && risks.length > 0) {
    reasons.push(`unexplained ${acquired ? 'acquisition' : 'acquisition attempt'} (${unexplained.join(', ')}) with ${risks.join(', ')}`);
  }
  return { escalate: reasons.length > 0, reasons };
}

export { firedIds };
