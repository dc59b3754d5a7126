import type { CloudTrailRecord } from './cloudtrail/types';

/**
 * The reconciliation sweep's view of an instance no event reported
 * (EventBridge delivery is best effort; a region or account may not have
 * been forwarding yet). It becomes a RunInstances record the engine scores
 * like any other, with what the instance itself says (type, launch time,
 * tags) and an unknown caller: the instance does not say who launched it.
 */

/** The principal of a sweep record: never approved, and plain about why. */
export const SWEEP_PRINCIPAL = 'arn:aws:sts::unknown:assumed-role/unknown/seen-by-reconciliation-sweep';

export interface SweptInstance {
  readonly accountId: string;
  readonly region: string;
  readonly instanceId: string;
  readonly instanceType: string;
  /** ISO 8601. */
  readonly launchTime: string;
  readonly imageId?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly spot: boolean;
}

export function sweepRecord(i: SweptInstance): CloudTrailRecord {
  const tags = Object.entries(i.tags).map(([key, value]) => ({ key, value }));
  return {
    eventVersion: '1.09',
    eventID: `sweep-${i.accountId}-${i.instanceId}`,
    eventTime: i.launchTime.replace(/\.\d+Z$/, 'Z'),
    eventSource: 'ec2.amazonaws.com',
    eventName: 'RunInstances',
    eventType: 'AwsApiCall',
    awsRegion: i.region,
    recipientAccountId: i.accountId,
    sourceIPAddress: 'unknown (reconciliation sweep)',
    userAgent: 'rogue-infra-responder reconciliation sweep',
    userIdentity: { type: 'Unknown', principalId: 'unknown', arn: SWEEP_PRINCIPAL, accountId: i.accountId },
    requestParameters: {
      instanceType: i.instanceType,
      instancesSet: { items: [{ imageId: i.imageId ?? 'unknown', minCount: 1, maxCount: 1 }] },
      ...(tags.length ? { tagSpecificationSet: { items: [{ resourceType: 'instance', tags }] } } : {}),
      ...(i.spot ? { instanceMarketOptions: { marketType: 'spot' } } : {}),
    },
    responseElements: { instancesSet: { items: [{ instanceId: i.instanceId, instanceType: i.instanceType, ...(tags.length ? { tagSet: { items: tags } } : {}) }] } },
    readOnly: false,
    managementEvent: true,
  };
}

export interface SweptAddress {
  readonly accountId: string;
  readonly region: string;
  readonly allocationId: string;
  readonly publicIp: string;
  readonly instanceId?: string;
}

/** An Elastic IP the sweep found and no event reported, as an AllocateAddress record (at `at`, ISO). */
export function sweepAddressRecord(a: SweptAddress, at: string): CloudTrailRecord {
  return {
    eventVersion: '1.09',
    eventID: `sweep-${a.accountId}-${a.allocationId}`,
    eventTime: at.replace(/\.\d+Z$/, 'Z'),
    eventSource: 'ec2.amazonaws.com',
    eventName: 'AllocateAddress',
    eventType: 'AwsApiCall',
    awsRegion: a.region,
    recipientAccountId: a.accountId,
    sourceIPAddress: 'unknown (reconciliation sweep)',
    userAgent: 'rogue-infra-responder reconciliation sweep',
    userIdentity: { type: 'Unknown', principalId: 'unknown', arn: SWEEP_PRINCIPAL, accountId: a.accountId },
    requestParameters: { domain: 'vpc' },
    responseElements: { allocationId: a.allocationId, publicIp: a.publicIp, domain: 'vpc', networkBorderGroup: a.region },
    readOnly: false,
    managementEvent: true,
  };
}

/** The instances of a region that no recorded launch reported, launched within the window. */
export function unreported(instances: readonly SweptInstance[], reported: ReadonlySet<string>, since: number): SweptInstance[] {
  return instances.filter((i) => !reported.has(i.instanceId) && Date.parse(i.launchTime) >= since);
}
