import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { SkipReason } from '../../lambdas/core/cloudtrail/normalize';
import { TrailReader, type ReadProblem, type ReadStats } from '../../lambdas/core/cloudtrail/reader';
import type { TrailEvent } from '../../lambdas/core/cloudtrail/types';
import { GunzipInPlace } from './inflate';
import type { Source } from './sources';

/**
 * Feeds one source through the reader: plain or gzip (detected by its magic
 * bytes, not its name). A log file of ordinary size is read and inflated in
 * one step into buffers this thread reuses (see readWhole); anything larger,
 * and stdin, is streamed in 256 KiB chunks, so memory stays flat however
 * large the input. A truncated or corrupt gzip keeps everything decoded
 * before the damage and reports the rest.
 */

export interface SourceResult {
  readonly stats: ReadStats;
  /** Decompressed bytes read. */
  readonly bytes: number;
  readonly compressed: boolean;
}

export interface SourceSink {
  event(event: TrailEvent): void;
  problem(problem: ReadProblem): void;
}

/** What takes a source's bytes: the whole reader, or only its scanning stage (in a reader thread). */
export interface ByteSink {
  push(chunk: Buffer): void;
  end(): void;
  fail(reason: SkipReason, message: string): void;
}

const CHUNK = 256 * 1024;

/** Reads one source through both reader stages. */
export async function readSource(source: Source, sink: SourceSink): Promise<SourceResult> {
  const reader = new TrailReader(source.label, sink);
  const { bytes, compressed } = await pumpSource(source, reader);
  return { stats: reader.stats, bytes, compressed };
}

/** Pushes a source's (decompressed) bytes into `target`, turning I/O and gzip failures into its problems. */
export async function pumpSource(source: Source, target: ByteSink): Promise<{ bytes: number; compressed: boolean }> {
  const result = { bytes: 0, compressed: false };
  const push = (chunk: Buffer): void => {
    result.bytes += chunk.length;
    target.push(chunk);
  };
  try {
    if (source.path === '-') await readStdin(push, result);
    else if (!readWhole(source, push, result)) await readStream(source, push, result);
    // A file read whole is pushed and ended with no await in between: its
    // bytes may be the reused inflate buffer, which the next file overwrites.
    target.end();
  } catch (err) {
    // Frame what was decoded, then say why the rest is missing.
    target.end();
    const e = err as NodeJS.ErrnoException;
    if (result.compressed && (e.code?.startsWith('Z_') || /unexpected end|incorrect header|invalid/i.test(e.message))) {
      const truncated = e.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e.message);
      target.fail(
        truncated ? SkipReason.TRUNCATED : SkipReason.UNREADABLE_FILE,
        truncated
          ? `gzip stream is truncated after ${result.bytes} decompressed bytes; the records before the cut were read`
          : `gzip stream is corrupt after ${result.bytes} decompressed bytes (${e.message}); the records before the damage were read`,
      );
    } else {
      target.fail(SkipReason.UNREADABLE_FILE, `cannot read: ${e.message}`);
    }
  }
  return result;
}

const GZIP = [0x1f, 0x8b];

/**
 * Bounds for reading a file in one step. CloudTrail delivers files of a few
 * KiB to a few MiB; a stream decompresses them chunk by chunk on the libuv
 * pool, and coordinating that costs more than the decompression itself (and
 * does not scale over reader threads). So a file up to WHOLE_COMPRESSED that
 * says (gzip ISIZE trailer) it inflates to at most WHOLE_INFLATED is read and
 * inflated in one synchronous step, in the reader thread; memory stays
 * bounded. Anything larger, and any file whose one-step read fails (a
 * truncated or corrupt gzip), is streamed, which also keeps every record
 * decoded before the damage.
 */
const WHOLE_COMPRESSED = 8 * 1024 * 1024;
const WHOLE_INFLATED = 48 * 1024 * 1024;

function readWhole(source: Source, push: (chunk: Buffer) => void, result: { compressed: boolean }): boolean {
  if (source.bytes > WHOLE_COMPRESSED) return false;
  let raw: Buffer;
  try {
    raw = readInto(source.path);
  } catch {
    return false;
  }
  result.compressed = raw.length >= 2 && raw[0] === GZIP[0] && raw[1] === GZIP[1];
  if (!result.compressed) {
    if (raw.length > 0) push(raw);
    return true;
  }
  const inflated = raw.length < 18 ? Infinity : raw.readUInt32LE(raw.length - 4);
  if (inflated > WHOLE_INFLATED) return false;
  // Into this thread's reused buffer, in one step (see inflate.ts).
  const data = (inflater ??= new GunzipInPlace()).inflate(raw, inflated);
  if (!data) return false; // damaged or larger than it says: stream it, keeping what decodes
  push(data);
  return true;
}

/** This thread's inflater: its output buffer is reused from one file to the next. */
let inflater: GunzipInPlace | undefined;
/** This thread's buffer for reading files whole, reused for the same reason (a fresh one per file is fresh memory to fault in). */
let input: Buffer = Buffer.alloc(0);

/** A file's bytes, as a view of `input`: valid until the next call. */
function readInto(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (input.length < size) input = Buffer.allocUnsafeSlow(Math.max(size, Math.min(input.length * 2, WHOLE_COMPRESSED)));
    let got = 0;
    for (let n = 1; got < size && n > 0; got += n) n = readSync(fd, input, got, size - got, got);
    // A file that shrank while being read is read as it now is; one that grew, as it was when opened.
    return input.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** Files too large to read in one step (or damaged): sniff the gzip magic, then stream into gunzip. */
async function readStream(source: Source, push: (chunk: Buffer) => void, result: { compressed: boolean }): Promise<void> {
  // Two bytes, read synchronously: not worth loading fs/promises (and what
  // it pulls in) into every reader thread.
  const head = Buffer.alloc(2);
  const fd = openSync(source.path, 'r');
  try {
    const bytesRead = readSync(fd, head, 0, 2, 0);
    result.compressed = bytesRead === 2 && head[0] === GZIP[0] && head[1] === GZIP[1];
  } finally {
    closeSync(fd);
  }
  // CloudTrail delivers many small files: size buffers to the file, so a
  // 20 KiB log does not allocate (and collect) a large buffer twice.
  const chunk = Math.min(CHUNK, Math.max(64 * 1024, source.bytes + 1));
  const file = createReadStream(source.path, { highWaterMark: chunk });
  const stream: Readable = result.compressed ? file.pipe(createGunzip({ chunkSize: chunk })) : file;
  if (result.compressed) file.on('error', (err) => stream.destroy(err));
  try {
    for await (const data of stream) push(data as Buffer);
  } finally {
    file.destroy();
    stream.destroy();
  }
}

/** Stdin cannot be reopened: peek at the first chunk to decide. */
async function readStdin(push: (chunk: Buffer) => void, result: { compressed: boolean }): Promise<void> {
  const it = process.stdin[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await it.next();
  if (first.done) return;
  result.compressed = first.value.length >= 2 && first.value[0] === GZIP[0] && first.value[1] === GZIP[1];
  async function* all(): AsyncGenerator<Buffer> {
    yield first.value as Buffer;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  if (!result.compressed) {
    for await (const chunk of all()) push(chunk);
    return;
  }
  const gunzip = createGunzip({ chunkSize: CHUNK });
  const raw = Readable.from(all(), { objectMode: false });
  raw.on('error', (err) => gunzip.destroy(err));
  raw.pipe(gunzip);
  for await (const chunk of gunzip) push(chunk as Buffer);
}
