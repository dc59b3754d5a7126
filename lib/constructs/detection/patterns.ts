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

/** Calls CloudTrail records as read-only management events (`readOnly: true`). */
const READ_ONLY_CALL = /^(Get|List|Describe)/;

export function cloudTrailPatterns(): { readonly eventSource: EventSourceName; readonly readOnlyCalls: boolean; readonly pattern: CloudTrailPattern }[] {
  return [...RELEVANT_EVENTS].map(([eventSource, names]) => ({
    eventSource,
    // EventBridge matches read-only management events only on rules that
    // opt in (rule state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS).
    readOnlyCalls: [...names].some((n) => READ_ONLY_CALL.test(n)),
    pattern: {
      source: [eventBridgeSource(eventSource)],
      'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
      detail: { eventSource: [eventSource], eventName: [...names].sort() },
    },
  }));
}
