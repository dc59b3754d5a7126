import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientFor } from './aws';

/**
 * One table holds the responder's state (single-table design, `pk`/`sk`,
 * TTL on `expiresAt` in epoch seconds). The key shapes live here so every
 * adapter agrees on them:
 *
 *   GROUP#<groupKey>             OPEN              an open correlation group (the scorer)
 *   ACCOUNT#<accountId>          BASELINE          first successful acquisition (learning clock)
 *   ACCOUNT#<accountId>          REGION#<region>   regions the account acquired in (first seen)
 *   ACCOUNT#<accountId>          PRINCIPAL#<arn>   principals that acquired in it (first seen)
 *   RESOURCE#<acct>/<region>/<id> CREATED          when a resource was created (churn)
 *   LAUNCHES#<accountId>         <iso>#<eventId>   a successful launch: who, what, where (the billing join)
 *   FINDING#<findingId>          CURRENT           the finding as it stands
 *   FINDING#<findingId>          HISTORY#<iso>#<n> what happened to it, in order
 *   FINDING#<findingId>          CONTAINMENT       the rollback manifest and containment progress
 *   APPROVAL#<approvalId>        REQUEST           an approval request and its decision
 */
export const Keys = {
  group: (groupKey: string) => ({ pk: `GROUP#${groupKey}`, sk: 'OPEN' }),
  baseline: (accountId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: 'BASELINE' }),
  region: (accountId: string, region: string) => ({ pk: `ACCOUNT#${accountId}`, sk: `REGION#${region}` }),
  principal: (accountId: string, arn: string) => ({ pk: `ACCOUNT#${accountId}`, sk: `PRINCIPAL#${arn}` }),
  resource: (accountId: string, region: string, id: string) => ({ pk: `RESOURCE#${accountId}/${region}/${id}`, sk: 'CREATED' }),
  finding: (findingId: string) => ({ pk: `FINDING#${findingId}`, sk: 'CURRENT' }),
  findingHistory: (findingId: string, at: string, n: number) => ({ pk: `FINDING#${findingId}`, sk: `HISTORY#${at}#${String(n).padStart(4, '0')}` }),
  launch: (accountId: string, at: number, eventId: string) => ({ pk: `LAUNCHES#${accountId}`, sk: `${new Date(at).toISOString()}#${eventId}` }),
  containment: (findingId: string) => ({ pk: `FINDING#${findingId}`, sk: 'CONTAINMENT' }),
  approval: (approvalId: string) => ({ pk: `APPROVAL#${approvalId}`, sk: 'REQUEST' }),
} as const;

export function documentClient(region?: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(clientFor(DynamoDBClient, region), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** Epoch seconds `days` after `now` (ms), for the TTL attribute. */
export function expiresAfter(now: number, days: number): number {
  return Math.floor(now / 1000) + Math.round(days * 86_400);
}
