import { parentPort } from 'node:worker_threads';
import { TrailScanner, type ReadStats } from '../../lambdas/core/cloudtrail/reader';
import { BatchBuilder, type CandidateBatch, type OrderedProblem } from './batch';
import { pumpSource } from './read-source';
import type { Source } from './sources';

/**
 * A reader thread: decompresses and scans sources (stage one of the
 * reader) and sends back only the candidates that might matter, as a
 * transferred batch, with its counts and problems. The thread that asked
 * parses them (lib/hunt/pool.ts). Parsing, extracting facts and the engine
 * are the larger part of the code: kept out of this thread, they are
 * compiled by the JIT once rather than once per thread, and the scan is
 * what spreads well.
 */

export interface ScanRequest {
  readonly index: number;
  readonly source: Source;
}

/**
 * What every reading thread shares: the sources, largest first, claimed one
 * at a time through a shared counter, so no thread waits for another to
 * hand it work.
 */
export interface ScanPlan {
  readonly jobs: readonly ScanRequest[];
  /** Int32 counters: [next job to claim, jobs finished (parsed and handed on)]. */
  readonly counters: SharedArrayBuffer;
  /** Jobs that may be claimed and not yet finished: bounds the batches waiting when parsing falls behind. */
  readonly lead: number;
}

const NEXT = 0;
export const FINISHED = 1;

/** The next job nobody has claimed, if any. */
export function claim(plan: ScanPlan, counters: Int32Array): ScanRequest | undefined {
  return plan.jobs[Atomics.add(counters, NEXT, 1)];
}

export interface ScanResult {
  readonly index: number;
  readonly batch: CandidateBatch;
  readonly problems: OrderedProblem[];
  /** The scanner's counts; the parser's are added where the batch is parsed. */
  readonly stats: ReadStats;
  readonly bytes: number;
  readonly compressed: boolean;
}

export async function scanOne(index: number, source: Source): Promise<ScanResult> {
  const builder = new BatchBuilder();
  const scanner = new TrailScanner(source.label, builder);
  const { bytes, compressed } = await pumpSource(source, scanner);
  return { index, batch: builder.build(), problems: builder.problems, stats: scanner.stats, bytes, compressed };
}

/** Scans jobs until none are left, then says so with `null`. */
async function scanAll(plan: ScanPlan): Promise<void> {
  const counters = new Int32Array(plan.counters);
  for (;;) {
    for (let done = Atomics.load(counters, FINISHED); Atomics.load(counters, NEXT) - done >= plan.lead; done = Atomics.load(counters, FINISHED)) {
      Atomics.wait(counters, FINISHED, done, 100);
    }
    const job = claim(plan, counters);
    if (!job) break;
    const out = await scanOne(job.index, job.source);
    parentPort!.postMessage(out, [out.batch.bytes.buffer, out.batch.spans.buffer]);
  }
  parentPort!.postMessage(null);
}

parentPort?.once('message', (plan: ScanPlan) => void scanAll(plan));
