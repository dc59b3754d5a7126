import { createHash } from 'node:crypto';
import { IndicatorId } from './constants';
import { INDICATORS } from './indicators/catalogue';
import type { EventGroup, Finding, FindingIndicator, IndicatorContext, IndicatorResult, Resources } from './model';
import { credentialNote, displayName } from './principals';
import { answerQuestions, type BillingContext } from './questions';
import { decideEscalation, score, severityFor, type Results } from './scoring';

/**
 * A stable id for a group: the account, the principal key and the first
 * event. More events joining the same group keep the id, so the workflow
 * can update a growing finding instead of opening a second one.
 * Safe as a Step Functions execution name ([0-9a-z-], 28 chars).
 */
export function findingIdFor(group: Pick<EventGroup, 'key' | 'accountId'>, firstEventId: string): string {
  const h = createHash('sha256').update(`${group.accountId}\n${group.key}\n${firstEventId}`).digest('hex');
  return `rif-${h.slice(0, 24)}`;
}

export function evaluateIndicators(group: EventGroup, ctx: IndicatorContext): Results {
  const results = new Map<IndicatorId, IndicatorResult>();
  for (const indicator of INDICATORS) results.set(indicator.id, indicator.evaluate(group, ctx));
  return results;
}

function uniq(values: Iterable<string | undefined>): string[] {
  return [...new Set([...values].filter((v): v is string => typeof v === 'string' && v.length > 0))].sort();
}

function addAll(into: Set<string | undefined>, values: readonly string[] | undefined): void {
  if (values) for (const v of values) into.add(v);
}

/** One pass over the events (groups hold hundreds): what the finding names, each list sorted and distinct. */
function resourcesOf(group: EventGroup): Resources {
  const instanceIds = new Set<string | undefined>();
  const allocationIds = new Set<string | undefined>();
  const publicIps = new Set<string | undefined>();
  const keyPairs = new Set<string | undefined>();
  const securityGroups = new Set<string | undefined>();
  const requestIds = new Set<string | undefined>();
  const instanceTypes = new Set<string | undefined>();
  for (const { facts } of group.events) {
    addAll(instanceTypes, facts.launch?.instanceTypes);
    instanceTypes.add(facts.modify?.instanceType);
    // Only what was acquired: a failed or dry-run call names nothing that exists.
    if (facts.outcome !== 'succeeded') continue;
    addAll(instanceIds, facts.launch?.instanceIds);
    addAll(instanceIds, facts.address?.associatedInstanceIds);
    instanceIds.add(facts.modify?.instanceId);
    addAll(allocationIds, facts.address?.allocationIds);
    addAll(publicIps, facts.address?.publicIps);
    keyPairs.add(facts.keyPair?.name);
    securityGroups.add(facts.ingress?.groupId);
    addAll(requestIds, facts.launch?.requestIds);
  }
  return {
    instanceIds: uniq(instanceIds),
    allocationIds: uniq(allocationIds),
    publicIps: uniq(publicIps),
    keyPairs: uniq(keyPairs),
    securityGroups: uniq(securityGroups),
    requestIds: uniq(requestIds),
    instanceTypes: uniq(instanceTypes),
  };
}

function mainRegion(group: EventGroup): string {
  const counts = new Map<string, number>();
  for (const e of group.events) counts.set(e.event.region, (counts.get(e.event.region) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
}

function nextSteps(group: EventGroup, results: Results, escalate: boolean, resources: Resources): string[] {
  const on = (id: IndicatorId): boolean => results.get(id)?.status === 'fired';
  const who = displayName(group.actor);
  const steps: string[] = [];
  if (escalate) {
    steps.push(`Tier 2: ask the owner of account ${group.accountId} whether ${who} is meant to acquire this; treat it as compromised until they confirm.`);
    if (resources.instanceIds.length) {
      steps.push(`Contain after approval: snapshot the volumes, then isolate ${resources.instanceIds.slice(0, 5).join(', ')}${resources.instanceIds.length > 5 ? ' ...' : ''} with an empty security group per ENI. Do not terminate: that destroys evidence.`);
    }
    const cred = credentialNote(group.actor);
    if (group.actor.accessKeyId?.startsWith('AKIA')) steps.push(`Deactivate access key ${group.actor.accessKeyId} (${cred ?? who}) and review what else it did.`);
    else if (group.actor.issuerArn) steps.push(`Revoke active sessions of ${group.actor.issuerArn} and find how its credentials were obtained.`);
    if (on(IndicatorId.THREAT_INTEL_MATCH)) steps.push('Block the matched addresses at the network edge and search flow logs for other instances talking to them.');
    if (resources.allocationIds.length) steps.push(`Keep Elastic IPs ${resources.allocationIds.join(', ')} until evidence is captured; release them afterwards so they stop costing money.`);
    if (on(IndicatorId.QUOTA_PROBING)) steps.push('Check Service Quotas for pending increase requests from this principal and withdraw them.');
  } else {
    steps.push('Tier 1: review the activity; no escalation rule matched.');
    if (on(IndicatorId.UNAPPROVED_PRINCIPAL) && !group.events.every((e) => e.facts.serviceInvoked)) {
      steps.push(`If ${who} is expected to provision, add it to approvedPrincipals so its launches are judged as approved.`);
    }
    if (on(IndicatorId.MISSING_BUSINESS_TAGS)) steps.push('Ask the owner to tag the instances with the required business tags.');
  }
  return steps;
}

/**
 * Evaluates a group and, if something worth reporting happened (at least
 * one `activity` indicator fired), builds its finding with score,
 * severity, escalation decision, the four answers and next steps.
 */
export function buildFinding(group: EventGroup, ctx: IndicatorContext, billing?: BillingContext): Finding | undefined {
  const results = evaluateIndicators(group, ctx);
  const active = INDICATORS.filter((i) => i.kind === 'activity' && results.get(i.id)?.status === 'fired');
  if (active.length === 0) return undefined;

  const { settings } = ctx;
  const value = score(results, settings.weights);
  const escalation = decideEscalation(results, group, settings);
  const indicators: FindingIndicator[] = INDICATORS.flatMap((i) => {
    const r = results.get(i.id);
    return r?.status === 'fired' ? [{ id: i.id, title: i.title, weight: settings.weights[i.id], evidence: r.evidence }] : [];
  });
  const events = group.events.map((e) => e.event);
  const resources = resourcesOf(group);
  const actor = group.actor;
  return {
    findingId: group.findingId ?? findingIdFor(group, events[0]!.eventId),
    accountId: group.accountId,
    region: mainRegion(group),
    regions: uniq(events.map((e) => e.region)),
    principal: actor.arn,
    principalType: actor.type,
    ...(actor.issuerArn ? { principalRole: actor.issuerArn } : {}),
    ...(group.events[0]!.facts.serviceInvoked ? { invokedBy: group.events[0]!.facts.serviceInvoked } : {}),
    ...(actor.accessKeyId ? { accessKeyId: actor.accessKeyId } : {}),
    sourceIps: uniq(events.map((e) => e.sourceIp)),
    firstSeen: events[0]!.eventTime,
    lastSeen: events[events.length - 1]!.eventTime,
    score: value,
    severity: severityFor(value, escalation.escalate, settings.severity),
    escalate: escalation.escalate,
    tier: escalation.escalate ? 2 : 1,
    escalationReasons: escalation.reasons,
    indicators,
    resources,
    eventIds: events.map((e) => e.eventId),
    eventCount: events.length,
    answers: answerQuestions(group, results, settings, billing),
    nextSteps: nextSteps(group, results, escalation.escalate, resources),
    ...(ctx.enrichment?.account ? { account: ctx.enrichment.account } : {}),
  };
}
