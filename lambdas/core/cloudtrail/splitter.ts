import { SkipReason } from './normalize';

/**
 * Frames a byte stream of CloudTrail JSON into record candidates without
 * parsing it.
 *
 * It understands every container CloudTrail arrives in: an S3 log file
 * (`{"Records":[...]}`, records are the array's elements), a JSON array, a
 * single object, and JSON Lines / concatenated objects. It only tracks
 * strings and bracket depth, which is several times cheaper than JSON.parse,
 * so the reader can then decide from a few bytes (see prefilter.ts) whether
 * a record can matter before paying for a parse.
 *
 * Damage is reported, never thrown, and framing recovers:
 * - a record cut off by the end of input is reported as truncated;
 * - a record whose brackets do not balance (or that grows past
 *   `maxRecordBytes`) is reported, and framing resumes at the next element
 *   that starts like the first element of the same array did (CloudTrail
 *   records all start `{"eventVersion"`), or at the next line for JSONL;
 * - text that is not JSON between records is reported line by line.
 *
 * The caller feeds chunks of any size (`push`) and then `end()`. Positions
 * are absolute byte offsets in the (decompressed) stream, 1-based line
 * numbers, and 1-based record indexes within the stream.
 */

export interface RecordPosition {
  /** 1-based index of the record (or damaged span) in the stream. */
  readonly index: number;
  /** 1-based line of its first byte. */
  readonly line: number;
  /** Byte offset of its first byte. */
  readonly offset: number;
}

export interface SplitSink {
  /**
   * A complete candidate in buf[start, end). The buffer is only valid during
   * the call. `nameAt` is the index of the opening quote of the first
   * `"eventName"` string seen while framing (-1 if none) and `names` how many
   * there were: the prefilter reads the name without searching for it.
   * `names` is FIRST_NAME_ONLY when the candidate was framed without reading it.
   */
  record(buf: Buffer, start: number, end: number, pos: RecordPosition, nameAt: number, names: number): void;
  /** A damaged record (it counts as a record read and skipped). */
  problem(reason: SkipReason, message: string, pos: RecordPosition): void;
  /** Damage to the stream that is not one record (not JSON at all, missing ']'). */
  streamProblem(reason: SkipReason, message: string, offset: number, line: number): void;
}

export interface SplitterOptions {
  /** Larger candidates are reported as damaged (default 16 MiB). */
  readonly maxRecordBytes?: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const NEWLINE = 0x0a;
const MAX_DEPTH = 512;
const RECORDS_KEY = Buffer.from('"Records"');
const EMPTY = Buffer.alloc(0);
/** Bytes kept between chunks while looking for a signature (key plus blanks before it). */
const SIGNATURE_OVERLAP = 160;

const enum State {
  /** Between top-level values. */
  Top,
  /** Inside a top-level array: elements are records. */
  Array,
  /** Inside `{"Records":[`: elements are records. */
  Records,
  /** After the Records array: skip the rest of the wrapper object. */
  WrapperTail,
  /** Inside a record candidate. */
  Value,
  /** Damaged input: skip to the next line, then Top. */
  SkipLine,
  /** Damaged input inside an array: look for the array's record signature. */
  SeekSignature,
  /** The stream is not JSON at all: ignore the rest. */
  Dead,
}

const enum Scan {
  Done,
  NeedMore,
  Broken,
}

const enum Fast {
  /** The element was framed and handed on. */
  Framed,
  /** Cannot tell yet: wait for more input. */
  Wait,
  /** Frame this element by its brackets. */
  Scan,
}

/** Elements longer than this are framed by their brackets. */
const FAST_SPAN = 1024 * 1024;

/**
 * `names` for a record framed by the fast path: not counted, and the first
 * `"eventName"` key is the record's own (CloudTrail writes it before
 * requestParameters; userIdentity has none), so only that one is read.
 */
export const FIRST_NAME_ONLY = -2;

function isSpace(c: number): boolean {
  return c === 0x20 || c === NEWLINE || c === 0x0d || c === 0x09;
}

function printable(c: number | undefined): string {
  if (c === undefined) return 'end of input';
  if (c >= 0x20 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  return `byte 0x${c.toString(16).padStart(2, '0')}`;
}

export class RecordSplitter {
  private buf: Buffer = EMPTY;
  /** Absolute offset of buf[0]. */
  private base = 0;
  private pos = 0;
  private line = 1;
  private index = 0;
  private state = State.Top;
  /** Where to go after a Value or a resync: Top, Array or Records. */
  private container = State.Top;
  private sawValue = false;
  private ended = false;

  // Candidate being framed (Value state) or the damaged span being skipped.
  private valueStart = -1;
  private valueLine = 1;
  private depth = 0;
  private inString = false;
  /** The chunk ended inside a string on an odd run of backslashes: the next byte is escaped. */
  private pendingEscape = false;
  /**
   * The first part of a candidate that began in an earlier chunk; then
   * valueStart is negative: the candidate is carry + buf[0, end).
   */
  private carry: Buffer | undefined;
  /** First `"eventName"` string of the candidate, relative to valueStart (-1: none yet). */
  private nameRel = -1;
  private names = 0;
  private readonly stack = new Uint8Array(MAX_DEPTH);

  /** The quoted first key of the first element of the current array (`"eventVersion"`). */
  private signature: Buffer | undefined;
  /** `{` + signature: how an element starts in a compact file. */
  private head: Buffer | undefined;
  /** `},{` + signature + `:`: where one compact element ends and the next starts. */
  private separator: Buffer | undefined;
  private readonly maxRecordBytes: number;

  constructor(
    private readonly sink: SplitSink,
    options: SplitterOptions = {},
  ) {
    this.maxRecordBytes = options.maxRecordBytes ?? 16 * 1024 * 1024;
  }

  push(chunk: Buffer): void {
    if (this.ended) throw new Error('push after end');
    if (chunk.length === 0 || this.state === State.Dead) return;
    if (this.state === State.Value) {
      // A record straddles the boundary (almost every chunk): set its first
      // part aside and scan the new chunk in place, rather than copying the
      // whole chunk onto the tail. The record is joined when it completes.
      const part = this.buf.subarray(this.carry ? 0 : this.valueStart);
      this.carry = this.carry ? Buffer.concat([this.carry, part]) : Buffer.from(part);
      this.base += this.buf.length;
      this.buf = chunk;
      this.pos = 0;
      this.valueStart = -this.carry.length;
      this.run(false);
      return;
    }
    const keep = this.keepFrom();
    if (keep >= this.buf.length) {
      this.base += this.buf.length;
      this.buf = chunk;
      this.shift(keep);
    } else {
      // Join the unread tail and the chunk in a reused buffer: no fresh
      // allocation per chunk (Buffer.copy is safe when the ranges overlap).
      const tail = this.buf.length - keep;
      const need = tail + chunk.length;
      if (this.arena.length < need) {
        const grown = Buffer.allocUnsafe(Math.max(need, this.arena.length * 2, 64 * 1024));
        this.buf.copy(grown, 0, keep);
        this.arena = grown;
      } else {
        this.buf.copy(this.arena, 0, keep);
      }
      chunk.copy(this.arena, tail);
      this.base += keep;
      this.buf = this.arena.subarray(0, need);
      this.shift(keep);
    }
    this.run(false);
  }

  /** Reused for joining a tail onto the next chunk. */
  private arena: Buffer = EMPTY;

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.run(true);
    this.buf = EMPTY;
  }

  /** Bytes before this index are no longer needed. */
  private keepFrom(): number {
    if (this.state === State.Value) return this.valueStart;
    if (this.state === State.SeekSignature) return Math.min(this.pos, this.lineMark);
    return this.pos;
  }

  private shift(by: number): void {
    this.pos -= by;
    if (this.valueStart >= 0) this.valueStart -= by;
    this.lineMark = Math.max(0, this.lineMark - by);
  }

  private report(reason: SkipReason, message: string, start: number, line = this.line): void {
    this.index++;
    this.sink.problem(reason, message, { index: this.index, line, offset: this.base + start });
  }

  private run(final: boolean): void {
    for (;;) {
      // Re-read each turn: damage recovery may join the carried bytes back on.
      const buf = this.buf;
      const n = buf.length;
      switch (this.state) {
        case State.Dead:
          this.pos = n;
          return;
        case State.Top:
        case State.Array:
        case State.Records: {
          let j = this.pos;
          while (j < n) {
            const c = buf[j]!;
            if (c === NEWLINE) this.line++;
            else if (!(isSpace(c) || c === COMMA)) break;
            j++;
          }
          this.pos = j;
          if (j >= n) {
            if (final && this.state !== State.Top && !this.cutOff) {
              this.sink.streamProblem(SkipReason.TRUNCATED, `input ends inside ${this.state === State.Records ? 'the Records array' : 'a JSON array'} (missing ']')`, this.base + j, this.line);
            }
            return;
          }
          const c = buf[j]!;
          if (this.state === State.Top && j === 0 && this.base === 0 && c === 0xef) {
            // A UTF-8 byte order mark (wait for all three bytes).
            if (n < 3 && !final) return;
            if (buf[1] === 0xbb && buf[2] === 0xbf) {
              this.pos = 3;
              continue;
            }
          }
          if (c === LBRACE || c === LBRACKET) {
            if (this.state === State.Top && c === LBRACKET) {
              this.state = State.Array;
              this.container = State.Array;
              this.signature = undefined;
              this.sawValue = true;
              this.pos = j + 1;
              continue;
            }
            if (this.state === State.Top && c === LBRACE) {
              const wrapper = this.matchRecordsKey(j, final);
              if (wrapper === undefined) return; // need more bytes to decide
              if (wrapper > 0) {
                this.state = State.Records;
                this.container = State.Records;
                this.signature = undefined;
                this.sawValue = true;
                this.pos = wrapper;
                continue;
              }
            }
            if (this.state !== State.Top && this.signature && c === LBRACE) {
              const fast = this.fastElement(j, final);
              if (fast === Fast.Framed) continue;
              if (fast === Fast.Wait) return;
            }
            this.beginValue(j);
            continue;
          }
          if (c === RBRACKET && this.state !== State.Top) {
            this.pos = j + 1;
            if (this.state === State.Records) {
              this.state = State.WrapperTail;
              this.depth = 1;
              this.stack[0] = LBRACE;
              this.inString = false;
            } else {
              this.state = State.Top;
              this.container = State.Top;
            }
            continue;
          }
          // Something that cannot start a record.
          if (!this.sawValue && this.state === State.Top) {
            this.sink.streamProblem(SkipReason.INVALID_JSON, `not JSON or JSON Lines: input starts with ${printable(c)}`, this.base + j, this.line);
            this.state = State.Dead;
            continue;
          }
          if (this.state === State.Top) {
            this.report(SkipReason.INVALID_JSON, `expected '{' or '[' at the start of a record, found ${printable(c)}`, j);
            this.state = State.SkipLine;
            this.pos = j;
            continue;
          }
          // In a log file whose records we know, anything else between records
          // is the rest of a damaged one: skip to the next record, one report.
          if (this.signature) {
            this.pendingDamage = {
              reason: SkipReason.BROKEN_STRUCTURE,
              message: `unexpected ${printable(c)} between records (the rest of a damaged record?)`,
              line: this.line,
              offset: this.base + j,
            };
            this.state = State.SeekSignature;
            this.valueStart = -1;
            this.pos = j + 1;
            this.lineMark = j;
            continue;
          }
          // A scalar element in an array.
          const end = this.skipScalar(j);
          if (end === undefined) {
            if (!final) return;
            this.report(SkipReason.TRUNCATED, 'input ends inside an array element', j);
            this.pos = n;
            return;
          }
          this.report(SkipReason.NOT_A_RECORD, `array element is ${printable(c)}..., not a JSON object`, j);
          this.pos = end;
          continue;
        }
        case State.Value: {
          const r = this.scanValue();
          if (r === Scan.Done) {
            this.emit(this.valueStart, this.pos);
            continue;
          }
          if (r === Scan.NeedMore) {
            if (this.pos - this.valueStart > this.maxRecordBytes) {
              this.broken(SkipReason.TOO_LARGE, `record is larger than ${this.maxRecordBytes} bytes`, final);
              continue;
            }
            if (!final) return;
            this.broken(SkipReason.TRUNCATED, 'record is cut off at the end of the input', final);
            continue;
          }
          this.broken(SkipReason.BROKEN_STRUCTURE, `brackets do not balance: unexpected ${printable(buf[this.pos])} at byte ${this.base + this.pos}`, final);
          continue;
        }
        case State.WrapperTail: {
          const r = this.scanValue();
          if (r === Scan.NeedMore) {
            if (final) this.sink.streamProblem(SkipReason.TRUNCATED, "input ends before the log file's closing '}'", this.base + this.pos, this.line);
            return;
          }
          if (r === Scan.Broken) {
            this.sink.streamProblem(SkipReason.BROKEN_STRUCTURE, `unexpected ${printable(buf[this.pos])} after the Records array`, this.base + this.pos, this.line);
            this.state = State.SkipLine;
            continue;
          }
          this.state = State.Top;
          this.container = State.Top;
          continue;
        }
        case State.SkipLine: {
          const nl = buf.indexOf(NEWLINE, this.pos);
          if (nl < 0) {
            this.pos = n;
            return;
          }
          this.pos = nl; // Top counts the newline
          this.state = State.Top;
          this.container = State.Top;
          continue;
        }
        case State.SeekSignature: {
          const found = this.findSignature(this.pos);
          if (found < 0) {
            // Keep a tail so a signature split across chunks is still found.
            const next = Math.max(this.pos, n - SIGNATURE_OVERLAP);
            if (!final) {
              this.countLines(this.lineMark, next);
              this.lineMark = next;
              this.pos = next;
              return;
            }
            this.countLines(this.lineMark, n);
            this.lineMark = n;
            this.damaged(n, true);
            this.cutOff = true;
            this.state = this.container;
            this.pos = n;
            return;
          }
          this.countLines(this.lineMark, found);
          this.lineMark = found;
          this.damaged(found, false);
          this.state = this.container;
          this.beginValue(found);
          continue;
        }
      }
    }
  }

  /** Damaged span [valueStart, end): one report. */
  private pendingDamage: { reason: SkipReason; message: string; line: number; offset: number } | undefined;

  private damaged(end: number, atEof: boolean): void {
    const d = this.pendingDamage;
    if (!d) return;
    this.pendingDamage = undefined;
    const skipped = this.base + end - d.offset;
    const tail = atEof ? `; the ${skipped} bytes from there to the end of the input could not be framed` : `; skipped ${skipped} bytes to the next record`;
    this.index++;
    this.sink.problem(d.reason, d.message + tail, { index: this.index, line: d.line, offset: d.offset });
  }

  /**
   * Counts the newlines in [from, to). The next newline's index is cached:
   * a compact log file has none, and searching to the end of the buffer
   * for every record would make framing quadratic.
   */
  private countLines(from: number, to: number): void {
    const buf = this.buf;
    if (this.nlBuf !== buf || this.nlFrom > from) {
      this.nlBuf = buf;
      this.nlFrom = from;
      this.nlAt = buf.indexOf(NEWLINE, from);
    }
    while (this.nlAt >= 0 && this.nlAt < from) this.nlAt = buf.indexOf(NEWLINE, from);
    while (this.nlAt >= 0 && this.nlAt < to) {
      this.line++;
      this.nlAt = buf.indexOf(NEWLINE, this.nlAt + 1);
    }
    this.nlFrom = from;
  }

  /** Cache for countLines: the buffer it is for, and its next newline at or after nlFrom (-1: none). */
  private nlBuf: Buffer | undefined;
  private nlFrom = 0;
  private nlAt = -1;

  /** Lines in the SeekSignature span are counted up to here (an index into buf). */
  private lineMark = 0;
  /** A record ran into the end of the input: do not also report the missing ']'. */
  private cutOff = false;

  /**
   * The candidate at valueStart cannot be framed. Inside an array with a
   * known signature, resume at the next element that starts like the first
   * one did; otherwise skip to the next line.
   */
  /** Joins the carried part back onto the buffer (damage recovery needs contiguous bytes). */
  private materialize(): void {
    const c = this.carry;
    if (!c) return;
    this.buf = Buffer.concat([c, this.buf]);
    this.base -= c.length;
    this.pos += c.length;
    this.valueStart += c.length;
    this.carry = undefined;
  }

  private broken(reason: SkipReason, message: string, final: boolean): void {
    this.materialize();
    const start = this.valueStart;
    const line = this.valueLine;
    // Lines inside the candidate were counted while scanning; restart the
    // count from the candidate's first line, since we rescan from there.
    this.line = line;
    if (this.container !== State.Top && this.signature) {
      this.pendingDamage = { reason, message, line, offset: this.base + start };
      this.state = State.SeekSignature;
      this.valueStart = -1;
      this.pos = start + 1;
      this.lineMark = start;
      return;
    }
    this.index++;
    this.sink.problem(reason, message, { index: this.index, line, offset: this.base + start });
    this.valueStart = -1;
    if (reason === SkipReason.TRUNCATED && final) {
      this.pos = this.buf.length;
      this.cutOff = true;
      this.state = this.container === State.Top ? State.Top : State.Dead;
      return;
    }
    this.pos = start + 1;
    this.state = State.SkipLine;
    this.container = State.Top;
  }

  /** Index of the '{' of the next element whose first key is the signature, or -1. */
  private findSignature(from: number): number {
    const sig = this.signature!;
    const buf = this.buf;
    let i = buf.indexOf(sig, from);
    while (i >= 0) {
      // A new element: `, {"firstKey"` with any blanks in between.
      let b = i - 1;
      while (b >= 0 && isSpace(buf[b]!)) b--;
      // Strictly after the damaged element's own '{' (it may carry the same first key).
      const after = this.base + b > (this.pendingDamage?.offset ?? -1);
      if (after && buf[b] === LBRACE) {
        let c = b - 1;
        while (c >= 0 && isSpace(buf[c]!)) c--;
        if (c >= 0 && buf[c] === COMMA) return b;
      }
      i = buf.indexOf(sig, i + 1);
    }
    return -1;
  }

  private beginValue(j: number): void {
    this.state = State.Value;
    this.valueStart = j;
    this.valueLine = this.line;
    this.pos = j;
    this.depth = 0;
    this.inString = false;
    this.nameRel = -1;
    this.names = 0;
    this.sawValue = true;
  }

  private emit(start: number, end: number): void {
    const offset = this.base + start;
    let buf = this.buf;
    let s = start;
    let e = end;
    if (this.carry) {
      buf = Buffer.concat([this.carry, this.buf.subarray(0, end)]);
      s = 0;
      e = buf.length;
      this.carry = undefined;
    }
    if (this.container !== State.Top && !this.signature) {
      this.signature = signatureOf(buf, s, e);
      if (this.signature) {
        this.head = Buffer.concat([Buffer.from('{'), this.signature]);
        // `},{"eventVersion":`: the longer the needle, the faster the native search skips.
        this.separator = Buffer.concat([Buffer.from('},{'), this.signature, Buffer.from(':')]);
      }
    }
    this.index++;
    this.sink.record(buf, s, e, { index: this.index, line: this.valueLine, offset }, this.nameRel < 0 ? -1 : s + this.nameRel, this.names);
    this.valueStart = -1;
    this.state = this.container;
  }

  /**
   * The fast path for the elements of a compact array whose records all
   * start with the same key, which is every CloudTrail log file
   * (`...},{"eventVersion":...`): the element ends where `,{"eventVersion"`
   * starts the next one. That byte sequence cannot occur inside a JSON
   * string (the quote would be escaped), so a native search replaces
   * walking every byte. Structure is then verified only by JSON.parse, for
   * the records that matter; a damaged record that cannot matter is counted
   * as not relevant. The decision depends only on the bytes (the search
   * waits for more input rather than guessing), so framing is the same
   * whatever the chunking.
   */
  private fastElement(j: number, final: boolean): Fast {
    const buf = this.buf;
    const n = buf.length;
    const head = this.head!;
    if (n - j < head.length) return final ? Fast.Scan : Fast.Wait;
    for (let i = 1; i < head.length; i++) if (buf[j + i] !== head[i]) return Fast.Scan;
    const span = Math.min(FAST_SPAN, this.maxRecordBytes);
    const found = buf.indexOf(this.separator!, j + head.length);
    if (found < 0 || found - j > span) {
      // The next element may be in the next chunk; the last one is framed by brackets.
      return found < 0 && !final && n - j <= span ? Fast.Wait : Fast.Scan;
    }
    const end = found + 1; // the element's closing '}'
    const line = this.line;
    this.countLines(j, end);
    this.index++;
    this.sink.record(buf, j, end, { index: this.index, line, offset: this.base + j }, -1, FIRST_NAME_ONLY);
    this.pos = end;
    return Fast.Framed;
  }

  /**
   * Advances over one JSON value (or the rest of the wrapper) from `pos`,
   * tracking strings and brackets only. Resumable: state survives a
   * NeedMore so the next chunk continues where this one stopped.
   */
  private scanValue(): Scan {
    const buf = this.buf;
    const n = buf.length;
    const stack = this.stack;
    let depth = this.depth;
    let j = this.pos;
    let line = this.line;
    if (this.inString) {
      const from = this.pendingEscape ? Math.min(j + 1, n) : j;
      const e = closeQuote(buf, from, n);
      if (e < 0) {
        this.pendingEscape = oddBackslashes(buf, from, n);
        this.pos = n;
        return Scan.NeedMore;
      }
      this.inString = false;
      // This string straddled two chunks and was not checked for
      // "eventName": make the prefilter search the record itself.
      if (this.names < 2) this.names = 2;
      j = e + 1;
    }
    while (j < n) {
      const c = buf[j]!;
      if (c === QUOTE) {
        const e = closeQuote(buf, j + 1, n);
        if (e < 0) {
          this.inString = true;
          this.pendingEscape = oddBackslashes(buf, j + 1, n);
          this.depth = depth;
          this.line = line;
          this.pos = n;
          return Scan.NeedMore;
        }
        // Note "eventName" strings (9 bytes) so the prefilter need not search.
        if (e - j === 10 && buf[j + 6] === 0x4e && isEventName(buf, j + 1)) {
          if (this.nameRel < 0) this.nameRel = j - this.valueStart;
          this.names++;
        }
        j = e + 1;
        continue;
      }
      if (c === LBRACE || c === LBRACKET) {
        if (depth >= MAX_DEPTH) {
          this.depth = depth;
          this.line = line;
          this.pos = j;
          return Scan.Broken;
        }
        stack[depth++] = c;
      } else if (c === RBRACE || c === RBRACKET) {
        if (depth === 0 || stack[depth - 1] !== (c === RBRACE ? LBRACE : LBRACKET)) {
          this.depth = depth;
          this.line = line;
          this.pos = j;
          return Scan.Broken;
        }
        if (--depth === 0) {
          this.depth = 0;
          this.line = line;
          this.pos = j + 1;
          return Scan.Done;
        }
      } else if (c === NEWLINE) {
        line++;
      }
      j++;
    }
    this.depth = depth;
    this.line = line;
    this.pos = n;
    return Scan.NeedMore;
  }

  /**
   * At a top-level '{': is this `{"Records":[`? Returns the index after '['
   * when it is, 0 when it is not, undefined when more bytes are needed.
   */
  private matchRecordsKey(j: number, final: boolean): number | undefined {
    const buf = this.buf;
    const n = buf.length;
    let i = j + 1;
    const skip = (): boolean => {
      while (i < n && isSpace(buf[i]!)) i++;
      return i < n;
    };
    const more = (): number | undefined => (final || n - j > 4096 ? 0 : undefined);
    if (!skip()) return more();
    if (n - i < RECORDS_KEY.length) return buf.subarray(i).equals(RECORDS_KEY.subarray(0, n - i)) ? more() : 0;
    if (!buf.subarray(i, i + RECORDS_KEY.length).equals(RECORDS_KEY)) return 0;
    i += RECORDS_KEY.length;
    if (!skip()) return more();
    if (buf[i] !== COLON) return 0;
    i++;
    if (!skip()) return more();
    if (buf[i] !== LBRACKET) return 0;
    // Count the newlines we stepped over.
    this.countLines(j, i);
    return i + 1;
  }

  /** End of a scalar array element (string, number, literal), or undefined if incomplete. */
  private skipScalar(j: number): number | undefined {
    const buf = this.buf;
    const n = buf.length;
    if (buf[j] === QUOTE) {
      const e = closeQuote(buf, j + 1, n);
      return e < 0 ? undefined : e + 1;
    }
    let i = j;
    while (i < n) {
      const c = buf[i]!;
      if (c === COMMA || c === RBRACKET || isSpace(c)) return i === j ? i + 1 : i;
      i++;
    }
    return undefined;
  }
}

/**
 * Index of the closing quote of a string whose body starts at `j`, or -1.
 * Buffer.indexOf is a native byte search: much faster than a JavaScript loop
 * over the long strings CloudTrail is made of (tokens, user agents, messages).
 */
function closeQuote(buf: Buffer, from: number, n: number): number {
  let j = from;
  for (;;) {
    j = buf.indexOf(QUOTE, j);
    if (j < 0 || j >= n) return -1;
    // Escaped if preceded by an odd run of backslashes (counted within the string).
    let b = j - 1;
    while (b >= from && buf[b] === BACKSLASH) b--;
    if (((j - 1 - b) & 1) === 0) return j;
    j++;
  }
}

/** Does [from, n) end with an odd run of backslashes? */
function oddBackslashes(buf: Buffer, from: number, n: number): boolean {
  let b = n - 1;
  while (b >= from && buf[b] === BACKSLASH) b--;
  return ((n - 1 - b) & 1) === 1;
}

const EVENT_NAME = Buffer.from('eventName');

function isEventName(buf: Buffer, at: number): boolean {
  for (let i = 0; i < 9; i++) if (buf[at + i] !== EVENT_NAME[i]) return false;
  return true;
}

/** The quoted first key of an element (`"eventVersion"`), used to find the next element after damage. */
function signatureOf(buf: Buffer, start: number, end: number): Buffer | undefined {
  if (buf[start] !== LBRACE) return undefined;
  let i = start + 1;
  while (i < end && isSpace(buf[i]!)) i++;
  if (buf[i] !== QUOTE) return undefined;
  const close = closeQuote(buf, i + 1, end);
  if (close < 0 || close - i > 64 || close - i < 3) return undefined;
  return Buffer.from(buf.subarray(i, close + 1));
}
