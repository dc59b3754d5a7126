import { describe, expect, it } from 'vitest';
import { RecordSplitter } from '../../../lambdas/core/cloudtrail/splitter';

function split(text: string, chunk = 7) {
  const records: string[] = [];
  const problems: string[] = [];
  const s = new RecordSplitter({
    record: (buf, a, b) => records.push(buf.toString('utf8', a, b)),
    problem: (reason, message, pos) => problems.push(`${reason}@${pos.index}:${pos.line}:${pos.offset} ${message}`),
    streamProblem: (reason, message) => problems.push(`stream:${reason} ${message}`),
  });
  const buf = Buffer.from(text);
  for (let i = 0; i < buf.length; i += chunk) s.push(buf.subarray(i, i + chunk));
  s.end();
  return { records, problems };
}

describe('RecordSplitter', () => {
  it('frames an S3 log file', () => {
    const r = split('{"Records":[{"eventVersion":"1.08","a":"}"},{"eventVersion":"1.08","b":[1,{"c":"\\""}]}]}');
    expect(r.records).toEqual(['{"eventVersion":"1.08","a":"}"}', '{"eventVersion":"1.08","b":[1,{"c":"\\""}]}']);
    expect(r.problems).toEqual([]);
  });
});
