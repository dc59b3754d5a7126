import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ReadProblem } from '../../lambdas/core/cloudtrail/reader';
import type { TrailEvent } from '../../lambdas/core/cloudtrail/types';
import { readAll } from '../../lib/hunt/pool';
import { readSource } from '../../lib/hunt/read-source';
import { expandSources, type Source } from '../../lib/hunt/sources';

const FORMS = new URL('../fixtures/forms/', import.meta.url).pathname;
const tmp = (): string => mkdtempSync(path.join(tmpdir(), 'rif-read-'));

async function readFile(file: string) {
  const events: TrailEvent[] = [];
  const problems: ReadProblem[] = [];
  const src: Source = { label: path.basename(file), path: file, bytes: 0 };
  const result = await readSource(src, { event: (e) => events.push(e), problem: (p) => problems.push(p) });
  return { events, problems, result };
}

describe('readSource', () => {
  it('detects gzip by its magic bytes, not its name', async () => {
    const dir = tmp();
    const file = path.join(dir, 'no-extension');
    writeFileSync(file, readFileSync(path.join(FORMS, 's3-log-file.json.gz')));
    const { events, result } = await readFile(file);
    expect(result.compressed).toBe(true);
    expect(events.map((e) => e.eventName)).toEqual(['RunInstances', 'AllocateAddress']);
  });

  it('reads concatenated gzip members (as log shippers write them)', async () => {
    const dir = tmp();
    const a = readFileSync(path.join(FORMS, 'records.jsonl'));
    const file = path.join(dir, 'multi.jsonl.gz');
    writeFileSync(file, Buffer.concat([gzipSync(a), gzipSync(a.toString().replaceAll('7f1e2d3c-000', '7f1e2d3c-100'))]));
    const { events, problems } = await readFile(file);
    expect(problems).toEqual([]);
    expect(events).toHaveLength(4);
  });

  it('keeps what a truncated gzip holds before the cut and reports the rest', async () => {
    const dir = tmp();
    const lines = Array.from({ length: 400 }, (_, i) => readFileSync(path.join(FORMS, 'records.jsonl'), 'utf8').split('\n')[0]!.replace('7f1e2d3c-0001', `7f1e2d3c-${String(i).padStart(4, '0')}`));
    const gz = gzipSync(lines.join('\n'));
    const file = path.join(dir, 'cut.jsonl.gz');
    writeFileSync(file, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const { events, problems } = await readFile(file);
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThan(400);
    expect(problems.map((p) => p.reason)).toContain('truncated');
    expect(problems.at(-1)?.message).toMatch(/gzip stream is truncated after \d+ decompressed bytes/);
  });

  it('reports a corrupt gzip without throwing', async () => {
    const dir = tmp();
    const gz = Buffer.from(gzipSync(readFileSync(path.join(FORMS, 'records.jsonl'))));
    gz[gz.length - 6] = gz[gz.length - 6]! ^ 0xff; // break the CRC
    const file = path.join(dir, 'bad-crc.jsonl.gz');
    writeFileSync(file, gz);
    const { problems } = await readFile(file);
    expect(problems.map((p) => p.reason)).toContain('unreadable-file');
  });

  it('reports an unreadable path as a problem, not an exception', async () => {
    const { problems } = await readFile(path.join(tmp(), 'missing.json'));
    expect(problems).toEqual([expect.objectContaining({ reason: 'unreadable-file', message: expect.stringMatching(/ENOENT/) })]);
  });
});

describe('expandSources', () => {
  it('walks directories recursively in a stable order and lists what it did not read', () => {
    const hunt = new URL('../fixtures/hunt', import.meta.url).pathname;
    const { sources, ignored, missing } = expandSources([hunt, path.join(hunt, 'nope.json')]);
    expect(sources.map((s) => path.basename(s.path))).toEqual(['attack.json.gz', 'damaged.json']);
    expect(ignored.map((f) => path.basename(f))).toEqual(['config.yaml', 'ips.txt']);
    expect(missing).toEqual([{ label: path.join(hunt, 'nope.json'), reason: 'no such file or directory' }]);
  });
});

describe('readAll', () => {
  it('gives the same events and problems in the same order with reader threads as without', async () => {
    const { sources } = expandSources([FORMS]);
    const collect = async (threads: number) => {
      const out: string[] = [];
      await readAll(
        sources,
        {
          event: (s) => out.push(`event ${s.event.eventId}`),
          problem: (p) => out.push(`problem ${p.source} ${p.reason}`),
          done: (s, r) => out.push(`done ${s.label} ${r.stats.records}`),
        },
        { threads },
      );
      return out;
    };
    const sequential = await collect(0);
    expect(sequential.length).toBeGreaterThan(20);
    expect(await collect(2)).toEqual(sequential);
  });
});

describe('readAll over many gzip files in one thread', () => {
  it('gives each file its own records (the inflate buffer is reused from file to file)', async () => {
    const dir = tmp();
    const record = JSON.parse(readFileSync(path.join(FORMS, 'records.jsonl'), 'utf8').split('\n')[0]!) as Record<string, unknown>;
    const files = Array.from({ length: 6 }, (_, f) => {
      const file = path.join(dir, `part-${f}.json.gz`);
      // Different sizes, so the buffer grows and shrinks its use between
      // files. Compact S3 log files: the last record is only framed when the
      // file ends, so its bytes must still be the file's then.
      const ids = Array.from({ length: 1 + ((f * 37) % 90) }, (_, i) => `file-${f}-record-${i}`);
      writeFileSync(file, gzipSync(JSON.stringify({ Records: ids.map((eventID) => ({ ...record, eventID })) })));
      return { file, ids };
    });
    const { sources } = expandSources([dir]);
    const byFile = new Map<string, string[]>();
    let current: string[] = [];
    await readAll(
      sources,
      {
        event: (s) => current.push(s.event.eventId),
        problem: (p) => current.push(`problem ${p.reason}`),
        done: (s) => {
          byFile.set(path.basename(s.path), current);
          current = [];
        },
      },
      { threads: 0 },
    );
    for (const { file, ids } of files) expect(byFile.get(path.basename(file))).toEqual(ids);
  });
});
