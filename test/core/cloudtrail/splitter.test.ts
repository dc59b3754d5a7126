import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordSplitter } from '../../../lambdas/core/cloudtrail/splitter';

interface Split {
  records: string[];
  problems: string[];
  positions: string[];
}

function split(input: string | Buffer, chunk = 7, maxRecordBytes?: number): Split {
  const out: Split = { records: [], problems: [], positions: [] };
  const s = new RecordSplitter(
    {
      record: (buf, a, b, pos) => {
        out.records.push(buf.toString('utf8', a, b));
        out.positions.push(`${pos.index}:${pos.line}:${pos.offset}`);
      },
      problem: (reason, message, pos) => out.problems.push(`${reason}@${pos.index}:${pos.line}:${pos.offset} ${message}`),
      streamProblem: (reason, message, offset, line) => out.problems.push(`stream:${reason}@${line}:${offset} ${message}`),
    },
    maxRecordBytes === undefined ? {} : { maxRecordBytes },
  );
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input);
  for (let i = 0; i < buf.length; i += chunk) s.push(buf.subarray(i, i + chunk));
  s.end();
  return out;
}

const rec = (i: number, extra = ''): string => `{"eventVersion":"1.08","eventID":"e${i}","note":"}{[\\"]"${extra}}`;

describe('RecordSplitter framing', () => {
  it.each([
    ['S3 log file', `{"Records":[${rec(1)},${rec(2)}]}`],
    ['pretty S3 log file', `{\n  "Records" : [\n    ${rec(1)},\n    ${rec(2)}\n  ]\n}\n`],
    ['JSON array', `[${rec(1)}, ${rec(2)}]`],
    ['JSON Lines', `${rec(1)}\n${rec(2)}\n`],
    ['concatenated objects', `${rec(1)}${rec(2)}`],
    ['with a byte order mark', `\ufeff${rec(1)}\n${rec(2)}`],
  ])('frames %s into its records', (_name, text) => {
    for (const chunk of [1, 3, 64, 1 << 20]) {
      const r = split(text, chunk);
      expect(r.records).toEqual([rec(1), rec(2)]);
      expect(r.problems).toEqual([]);
    }
  });

  it('keeps escapes straight when a chunk boundary falls inside a run of backslashes', () => {
    // JSON strings ending in an escaped backslash, an escaped quote, and both.
    const r1 = '{"eventVersion":"1.08","a":"x\\\\","b":"\\"}"}';
    const r2 = '{"eventVersion":"1.08","c":"\\\\\\"}]","d":1}';
    for (const chunk of [1, 2, 3, 5]) {
      const r = split(`{"Records":[${r1},${r2}]}`, chunk);
      expect(r.records).toEqual([r1, r2]);
      expect(r.problems).toEqual([]);
    }
    expect(JSON.parse(r1)).toEqual({ eventVersion: '1.08', a: 'x\\', b: '"}' });
  });

  it('reports 1-based record index, line and byte offset', () => {
    const r = split(`${rec(1)}\n\n${rec(2)}\n`);
    expect(r.positions).toEqual([`1:1:0`, `2:3:${rec(1).length + 2}`]);
  });

  it('keeps framing the Records array after other wrapper keys', () => {
    const r = split(`{"Records":[${rec(1)}],"meta":{"x":[1,2]}}\n${rec(3)}`);
    expect(r.records).toEqual([rec(1), rec(3)]);
    expect(r.problems).toEqual([]);
  });

  it('treats a top-level object whose first key is not Records as one record', () => {
    const r = split(`{"eventName":"RunInstances","Records":"not an array"}`);
    expect(r.records).toHaveLength(1);
  });
});

describe('RecordSplitter damage', () => {
  it('reports a record cut off at the end and keeps the ones before', () => {
    const text = `{"Records":[${rec(1)},${rec(2)},${rec(3)}]}`;
    const r = split(text.slice(0, text.length - 20));
    expect(r.records).toEqual([rec(1), rec(2)]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^truncated@3:1:\d+ record is cut off at the end of the input/);
  });

  it('frames the elements of a compact log file by the next record, leaving structure to JSON.parse', () => {
    // Every element starts with the first element's key: the fast path frames
    // by `,{"eventVersion"` and does not walk the damaged record's brackets.
    const broken = '{"eventVersion":"1.08","eventID":"bad","x":[}';
    const r = split(`{"Records":[${rec(1)},${broken},${rec(2)},${rec(3)}]}`);
    expect(r.records).toEqual([rec(1), broken, rec(2), rec(3)]);
    expect(r.problems).toEqual([]);
  });

  it('resumes after a record whose brackets do not balance, at the next record with the same first key', () => {
    // Pretty-printed: no fast path, brackets are walked and the damage found.
    const broken = '{"eventVersion":"1.08","eventID":"bad","x":[}';
    const r = split(`{"Records":[\n${rec(1)},\n ${broken},\n ${rec(2)},\n ${rec(3)}\n]}`);
    expect(r.records).toEqual([rec(1), rec(2), rec(3)]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^broken-structure@2:3:\d+ brackets do not balance.*skipped \d+ bytes to the next record/);
  });

  it('frames a record with an unescaped quote that still balances as one record (JSON.parse reports it later)', () => {
    const odd = '{"eventVersion":"1.08","eventID":"odd","ua":"he said "hi" {"}';
    const r = split(`{"Records":[${rec(1)},${odd},${rec(2)}]}`, 5);
    expect(r.records).toEqual([rec(1), odd, rec(2)]);
  });

  it('recovers when an unescaped quote swallows the rest of the file', () => {
    const broken = '{"eventVersion":"1.08","eventID":"bad","ua":"x"y"}';
    // Compact: framed by the next record, the damage is left to JSON.parse.
    const compact = split(`{"Records":[${rec(1)},${broken},${rec(2)},${rec(3)}]}`, 5);
    expect(compact.records).toEqual([rec(1), broken, rec(2), rec(3)]);
    // Pretty-printed: the swallowed span is framed as one bogus candidate (JSON.parse
    // rejects it if it matters) and the bracket that no longer balances is reported.
    const pretty = split(`[\n${rec(1)},\n${broken},\n${rec(2)},\n${rec(3)}\n]`, 5);
    expect(pretty.records[0]).toBe(rec(1));
    expect(pretty.records).toContain(rec(3));
    expect(pretty.problems).toEqual([expect.stringMatching(/^broken-structure@\d+:\d+:\d+ brackets do not balance/)]);
  });

  it('reports a bad JSON Lines line and reads the next lines', () => {
    const r = split(`${rec(1)}\nthis is not json\n${rec(2)}\n{"a":[}\n${rec(3)}\n`);
    expect(r.records).toEqual([rec(1), rec(2), rec(3)]);
    expect(r.problems.map((p) => p.split(' ')[0])).toEqual(['invalid-json@2:2:' + (rec(1).length + 1), `broken-structure@4:4:${rec(1).length + rec(2).length + 19}`]);
  });

  it('gives up on input that is not JSON at all with a single stream problem', () => {
    const r = split('# a README\nnot logs\n{"x":1}\n');
    expect(r.records).toEqual([]);
    expect(r.problems).toEqual(["stream:invalid-json@1:0 not JSON or JSON Lines: input starts with '#'"]);
  });

  it('reports records larger than the limit and moves on', () => {
    const big = `{"eventVersion":"1.08","blob":"${'x'.repeat(500)}"}`;
    const r = split(`[${rec(1)},${big},${rec(2)}]`, 16, 200);
    expect(r.records).toEqual([rec(1), rec(2)]);
    expect(r.problems[0]).toMatch(/^too-large@2/);
  });

  it('reports non-object array elements one by one before any record', () => {
    const r = split(`[42, "x", null, ${rec(1)}, ${rec(2)}]`);
    expect(r.records).toEqual([rec(1), rec(2)]);
    expect(r.problems.map((p) => p.split('@')[0])).toEqual(['not-a-record', 'not-a-record', 'not-a-record']);
  });

  it('reports junk between known records once, as the rest of a damaged record', () => {
    const r = split(`[${rec(1)}, 42, "x", null, ${rec(2)}]`);
    expect(r.records).toEqual([rec(1), rec(2)]);
    expect(r.problems).toEqual([expect.stringMatching(/^broken-structure@2:1:\d+ unexpected '4' between records.*skipped \d+ bytes to the next record/)]);
  });

  it('reports a missing closing bracket of the Records array', () => {
    const r = split(`{"Records":[${rec(1)},${rec(2)}`);
    expect(r.records).toEqual([rec(1), rec(2)]);
    expect(r.problems).toEqual([expect.stringMatching(/^stream:truncated@.*missing '\]'/)]);
  });
});

describe('RecordSplitter properties', () => {
  const corpus = `{"Records":[${[1, 2, 3, 4, 5, 6].map((i) => rec(i, `,"n":[${i},{"k":"v\\\\"}]`)).join(',')}]}\n`;

  it('frames the same way whatever the chunk size', () => {
    const whole = split(corpus, corpus.length);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 97 }), (chunk) => {
        expect(split(corpus, chunk)).toEqual(whole);
      }),
    );
  });

  it('never throws on truncated or mutated input, and accounts for every byte range it emits', () => {
    const bytes = Buffer.from(corpus);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: bytes.length }),
        fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.integer({ min: 1, max: 64 }),
        (cut, mutations, chunk) => {
          const b = Buffer.from(bytes.subarray(0, cut));
          for (const [at, value] of mutations) if (at < b.length) b[at] = value;
          const r = split(b, chunk);
          // Every emitted record is a balanced JSON-looking object or array.
          for (const x of r.records) expect(['{', '['].includes(x[0]!)).toBe(true);
          // Chunking never changes the outcome, even for damaged input.
          expect(split(b, b.length || 1)).toEqual(r);
        },
      ),
      { numRuns: 300 },
    );
  });
});
