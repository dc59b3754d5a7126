import type { CandidateSink, ReadProblem, TrailParser } from '../../lambdas/core/cloudtrail/reader';

/**
 * The candidates a reader thread found in one source, packed to travel to
 * the thread that parses them. A scan keeps a few percent of the records;
 * their bytes go back to back in one buffer that is transferred, not
 * copied, and one number array says where each ends and where it was.
 */
export interface CandidateBatch {
  /** The candidates' bytes, back to back. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Four numbers per candidate: its end in `bytes`, its record index, line and byte offset in the stream. */
  readonly spans: Float64Array<ArrayBuffer>;
}

/** A problem with its place among the records (see CandidateSink.problem). */
export interface OrderedProblem {
  readonly problem: ReadProblem;
  readonly order: number;
}

const FIELDS = 4;

/** Collects a scan's candidates (copied: the scanner's buffer is only valid during the call) and problems. */
export class BatchBuilder implements CandidateSink {
  readonly problems: OrderedProblem[] = [];
  /** allocUnsafeSlow: an ArrayBuffer of its own (not the shared pool's), so it can be transferred. */
  private bytes = Buffer.allocUnsafeSlow(64 * 1024);
  private used = 0;
  private spans: number[] = [];

  candidate(buf: Buffer, start: number, end: number, pos: { index: number; line: number; offset: number }): void {
    const need = this.used + (end - start);
    if (need > this.bytes.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(need, this.bytes.length * 2));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    buf.copy(this.bytes, this.used, start, end);
    this.used = need;
    this.spans.push(need, pos.index, pos.line, pos.offset);
  }

  problem(problem: ReadProblem, order: number): void {
    this.problems.push({ problem, order });
  }

  build(): CandidateBatch {
    return { bytes: new Uint8Array(this.bytes.buffer, this.bytes.byteOffset, this.used), spans: Float64Array.from(this.spans) };
  }
}

/** Feeds a batch to the parser, in the order the candidates were found. */
export function parseBatch(batch: CandidateBatch, parser: TrailParser): void {
  const buf = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
  const { spans } = batch;
  let start = 0;
  for (let i = 0; i < spans.length; i += FIELDS) {
    const end = spans[i]!;
    parser.parse(buf, start, end, { index: spans[i + 1]!, line: spans[i + 2]!, offset: spans[i + 3]! });
    start = end;
  }
}

/**
 * Problems of both stages back in stream order: the scanner's carry their
 * order, the parser's are about the candidate at their record index. The
 * sort is stable, so problems of one record keep their order.
 */
export function inStreamOrder(scanned: readonly OrderedProblem[], parsed: readonly ReadProblem[]): ReadProblem[] {
  if (parsed.length === 0) return scanned.map((p) => p.problem);
  const all = [...scanned, ...parsed.map((problem) => ({ problem, order: problem.position?.index ?? Infinity }))];
  return all.sort((a, b) => a.order - b.order).map((p) => p.problem);
}
