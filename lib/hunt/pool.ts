import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TrailParser, mergeStats, type ReadProblem } from '../../lambdas/core/cloudtrail/reader';
import { toSighting, type Sighting } from '../../lambdas/core/engine';
import type { FactOptions } from '../../lambdas/core/facts';
import { inStreamOrder, parseBatch } from './batch';
import { readSource, type SourceResult } from './read-source';
import type { Source } from './sources';
import { FINISHED, claim, type ScanPlan, type ScanResult } from './worker';

/**
 * Reads many sources on every core. Small inputs are read in this thread
 * (a worker costs tens of milliseconds to start). For large ones, reader
 * threads decompress and scan sources, largest first, and send back the few
 * percent of records that might matter; this thread parses those, extracts
 * their facts, and reads whole sources itself whenever it has nothing else
 * to do. Results are handed on in the order the sources were given, so
 * output is the same from run to run, whatever thread read what.
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
  /** With reader threads, whether this thread reads sources too (default true; false leaves every source to the threads). */
  readonly readHere?: boolean;
  /** What to extract of each event (see extractFacts). */
  readonly facts?: FactOptions;
}

/** Below this much input, threads cost more than they save. */
const PARALLEL_MIN_BYTES = 8 * 1024 * 1024;

/**
 * In the bundled CLI the worker is hunt-worker.mjs next to the bundle. From
 * source (tsx, the tests) it is worker.ts, which a bare worker thread cannot
 * load: register tsx's loader inside the thread first.
 */
function startWorker(): Worker {
  // A roomy young generation: scanning allocates a little per record (its position), so collections stay few.
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

/** Sources read at once in this thread: while one is scanned, the next is being read (a stream decompresses on the thread pool). */
const AHEAD = 2;

/** Sources per reading thread that may be scanned ahead of the parsing. */
const LEAD_PER_THREAD = 4;

export async function readAll(sources: readonly Source[], sink: ReadSink, options: ReadOptions = {}): Promise<void> {
  const threads = plannedThreads(sources, options.threads);
  const facts = options.facts ?? {};
  if (threads === 0) await readHere(sources, sink, facts);
  else await readParallel(sources, sink, threads, options.readHere ?? true, facts);
}

/** A source read to the end: its events with their facts, problems in stream order, counts. */
interface WorkResult {
  readonly index: number;
  readonly events: Sighting[];
  readonly problems: ReadProblem[];
  readonly result: SourceResult;
}

/** Reads a source in this thread, both stages. */
async function readOne(index: number, source: Source, facts: FactOptions): Promise<WorkResult> {
  const events: Sighting[] = [];
  const problems: ReadProblem[] = [];
  const result = await readSource(source, { event: (e) => events.push(toSighting(e, facts)), problem: (p) => problems.push(p) });
  return { index, events, problems, result };
}

/** Stage two, in this thread, of a source a reader thread scanned. */
function parseScanned(scan: ScanResult, label: string, facts: FactOptions): WorkResult {
  const events: Sighting[] = [];
  const parsed: ReadProblem[] = [];
  const parser = new TrailParser(label, { event: (e) => events.push(toSighting(e, facts)), problem: (p) => parsed.push(p) });
  parseBatch(scan.batch, parser);
  return {
    index: scan.index,
    events,
    problems: inStreamOrder(scan.problems, parsed),
    result: { stats: mergeStats(scan.stats, parser.stats), bytes: scan.bytes, compressed: scan.compressed },
  };
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

async function readHere(sources: readonly Source[], sink: ReadSink, facts: FactOptions): Promise<void> {
  const flush = orderedFlush(sources, sink);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < sources.length) {
      const index = next++;
      flush(await readOne(index, sources[index]!, facts));
    }
  };
  await Promise.all(Array.from({ length: Math.min(AHEAD, sources.length) }, lane));
}

async function readParallel(sources: readonly Source[], sink: ReadSink, threads: number, readHere: boolean, facts: FactOptions): Promise<void> {
  const jobs = sources.map((source, index) => ({ index, source })).sort((a, b) => b.source.bytes - a.source.bytes);
  const plan: ScanPlan = { jobs, counters: new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT), lead: LEAD_PER_THREAD * (threads + 1) };
  const counters = new Int32Array(plan.counters);
  const flushInOrder = orderedFlush(sources, sink);
  const flush = (r: WorkResult): void => {
    flushInOrder(r);
    Atomics.add(counters, FINISHED, 1);
    Atomics.notify(counters, FINISHED);
  };
  const workers = Array.from({ length: threads }, () => startWorker());
  // This thread reads too, between parsing what the reader threads send back.
  const here = async (): Promise<void> => {
    if (!readHere) return;
    for (let job = claim(plan, counters); job; job = claim(plan, counters)) {
      flush(await readOne(job.index, job.source, facts));
      // Let the reader threads' batches through.
      await new Promise((r) => setImmediate(r));
    }
  };
  try {
    await Promise.all([
      here(),
      ...workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            let finished = false;
            worker.on('message', (res: ScanResult | null) => {
              if (res !== null) flush(parseScanned(res, sources[res.index]!.label, facts));
              else {
                finished = true;
                resolve();
              }
            });
            worker.once('error', reject);
            // A thread that dies without an error (killed, out of memory) must not leave the hunt waiting.
            worker.once('exit', (code) => {
              if (!finished) reject(new Error(`a reader thread stopped (exit code ${code}) before reading every source`));
            });
            worker.postMessage(plan);
          }),
      ),
    ]);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
