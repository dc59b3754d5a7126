import { parentPort } from 'node:worker_threads';
import type { ReadProblem } from '../../lambdas/core/cloudtrail/reader';
import { toSighting, type Sighting } from '../../lambdas/core/engine';
import { readSource } from './read-source';
import type { Source } from './sources';

/** A reader thread: takes sources, sends back their events, problems and counts. */
export interface WorkRequest {
  readonly index: number;
  readonly source: Source;
}

export interface WorkResult {
  readonly index: number;
  /** Events with their facts, responses dropped: extraction happens here, in parallel. */
  readonly events: Sighting[];
  readonly problems: ReadProblem[];
  readonly result: Awaited<ReturnType<typeof readSource>>;
}

export async function readOne(index: number, source: Source): Promise<WorkResult> {
  const events: Sighting[] = [];
  const problems: ReadProblem[] = [];
  const result = await readSource(source, { event: (e) => events.push(toSighting(e)), problem: (p) => problems.push(p) });
  return { index, events, problems, result };
}

parentPort?.on('message', (req: WorkRequest) => {
  void readOne(req.index, req.source).then((out) => parentPort!.postMessage(out));
});
