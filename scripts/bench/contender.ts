import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { ReadStats } from '../../lambdas/core/cloudtrail/reader';
import { DEFAULT_SETTINGS } from '../../lambdas/core/settings';
import { emptyThreatIntel } from '../../lambdas/core/threat-intel';
import { hunt } from '../../lib/hunt/hunt';
import { expandSources } from '../../lib/hunt/sources';

/**
 * One timed run of one contender, in a process of its own so its peak RSS
 * is its own: `contender.mjs <naive|gunzip|hunt|hunt-single> <dir>` prints a single
 * JSON line (a ContenderResult) on stdout. The clock starts after the
 * module has loaded, as it would for the CLI once it is running; it
 * includes listing the files and, for the hunt, starting reader threads.
 */

const CONTENDERS = ['naive', 'gunzip', 'hunt', 'hunt-single'] as const;
export type Contender = (typeof CONTENDERS)[number];

export interface ContenderResult {
  readonly contender: Contender;
  readonly elapsedMs: number;
  /** User + system CPU time of the whole process (every thread). */
  readonly cpuMs: number;
  /** Records read (0 for gunzip, which does not look inside). */
  readonly records: number;
  /** Bytes after decompression. */
  readonly bytes: number;
  /** Peak resident set size, KiB. */
  readonly maxRssKiB: number;
  /** Reader threads the hunt used (0: it read in the main thread). */
  readonly threads: number;
  /** The reader's counters (hunt only). */
  readonly stats?: ReadStats;
  readonly findings?: number;
  readonly problems?: number;
}

/** The floor: what any reader must at least do, gunzip and JSON.parse every file, whole, in one thread. */
function naive(dir: string): Pick<ContenderResult, 'records' | 'bytes' | 'threads'> {
  let records = 0;
  let bytes = 0;
  for (const source of expandSources([dir]).sources) {
    const text = gunzipSync(readFileSync(source.path));
    bytes += text.length;
    const doc = JSON.parse(text.toString('utf8')) as { Records: unknown[] };
    records += doc.Records.length;
  }
  return { records, bytes, threads: 0 };
}

/** Decompression alone: no reader can beat it, so it bounds what threads can gain. */
function gunzipOnly(dir: string): Pick<ContenderResult, 'records' | 'bytes' | 'threads'> {
  let bytes = 0;
  for (const source of expandSources([dir]).sources) bytes += gunzipSync(readFileSync(source.path)).length;
  return { records: 0, bytes, threads: 0 };
}

/** The hunt as the CLI runs it with default settings; `threads` as `--threads` would set it. */
async function runHunt(dir: string, threads: number | undefined): Promise<Omit<ContenderResult, 'contender' | 'elapsedMs' | 'cpuMs' | 'maxRssKiB'>> {
  let problems = 0;
  const result = await hunt({
    paths: [dir],
    settings: DEFAULT_SETTINGS,
    intel: emptyThreatIntel(),
    ...(threads === undefined ? {} : { threads }),
    onProblem: () => problems++,
  });
  const { summary } = result;
  return { records: summary.stats.records, bytes: summary.bytes, threads: summary.threads, stats: summary.stats, findings: result.findings.length, problems };
}

const [name, dir] = process.argv.slice(2);
if (!CONTENDERS.includes(name as Contender) || !dir) {
  console.error(`usage: contender.mjs <${CONTENDERS.join('|')}> <dir>`);
  process.exit(2);
}
const contender = name as Contender;
const cpu = process.cpuUsage();
const started = performance.now();
const run =
  contender === 'naive' ? naive(dir) : contender === 'gunzip' ? gunzipOnly(dir) : await runHunt(dir, contender === 'hunt-single' ? 0 : undefined);
const elapsedMs = performance.now() - started;
const used = process.cpuUsage(cpu);
const result: ContenderResult = {
  contender,
  elapsedMs,
  cpuMs: (used.user + used.system) / 1000,
  maxRssKiB: process.resourceUsage().maxRSS,
  ...run,
};
console.log(JSON.stringify(result));
