import { parentPort } from 'node:worker_threads';
import type { ReadProblem } from '../../lambdas/core/cloudtrail/reader';
import type { TrailEvent } from '../../lambdas/core/cloudtrail/types';
import { readSource } from './read-source';
import type { Source } from './sources';

/** A reader thread: takes sources, sends back their events, problems and counts. */
export interface WorkRequest {
  readonly index: number;
  readonly source: Source;
}

export interface WorkResult {
  readonly index: number;
  readonly events: TrailEvent[];
  readonly problems: ReadProblem[];
  readonly result: Awaited<ReturnType<typeof readSource>>;
}

parentPort?.on('message', (req: WorkRequest) => {
  const events: TrailEvent[] = [];
  const problems: ReadProblem[] = [];
  void readSource(req.source, { event: (e) => events.push(e), problem: (p) => problems.push(p) }).then((result) => {
    const out: WorkResult = { index: req.index, events, problems, result };
    parentPort!.postMessage(out);
  });
});
