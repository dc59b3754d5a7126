import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ReadProblem } from '../../lambdas/core/cloudtrail/reader';
import type { Sighting } from '../../lambdas/core/engine';
import type { SourceResult } from './read-source';
import type { Source } from './sources';
import { readOne, type WorkRequest, type WorkResult } from './worker';

/**
 * Reads many sources on every core. Small inputs are read in this thread
 * (a worker costs tens of milliseconds to start); large ones are spread over
 * reader threads, largest files first. Results are handed on in the order
 * the sources were given, so output is the same from run to run.
 */

export interface ReadSink {
  event(event: Sighting): void;
  problem(problem: ReadProblem): void;
  /** Called once per source, in source order. */
  done(source: Source, result: SourceResult): void;
}

export interface ReadOptions {
  /** Reader threads; default: the machine's cores when the input is large, else none. */
  readonly threads?: number;
}

/** Below this much input, threads cost more than they save. */
const PARALLEL_MIN_BYTES = 8 * 1024 * 1024;

/**
 * In the bundled CLI the worker is hunt-worker.mjs next to the bundle. From
 * source (tsx, the tests) it is worker.ts, which a bare worker thread cannot
 * load: register tsx's loader inside the thread first.
 */
function startWorker(): Worker {
  // A roomy young generation: reader threads allocate a lot of short-lived objects.
  const resourceLimits = { maxYoungGenerationSizeMb: 48 };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./hunt-worker.mjs', import.meta.url), { resourceLimits });
  // The package's "import" entry, next to the "require" one resolve() finds.
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const worker = new URL('./worker.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(worker)}); });`, { eval: true, resourceLimits });
}

export function plannedThreads(sources: readonly Source[], requested?: number): number {
  if (requested !== undefined) return Math.max(0, Math.min(requested, sources.length));
  const total = sources.reduce((n, s) => n + s.bytes, 0);
  if (total < PARALLEL_MIN_BYTES || sources.length < 2 || sources.some((s) => s.path === '-')) return 0;
  // The main thread reads as well, so one thread per core besides it.
  return Math.max(1, Math.min(availableParallelism() - 1, sources.length - 1));
}

/** Sources in flight per reader: while one is scanned, the next is being decompressed (zlib works on the thread pool). */
const AHEAD = 2;

export async function readAll(sources: readonly Source[], sink: ReadSink, options: ReadOptions = {}): Promise<void> {
  const threads = plannedThreads(sources, options.threads);
  if (threads === 0) await readHere(sources, sink);
  else await readParallel(sources, sink, threads);
}

/** Hands finished sources on in source order, whatever order they finish in. */
function orderedFlush(sources: readonly Source[], sink: ReadSink): (r: WorkResult) => void {
  const finished = new Map<number, WorkResult>();
  let next = 0;
  return (r) => {
    finished.set(r.index, r);
    for (let f = finished.get(next); f; f = finished.get(next)) {
      finished.delete(next);
      for (const p of f.problems) sink.problem(p);
      for (const e of f.events) sink.event(e);
      sink.done(sources[next]!, f.result);
      next++;
    }
  };
}

async function readHere(sources: readonly Source[], sink: ReadSink): Promise<void> {
  const flush = orderedFlush(sources, sink);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < sources.length) {
      const index = next++;
      flush(await readOne(index, sources[index]!));
    }
  };
  await Promise.all(Array.from({ length: Math.min(AHEAD, sources.length) }, lane));
}

async function readParallel(sources: readonly Source[], sink: ReadSink, threads: number): Promise<void> {
  const queue = sources.map((source, index) => ({ index, source })).sort((a, b) => b.source.bytes - a.source.bytes);
  const flush = orderedFlush(sources, sink);
  const workers = Array.from({ length: threads }, () => startWorker());
  // The main thread reads too, between handling what the workers send back.
  const here = async (): Promise<void> => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      flush(await readOne(job.index, job.source));
      // Let worker results and requests for more work through.
      await new Promise((r) => setImmediate(r));
    }
  };
  try {
    await Promise.all([
      here(),
      ...workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            let inFlight = 0;
            const take = (): void => {
              const job = queue.shift();
              if (!job) {
                if (inFlight === 0) resolve();
                return;
              }
              inFlight++;
              const req: WorkRequest = job;
              worker.postMessage(req);
            };
            worker.on('message', (res: WorkResult) => {
              inFlight--;
              flush(res);
              take();
            });
            worker.once('error', reject);
            for (let i = 0; i < AHEAD; i++) take();
          }),
      ),
    ]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
