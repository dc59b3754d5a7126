import path from 'node:path';
import type { Contender, ContenderResult } from './contender';
import { ensureCorpus, type Manifest } from './corpus';
import { fixed, int, mb, mib, seconds, section, table } from './format';
import { bundle, median, runJson } from './measure';

/**
 * The reader benchmark: the hunt against the naive floor (gunzip and
 * JSON.parse of every file), on the same corpus, in the same run, as a
 * ratio. Absolute numbers depend on the machine; the ratio mostly does not,
 * which is why it is the figure with a requirement attached. Each run of
 * each contender is a fresh process (so peak RSS is its own and nothing is
 * warm from a previous contender), runs are interleaved so drift in the
 * machine hits every contender alike, and the median run is reported.
 */

export interface ReaderBenchOptions {
  /** The project root. */
  readonly root: string;
  readonly records: number;
  /** Timed runs per contender. */
  readonly runs: number;
}

const REQUIRED = { ratio: 3, rssMiB: 256 };
const TARGET = { ratio: 5, rssMiB: 128 };

const CONTENDERS: readonly { readonly id: Contender; readonly label: string }[] = [
  { id: 'naive', label: 'naive floor (gunzip + JSON.parse)' },
  { id: 'gunzip', label: 'gunzip alone' },
  { id: 'hunt', label: 'hunt (default threads)' },
  { id: 'hunt-single', label: 'hunt (threads: 0)' },
];

interface Summary {
  readonly label: string;
  readonly threads: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly records: number;
  readonly bytes: number;
  /** Highest peak RSS over the runs, bytes. */
  readonly rss: number;
  readonly runs: readonly ContenderResult[];
}

function summarize(label: string, runs: readonly ContenderResult[]): Summary {
  const first = runs[0];
  if (!first) throw new Error(`no runs of ${label}`);
  return {
    label,
    threads: first.threads,
    wallMs: median(runs.map((r) => r.elapsedMs)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    records: first.records,
    bytes: first.bytes,
    rss: Math.max(...runs.map((r) => r.maxRssKiB)) * 1024,
    runs,
  };
}

function describeCorpus(m: Manifest, generatedMs: number | undefined): string {
  const share = (100 * m.provisioning) / m.records;
  const origin = generatedMs === undefined ? 'reused from an earlier run' : `generated in ${seconds(generatedMs)}`;
  return [
    `corpus: ${int(m.records)} records in ${m.files} gzip log files, ${mb(m.bytes)} (${mb(m.compressedBytes)} compressed, ${fixed(m.bytes / m.compressedBytes)}x), ${int(m.bytes / m.records)} bytes per record on average`,
    `        ${int(m.provisioning)} provisioning records (${fixed(share)}%); ${origin}`,
  ].join('\n');
}

/** Correctness of every run: the benchmark is void if the contenders did not all read the whole corpus. */
function checks(m: Manifest, naive: Summary, gunzip: Summary, huntDefault: Summary, huntSingle: Summary): { label: string; ok: boolean }[] {
  const hunts = [...huntDefault.runs, ...huntSingle.runs];
  return [
    {
      label: `naive floor read all ${int(m.records)} records (${mb(m.bytes)}), gunzip all ${mb(m.bytes)}`,
      ok: naive.runs.every((r) => r.records === m.records && r.bytes === m.bytes) && gunzip.runs.every((r) => r.bytes === m.bytes),
    },
    {
      label: `hunt read all ${int(m.records)} records (${mb(m.bytes)}) with no problems`,
      ok: hunts.every((r) => r.records === m.records && r.bytes === m.bytes && r.problems === 0 && r.stats?.streamProblems === 0),
    },
    {
      label: `hunt found exactly the ${int(m.provisioning)} provisioning records the generator wrote`,
      ok: hunts.every((r) => r.stats?.relevant === m.provisioning && r.stats.relevant + r.stats.notRelevant === m.records),
    },
    {
      label: 'every hunt run reported the same findings',
      ok: hunts.every((r) => r.findings === hunts[0]?.findings),
    },
  ];
}

function verdict(name: string, goal: { ratio: number; rssMiB: number }, ratio: number, rss: number): string {
  const met = ratio >= goal.ratio && rss < goal.rssMiB * 1024 * 1024;
  return `${name} >= ${goal.ratio}x the naive floor with peak RSS < ${goal.rssMiB} MiB: ${met ? 'met' : 'NOT met'} (${fixed(ratio, 2)}x, ${mib(rss)})`;
}

/** Runs the reader benchmark and prints its report; false if a correctness check failed. */
export async function readerBench(options: ReaderBenchOptions): Promise<boolean> {
  const { root, records, runs } = options;
  section('Reader: hunt vs the naive floor');
  const corpus = await ensureCorpus(path.join(root, '.bench/corpus'), records);
  const m = corpus.manifest;
  console.log(describeCorpus(m, corpus.generatedMs));

  const outdir = path.join(root, '.bench/build');
  await bundle(outdir, { contender: path.join(root, 'scripts/bench/contender.ts') });
  const script = path.join(outdir, 'contender.mjs');

  const results = new Map<Contender, ContenderResult[]>(CONTENDERS.map((c) => [c.id, []]));
  for (let run = 1; run <= runs; run++) {
    const line: string[] = [];
    for (const c of CONTENDERS) {
      const r = await runJson<ContenderResult>(script, [c.id, corpus.logs]);
      results.get(c.id)!.push(r);
      line.push(`${c.id} ${seconds(r.elapsedMs)}`);
    }
    console.log(`run ${run}/${runs}: ${line.join(', ')}`);
  }

  const summaries = CONTENDERS.map((c) => summarize(c.label, results.get(c.id)!));
  const [naive, gunzip, huntDefault, huntSingle] = summaries as [Summary, Summary, Summary, Summary];
  const ratio = (s: Summary): number => naive.wallMs / s.wallMs;
  const rows = summaries.map((s) => {
    // The main thread reads too: `threads` workers plus it.
    const cores = s.threads + 1;
    const perSecond = 1000 / s.wallMs;
    return [
      s.label,
      String(s.threads),
      int(s.wallMs),
      int(s.cpuMs),
      s.records ? int(s.records * perSecond) : '-',
      fixed((s.bytes / 1e6) * perSecond),
      fixed((s.bytes / 1e6) * perSecond / cores),
      fixed(s.rss / (1024 * 1024)),
      `${fixed(ratio(s), 2)}x`,
    ];
  });
  console.log(`\nmedian of ${runs} interleaved run${runs === 1 ? '' : 's'} each, every run a fresh process on the bundled build (as installed)`);
  console.log('MB = 10^6 bytes after decompression; threads = reader threads besides the main one, which reads too; per core = over threads + 1');
  console.log('CPU = all threads of the process; peak RSS = highest of the runs');
  console.log(table(['contender', 'threads', 'wall ms', 'CPU ms', 'records/s', 'MB/s', 'MB/s/core', 'peak RSS MiB', 'vs naive'], rows));

  // Every reader must at least decompress: spread perfectly over the hunt's
  // threads with nothing else to do, that is as fast as the hunt can get.
  const spread = huntDefault.threads + 1;
  console.log(
    `decompression bound: gunzip alone is ${fixed((100 * gunzip.wallMs) / naive.wallMs, 0)}% of the naive floor; ` +
      `spread over ${spread} thread${spread === 1 ? '' : 's'} it caps the hunt at ${fixed(naive.wallMs / (gunzip.wallMs / spread), 1)}x`,
  );

  const stats = huntDefault.runs[0]?.stats;
  if (stats) {
    const skipped = stats.records - stats.parsed;
    console.log(
      `\nreader counters (hunt): ${int(stats.records)} records = ${int(stats.relevant)} relevant + ${int(stats.notRelevant)} not relevant; ` +
        `JSON.parse on ${int(stats.parsed)} (${fixed((100 * stats.parsed) / stats.records)}%), ` +
        `${int(skipped)} (${fixed((100 * skipped) / stats.records)}%) skipped unparsed by the prefilter; ${int(huntDefault.runs[0]?.findings ?? 0)} findings`,
    );
  }

  console.log('');
  const verified = checks(m, naive, gunzip, huntDefault, huntSingle);
  for (const c of verified) console.log(`check: ${c.label}: ${c.ok ? 'ok' : 'FAILED'}`);
  console.log(verdict('required: hunt', REQUIRED, ratio(huntDefault), huntDefault.rss));
  console.log(verdict('target:   hunt', TARGET, ratio(huntDefault), huntDefault.rss));
  return verified.every((c) => c.ok);
}
