import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { ReadStats } from '../../lambdas/core/cloudtrail/reader';
import type { Finding } from '../../lambdas/core/model';
import { dataFilesUnder, discoverSources, EXPECTED_SOURCES, huntFiles, readInventory, type DataFile } from './corpus';
import { plural } from './report';
import { NEGATIVE_CONTROLS, STRATUS_ACQUISITION, STRATUS_DIR, type ControlExpectation } from './mappings';

/**
 * The whole-folder runs: one hunt per source, one per Stratus technique,
 * one per negative control.
 */

export interface FindingSummary {
  readonly principal: string;
  readonly indicators: readonly string[];
  readonly escalated: boolean;
  readonly severity: string;
  readonly events: number;
}

function summarize(f: Finding): FindingSummary {
  return { principal: f.principal, indicators: f.indicators.map((i) => i.id), escalated: f.escalate, severity: f.severity, events: f.eventCount };
}

export interface SourceResult {
  readonly name: string;
  readonly files: number;
  readonly notRead: readonly { readonly rel: string; readonly reason: string }[];
  readonly stats: ReadStats;
  readonly findings: readonly FindingSummary[];
  readonly escalations: number;
  /** The first problem of each skip reason, as an example. */
  readonly examples: Readonly<Record<string, string>>;
  /** Files whose record count differs from inventory.json. */
  readonly inventoryMismatches: readonly { readonly file: string; readonly read: number; readonly inventory: number }[];
  /** Files inventory.json does not list. */
  readonly notInInventory: readonly string[];
}

export interface SourcesResult {
  readonly sources: readonly SourceResult[];
  /** Folders the datasets README describes that are not there. */
  readonly missing: readonly string[];
  readonly inventoryFound: boolean;
}

export async function evaluateSources(root: string): Promise<SourcesResult> {
  const inventory = readInventory(root);
  const found = discoverSources(root);
  const sources: SourceResult[] = [];
  for (const s of found) {
    const run = await huntFiles(root, s.files);
    const examples: Record<string, string> = {};
    for (const p of run.problems) {
      if (!(p.reason in examples)) examples[p.reason] = `${p.source}${p.position ? ` record ${p.position.index}` : ''}: ${p.message}`;
    }
    const inventoryMismatches: { file: string; read: number; inventory: number }[] = [];
    const notInInventory: string[] = [];
    for (const [file, read] of run.recordsPerFile) {
      const expected = inventory?.get(file);
      if (expected === undefined) notInInventory.push(file);
      else if (expected !== read) inventoryMismatches.push({ file, read, inventory: expected });
    }
    sources.push({
      name: s.name,
      files: s.files.length,
      notRead: s.notRead,
      stats: run.stats,
      findings: run.findings.map(summarize),
      escalations: run.findings.filter((f) => f.escalate).length,
      examples,
      inventoryMismatches,
      notInInventory: inventory ? notInInventory : [],
    });
  }
  const names = new Set(found.map((s) => s.name));
  return { sources, missing: EXPECTED_SOURCES.filter((n) => !names.has(n)), inventoryFound: inventory !== undefined };
}

// ---------------------------------------------------------------------------

export interface TechniqueResult {
  readonly technique: string;
  readonly records: number;
  readonly relevant: number;
  readonly findings: readonly FindingSummary[];
  readonly escalated: boolean;
}

export interface AcquisitionTechniqueResult extends TechniqueResult {
  readonly expected: readonly string[];
  readonly mustEscalate: boolean;
  readonly why: string;
  readonly present: boolean;
  /** A finding carries every expected indicator (and is escalated when that is required). */
  readonly caught: boolean;
}

export interface StratusResult {
  readonly acquisition: readonly AcquisitionTechniqueResult[];
  readonly others: readonly TechniqueResult[];
}

async function runTechnique(root: string, file: DataFile): Promise<TechniqueResult> {
  const run = await huntFiles(root, [file]);
  return {
    technique: path.basename(file.rel).replace(/\.json$/, ''),
    records: run.stats.records,
    relevant: run.stats.relevant,
    findings: run.findings.map(summarize),
    escalated: run.findings.some((f) => f.escalate),
  };
}

/** Each detonation file on its own: one technique, one hunt. */
export async function evaluateStratus(root: string): Promise<StratusResult> {
  const dir = path.join(root, STRATUS_DIR);
  const files: DataFile[] = existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => n.endsWith('.json'))
        .sort()
        .map((n) => ({ rel: `${STRATUS_DIR}/${n}`, abs: path.join(dir, n) }))
    : [];
  const runs: TechniqueResult[] = [];
  for (const f of files) runs.push(await runTechnique(root, f));
  const byName = new Map(runs.map((r) => [r.technique, r]));
  const acquisition = STRATUS_ACQUISITION.map((x): AcquisitionTechniqueResult => {
    const r = byName.get(x.technique);
    const base = { expected: x.indicators, mustEscalate: x.escalated, why: x.why };
    if (!r) return { technique: x.technique, records: 0, relevant: 0, findings: [], escalated: false, ...base, present: false, caught: false };
    const caught = r.findings.some((f) => x.indicators.every((id) => f.indicators.includes(id)) && (!x.escalated || f.escalated));
    return { ...r, ...base, present: true, caught };
  });
  const acquisitionNames = new Set(STRATUS_ACQUISITION.map((x) => x.technique));
  return { acquisition, others: runs.filter((r) => !acquisitionNames.has(r.technique)) };
}

// ---------------------------------------------------------------------------

export interface ControlResult {
  readonly name: string;
  readonly path: string;
  readonly expect: ControlExpectation;
  readonly why: string;
  readonly present: boolean;
  readonly records: number;
  readonly ignored: number;
  readonly findings: readonly FindingSummary[];
  /** The expectation held (true as well when the data is missing: nothing was contradicted). */
  readonly ok: boolean;
  readonly outcome: string;
}

export async function evaluateControls(root: string): Promise<ControlResult[]> {
  const out: ControlResult[] = [];
  for (const c of NEGATIVE_CONTROLS) {
    const target = path.join(root, c.path);
    if (!existsSync(target)) {
      // Nothing to check is not a disagreement: the caller reports it as a warning.
      out.push({ ...c, present: false, records: 0, ignored: 0, findings: [], ok: true, outcome: 'missing' });
      continue;
    }
    const run = await huntFiles(root, dataFilesUnder(root, target).files);
    const findings = run.findings.map(summarize);
    const ignored = Object.values(run.stats.ignored).reduce((a, b) => a + b, 0);
    const escalations = findings.filter((f) => f.escalated).length;
    const ok =
      c.expect === 'no-findings'
        ? findings.length === 0
        : c.expect === 'no-escalation'
          ? escalations === 0
          : findings.length === 0 && run.stats.records > 0 && ignored === run.stats.records;
    const outcome =
      c.expect === 'all-ignored'
        ? `${ignored} of ${run.stats.records} ignored, ${plural(findings.length, 'finding')}`
        : `${plural(findings.length, 'finding')}, ${escalations} escalated`;
    out.push({ ...c, present: true, records: run.stats.records, ignored, findings, ok, outcome });
  }
  return out;
}
