import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fixed } from './bench/format';
import { lambdaBench } from './bench/lambda';
import { readerBench } from './bench/reader';

/**
 * `npm run bench`: performance figures from one run, each section in its
 * own module under scripts/bench/. Sections print ratios against a baseline
 * measured in the same run rather than asserting absolute timings, which
 * would only hold on the machine they were taken on.
 *
 *   --records N   corpus size (default 200000)
 *   --runs N      timed runs per reader contender (default 7: on a shared VM one run
 *                 of a contender varies by 15% or more, and the median of 7 holds still)
 *   --quick       a small corpus and one run per contender, for smoke testing
 */

const FULL_RECORDS = 200_000;
const QUICK_RECORDS = 10_000;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { records: { type: 'string' }, runs: { type: 'string' }, quick: { type: 'boolean', default: false } } });
const records = values.records === undefined ? (values.quick ? QUICK_RECORDS : FULL_RECORDS) : Number(values.records);
if (!Number.isSafeInteger(records) || records < 1) {
  console.error(`bench: --records must be a positive integer, got ${values.records}`);
  process.exit(2);
}
const runs = values.runs === undefined ? (values.quick ? 1 : 7) : Number(values.runs);
if (!Number.isSafeInteger(runs) || runs < 1) {
  console.error(`bench: --runs must be a positive integer, got ${values.runs}`);
  process.exit(2);
}

const cpu = cpus();
const [load = 0] = loadavg();
console.log(`node ${process.version} on ${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}, load average ${fixed(load, 2)}`);
// Other work competing for the cores slows the threaded hunt most, so the
// ratios come out low; say so rather than let them pass for the real figure.
if (load > cpu.length / 2) console.log(`warning: the machine is busy before the benchmark starts (load ${fixed(load, 2)} on ${cpu.length} cores): wall times and ratios will be pessimistic and noisy`);
const readerOk = await readerBench({ root, records, runs });
const lambdaOk = await lambdaBench({ root, coldRuns: values.quick ? 3 : 9, events: values.quick ? 500 : 3000 });
if (!readerOk || !lambdaOk) process.exitCode = 1;
