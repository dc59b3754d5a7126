import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { SkipReason } from '../../lambdas/core/cloudtrail/normalize';
import { TrailReader, type ReadProblem, type ReadStats } from '../../lambdas/core/cloudtrail/reader';
import type { TrailEvent } from '../../lambdas/core/cloudtrail/types';
import type { Source } from './sources';

/**
 * Streams one source through the reader: plain or gzip (detected by its
 * magic bytes, not its name), in 1 MiB chunks, so memory stays flat however
 * large the file. A truncated or corrupt gzip keeps everything decoded
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

const CHUNK = 1024 * 1024;

export async function readSource(source: Source, sink: SourceSink): Promise<SourceResult> {
  const reader = new TrailReader(source.label, sink);
  let bytes = 0;
  let compressed = false;
  // CloudTrail delivers many small files: size buffers to the file, so a
  // 20 KiB log does not allocate (and collect) a 1 MiB buffer twice.
  const chunk = source.bytes > 0 ? Math.min(CHUNK, Math.max(64 * 1024, source.bytes + 1)) : CHUNK;
  const input: Readable = source.path === '-' ? process.stdin : createReadStream(source.path, { highWaterMark: chunk });
  const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    const first = await it.next();
    if (first.done) {
      reader.end();
      return { stats: reader.stats, bytes, compressed };
    }
    compressed = first.value.length >= 2 && first.value[0] === 0x1f && first.value[1] === 0x8b;
    async function* all(): AsyncGenerator<Buffer> {
      yield first.value as Buffer;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    }
    if (!compressed) {
      for await (const chunk of all()) {
        bytes += chunk.length;
        reader.push(chunk);
      }
      reader.end();
    } else {
      const gunzip = createGunzip({ chunkSize: chunk });
      const raw = Readable.from(all(), { objectMode: false });
      raw.on('error', (err) => gunzip.destroy(err));
      raw.pipe(gunzip);
      try {
        for await (const chunk of gunzip) {
          bytes += (chunk as Buffer).length;
          reader.push(chunk as Buffer);
        }
        reader.end();
      } catch (err) {
        raw.destroy();
        // Frame what was decoded, then say why the rest is missing.
        reader.end();
        const e = err as NodeJS.ErrnoException;
        const truncated = e.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e.message);
        reader.fail(
          truncated ? SkipReason.TRUNCATED : SkipReason.UNREADABLE_FILE,
          truncated
            ? `gzip stream is truncated after ${bytes} decompressed bytes; the records before the cut were read`
            : `gzip stream is corrupt after ${bytes} decompressed bytes (${e.message}); the records before the damage were read`,
        );
      }
    }
  } catch (err) {
    reader.end();
    reader.fail(SkipReason.UNREADABLE_FILE, `cannot read: ${(err as Error).message}`);
  } finally {
    if (input !== process.stdin) input.destroy();
  }
  return { stats: reader.stats, bytes, compressed };
}
