import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TrailReader, type ReadProblem, type ReadStats } from '../../../lambdas/core/cloudtrail/reader';
import type { TrailEvent } from '../../../lambdas/core/cloudtrail/types';

const FORMS = new URL('../../fixtures/forms/', import.meta.url);

function read(input: Buffer, chunk = 4096) {
  const events: TrailEvent[] = [];
  const problems: ReadProblem[] = [];
  const reader = new TrailReader('input', { event: (e) => events.push(e), problem: (p) => problems.push(p) });
  for (let i = 0; i < input.length; i += chunk) reader.push(input.subarray(i, i + chunk));
  reader.end();
  return { events, problems, stats: reader.stats };
}

function fixture(name: string): Buffer {
  const raw = readFileSync(new URL(name, FORMS));
  return name.endsWith('.gz') ? gunzipSync(raw) : raw;
}

function accounted(s: ReadStats): number {
  return s.relevant + s.notRelevant + Object.values(s.ignored).reduce((a, b) => a + b, 0) + Object.values(s.skipped).reduce((a, b) => a + (b ?? 0), 0);
}

describe('TrailReader: every form CloudTrail comes in', () => {
  // name, records read, acquisition-related events, not relevant, ignored, skipped
  it.each([
    ['s3-log-file.json', 3, ['RunInstances', 'AllocateAddress'], 1, 0, {}],
    ['s3-log-file.json.gz', 3, ['RunInstances', 'AllocateAddress'], 1, 0, {}],
    ['pretty-s3-log-file.json', 3, ['RunInstances', 'AllocateAddress'], 1, 0, {}],
    ['array.json', 3, ['RunInstances', 'AllocateAddress'], 1, 0, {}],
    ['single-record.json', 1, ['RunInstances'], 0, 0, {}],
    ['records.jsonl', 3, ['RunInstances', 'AllocateAddress'], 1, 0, {}],
    ['eventbridge.json', 1, ['RunInstances'], 0, 0, {}],
    ['eventbridge-array.json', 3, ['RunInstances', 'AllocateAddress'], 1, 0, {}],
    ['eventbridge.jsonl', 4, ['RunInstances', 'AllocateAddress'], 1, 1, {}],
    ['logstash-timestamp.jsonl', 1, ['RunInstances'], 0, 0, {}],
    ['wrapped-non-iso-time.jsonl', 1, ['RunInstances'], 0, 0, {}],
    ['insight-and-service-events.json', 2, [], 0, 0, { 'insight-event': 1, 'no-event-name': 1 }],
    ['cloudwatch-logs-subscription.json', 2, ['RunInstances'], 1, 0, {}],
  ] as const)('%s', (name, records, names, notRelevant, ignored, skipped) => {
    const { events, stats } = read(fixture(name));
    expect(events.map((e) => e.eventName)).toEqual(names);
    expect(stats.records).toBe(records);
    expect(stats.notRelevant).toBe(notRelevant);
    expect(Object.values(stats.ignored).reduce((a, b) => a + b, 0)).toBe(ignored);
    expect(stats.skipped).toEqual(skipped);
    expect(accounted(stats)).toBe(stats.records);
  });

  it('normalizes the record the same way whatever it came wrapped in', () => {
    const bare = read(fixture('single-record.json')).events[0]!;
    for (const name of ['eventbridge.json', 'records.jsonl', 'logstash-timestamp.jsonl', 'wrapped-non-iso-time.jsonl', 'cloudwatch-logs-subscription.json']) {
      const e = read(fixture(name)).events[0]!;
      expect({ ...e, origin: undefined }).toEqual({ ...bare, origin: undefined });
    }
    expect(bare).toMatchObject({
      eventId: '7f1e2d3c-0001-4a5b-8c9d-0e1f2a3b4c5d',
      eventTime: '2025-03-04T10:00:00.000Z',
      accountId: '444455556666',
      region: 'eu-west-1',
      actor: { arn: 'arn:aws:sts::444455556666:assumed-role/ci-deployer/build-42', type: 'AssumedRole', issuerArn: 'arn:aws:iam::444455556666:role/ci-deployer' },
    });
  });

  it('counts EventBridge events of other detail-types by type, without reading them as records', () => {
    const { stats } = read(fixture('eventbridge.jsonl'));
    expect(stats.ignored).toEqual({ 'EC2 Instance State-change Notification': 1 });
  });

  it('does not JSON.parse records that cannot matter', () => {
    const { stats } = read(fixture('s3-log-file.json'));
    // The whole file is one candidate per record; the GetObject is never parsed.
    expect(stats.parsed).toBe(2);
  });

  it('puts Panther lower-cased keys back', () => {
    const line = JSON.stringify({
      awsregion: 'us-east-1', eventid: 'abc-123', eventname: 'RunInstances', eventsource: 'ec2.amazonaws.com',
      eventtime: '2022-07-17 04:50:23', eventtype: 'AwsApiCall', useridentity: { arn: 'arn:aws:iam::123456789012:user/x', type: 'IAMUser' },
      recipientaccountid: '123456789012', requestParameters: { instanceType: 't3.nano' },
    });
    const { events } = read(Buffer.from(line));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ eventName: 'RunInstances', region: 'us-east-1', accountId: '123456789012', eventTime: '2022-07-17T04:50:23.000Z' });
  });
});

describe('TrailReader: bad input is reported with where and why, and the rest is read', () => {
  it('reports invalid JSON in a relevant record with its position', () => {
    const good = readFileSync(new URL('records.jsonl', FORMS), 'utf8').split('\n')[0]!;
    const bad = good.replace('"instanceType": "t3.medium"', '"instanceType": t3.medium');
    const { events, problems, stats } = read(Buffer.from(`${good}\n${bad}\n${good.replace('7f1e2d3c-0001', '7f1e2d3c-0009')}\n`));
    expect(events).toHaveLength(2);
    expect(problems).toEqual([
      expect.objectContaining({ source: 'input', reason: 'invalid-json', position: { index: 2, line: 2, offset: good.length + 1 }, message: expect.stringMatching(/^invalid JSON: /) }),
    ]);
    expect(stats.skipped).toEqual({ 'invalid-json': 1 });
  });

  it('reports a damaged relevant record inside a compact log file and reads its neighbours', () => {
    const [run, noise, alloc] = (JSON.parse(fixture('s3-log-file.json').toString()) as { Records: unknown[] }).Records.map((r) => JSON.stringify(r));
    // The middle record (AllocateAddress) loses a quote and gains a brace.
    const bad = alloc!.replace('"requestParameters":{"domain":"vpc"}', '"requestParameters":{"domain":vpc}}');
    const damaged = `{"Records":[${run},${bad},${noise}]}`;
    const { events, problems, stats } = read(Buffer.from(damaged), 64);
    expect(events.map((e) => e.eventName)).toEqual(['RunInstances']);
    expect(problems).toEqual([expect.objectContaining({ reason: 'invalid-json', position: { index: 2, line: 1, offset: run!.length + 13 } })]);
    expect(stats).toMatchObject({ records: 3, relevant: 1, notRelevant: 1, skipped: { 'invalid-json': 1 } });
  });

  it.each([
    ['no time at all', { eventTime: undefined }, 'no-event-time', /neither eventTime nor @timestamp/],
    ['a time that is not ISO', { eventTime: 'yesterday' }, 'bad-event-time', /"yesterday" is not an ISO 8601 time/],
    ['an impossible date', { eventTime: '2024-02-31T00:00:00Z' }, 'bad-event-time', /is not an ISO 8601 time/],
    ['no eventSource', { eventSource: undefined }, 'not-a-record', /no eventSource/],
  ])('reports a relevant record with %s', (_name, patch, reason, message) => {
    const base = JSON.parse(readFileSync(new URL('single-record.json', FORMS), 'utf8')) as Record<string, unknown>;
    const { events, problems } = read(Buffer.from(JSON.stringify({ ...base, ...patch })));
    expect(events).toEqual([]);
    expect(problems).toEqual([expect.objectContaining({ reason, message: expect.stringMatching(message) })]);
  });

  it('reports a line that is JSON but not a record', () => {
    const { problems } = read(Buffer.from('{"hello":"world","n":1}\n'));
    expect(problems[0]).toMatchObject({ reason: 'not-a-record', message: expect.stringContaining('found keys {hello, n}') });
  });

  it('reports the rest of a damaged last record once, not token by token', () => {
    const text = fixture('s3-log-file.json').toString();
    const damaged = text.replace('"requestParameters":{"domain":"vpc"}', '"requestParameters":{"domain":vpc}}');
    const { events, problems } = read(Buffer.from(damaged), 64);
    expect(events.map((e) => e.eventName)).toEqual(['RunInstances']);
    expect(problems.map((p) => p.reason)).toEqual(['invalid-json', 'broken-structure']);
  });

  it('never throws and accounts for every record, whatever the damage (property)', () => {
    const input = fixture('s3-log-file.json');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: input.length }),
        fc.array(fc.tuple(fc.nat(input.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.integer({ min: 1, max: 300 }),
        (cut, mutations, chunk) => {
          const b = Buffer.from(input.subarray(0, cut));
          for (const [at, v] of mutations) if (at < b.length) b[at] = v;
          const { stats, events } = read(b, chunk);
          expect(accounted(stats)).toBe(stats.records);
          expect(stats.relevant).toBe(events.length);
        },
      ),
      { numRuns: 400 },
    );
  });
});
