import { IndicatorId } from './constants';
import type { Answer, Answers, EventGroup, IndicatorResult } from './model';
import type { Results } from './scoring';
import type { EngineSettings } from './settings';

/**
 * The playbook's four Questions for Analysis, answered for one finding with
 * the evidence behind each answer, or with the data source that would
 * answer it. Billing is unknown to a CloudTrail-only hunt: the billing
 * check (Cost Explorer, Cost Anomaly Detection) answers it in the cloud.
 */

export const QUESTIONS = {
  recentAcquisition: 'Has there been a recent acquisition of server infrastructure or IP addresses that does not align with business needs?',
  legitimateUse: 'Is the acquired infrastructure being used for legitimate business purposes?',
  billing: 'Is there heightened or unexpected billing activity related to compute services?',
  threatIntel: 'Are there connections to known-malicious IP addresses or domains?',
} as const;

function evidenceOf(results: Results, ...ids: IndicatorId[]): string[] {
  return ids.flatMap((id) => {
    const r = results.get(id);
    return r?.status === 'fired' ? [`${id}: ${r.evidence.summary}`] : [];
  });
}

const isOn = (r: IndicatorResult | undefined): boolean => r?.status === 'fired';

export interface BillingContext {
  /** Set when billing data was available (the billing check); absent for a CloudTrail-only hunt. */
  readonly answer?: Answer;
}

export function answerQuestions(group: EventGroup, results: Results, settings: EngineSettings, billing: BillingContext = {}): Answers {
  const on = (id: IndicatorId): boolean => isOn(results.get(id));

  // 1. Recent acquisition not aligned with business needs?
  const acquired = on(IndicatorId.SERVER_PROVISIONED) || on(IndicatorId.IP_ALLOCATED);
  const attempted = on(IndicatorId.FAILED_PROVISIONING);
  const unexplained = on(IndicatorId.UNAPPROVED_PRINCIPAL) || on(IndicatorId.MISSING_BUSINESS_TAGS);
  const acquisitionEvidence = evidenceOf(
    results,
    IndicatorId.SERVER_PROVISIONED,
    IndicatorId.IP_ALLOCATED,
    IndicatorId.FAILED_PROVISIONING,
    IndicatorId.PROVISIONING_BURST,
    IndicatorId.ACCELERATED_INSTANCE_TYPE,
    IndicatorId.UNUSUAL_REGION,
    IndicatorId.RAPID_CHURN,
  );
  const recentAcquisition: Answer = acquired
    ? {
        question: QUESTIONS.recentAcquisition,
        answer: unexplained ? 'yes' : 'no',
        summary: unexplained
          ? 'Servers or addresses were acquired without a documented business need.'
          : 'Servers or addresses were acquired by an approved principal with the required tags.',
        evidence: acquisitionEvidence,
      }
    : attempted
      ? {
          question: QUESTIONS.recentAcquisition,
          answer: 'attempted',
          summary: 'Acquisition was attempted (denied, over a limit or a dry run) but nothing was acquired.',
          evidence: acquisitionEvidence,
        }
      : {
          question: QUESTIONS.recentAcquisition,
          answer: 'no',
          summary: 'No servers or addresses were acquired in this activity.',
          evidence: acquisitionEvidence,
        };

  // 2. Legitimate business use?
  const legitimacyEvidence = evidenceOf(results, IndicatorId.UNAPPROVED_PRINCIPAL, IndicatorId.MISSING_BUSINESS_TAGS, IndicatorId.UNUSUAL_REGION, IndicatorId.NEW_ACCOUNT_ACTIVITY);
  const services = [...new Set(group.events.map((e) => e.facts.serviceInvoked).filter((s): s is string => Boolean(s)))];
  const principal = results.get(IndicatorId.UNAPPROVED_PRINCIPAL);
  const tags = results.get(IndicatorId.MISSING_BUSINESS_TAGS);
  const approvedNote = principal?.status === 'quiet' && principal.note ? [principal.note] : [];
  let legitimateUse: Answer;
  // Without approvedPrincipals nothing documents a business need, but nothing
  // rules it out either: say so, rather than answer "no" for every caller.
  const noPolicy = settings.approvedPrincipals.length === 0 && services.length === 0 && tags?.status !== 'fired';
  if (noPolicy) {
    legitimateUse = {
      question: QUESTIONS.legitimateUse,
      answer: 'unknown',
      summary: 'No approvedPrincipals are configured, so business need cannot be established; the escalation rule treats the caller as unapproved.',
      evidence: legitimacyEvidence,
      needs: 'approvedPrincipals (and requiredTags) in the configuration',
    };
  } else if (unexplained) {
    legitimateUse = {
      question: QUESTIONS.legitimateUse,
      answer: 'no',
      summary: 'No documented business need: the caller is not approved or the launch lacks the required tags. Confirm with the account owner.',
      evidence: legitimacyEvidence,
    };
  } else {
    legitimateUse = {
      question: QUESTIONS.legitimateUse,
      answer: 'yes',
      summary: services.length
        ? `Made by ${services.join(', ')} on the account's behalf.`
        : `The caller is approved${tags?.status === 'quiet' ? ' and launches carry the required tags' : ''}. Tags are written by the caller, so they support but never prove legitimacy.`,
      evidence: [...approvedNote, ...legitimacyEvidence],
    };
  }

  // 3. Billing: only billing data knows (the billing check, or a hunt given Cost Explorer responses).
  const billed = results.get(IndicatorId.BILLING_ANOMALY);
  const fromData: Answer | undefined =
    billed?.status === 'fired'
      ? { question: QUESTIONS.billing, answer: 'yes', summary: 'Compute spend for this account and region is anomalous around this activity.', evidence: [billed.evidence.summary] }
      : billed?.status === 'quiet'
        ? { question: QUESTIONS.billing, answer: 'no', summary: 'The billing data given shows no compute anomaly for this account and region around this activity.', evidence: billed.note ? [billed.note] : [] }
        : undefined;
  const billingAnswer: Answer = billing.answer ?? fromData ?? {
    question: QUESTIONS.billing,
    answer: 'unknown',
    summary: 'CloudTrail does not carry billing data.',
    evidence: acquired
      ? [`exposure: ${group.events.reduce((n, e) => n + (e.facts.outcome === 'succeeded' ? (e.facts.launch?.vcpus ?? 0) : 0), 0)} vCPUs started in this activity`]
      : [],
    needs: 'Cost Explorer / Cost Anomaly Detection (the daily billing check), or a saved GetCostAndUsage / GetAnomalies response',
  };

  // 4. Known-malicious IPs or domains?
  const intel = results.get(IndicatorId.THREAT_INTEL_MATCH);
  const threatIntel: Answer =
    intel?.status === 'fired'
      ? { question: QUESTIONS.threatIntel, answer: 'yes', summary: 'An address or domain in this activity is on a threat-intel feed.', evidence: [intel.evidence.summary] }
      : intel?.status === 'quiet'
        ? {
            question: QUESTIONS.threatIntel,
            answer: 'no',
            summary: 'No caller IP, public IP, ingress source or requested domain is on the feeds. Traffic from the instances needs VPC flow logs.',
            evidence: intel.note ? [intel.note] : [],
          }
        : {
            question: QUESTIONS.threatIntel,
            answer: 'unknown',
            summary: 'No threat-intel feeds are configured.',
            evidence: [],
            needs: 'threatIntel.ipFeeds / threatIntel.domainFeeds, and VPC flow logs for traffic',
          };

  return { recentAcquisition, legitimateUse, billing: billingAnswer, threatIntel };
}
