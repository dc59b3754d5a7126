import { CreateBucketCommand, PutObjectCommand, S3Client, type GetObjectCommandInput } from '@aws-sdk/client-s3';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clearFeedCache, loadFeeds } from '../../lambdas/adapters/feeds';
import { unique } from '../support/aws';

const s3 = new S3Client({ region: 'us-east-1' });

/** A client that records which objects it downloads. */
function countingClient(): { client: S3Client; gets: string[]; lists: number[] } {
  const client = new S3Client({ region: 'us-east-1' });
  const gets: string[] = [];
  const lists: number[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'GetObjectCommand') gets.push((args.input as GetObjectCommandInput).Key!);
      if (context.commandName === 'ListObjectsV2Command') lists.push(1);
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return { client, gets, lists };
}

async function bucketWith(objects: Record<string, string | { body: string; storageClass: 'GLACIER' }>): Promise<string> {
  const bucket = unique('feeds');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const [key, value] of Object.entries(objects)) {
    const { body, storageClass } = typeof value === 'string' ? { body: value, storageClass: undefined } : value;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, StorageClass: storageClass }));
  }
  return bucket;
}

const IP_FEED = ['198.51.100.7', '203.0.113.0/24  # a C2 range', '', 'not-an-ip', '2001:db8:bad::/48'].join('\n');
const DOMAIN_FEED = ['evil.example', '0.0.0.0 c2.bad.example', 'bad domain!'].join('\r\n');

let bucket: string;

beforeAll(async () => {
  bucket = await bucketWith({
    'ip/abuse.txt': IP_FEED,
    'domain/phish.txt': DOMAIN_FEED,
    // Archived: S3 refuses to read it until it is restored.
    'ip/cold.txt': { body: '192.0.2.200\n', storageClass: 'GLACIER' },
    'notes/readme.txt': '10.0.0.0/8\n',
  });
});

beforeEach(() => clearFeedCache());

describe('loadFeeds', () => {
  it('loads ip/ and domain/ feeds, reports bad lines with file:line and the unreadable feed', async () => {
    const got = await loadFeeds(bucket, { now: () => Date.parse('2025-05-15T00:00:00Z') });
    expect(got.feeds).toEqual(['domain/phish.txt', 'ip/abuse.txt']);
    expect(got.entries).toBe(5);
    expect(got.loadedAt).toBe('2025-05-15T00:00:00.000Z');
    expect(got.intel.ips.match('198.51.100.7')).toEqual({ text: '198.51.100.7', feed: 'ip/abuse.txt', line: 1 });
    expect(got.intel.ips.match('203.0.113.99')?.line).toBe(2);
    expect(got.intel.ips.match('2001:db8:bad:1::5')?.feed).toBe('ip/abuse.txt');
    expect(got.intel.ips.match('198.51.100.8')).toBeUndefined();
    expect(got.intel.domains.match('www.evil.example')?.feed).toBe('domain/phish.txt');
    expect(got.intel.domains.match('c2.bad.example')?.line).toBe(2);
    // Outside ip/ and domain/: not a feed.
    expect(got.intel.ips.match('10.1.2.3')).toBeUndefined();
    // The archived feed did not load, and said why.
    expect(got.intel.ips.match('192.0.2.200')).toBeUndefined();
    expect(got.warnings).toEqual([
      'domain/phish.txt:3: expected a domain name such as evil.example, found "bad domain!"',
      'ip/abuse.txt:4: expected an IPv4 or IPv6 address or CIDR block, found "not-an-ip"',
    ]);
    expect(got.errors).toEqual([expect.stringMatching(/^ip\/cold\.txt: InvalidObjectState: /)]);
  });

  it('serves the cached intel until refreshMinutes, then reloads only what changed', async () => {
    const { client, gets, lists } = countingClient();
    let now = Date.parse('2025-05-15T00:00:00Z');
    const options = { client, refreshMinutes: 10, now: () => now };
    const first = await loadFeeds(bucket, options);
    expect(gets.sort()).toEqual(['domain/phish.txt', 'ip/abuse.txt', 'ip/cold.txt']);

    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'ip/abuse.txt', Body: `${IP_FEED}\n192.0.2.1\n` }));
    gets.length = 0;
    now += 9 * 60_000;
    const cached = await loadFeeds(bucket, options);
    expect(cached).toBe(first);
    expect(cached.intel.ips.match('192.0.2.1')).toBeUndefined();
    expect(gets).toEqual([]);
    expect(lists).toHaveLength(2); // ip/ and domain/ listed once, by the first load

    now += 2 * 60_000;
    const reloaded = await loadFeeds(bucket, options);
    expect(reloaded.intel.ips.match('192.0.2.1')).toEqual({ text: '192.0.2.1', feed: 'ip/abuse.txt', line: 6 });
    expect(reloaded.loadedAt).toBe('2025-05-15T00:11:00.000Z');
    // The domain feed's ETag did not change: not downloaded again. The
    // unreadable one is tried again.
    expect(gets.sort()).toEqual(['ip/abuse.txt', 'ip/cold.txt']);
    expect(reloaded.intel.domains.match('evil.example')).toBeDefined();
  });

  it('keeps the same intel when nothing changed in the bucket', async () => {
    const clean = await bucketWith({ 'ip/a.txt': '192.0.2.7\n', 'domain/b.txt': 'phish.example\n' });
    const { client, gets } = countingClient();
    let now = Date.parse('2025-05-15T00:00:00Z');
    const first = await loadFeeds(clean, { client, refreshMinutes: 1, now: () => now });
    gets.length = 0;
    now += 5 * 60_000;
    const again = await loadFeeds(clean, { client, refreshMinutes: 1, now: () => now });
    expect(again.intel).toBe(first.intel);
    expect(again.loadedAt).toBe(first.loadedAt);
    expect(again.checkedAt).toBe('2025-05-15T00:05:00.000Z');
    expect(gets).toEqual([]);
    expect(again.errors).toEqual([]);
  });

  it('keeps serving what it loaded when a later listing is refused', async () => {
    const clean = await bucketWith({ 'ip/a.txt': '192.0.2.9\n' });
    let now = Date.parse('2025-05-15T00:00:00Z');
    const first = await loadFeeds(clean, { refreshMinutes: 1, now: () => now });
    const refusing = new S3Client({ region: 'us-east-1' });
    refusing.middlewareStack.add(
      () => () => Promise.reject(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' })),
      { step: 'initialize', name: 'refuse' },
    );
    now += 5 * 60_000;
    const stale = await loadFeeds(clean, { client: refusing, refreshMinutes: 1, now: () => now });
    expect(stale.intel).toBe(first.intel);
    expect(stale.intel.ips.match('192.0.2.9')).toBeDefined();
    expect(stale.errors).toEqual([`ListObjectsV2 on ${clean}: AccessDenied: Access Denied (serving feeds loaded at 2025-05-15T00:00:00.000Z)`]);
  });

  it('reports a bucket it cannot list instead of failing', async () => {
    const got = await loadFeeds(unique('no-such-bucket'));
    expect(got.entries).toBe(0);
    expect(got.feeds).toEqual([]);
    expect(got.errors).toEqual([expect.stringMatching(/^ListObjectsV2 on no-such-bucket-\w+: NoSuchBucket: /)]);
  });
});
