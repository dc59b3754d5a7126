/**
 * Every event name, event source and indicator id the product reasons about,
 * in one place. The CLI's reader, the engine, the EventBridge patterns of the
 * deployable stacks and the tests all import these, so a new provisioning API
 * is added here once and is then matched, parsed and scored everywhere.
 */

export const EventSource = {
  EC2: 'ec2.amazonaws.com',
  SERVICE_QUOTAS: 'servicequotas.amazonaws.com',
  LIGHTSAIL: 'lightsail.amazonaws.com',
} as const;
export type EventSourceName = (typeof EventSource)[keyof typeof EventSource];

/** Calls that start compute capacity. */
export const LAUNCH_EVENTS = {
  [EventSource.EC2]: ['RunInstances', 'RequestSpotInstances', 'RequestSpotFleet', 'CreateFleet', 'RunScheduledInstances'],
  [EventSource.LIGHTSAIL]: ['CreateInstances', 'CreateInstancesFromSnapshot'],
} as const;

/** Calls that acquire or attach a public address. */
export const ADDRESS_EVENTS = {
  [EventSource.EC2]: ['AllocateAddress', 'AssociateAddress'],
  [EventSource.LIGHTSAIL]: ['AllocateStaticIp', 'AttachStaticIp'],
} as const;

/** Calls that give capacity or addresses back (needed to see churn). */
export const RELEASE_EVENTS = {
  [EventSource.EC2]: ['TerminateInstances', 'ReleaseAddress', 'DisassociateAddress', 'CancelSpotFleetRequests', 'CancelSpotInstanceRequests', 'DeleteFleets'],
  [EventSource.LIGHTSAIL]: ['DeleteInstance', 'ReleaseStaticIp'],
} as const;

/** Calls that prepare or harden acquired servers for an attacker's use. */
export const PREPARATION_EVENTS = {
  [EventSource.EC2]: ['ModifyInstanceAttribute', 'CreateKeyPair', 'ImportKeyPair', 'AuthorizeSecurityGroupIngress'],
} as const;

/** Reading or raising EC2 limits: what someone does before buying at scale. */
export const QUOTA_EVENTS = {
  [EventSource.SERVICE_QUOTAS]: [
    'GetServiceQuota',
    'ListServiceQuotas',
    'GetAWSDefaultServiceQuota',
    'ListAWSDefaultServiceQuotas',
    'RequestServiceQuotaIncrease',
    'GetRequestedServiceQuotaChange',
    'ListRequestedServiceQuotaChangeHistory',
    'ListRequestedServiceQuotaChangeHistoryByQuota',
  ],
} as const;

type Catalogue = Readonly<Partial<Record<EventSourceName, readonly string[]>>>;

function merge(...parts: Catalogue[]): ReadonlyMap<EventSourceName, ReadonlySet<string>> {
  const out = new Map<EventSourceName, Set<string>>();
  for (const part of parts) {
    for (const [source, names] of Object.entries(part) as [EventSourceName, readonly string[]][]) {
      const set = out.get(source) ?? new Set<string>();
      for (const n of names) set.add(n);
      out.set(source, set);
    }
  }
  return out;
}

/** eventSource -> eventNames the engine reads. Everything else is skipped unparsed. */
export const RELEVANT_EVENTS = merge(LAUNCH_EVENTS, ADDRESS_EVENTS, RELEASE_EVENTS, PREPARATION_EVENTS, QUOTA_EVENTS);

/** Every relevant eventName, whatever its source: the reader's cheap byte-level prefilter. */
export const RELEVANT_EVENT_NAMES: ReadonlySet<string> = new Set([...RELEVANT_EVENTS.values()].flatMap((s) => [...s]));

export function isRelevant(eventSource: string, eventName: string): boolean {
  return RELEVANT_EVENTS.get(eventSource as EventSourceName)?.has(eventName) ?? false;
}

export function isIn(catalogue: Catalogue, eventSource: string, eventName: string): boolean {
  return (catalogue[eventSource as EventSourceName] ?? []).includes(eventName);
}

/**
 * AWS services that manage capacity for us and launch or release it with
 * their own (service-linked) credentials. Their calls are benign unless
 * other indicators say otherwise. Pass-through callers are deliberately
 * absent: `signin.amazonaws.com` (a console session), CloudFormation and
 * Service Catalog act for whoever created the stack, so their calls are
 * judged as that person's.
 */
export const CAPACITY_SERVICES: ReadonlySet<string> = new Set([
  'autoscaling.amazonaws.com',
  'spotfleet.amazonaws.com',
  'ec2fleet.amazonaws.com',
  'spot.amazonaws.com',
  'elasticmapreduce.amazonaws.com',
  'eks.amazonaws.com',
  'eks-nodegroup.amazonaws.com',
  'batch.amazonaws.com',
  'ecs.amazonaws.com',
  'sagemaker.amazonaws.com',
  'elasticbeanstalk.amazonaws.com',
  'gamelift.amazonaws.com',
  'opsworks.amazonaws.com',
]);

/** EventBridge detail-types that carry a CloudTrail record under `detail`. */
export const CLOUDTRAIL_DETAIL_TYPES: ReadonlySet<string> = new Set([
  'AWS API Call via CloudTrail',
  'AWS Service Event via CloudTrail',
  'AWS Console Sign In via CloudTrail',
  'AWS Console Action via CloudTrail',
]);

export const IndicatorId = {
  SERVER_PROVISIONED: 'server-provisioned',
  IP_ALLOCATED: 'ip-allocated',
  PROVISIONING_BURST: 'provisioning-burst',
  RAPID_CHURN: 'rapid-churn',
  UNUSUAL_REGION: 'unusual-region',
  ACCELERATED_INSTANCE_TYPE: 'accelerated-instance-type',
  UNAPPROVED_PRINCIPAL: 'unapproved-principal',
  MISSING_BUSINESS_TAGS: 'missing-business-tags',
  FAILED_PROVISIONING: 'failed-provisioning',
  QUOTA_PROBING: 'quota-probing',
  THREAT_INTEL_MATCH: 'threat-intel-match',
  NEW_KEY_PAIR: 'new-key-pair',
  SECURITY_GROUP_OPENED: 'security-group-opened',
  USER_DATA_MODIFIED: 'user-data-modified',
  TERMINATION_PROTECTION_SET: 'termination-protection-set',
  BILLING_ANOMALY: 'billing-anomaly',
  NEW_ACCOUNT_ACTIVITY: 'new-account-activity',
} as const;
export type IndicatorId = (typeof IndicatorId)[keyof typeof IndicatorId];
export const INDICATOR_IDS: readonly IndicatorId[] = Object.values(IndicatorId);
