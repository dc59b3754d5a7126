import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrailParser, TrailReader, TrailScanner, mergeStats, type ReadProblem } from '../../lambdas/core/cloudtrail/reader';
import type { TrailEvent } from '../../lambdas/core/cloudtrail/types';
import { BatchBuilder, inStreamOrder, parseBatch } from '../../lib/hunt/batch';
import { readAll } from '../../lib/hunt/pool';
import type { Source } from '../../lib/hunt/sources';

/**
 * The reader's two stages apart (scan in one place, parse the transferred
 * batch in another) must give exactly what the one-thread reader gives:
 * the same events, the same counts, and problems in the same stream order.
 */

const RECORDS = new URL('../fixtures/forms/records.jsonl', import.meta.url);

/** JSONL with damage for both stages: framing damage (scanner) and bad candidates (parser), interleaved. */
function mixedInput(): Buffer {
  const [launch] = readFileSync(RECORDS, 'utf8').split('\n');
  const record = (i: number): string => launch!.replace('7f1e2d3c-0001', `7f1e2d3c-${String(i).padStart(4, '0')}`);
  const lines = [
    record(1),
    'this is not json', // scanner: not a record
    '{"eventName":"RunInstances","eventSource":"ec2.amazonaws.com", oops}', // parser: invalid JSON
    record(2),
    record(3).replace(/"eventTime":\s*"[^"]+",\s*/, ''), // parser: no time
    '{"eventName":"DescribeInstances","eventSource":"ec2.amazonaws.com"}', // scanner: not relevant, unparsed
    '[1, 2]', // scanner: array elements that are not records
    record(4),
    '{"eventName":"RunInstances","eventSource":"ec2.amazonaws.com","requestParameters":{', // truncated at the end
  ];
  return Buffer.from(lines.join('\n'));
}

function oneThread(input: Buffer) {
  const events: TrailEvent[] = [];
  const problems: ReadProblem[] = [];
  const reader = new TrailReader('mixed.jsonl', { event: (e) => events.push(e), problem: (p) => problems.push(p) });
  reader.push(input);
  reader.end();
  return { events, problems, stats: reader.stats };
}

function twoStages(input: Buffer, chunk: number) {
  const builder = new BatchBuilder();
  const scanner = new TrailScanner('mixed.jsonl', builder);
  for (let i = 0; i < input.length; i += chunk) scanner.push(input.subarray(i, i + chunk));
  scanner.end();
  // Through structured clone with transfer, as between threads.
  const built = builder.build();
  const batch = structuredClone(built, { transfer: [built.bytes.buffer, built.spans.buffer] });
  const events: TrailEvent[] = [];
  const parsed: ReadProblem[] = [];
  const parser = new TrailParser('mixed.jsonl', { event: (e) => events.push(e), problem: (p) => parsed.push(p) });
  parseBatch(batch, parser);
  return { events, problems: inStreamOrder(builder.problems, parsed), stats: mergeStats(scanner.stats, parser.stats) };
}

describe('the reader in two stages', () => {
  it.each([7, 64, 1 << 20])('scanning here and parsing there gives what one reader gives (chunks of %i bytes)', (chunk) => {
    const input = mixedInput();
    const expected = oneThread(input);
    expect(expected.events.map((e) => e.eventId.slice(0, 13))).toEqual(['7f1e2d3c-0001', '7f1e2d3c-0002', '7f1e2d3c-0004']);
    expect(new Set(expected.problems.map((p) => p.reason)).size).toBeGreaterThanOrEqual(3);
    const split = twoStages(input, chunk);
    expect(split.events).toEqual(expected.events);
    expect(split.problems).toEqual(expected.problems);
    expect(split.stats).toEqual(expected.stats);
  });

  it('puts problems of both stages back in stream order', () => {
    const p = (index: number, message: string): ReadProblem => ({ source: 's', reason: 'invalid-json', message, position: { index, line: index, offset: index } });
    const scanned = [
      { problem: p(2, 'scan 2'), order: 2 },
      { problem: { source: 's', reason: 'truncated' as ReadProblem['reason'], message: 'stream' }, order: 5.5 },
      { problem: { source: 's', reason: 'unreadable-file' as ReadProblem['reason'], message: 'gzip' }, order: Infinity },
    ];
    const parsed = [p(1, 'parse 1'), p(4, 'parse 4a'), p(4, 'parse 4b'), p(9, 'parse 9')];
    expect(inStreamOrder(scanned, parsed).map((x) => x.message)).toEqual(['parse 1', 'scan 2', 'parse 4a', 'parse 4b', 'stream', 'parse 9', 'gzip']);
  });

  it('gives the same output whichever thread reads a damaged source', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rif-batch-'));
    const sources: Source[] = Array.from({ length: 8 }, (_, i) => {
      const file = path.join(dir, `mixed-${i}.jsonl`);
      writeFileSync(file, mixedInput());
      return { label: `mixed-${i}.jsonl`, path: file, bytes: mixedInput().length };
    });
    const collect = async (threads: number, readHere = true) => {
      const out: unknown[] = [];
      await readAll(
        sources,
        {
          event: (s) => out.push(['event', s.event.eventId, s.facts.outcome]),
          problem: (p) => out.push(['problem', p]),
          done: (s, r) => out.push(['done', s.label, r.stats, r.bytes]),
        },
        { threads, readHere },
      );
      return out;
    };
    const here = await collect(0);
    expect(here.filter((x) => (x as unknown[])[0] === 'event')).toHaveLength(24);
    // Every source scanned by the reader thread and parsed here; then shared between both.
    expect(await collect(1, false)).toEqual(here);
    expect(await collect(1)).toEqual(here);
  });
});
