import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ReadProblem } from '../../lambdas/core/cloudtrail/reader';
import type { TrailEvent } from '../../lambdas/core/cloudtrail/types';
import { readSource, type SourceResult } from './read-source';
import type { Source } from './sources';
import type { WorkRequest, WorkResult } from './worker';

/**
 * Reads many sources on every core. Small inputs are read in this thread
 * (a worker costs tens of milliseconds to start); large ones are spread over
 * reader threads, largest files first. Results are handed on in the order
 * the sources were given, so output is the same from run to run.
 */

export interface ReadSink {
  event(event: TrailEvent): void;
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
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./hunt-worker.mjs', import.meta.url));
  // The package's "import" entry, next to the "require" one resolve() finds.
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const worker = new URL('./worker.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(worker)}); });`, { eval: true });
}

export function plannedThreads(sources: readonly Source[], requested?: number): number {
  if (requested !== undefined) return Math.max(0, Math.min(requested, sources.length));
  const total = sources.reduce((n, s) => n + s.bytes, 0);
  if (total < PARALLEL_MIN_BYTES || sources.length < 2 || sources.some((s) => s.path === '-')) return 0;
  return Math.min(availableParallelism(), sources.length);
}

export async function readAll(sources: readonly Source[], sink: ReadSink, options: ReadOptions = {}): Promise<void> {
  const threads = plannedThreads(sources, options.threads);
  if (threads === 0) {
    for (const source of sources) {
      const result = await readSource(source, sink);
      sink.done(source, result);
    }
    return;
  }
  await readParallel(sources, sink, threads);
}

async function readParallel(sources: readonly Source[], sink: ReadSink, threads: number): Promise<void> {
  const queue = sources.map((source, index) => ({ index, source })).sort((a, b) => b.source.bytes - a.source.bytes);
  const finished = new Map<number, WorkResult>();
  let next = 0;
  const flush = (): void => {
    for (let r = finished.get(next); r; r = finished.get(next)) {
      finished.delete(next);
      for (const p of r.problems) sink.problem(p);
      for (const e of r.events) sink.event(e);
      sink.done(sources[next]!, r.result);
      next++;
    }
  };
  const workers = Array.from({ length: threads }, () => startWorker());
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const take = (): void => {
              const job = queue.shift();
              if (!job) {
                resolve();
                return;
              }
              const req: WorkRequest = job;
              worker.postMessage(req);
            };
            worker.on('message', (res: WorkResult) => {
              finished.set(res.index, res);
              flush();
              take();
            });
            worker.once('error', reject);
            take();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
