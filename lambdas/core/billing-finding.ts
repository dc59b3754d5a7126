import { createHash } from 'node:crypto';
import { BILLING_QUESTION, billingAnswer, type BillingSignal, type Join } from './billing';
import { IndicatorId } from './constants';
import type { Finding, FindingIndicator } from './model';
import { QUESTIONS } from './questions';
import { severityFor } from './scoring';
import type { EngineSettings } from './settings';

/**
 * A finding made from a billing signal, for the same workflow as the
 * CloudTrail findings (enrich, record, tag, notify, approval). The
 * playbook's rule: a billing anomaly corroborated by provisioning from an
 * unapproved principal escalates to Tier 2; a lone anomaly (nobody
 * unapproved launched there) is Tier 1.
 */

/** Stable per signal, so a re-alert (the anomaly grew) updates the same finding. Safe as an execution name. */
export function billingFindingId(signal: Pick<BillingSignal, 'id' | 'accountId'>): string {
  return `rif-bill-${createHash('sha256').update(`${signal.accountId}\n${signal.id}`).digest('hex').slice(0, 19)}`;
}

const dayStart = (d: string) => `${d}T00:00:00Z`;
const dayEnd = (d: string) => `${d}T23:59:59Z`;

export function billingFinding(signal: BillingSignal, join: Join, settings: EngineSettings): Finding {
  const suspects = join.provisioners.filter((p) => !p.approved);
  const lead = suspects[0] ?? join.provisioners[0];
  const indicators: FindingIndicator[] = [
    {
      id: IndicatorId.BILLING_ANOMALY,
      title: 'Billing anomaly',
      weight: settings.weights[IndicatorId.BILLING_ANOMALY],
      evidence: { summary: signal.explanation, eventIds: join.provisioners.flatMap((p) => p.eventIds) },
    },
  ];
  if (suspects.length > 0) {
    indicators.push({
      id: IndicatorId.UNAPPROVED_PRINCIPAL,
      title: 'Unapproved principal',
      weight: settings.weights[IndicatorId.UNAPPROVED_PRINCIPAL],
      evidence: {
        summary: `launched in the anomaly's account and window without being an approved principal: ${suspects.map((p) => `${p.arn} (${p.instanceIds.length} instances: ${p.instanceTypes.join(', ') || 'types unknown'})`).join('; ')}`,
        eventIds: suspects.flatMap((p) => p.eventIds),
      },
    });
  }
  const value = Math.min(100, indicators.reduce((n, i) => n + Math.max(0, i.weight), 0));
  const escalate = join.corroborated;
  const reasons = escalate ? [`billing anomaly corroborated by provisioning from an unapproved principal (${suspects.map((p) => p.arn).join(', ')})`] : [];
  const instanceIds = [...new Set(join.provisioners.flatMap((p) => p.instanceIds))];
  const instanceTypes = [...new Set(join.provisioners.flatMap((p) => p.instanceTypes))];
  const who = lead ? lead.arn : 'unknown (no launch in the ledger for this account and window)';
  const nextSteps = escalate
    ? [
        `Confirm with the owner of ${signal.accountId} whether ${suspects.map((p) => p.arn).join(', ')} should be running ${instanceTypes.join(', ') || 'these instances'}.`,
        'Approve containment to isolate the instances (snapshots first), then rotate the principal\'s credentials.',
        'Check Cost Explorer for the usage types named in the evidence, and for spend in other regions of the account.',
      ]
    : [
        join.provisioners.length
          ? `The launches in the window were by approved principals (${join.provisioners.map((p) => p.arn).join(', ')}): confirm the spend is expected.`
          : `No launch in the ledger explains this spend: look in Cost Explorer at ${signal.usageTypes.join(', ') || 'the usage types'} of ${signal.accountId}, and in CloudTrail of that account and region (it may not forward events yet).`,
      ];
  // A signal for a whole account names no region: the launches say where to look.
  const regions = signal.region ? [signal.region] : [...new Set(join.provisioners.flatMap((p) => p.regions))];
  return {
    findingId: billingFindingId(signal),
    accountId: signal.accountId,
    region: regions[0] ?? 'unknown',
    regions,
    principal: who,
    principalType: lead?.type ?? 'Unknown',
    ...(lead?.issuerArn ? { principalRole: lead.issuerArn } : {}),
    sourceIps: [],
    firstSeen: dayStart(signal.start),
    lastSeen: dayEnd(signal.end),
    score: value,
    severity: severityFor(value, escalate, settings.severity),
    escalate,
    tier: escalate ? 2 : 1,
    escalationReasons: reasons,
    indicators,
    resources: { instanceIds, allocationIds: [], publicIps: [], keyPairs: [], securityGroups: [], requestIds: [], instanceTypes },
    eventIds: join.provisioners.flatMap((p) => p.eventIds),
    eventCount: join.provisioners.reduce((n, p) => n + p.launches, 0),
    answers: {
      recentAcquisition: {
        question: QUESTIONS.recentAcquisition,
        answer: join.provisioners.length === 0 ? 'unknown' : suspects.length ? 'yes' : 'no',
        summary: join.provisioners.length === 0 ? 'The ledger has no launch in this account and window.' : join.basis,
        evidence: join.provisioners.map((p) => `${p.arn}${p.approved ? ' (approved)' : ''}: ${p.launches} launch(es), ${p.instanceIds.length} instances`),
        ...(join.provisioners.length === 0 ? { needs: 'CloudTrail events from this account and region (member-account forwarding)' } : {}),
      },
      legitimateUse: {
        question: QUESTIONS.legitimateUse,
        answer: suspects.length ? 'no' : join.provisioners.length ? 'yes' : 'unknown',
        summary: suspects.length ? 'Launched by a principal that is not approved to provision.' : join.provisioners.length ? 'Launched by approved principals.' : 'Nobody known launched here in the window.',
        evidence: suspects.map((p) => p.arn),
      },
      billing: { ...billingAnswer([signal], signal.source), question: BILLING_QUESTION },
      threatIntel: {
        question: QUESTIONS.threatIntel,
        answer: 'unknown',
        summary: 'A billing signal names no addresses; the enrichment and the CloudTrail findings of the same launches do.',
        evidence: join.provisioners.flatMap((p) => p.findingIds.map((f) => `see finding ${f}`)),
        needs: 'the CloudTrail findings of these launches, VPC flow logs',
      },
    },
    nextSteps,
  };
}
