import { RELEVANT_EVENT_NAMES, isRelevant } from '../constants';
import { describeError } from '../errors';
import { SkipReason, normalizeRecord, unwrap } from './normalize';
import { mightMatterAt } from './prefilter';
import { RecordSplitter, type RecordPosition } from './splitter';
import type { TrailEvent } from './types';

/**
 * Bytes in, TrailEvents out: frames the stream (splitter), skips what cannot
 * matter without parsing it (prefilter), parses and unwraps the rest, and
 * keeps exact counts of everything it saw. Pure: the caller does the I/O
 * (files, gzip, stdin, S3 objects) and pushes chunks.
 *
 * Invariant, checked by the tests:
 *   records = relevant + notRelevant + sum(ignored) + sum(skipped)
 */

export interface ReadProblem {
  readonly source: string;
  readonly reason: SkipReason;
  readonly message: string;
  /** Record index, line and byte offset; absent for whole-file problems. */
  readonly position?: RecordPosition;
}

export interface ReadStats {
  /** Records seen: framed candidates (expanded when they hold several) plus damaged spans. */
  records: number;
  /** Acquisition-related records handed to the engine. */
  relevant: number;
  /** Records the engine does not read (almost all recognised without parsing). */
  notRelevant: number;
  /** How many candidates were JSON-parsed: what the prefilter saved. */
  parsed: number;
  /** EventBridge events of other detail-types, by detail-type. */
  ignored: Record<string, number>;
  /** Records that were skipped, by reason. */
  skipped: Partial<Record<SkipReason, number>>;
  /** Problems that are not one record (not JSON, truncated stream, unreadable file). */
  streamProblems: number;
}

export function emptyStats(): ReadStats {
  return { records: 0, relevant: 0, notRelevant: 0, parsed: 0, ignored: {}, skipped: {}, streamProblems: 0 };
}

export function mergeStats(into: ReadStats, from: ReadStats): ReadStats {
  into.records += from.records;
  into.relevant += from.relevant;
  into.notRelevant += from.notRelevant;
  into.parsed += from.parsed;
  into.streamProblems += from.streamProblems;
  for (const [k, v] of Object.entries(from.ignored)) into.ignored[k] = (into.ignored[k] ?? 0) + v;
  for (const [k, v] of Object.entries(from.skipped) as [SkipReason, number][]) into.skipped[k] = (into.skipped[k] ?? 0) + v;
  return into;
}

export interface ReaderSink {
  event(event: TrailEvent): void;
  problem(problem: ReadProblem): void;
}

export interface TrailReaderOptions {
  /** eventNames worth parsing (default: every name the engine reads). */
  readonly names?: ReadonlySet<string>;
  readonly maxRecordBytes?: number;
}

export class TrailReader {
  readonly stats: ReadStats = emptyStats();
  private readonly splitter: RecordSplitter;
  private readonly names: ReadonlySet<string>;

  constructor(
    /** How problems and origins name this input ("logs/2024/file.json.gz", "-"). */
    private readonly source: string,
    private readonly sink: ReaderSink,
    options: TrailReaderOptions = {},
  ) {
    this.names = options.names ?? RELEVANT_EVENT_NAMES;
    this.splitter = new RecordSplitter(
      {
        record: (buf, start, end, pos, nameAt, names) => this.candidate(buf, start, end, pos, nameAt, names),
        problem: (reason, message, pos) => {
          this.stats.records++;
          this.skip(reason, message, pos);
        },
        streamProblem: (reason, message, offset, line) => {
          this.stats.streamProblems++;
          this.sink.problem({ source: this.source, reason, message: `${message} (line ${line}, byte ${offset})` });
        },
      },
      options.maxRecordBytes === undefined ? {} : { maxRecordBytes: options.maxRecordBytes },
    );
  }

  push(chunk: Buffer): void {
    this.splitter.push(chunk);
  }

  end(): void {
    this.splitter.end();
  }

  /** A whole-input failure (unreadable file, broken gzip) from the I/O side. */
  fail(reason: SkipReason, message: string): void {
    this.stats.streamProblems++;
    this.sink.problem({ source: this.source, reason, message });
  }

  private skip(reason: SkipReason, message: string, position: RecordPosition): void {
    this.stats.skipped[reason] = (this.stats.skipped[reason] ?? 0) + 1;
    this.sink.problem({ source: this.source, reason, message, position });
  }

  private candidate(buf: Buffer, start: number, end: number, pos: RecordPosition, nameAt: number, nameCount: number): void {
    if (!mightMatterAt(buf, start, end, nameAt, nameCount, this.names)) {
      this.stats.records++;
      this.stats.notRelevant++;
      return;
    }
    this.stats.parsed++;
    let value: unknown;
    try {
      value = JSON.parse(buf.toString('utf8', start, end));
    } catch (err) {
      this.stats.records++;
      this.skip(SkipReason.INVALID_JSON, `invalid JSON: ${describeError(err)}`, pos);
      return;
    }
    const origin = `${this.source}#${pos.index}`;
    for (const item of unwrap(value)) {
      this.stats.records++;
      if (item.kind === 'ignored') {
        this.stats.ignored[item.detailType] = (this.stats.ignored[item.detailType] ?? 0) + 1;
        continue;
      }
      const where = item.path ? `${origin}${item.path}` : origin;
      if (item.kind === 'rejected') {
        this.skip(item.reason, pathNote(item.path, item.message), pos);
        continue;
      }
      const r = item.record;
      if (typeof r.eventName === 'string' && typeof r.eventSource === 'string' && !isRelevant(r.eventSource, r.eventName)) {
        this.stats.notRelevant++;
        continue;
      }
      const n = normalizeRecord(r, where, where);
      if (!n.ok) {
        this.skip(n.reason, pathNote(item.path, n.message), pos);
        continue;
      }
      if (!isRelevant(n.event.eventSource, n.event.eventName)) {
        this.stats.notRelevant++;
        continue;
      }
      this.stats.relevant++;
      this.sink.event(n.event);
    }
  }
}

function pathNote(path: string, message: string): string {
  return path ? `${message} (at ${path.replace(/^\./, '')})` : message;
}
