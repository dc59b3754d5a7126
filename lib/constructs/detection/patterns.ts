import { RELEVANT_EVENTS, type EventSourceName } from '../../../lambdas/core/constants';

/**
 * The EventBridge patterns, generated from the engine's own catalogue of
 * relevant calls (lambdas/core/constants.ts): the rules and the scorer can
 * never disagree on what matters. One pattern per event source, so an
 * eventName of one service never matches another's. Failed calls (errorCode
 * set, DryRun included) are CloudTrail events too and match the same way.
 */

export interface CloudTrailPattern {
  readonly source: string[];
  readonly 'detail-type': string[];
  readonly detail: { readonly eventSource: string[]; readonly eventName: string[] };
}

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/** `ec2.amazonaws.com` -> `aws.ec2` (EventBridge's source for CloudTrail events). */
export function eventBridgeSource(eventSource: EventSourceName): string {
  return `aws.${eventSource.replace(/\.amazonaws\.com$/, '')}`;
}

export function cloudTrailPatterns(): { readonly eventSource: EventSourceName; readonly pattern: CloudTrailPattern }[] {
  return [...RELEVANT_EVENTS].map(([eventSource, names]) => ({
    eventSource,
    pattern: {
      source: [eventBridgeSource(eventSource)],
      'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
      detail: { eventSource: [eventSource], eventName: [...names].sort() },
    },
  }));
}
