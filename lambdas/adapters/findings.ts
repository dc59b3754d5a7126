import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../core/errors';
import type { Finding } from '../core/model';
import { numberEnv, requireEnv } from '../handlers/shared/runtime';
import { documentClient, expiresAfter, Keys } from './table';

/**
 * The finding record in the responder table:
 *
 *   FINDING#<id>  CURRENT              the finding as it stands, its status and a version
 *   FINDING#<id>  HISTORY#<at>#<ver>   one item per thing that happened to it
 *
 * Several writers touch one finding (the scorer when it grows, the workflow's
 * tasks, a retried task), so each write is one transaction: the CURRENT item
 * is replaced only if its version is still the one that was read, and the
 * HISTORY item for the new version goes in with it. A writer that loses the
 * race reads again and retries, so no history entry is ever lost and the
 * version counts the entries exactly.
 */

export type FindingStatus = 'open' | 'escalated' | 'awaiting-approval' | 'approved' | 'rejected' | 'contained' | 'released' | 'not-contained' | 'closed';

export interface FindingEvent {
  /** 'assessed', 'notified', 'approval-requested', 'decision', 'outcome', 'failed', or another short verb. */
  readonly kind: string;
  /** ISO 8601: when it happened (orders the history). */
  readonly at: string;
  /** What the task returned (a DeliveryReport, an ApprovalDecision, an Outcome, a TaskFailure). */
  readonly detail?: unknown;
  /** Overrides the summary derived from the kind and detail. */
  readonly summary?: string;
  /** Overrides the status derived from the kind and detail. */
  readonly status?: FindingStatus;
}

export interface FindingRecord {
  readonly findingId: string;
  readonly version: number;
  readonly status: FindingStatus;
  readonly accountId: string;
  readonly region: string;
  readonly severity: string;
  readonly score: number;
  readonly escalate: boolean;
  /** Earliest activity across every version of the finding (ISO 8601). */
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** When the responder first recorded it, and last changed it (ISO 8601). */
  readonly recordedAt: string;
  readonly updatedAt: string;
  readonly lastEvent: string;
  readonly finding: Finding;
  /** Epoch seconds (TTL). */
  readonly expiresAt: number;
}

export interface HistoryEntry {
  readonly findingId: string;
  readonly version: number;
  readonly kind: string;
  readonly at: string;
  /** The status after this entry. */
  readonly status: FindingStatus;
  readonly summary: string;
  readonly detail?: unknown;
  /** True when `detail` was too large and is kept as truncated JSON text. */
  readonly detailTruncated?: boolean;
}

export interface FindingStoreOptions {
  /** @default process.env.TABLE_NAME */
  readonly tableName?: string;
  /** TTL of the records. @default process.env.FINDING_DAYS, else 400 */
  readonly findingDays?: number;
  /** Epoch ms. @default Date.now */
  readonly now?: () => number;
  readonly client?: DynamoDBDocumentClient;
}

const DEFAULT_FINDING_DAYS = 400;
const MAX_ATTEMPTS = 10;
const MAX_SUMMARY = 300;
/** Items are capped at 400 KB; history details and the stored finding stay well under it. */
const MAX_DETAIL_CHARS = 32_000;
const MAX_FINDING_CHARS = 300_000;
const KEPT_EVENT_IDS = 500;

function resolve(o: FindingStoreOptions) {
  return {
    tableName: o.tableName ?? requireEnv('TABLE_NAME'),
    // Read only by writers, so readers need no FINDING_DAYS.
    days: () => o.findingDays ?? numberEnv('FINDING_DAYS', DEFAULT_FINDING_DAYS),
    now: o.now ?? Date.now,
    db: o.client ?? documentClient(),
  };
}

function field(detail: unknown, name: string): unknown {
  return typeof detail === 'object' && detail !== null ? (detail as Record<string, unknown>)[name] : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

const OUTCOME_STATUS: Readonly<Record<string, FindingStatus>> = {
  contained: 'contained',
  released: 'released',
  rejected: 'rejected',
  'no-decision': 'not-contained',
  'notify-only': 'not-contained',
  'dry-run': 'not-contained',
  'not-escalated': 'closed',
};

/** The status a finding has after an event; kinds that report (notified, failed) leave it as it was. */
export function nextStatus(event: FindingEvent, finding: Finding, previous: FindingStatus | undefined): FindingStatus {
  if (event.status) return event.status;
  const assessed: FindingStatus = finding.escalate ? 'escalated' : 'open';
  switch (event.kind) {
    case 'assessed':
      // A re-assessment while a human decides (or after approval) must not reopen it.
      return previous === 'awaiting-approval' || previous === 'approved' || previous === 'contained' || previous === 'released' ? previous : assessed;
    case 'approval-requested':
      return 'awaiting-approval';
    case 'decision': {
      const d = field(event.detail, 'decision');
      return d === 'approve' ? 'approved' : d === 'reject' ? 'rejected' : (previous ?? assessed);
    }
    case 'outcome':
      return OUTCOME_STATUS[String(field(event.detail, 'kind'))] ?? previous ?? assessed;
    default:
      return previous ?? assessed;
  }
}

function sent(channel: unknown): string {
  if (field(channel, 'sent') === true) return 'sent';
  if (field(channel, 'skipped') === true) return 'skipped';
  return `failed${text(field(channel, 'error')) ? ` (${text(field(channel, 'error'))})` : ''}`;
}

/** One line for a table or a timeline. */
export function summarize(event: FindingEvent, finding: Finding): string {
  const d = event.detail;
  let s: string;
  switch (event.kind) {
    case 'assessed':
      s = `${finding.severity} (score ${finding.score}), ${finding.escalate ? 'escalated to Tier 2' : 'Tier 1'}: ${finding.resources.instanceIds.length} instances, ${finding.resources.allocationIds.length} addresses in ${finding.regions.join(', ')}`;
      break;
    case 'notified':
      s = `notified: e-mail ${sent(field(d, 'email'))}, Slack ${sent(field(d, 'slack'))}`;
      break;
    case 'approval-requested':
      s = `approval requested${text(field(d, 'expiresAt')) ? `, expires ${text(field(d, 'expiresAt'))}` : ''}`;
      break;
    case 'decision':
      s = `${text(field(d, 'decision')) ?? 'decision'} by ${text(field(d, 'approver')) ?? 'unknown approver'}`;
      break;
    case 'outcome':
      s = `${text(field(d, 'kind')) ?? 'outcome'}${text(field(d, 'summary')) ? `: ${text(field(d, 'summary'))}` : ''}`;
      break;
    case 'failed':
      s = `${text(field(d, 'state')) ?? 'a task'} failed: ${text(field(d, 'error')) ?? 'error'}${text(field(d, 'cause')) ? `: ${text(field(d, 'cause'))}` : ''}`;
      break;
    default:
      s = event.kind;
  }
  return s.length > MAX_SUMMARY ? `${s.slice(0, MAX_SUMMARY - 3)}...` : s;
}

/**
 * The finding and event details are stored as JSON text, not as DynamoDB
 * maps: they are read whole, never queried inside, and text keeps them
 * clear of the map nesting limit and of empty-value marshalling rules. The
 * fields worth filtering on (status, severity, account...) are attributes.
 */
function storableDetail(detail: unknown): { detailJson?: string; detailTruncated?: true } {
  const json = detail === undefined ? undefined : JSON.stringify(detail);
  if (json === undefined) return {};
  if (json.length <= MAX_DETAIL_CHARS) return { detailJson: json };
  return { detailJson: json.slice(0, MAX_DETAIL_CHARS), detailTruncated: true };
}

/** A finding with tens of thousands of events would not fit an item: keep the first event ids and drop bulky evidence details. */
function storableFinding(finding: Finding): string {
  const json = JSON.stringify(finding);
  if (json.length <= MAX_FINDING_CHARS) return json;
  return JSON.stringify({
    ...finding,
    eventIds: finding.eventIds.slice(0, KEPT_EVENT_IDS),
    indicators: finding.indicators.map((i) => ({ ...i, evidence: { summary: i.evidence.summary, eventIds: i.evidence.eventIds.slice(0, 20) } })),
  });
}

function isConflict(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'TransactionConflictException' || err.name === 'ConditionalCheckFailedException') return true;
  if (err.name !== 'TransactionCanceledException') return false;
  const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict');
}

const earliest = (a: string | undefined, b: string): string => (a && a < b ? a : b);
const latest = (a: string | undefined, b: string): string => (a && a > b ? a : b);

/**
 * Writes the finding as it now stands and appends one history entry, in one
 * transaction conditional on the version read. Returns the new version and
 * status.
 */
export async function recordFinding(finding: Finding, event: FindingEvent, options: FindingStoreOptions = {}): Promise<{ version: number; status: FindingStatus }> {
  const { tableName, days, now, db } = resolve(options);
  const stored = storableFinding(finding);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const current = await head(db, tableName, finding.findingId);
    const version = (current?.version ?? 0) + 1;
    const status = nextStatus(event, finding, current?.status);
    const nowIso = new Date(now()).toISOString();
    const expiresAt = expiresAfter(now(), days());
    const record: Omit<FindingRecord, 'finding'> & { findingJson: string } = {
      findingId: finding.findingId,
      version,
      status,
      accountId: finding.accountId,
      region: finding.region,
      severity: finding.severity,
      score: finding.score,
      escalate: finding.escalate,
      firstSeen: earliest(current?.firstSeen, finding.firstSeen),
      lastSeen: latest(current?.lastSeen, finding.lastSeen),
      recordedAt: current?.recordedAt ?? nowIso,
      updatedAt: nowIso,
      lastEvent: event.kind,
      findingJson: stored,
      expiresAt,
    };
    const entry = {
      findingId: finding.findingId,
      version,
      kind: event.kind,
      at: event.at,
      status,
      summary: event.summary ?? summarize(event, finding),
      ...storableDetail(event.detail),
    };
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: { ...Keys.finding(finding.findingId), ...record },
                ...(current
                  ? { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': current.version } }
                  : { ConditionExpression: 'attribute_not_exists(pk)' }),
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: { ...Keys.findingHistory(finding.findingId, event.at, version), ...entry, expiresAt },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return { version, status };
    } catch (err) {
      if (!isConflict(err)) throw err;
      // Another writer got this version: back off a little (jittered, so
      // the losers do not collide again in step) and read again.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(400, 20 * 2 ** attempt)));
    }
  }
  throw new TransientError(`finding ${finding.findingId}: gave up recording "${event.kind}" after ${MAX_ATTEMPTS} concurrent-update conflicts`);
}

type Head = Pick<FindingRecord, 'version' | 'status' | 'firstSeen' | 'lastSeen' | 'recordedAt'>;

/** What a writer needs of CURRENT: not the stored finding. */
async function head(db: DynamoDBDocumentClient, tableName: string, findingId: string): Promise<Head | undefined> {
  const got = await db.send(
    new GetCommand({
      TableName: tableName,
      Key: Keys.finding(findingId),
      ConsistentRead: true,
      ProjectionExpression: '#v, #s, firstSeen, lastSeen, recordedAt',
      ExpressionAttributeNames: { '#v': 'version', '#s': 'status' },
    }),
  );
  return got.Item as Head | undefined;
}

export async function getFinding(findingId: string, options: FindingStoreOptions = {}): Promise<FindingRecord | undefined> {
  const { tableName, db } = resolve(options);
  const got = await db.send(new GetCommand({ TableName: tableName, Key: Keys.finding(findingId), ConsistentRead: true }));
  if (!got.Item) return undefined;
  const { pk: _pk, sk: _sk, findingJson, ...record } = got.Item;
  return { ...record, finding: JSON.parse(String(findingJson)) as Finding } as FindingRecord;
}

/** Every history entry, oldest first (by time, then version). */
export async function history(findingId: string, options: FindingStoreOptions = {}): Promise<HistoryEntry[]> {
  const { tableName, db } = resolve(options);
  const out: HistoryEntry[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :h)',
        ExpressionAttributeValues: { ':pk': Keys.finding(findingId).pk, ':h': 'HISTORY#' },
        ConsistentRead: true,
        ScanIndexForward: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const { pk: _pk, sk: _sk, expiresAt: _ttl, detailJson, ...entry } = item;
      const detail = typeof detailJson !== 'string' ? {} : entry.detailTruncated ? { detail: detailJson } : { detail: JSON.parse(detailJson) as unknown };
      out.push({ ...entry, ...detail } as HistoryEntry);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}
