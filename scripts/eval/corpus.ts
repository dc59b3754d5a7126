import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { unwrap } from '../../lambdas/core/cloudtrail/normalize';
import { TrailReader, type ReadProblem, type ReadStats } from '../../lambdas/core/cloudtrail/reader';
import type { CloudTrailRecord, TrailEvent } from '../../lambdas/core/cloudtrail/types';
import { analyze } from '../../lambdas/core/engine';
import type { Finding } from '../../lambdas/core/model';
import { DEFAULT_SETTINGS } from '../../lambdas/core/settings';
import { emptyThreatIntel } from '../../lambdas/core/threat-intel';
import { hunt } from '../../lib/hunt/hunt';

/**
 * Where the third-party data is and how it is run through the product.
 *
 * Folders and files are read where they are (the datasets are never copied
 * into the project). Everything goes through the same code as the CLI:
 * whole files through `hunt()` (readSource + analyze, with the CLI's
 * duplicate accounting), single test lines through the same TrailReader and
 * `analyze()`. Settings are always DEFAULT_SETTINGS with no threat intel:
 * what someone gets who runs the tool without a config file.
 */

/** Files in the datasets folder that are not CloudTrail data, and why. */
export const NOT_DATA: ReadonlyMap<string, string> = new Map([
  ['README.md', 'documentation'],
  ['inventory.json', 'per-file inventory (used to cross-check record counts)'],
  ['rules_metadata.json', 'Panther rule metadata (severity, MITRE, description)'],
]);

/**
 * Data files that repeat another file: reading both would count the same
 * records twice. Paths are relative to the datasets folder.
 */
export const SUBSET_FILES: ReadonlyMap<string, string> = new Map([
  ['panther-analysis/ec2_rule_tests.jsonl', 'subset of all_cloudtrail_rule_tests.jsonl, read through it'],
]);

/** The folders the datasets README describes, so a missing one is reported rather than silently absent. */
export const EXPECTED_SOURCES: readonly string[] = [
  'panther-analysis',
  'stratus-red-team',
  'cloud-custodian',
  'otrf-security-datasets',
  'elastic-integrations',
  'streamalert',
  'trailscraper',
  'opentelemetry-collector-contrib',
];

export interface DataFile {
  /** Relative to the datasets folder, with forward slashes. */
  readonly rel: string;
  readonly abs: string;
}

export interface SourceFolder {
  readonly name: string;
  readonly files: readonly DataFile[];
  /** Files found but not read, with the reason. */
  readonly notRead: readonly { readonly rel: string; readonly reason: string }[];
}

function toRel(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/');
}

/** Every file under `dir`, sorted, hidden entries left out. */
function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) return walk(abs);
      return e.isFile() ? [abs] : [];
    });
}

/** Splits the files of one folder (or one file) into data to read and files to leave alone. */
export function dataFilesUnder(root: string, target: string): { files: DataFile[]; notRead: { rel: string; reason: string }[] } {
  const files: DataFile[] = [];
  const notRead: { rel: string; reason: string }[] = [];
  const all = statSync(target).isDirectory() ? walk(target) : [target];
  for (const abs of all) {
    const rel = toRel(root, abs);
    const reason = NOT_DATA.get(path.basename(abs)) ?? SUBSET_FILES.get(rel);
    if (reason) notRead.push({ rel, reason });
    else files.push({ rel, abs });
  }
  return { files, notRead };
}

/** The sources: every top-level folder of the datasets directory. */
export function discoverSources(root: string): SourceFolder[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort()
    .map((name) => ({ name, ...dataFilesUnder(root, path.join(root, name)) }));
}

/** `inventory.json`: records per file, as counted by whoever gathered the data. */
export function readInventory(root: string): ReadonlyMap<string, number> | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path.join(root, 'inventory.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const out = new Map<string, number>();
  for (const [file, entry] of Object.entries(raw as Record<string, unknown>)) {
    const records = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>).records : undefined;
    if (typeof records === 'number') out.set(file, records);
  }
  return out;
}

export interface Run {
  readonly stats: ReadStats;
  readonly findings: readonly Finding[];
  readonly problems: readonly ReadProblem[];
  /** Records the reader counted in each file (keyed by relative path). */
  readonly recordsPerFile: ReadonlyMap<string, number>;
}

/** Reads files exactly as `rogue-infra hunt FILE ...` with no config would, and runs the engine once over all of them. */
export async function huntFiles(root: string, files: readonly DataFile[]): Promise<Run> {
  const problems: ReadProblem[] = [];
  const recordsPerFile = new Map<string, number>();
  let before = 0;
  let done = 0;
  const result = await hunt({
    paths: files.map((f) => f.abs),
    settings: DEFAULT_SETTINGS,
    intel: emptyThreatIntel(),
    // Reading in this thread keeps the order (and so the output) identical from run to run.
    threads: 0,
    onProblem: (p) => problems.push({ ...p, source: toRel(root, p.source) }),
    // hunt() reports cumulative counts after each file, in the order given:
    // the difference is that file's record count.
    onProgress: (p) => {
      const file = files[done++];
      if (file) recordsPerFile.set(file.rel, p.records - before);
      before = p.records;
    },
  });
  return { stats: result.summary.stats, findings: result.findings, problems, recordsPerFile };
}

export interface LineRun {
  readonly stats: ReadStats;
  readonly findings: readonly Finding[];
  readonly problems: readonly ReadProblem[];
  /** The first CloudTrail record in the line, as the reader unwraps it. */
  readonly record: CloudTrailRecord | undefined;
}

/**
 * One test line on its own: a fresh reader and a fresh engine, so no other
 * test's events can correlate with it, feed its baseline or be taken for its
 * duplicate.
 */
export function runLine(label: string, line: string): LineRun {
  const events: TrailEvent[] = [];
  const problems: ReadProblem[] = [];
  const reader = new TrailReader(label, { event: (e) => events.push(e), problem: (p) => problems.push(p) });
  reader.push(Buffer.from(line, 'utf8'));
  reader.end();
  const { findings } = analyze(events, { settings: DEFAULT_SETTINGS, intel: emptyThreatIntel() });
  let record: CloudTrailRecord | undefined;
  try {
    const first = unwrap(JSON.parse(line) as unknown).find((u) => u.kind === 'record');
    if (first?.kind === 'record') record = first.record;
  } catch {
    record = undefined;
  }
  return { stats: reader.stats, findings, problems, record };
}
