import { RELEVANT_EVENT_NAMES, isRelevant } from '../constants';
import { describeError } from '../errors';
import { SkipReason, normalizeRecord, unwrap } from './normalize';
import { mightMatterAt } from './prefilter';
import { RecordSplitter, type RecordPosition } from './splitter';
import type { TrailEvent } from './types';

/**
 * Bytes in, TrailEvents out, in two stages: the scanner frames the stream
 * (splitter) and skips what cannot matter without parsing it (prefilter);
 * the parser parses and unwraps the rest. Both keep exact counts of
 * everything they saw. Pure: the caller does the I/O (files, gzip, stdin,
 * S3 objects) and pushes chunks.
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

/** Where the scanner hands the candidates that might matter, and its problems. */
export interface CandidateSink {
  /** A record candidate in buf[start, end); the buffer is only valid during the call. */
  candidate(buf: Buffer, start: number, end: number, pos: RecordPosition): void;
  /**
   * A problem, with `order`: where it falls among the records (the index of
   * the record it is about, or just after the last one framed before it).
   * A stage-two problem of candidate k has order k, so problems from both
   * stages can be put back in stream order.
   */
  problem(problem: ReadProblem, order: number): void;
}

/**
 * Stage one: frames the stream (splitter) and drops, without parsing, the
 * records that cannot matter (prefilter). It counts what it dropped and the
 * framing damage; the few candidates left go to stage two, the parser. The
 * stages can run in different threads: a reader thread scans, and only the
 * candidates' bytes travel (see lib/hunt/pool.ts).
 */
export class TrailScanner {
  readonly stats: ReadStats = emptyStats();
  private readonly splitter: RecordSplitter;
  private readonly names: ReadonlySet<string>;
  /** Index of the last record framed: stream problems are ordered just after it. */
  private lastIndex = 0;

  constructor(
    /** How problems name this input ("logs/2024/file.json.gz", "-"). */
    private readonly source: string,
    private readonly sink: CandidateSink,
    options: TrailReaderOptions = {},
  ) {
    this.names = options.names ?? RELEVANT_EVENT_NAMES;
    this.splitter = new RecordSplitter(
      {
        record: (buf, start, end, pos, nameAt, names) => {
          this.lastIndex = pos.index;
          if (mightMatterAt(buf, start, end, nameAt, names, this.names)) {
            this.sink.candidate(buf, start, end, pos);
            return;
          }
          this.stats.records++;
          this.stats.notRelevant++;
        },
        problem: (reason, message, position) => {
          this.lastIndex = position.index;
          this.stats.records++;
          this.stats.skipped[reason] = (this.stats.skipped[reason] ?? 0) + 1;
          this.sink.problem({ source: this.source, reason, message, position }, position.index);
        },
        streamProblem: (reason, message, offset, line) => {
          this.stats.streamProblems++;
          this.sink.problem({ source: this.source, reason, message: `${message} (line ${line}, byte ${offset})` }, this.lastIndex + 0.5);
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

  /** A whole-input failure (unreadable file, broken gzip) from the I/O side: after everything else. */
  fail(reason: SkipReason, message: string): void {
    this.stats.streamProblems++;
    this.sink.problem({ source: this.source, reason, message }, Infinity);
  }
}

/**
 * Stage two: parses a candidate, unwraps it (EventBridge envelopes, arrays)
 * and normalizes what the engine reads. Every record it is given is counted
 * here, under exactly one of relevant, not relevant, ignored or skipped.
 */
export class TrailParser {
  readonly stats: ReadStats = emptyStats();

  constructor(
    private readonly source: string,
    private readonly sink: ReaderSink,
  ) {}

  parse(buf: Buffer, start: number, end: number, pos: RecordPosition): void {
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

  private skip(reason: SkipReason, message: string, position: RecordPosition): void {
    this.stats.skipped[reason] = (this.stats.skipped[reason] ?? 0) + 1;
    this.sink.problem({ source: this.source, reason, message, position });
  }
}

/** Both stages in one thread: bytes in, TrailEvents out, problems in stream order. */
export class TrailReader {
  private readonly scanner: TrailScanner;
  private readonly parser: TrailParser;

  constructor(source: string, sink: ReaderSink, options: TrailReaderOptions = {}) {
    this.parser = new TrailParser(source, sink);
    this.scanner = new TrailScanner(source, { candidate: (buf, start, end, pos) => this.parser.parse(buf, start, end, pos), problem: (p) => sink.problem(p) }, options);
  }

  /** The counts of both stages. */
  get stats(): ReadStats {
    return mergeStats(mergeStats(emptyStats(), this.scanner.stats), this.parser.stats);
  }

  push(chunk: Buffer): void {
    this.scanner.push(chunk);
  }

  end(): void {
    this.scanner.end();
  }

  fail(reason: SkipReason, message: string): void {
    this.scanner.fail(reason, message);
  }
}

function pathNote(path: string, message: string): string {
  return path ? `${message} (at ${path.replace(/^\./, '')})` : message;
}
