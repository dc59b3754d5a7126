import { CLOUDTRAIL_DETAIL_TYPES } from '../constants';
import type { Actor, CloudTrailRecord, TrailEvent, UserIdentity } from './types';
import { intern } from '../intern';
import { isoOf, parseEventTime } from './time';

/**
 * Why a record did not reach the engine. Codes are stable (they appear in
 * the hunt summary and in tests); `severity` says whether the record was
 * damaged (`error`: the hunt exits 2) or legitimately out of scope (`info`).
 */
export const SkipReason = {
  INVALID_JSON: 'invalid-json',
  TRUNCATED: 'truncated',
  BROKEN_STRUCTURE: 'broken-structure',
  TOO_LARGE: 'too-large',
  NOT_A_RECORD: 'not-a-record',
  NO_EVENT_TIME: 'no-event-time',
  BAD_EVENT_TIME: 'bad-event-time',
  NO_EVENT_NAME: 'no-event-name',
  INSIGHT_EVENT: 'insight-event',
  DUPLICATE_EVENT: 'duplicate-event',
  UNREADABLE_FILE: 'unreadable-file',
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

const INFO_REASONS: ReadonlySet<SkipReason> = new Set([SkipReason.INSIGHT_EVENT, SkipReason.NO_EVENT_NAME, SkipReason.DUPLICATE_EVENT]);
export function isDamage(reason: SkipReason): boolean {
  return !INFO_REASONS.has(reason);
}

export type Unwrapped =
  | { readonly kind: 'record'; readonly record: CloudTrailRecord; readonly path: string }
  | { readonly kind: 'ignored'; readonly detailType: string; readonly path: string }
  | { readonly kind: 'rejected'; readonly reason: SkipReason; readonly message: string; readonly path: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Top-level keys of a record, so Panther's lower-cased data-lake form can be put back. */
const RECORD_KEYS = [
  'eventVersion', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent',
  'userIdentity', 'requestParameters', 'responseElements', 'errorCode', 'errorMessage', 'eventID',
  'requestID', 'recipientAccountId', 'eventType', 'eventCategory', 'readOnly', 'managementEvent',
  'tlsDetails', 'additionalEventData', 'resources', 'sharedEventID', 'vpcEndpointId', 'apiVersion',
  'serviceEventDetails', 'sessionCredentialFromConsole', 'insightDetails',
];
/** Canonical key by its lower-cased form, and by itself. */
const RECORD_KEY_BY_LOWER = new Map(RECORD_KEYS.flatMap((k) => [[k.toLowerCase(), k], [k, k]]));
const IDENTITY_KEYS = ['type', 'principalId', 'arn', 'accountId', 'accessKeyId', 'userName', 'invokedBy', 'sessionContext'];
const IDENTITY_KEY_BY_LOWER = new Map(IDENTITY_KEYS.flatMap((k) => [[k.toLowerCase(), k], [k, k]]));

function recase(obj: Record<string, unknown>, keys: Map<string, string>): Record<string, unknown> {
  // Almost every record already uses the canonical keys: then there is nothing to copy.
  let canonical = true;
  for (const k in obj) {
    const c = keys.get(k) ?? keys.get(k.toLowerCase());
    if (c !== undefined && c !== k) {
      canonical = false;
      break;
    }
  }
  if (canonical) return obj;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const canonical = keys.get(k.toLowerCase()) ?? k;
    if (!(canonical in out) || k === canonical) out[canonical] = v;
  }
  return out;
}

function looksLikeRecord(o: Record<string, unknown>): boolean {
  return 'eventName' in o || 'eventSource' in o || 'eventTime' in o || 'userIdentity' in o || 'eventType' in o;
}

/**
 * Finds the CloudTrail record(s) in one parsed JSON value, whatever it came
 * wrapped in: an S3 log file (`Records`), an EventBridge event (`detail`), a
 * test-suite line (`event`), a bare record, or an array of any of those.
 */
export function unwrap(value: unknown, path = ''): Unwrapped[] {
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => unwrap(v, `${path}[${i}]`));
  }
  if (!isObject(value)) {
    return [{ kind: 'rejected', reason: SkipReason.NOT_A_RECORD, message: `expected a JSON object, found ${describe(value)}`, path }];
  }
  if (Array.isArray(value.Records)) {
    return value.Records.flatMap((v, i) => unwrap(v, `${path}.Records[${i}]`));
  }
  const detailType = value['detail-type'];
  if (typeof detailType === 'string') {
    // Read the detail when the detail-type says CloudTrail, or when the detail
    // plainly is a CloudTrail record (sanitised test data writes "...").
    const detail = value.detail;
    if (CLOUDTRAIL_DETAIL_TYPES.has(detailType) || (isObject(detail) && 'eventName' in detail && 'eventSource' in detail)) {
      if (!isObject(detail)) {
        return [{ kind: 'rejected', reason: SkipReason.NOT_A_RECORD, message: `EventBridge "${detailType}" event has no detail object`, path }];
      }
      return unwrap(detail, `${path}.detail`);
    }
    return [{ kind: 'ignored', detailType, path }];
  }
  // CloudTrail delivered through a CloudWatch Logs subscription: each log
  // event's message is one record, as a JSON string.
  if (Array.isArray(value.logEvents) && typeof value.messageType === 'string') {
    return value.logEvents.flatMap((e: unknown, i: number) => {
      const where = `${path}.logEvents[${i}].message`;
      const message = isObject(e) ? e.message : undefined;
      if (typeof message !== 'string') {
        return [{ kind: 'rejected' as const, reason: SkipReason.NOT_A_RECORD, message: 'log event has no message string', path: where }];
      }
      try {
        return unwrap(JSON.parse(message), where);
      } catch (err) {
        return [{ kind: 'rejected' as const, reason: SkipReason.INVALID_JSON, message: `log event message is not JSON: ${err instanceof Error ? err.message : String(err)}`, path: where }];
      }
    });
  }
  // Panther's data-lake form lower-cases the top-level keys, sometimes all
  // but one (`eventType`): put them back before judging the shape.
  if (!('eventName' in value) && ('eventname' in value || 'eventsource' in value)) {
    return [{ kind: 'record', record: recase(value, RECORD_KEY_BY_LOWER), path }];
  }
  if (looksLikeRecord(value)) return [{ kind: 'record', record: value, path }];
  if (isObject(value.event)) return unwrap(value.event, `${path}.event`);
  if (isObject(value.detail)) return unwrap(value.detail, `${path}.detail`);
  const keys = Object.keys(value).slice(0, 6).join(', ');
  return [{
    kind: 'rejected',
    reason: SkipReason.NOT_A_RECORD,
    message: `not a CloudTrail record: expected eventName/eventSource (or Records, detail, event), found keys {${keys}${Object.keys(value).length > 6 ? ', ...' : ''}}`,
    path,
  }];
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `a string ("${v.slice(0, 24)}${v.length > 24 ? '...' : ''}")`;
  return `a ${typeof v}`;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export function toActor(identity: UserIdentity | undefined, sourceIp: string | undefined): Actor {
  const id = isObject(identity) ? (recase(identity, IDENTITY_KEY_BY_LOWER) as UserIdentity) : {};
  const issuer: Record<string, unknown> | undefined = isObject(id.sessionContext?.sessionIssuer) ? id.sessionContext.sessionIssuer : undefined;
  const type = str(id.type) ?? 'Unknown';
  // Service principals show up as type AWSService with no ARN, or as a
  // caller whose sourceIPAddress is the service's host name.
  const invokedBy = str(id.invokedBy) ?? (type === 'AWSService' ? sourceIp : undefined);
  const arn = str(id.arn) ?? (type === 'AWSService' ? invokedBy : undefined) ?? str(id.principalId) ?? 'unknown';
  const accountId = str(id.accountId);
  const issuerArn = str(issuer?.arn);
  const userName = str(id.userName) ?? str(issuer?.userName);
  const key = str(id.accessKeyId);
  // A principal's events share one Actor: a hunt keeps thousands of events
  // from a handful of callers (see intern.ts). Actors are never modified.
  const cacheKey = `${arn}\n${type}\n${accountId ?? ''}\n${issuerArn ?? ''}\n${userName ?? ''}\n${key ?? ''}\n${invokedBy ?? ''}`;
  const known = ACTORS.get(cacheKey);
  if (known) return known;
  const actor: {
    -readonly [K in keyof Actor]: Actor[K];
  } = { arn, type };
  if (accountId) actor.accountId = accountId;
  if (issuerArn) actor.issuerArn = issuerArn;
  if (userName) actor.userName = userName;
  if (key) actor.accessKeyId = key;
  if (invokedBy) actor.invokedBy = invokedBy;
  if (ACTORS.size >= 10_000) ACTORS.clear();
  ACTORS.set(cacheKey, actor);
  return actor;
}

/** Actors by every field they are made of (bounded, like the string pool). */
const ACTORS = new Map<string, Actor>();

export type Normalized =
  | { readonly ok: true; readonly event: TrailEvent }
  | { readonly ok: false; readonly reason: SkipReason; readonly message: string };

/**
 * Validates one record and reduces it to a TrailEvent. `fallbackId` names the
 * record when CloudTrail's eventID is missing (hand-written test data), and
 * must be deterministic (e.g. file and position) so findings stay stable.
 */
export function normalizeRecord(record: CloudTrailRecord, fallbackId: string, origin?: string): Normalized {
  const eventName = str(record.eventName);
  if (record.eventType === 'AwsCloudTrailInsight' || record.eventCategory === 'Insight') {
    return { ok: false, reason: SkipReason.INSIGHT_EVENT, message: 'CloudTrail Insights event (a rate summary with no caller): not scored' };
  }
  if (!eventName) {
    return { ok: false, reason: SkipReason.NO_EVENT_NAME, message: `record has no eventName (eventType ${String(record.eventType ?? 'missing')})` };
  }
  const eventSource = str(record.eventSource);
  if (!eventSource) return { ok: false, reason: SkipReason.NOT_A_RECORD, message: `${eventName}: record has no eventSource` };
  const rawTime = record.eventTime ?? record['@timestamp'];
  if (rawTime === undefined || rawTime === null) {
    return { ok: false, reason: SkipReason.NO_EVENT_TIME, message: `${eventName}: record has neither eventTime nor @timestamp` };
  }
  const time = parseEventTime(rawTime);
  if (time === undefined) {
    return { ok: false, reason: SkipReason.BAD_EVENT_TIME, message: `${eventName}: eventTime ${JSON.stringify(rawTime)} is not an ISO 8601 time` };
  }
  const sourceIp = str(record.sourceIPAddress);
  const actor = toActor(record.userIdentity, sourceIp);
  const event: {
    -readonly [K in keyof TrailEvent]: TrailEvent[K];
  } = {
    eventId: str(record.eventID) ?? fallbackId,
    time,
    eventTime: isoOf(rawTime, time),
    eventSource: intern(eventSource),
    eventName: intern(eventName),
    region: intern(str(record.awsRegion) ?? 'unknown'),
    accountId: intern(str(record.recipientAccountId) ?? actor.accountId ?? 'unknown'),
    actor,
    requestParameters: isObject(record.requestParameters) ? record.requestParameters : null,
    responseElements: isObject(record.responseElements) ? record.responseElements : null,
  };
  if (sourceIp) event.sourceIp = intern(sourceIp);
  const ua = str(record.userAgent);
  if (ua) event.userAgent = intern(ua);
  const errorCode = str(record.errorCode);
  if (errorCode) event.errorCode = intern(errorCode);
  const errorMessage = str(record.errorMessage);
  if (errorMessage) event.errorMessage = errorMessage;
  if (origin) event.origin = origin;
  return { ok: true, event };
}
