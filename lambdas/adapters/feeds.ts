import type * as S3 from '@aws-sdk/client-s3';
import type { S3Client, _Object } from '@aws-sdk/client-s3';
import { addDomainFeed, addIpFeed, emptyThreatIntel, type FeedLineError, type ThreatIntel } from '../core/threat-intel';
import { awsErrorName, clientFor, isTransient } from './aws';

/**
 * Threat-intel feeds kept in S3: every object under `ip/` is an IP/CIDR
 * feed, every object under `domain/` a domain feed, one entry per line as
 * core/threat-intel.ts parses them. Operators (or a sync job) drop files in;
 * nothing has to be redeployed.
 *
 * The parsed intel lives in module memory and is reused until it is
 * `refreshMinutes` old. A refresh lists the objects and downloads only those
 * whose ETag changed, so a warm Lambda checks often and cheaply. One bad or
 * unreadable feed is reported; the others still load.
 */

export const FEED_PREFIXES = { ip: 'ip/', domain: 'domain/' } as const;
const DEFAULT_REFRESH_MINUTES = 15;
/** A feed larger than this is skipped and reported: the Lambda parses every feed into memory. */
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
/** Per feed, bad lines beyond this many are counted, not listed. */
const MAX_WARNINGS_PER_FEED = 20;

export interface LoadFeedsOptions {
  /** @default 15 */
  readonly refreshMinutes?: number;
  /** Epoch ms; injected by tests. @default Date.now */
  readonly now?: () => number;
  readonly client?: S3Client;
  /** @default 64 MiB */
  readonly maxBytes?: number;
}

export interface LoadedFeeds {
  readonly intel: ThreatIntel;
  /** Feed names (object keys) that loaded. */
  readonly feeds: readonly string[];
  /** Addresses, blocks and domains across all feeds. */
  readonly entries: number;
  /** When the intel was last built from the bucket (ISO 8601). */
  readonly loadedAt: string;
  /** When the bucket was last checked for changes (ISO 8601). */
  readonly checkedAt: string;
  /** Lines that are not entries: `ip/feodo.txt:12: expected ..., found "..."`. */
  readonly warnings: readonly string[];
  /** Feeds (or the listing) that could not be read: `ip/cold.txt: InvalidObjectState: ...`. */
  readonly errors: readonly string[];
}

interface FeedText {
  readonly etag: string;
  readonly text: string;
}

interface BucketCache {
  result: LoadedFeeds;
  checkedAtMs: number;
  /** Successfully read objects by key, with the ETag they were read at. */
  texts: Map<string, FeedText>;
}

const cache = new Map<string, BucketCache>();
const inflight = new Map<string, Promise<LoadedFeeds>>();

export function clearFeedCache(): void {
  cache.clear();
  inflight.clear();
}

function message(err: unknown): string {
  return `${awsErrorName(err)}: ${err instanceof Error ? err.message : String(err)}`;
}

function kindOf(key: string): 'ip' | 'domain' | undefined {
  if (key.endsWith('/')) return undefined; // folder placeholder
  if (key.startsWith(FEED_PREFIXES.ip)) return 'ip';
  if (key.startsWith(FEED_PREFIXES.domain)) return 'domain';
  return undefined;
}

/** The S3 SDK, loaded on the first refresh (not at cold start: most invocations read the cache). */
type S3Sdk = typeof S3;

async function listFeeds(s3: S3Sdk, client: S3Client, bucket: string): Promise<_Object[]> {
  const out: _Object[] = [];
  for (const prefix of Object.values(FEED_PREFIXES)) {
    let token: string | undefined;
    do {
      const page = await client.send(new s3.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      out.push(...(page.Contents ?? []).filter((o) => o.Key && kindOf(o.Key)));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
  return out.sort((a, b) => (a.Key! < b.Key! ? -1 : 1));
}

function lineWarnings(key: string, errors: readonly FeedLineError[]): string[] {
  const shown = errors.slice(0, MAX_WARNINGS_PER_FEED).map((e) => `${key}:${e.line}: expected ${e.expected}, found "${e.text.slice(0, 80)}"`);
  if (errors.length > shown.length) shown.push(`${key}: ${errors.length - shown.length} more bad lines`);
  return shown;
}

function build(texts: ReadonlyMap<string, FeedText>): { intel: ThreatIntel; warnings: string[] } {
  const intel = emptyThreatIntel();
  const warnings: string[] = [];
  for (const [key, { text }] of [...texts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const errors = kindOf(key) === 'ip' ? addIpFeed(intel, key, text) : addDomainFeed(intel, key, text);
    warnings.push(...lineWarnings(key, errors));
  }
  return { intel, warnings };
}

async function refresh(s3: S3Sdk, client: S3Client, bucket: string, now: number, maxBytes: number, previous: BucketCache | undefined): Promise<LoadedFeeds> {
  let objects: _Object[];
  try {
    objects = await listFeeds(s3, client, bucket);
  } catch (err) {
    // Without a listing nothing can be compared: keep serving what was
    // loaded, if anything, and say so. With nothing loaded, a throttled or
    // timed-out listing is worth a retry by the caller.
    if (!previous && isTransient(err)) throw err;
    const error = `ListObjectsV2 on ${bucket}: ${message(err)}`;
    if (previous) {
      const result = { ...previous.result, checkedAt: new Date(now).toISOString(), errors: [`${error} (serving feeds loaded at ${previous.result.loadedAt})`] };
      cache.set(bucket, { ...previous, result, checkedAtMs: now });
      return result;
    }
    const result: LoadedFeeds = { intel: emptyThreatIntel(), feeds: [], entries: 0, loadedAt: new Date(now).toISOString(), checkedAt: new Date(now).toISOString(), warnings: [], errors: [error] };
    cache.set(bucket, { result, checkedAtMs: now, texts: new Map() });
    return result;
  }

  const texts = new Map<string, FeedText>();
  const errors: string[] = [];
  let changed = !previous || previous.result.errors.length > 0 || previous.texts.size !== objects.length;
  for (const o of objects) {
    const key = o.Key!;
    const etag = o.ETag ?? '';
    const known = previous?.texts.get(key);
    if (known && etag && known.etag === etag) {
      texts.set(key, known);
      continue;
    }
    changed = true;
    if ((o.Size ?? 0) > maxBytes) {
      errors.push(`${key}: ${o.Size} bytes is more than the ${maxBytes} a feed may have; skipped`);
      continue;
    }
    try {
      const got = await client.send(new s3.GetObjectCommand({ Bucket: bucket, Key: key }));
      const text = got.Body ? await got.Body.transformToString('utf-8') : '';
      texts.set(key, { etag: got.ETag ?? etag, text });
    } catch (err) {
      errors.push(`${key}: ${message(err)}`);
    }
  }

  const at = new Date(now).toISOString();
  if (!changed && previous) {
    const result = { ...previous.result, checkedAt: at };
    cache.set(bucket, { result, checkedAtMs: now, texts });
    return result;
  }
  const { intel, warnings } = build(texts);
  const result: LoadedFeeds = { intel, feeds: intel.feeds, entries: intel.ips.size + intel.domains.size, loadedAt: at, checkedAt: at, warnings, errors };
  cache.set(bucket, { result, checkedAtMs: now, texts });
  return result;
}

/**
 * The bucket's feeds, from memory while they are younger than
 * `refreshMinutes`. Concurrent callers share one refresh.
 */
export async function loadFeeds(bucket: string, options: LoadFeedsOptions = {}): Promise<LoadedFeeds> {
  const now = (options.now ?? Date.now)();
  const refreshMs = (options.refreshMinutes ?? DEFAULT_REFRESH_MINUTES) * 60_000;
  const previous = cache.get(bucket);
  if (previous && now - previous.checkedAtMs < refreshMs) return previous.result;
  const running = inflight.get(bucket);
  if (running) return running;
  // Registered before the first await, so concurrent callers share it.
  const next = (async () => {
    const s3 = await import('@aws-sdk/client-s3');
    return refresh(s3, options.client ?? clientFor(s3.S3Client), bucket, now, options.maxBytes ?? DEFAULT_MAX_BYTES, previous);
  })().finally(() => inflight.delete(bucket));
  inflight.set(bucket, next);
  return next;
}
