import type { ControlResult, FindingSummary, SourcesResult, StratusResult } from './checks';
import { describeFindings, type CaseResult, type SuiteResult } from './suites';

/** The terminal report: plain text, aligned columns, no colour (it is often piped or pasted). */

export interface Failure {
  readonly kind: 'rule-test' | 'stratus-not-caught' | 'stratus-negative' | 'negative-control';
  readonly what: string;
  readonly detail: string;
}

export interface EvalResult {
  readonly datasets: string;
  readonly settings: 'DEFAULT_SETTINGS';
  readonly sources: SourcesResult;
  readonly suites: readonly SuiteResult[];
  readonly stratus: StratusResult;
  readonly controls: readonly ControlResult[];
  /** Problems with the data itself (missing folders, bad lines, unmapped rules not in the suite). */
  readonly warnings: readonly string[];
  /** What makes the run fail: unexplained disagreements and Stratus acquisition techniques not caught. */
  readonly failures: readonly Failure[];
  readonly ok: boolean;
}

type Align = 'l' | 'r';

/** Pads every column to its widest cell; numbers are right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[], indent = ''): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    indent +
    cells
      .map((c, i) => {
        const w = widths[i] ?? 0;
        return align[i] === 'r' ? c.padStart(w) : c.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

const n = (x: number): string => String(x);
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const total = (r: Readonly<Record<string, number>>): number => sum(Object.values(r));
const yesNo = (b: boolean): string => (b ? 'yes' : 'no');
export const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;

function findingLine(f: FindingSummary): string {
  const level = `${f.severity}${f.escalated ? ', ESCALATED' : ''}`;
  return `${level.padEnd(24)} ${f.principal}: ${f.indicators.join(', ')} (${plural(f.events, 'event')})`;
}

function heading(text: string): string[] {
  return ['', text, '='.repeat(text.length)];
}

function sourcesSection(r: SourcesResult): string[] {
  const out = heading('1. Sources: each folder read as `rogue-infra hunt FOLDER` reads it, one engine run per folder');
  const rows = r.sources.map((s) => [
    s.name,
    n(s.files),
    n(s.stats.records),
    n(s.stats.relevant),
    n(s.stats.notRelevant),
    n(s.stats.parsed),
    n(total(s.stats.ignored)),
    n(total(s.stats.skipped)),
    n(s.findings.length),
    n(s.escalations),
  ]);
  const col = (f: (s: SourcesResult['sources'][number]) => number): string => n(sum(r.sources.map(f)));
  rows.push([
    'total',
    col((s) => s.files),
    col((s) => s.stats.records),
    col((s) => s.stats.relevant),
    col((s) => s.stats.notRelevant),
    col((s) => s.stats.parsed),
    col((s) => total(s.stats.ignored)),
    col((s) => total(s.stats.skipped)),
    col((s) => s.findings.length),
    col((s) => s.escalations),
  ]);
  out.push(
    '',
    ...table(
      ['source', 'files', 'records', 'relevant', 'not relevant', 'parsed', 'ignored', 'skipped', 'findings', 'escalated'],
      rows,
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  out.push('', 'relevant: acquisition-related records handed to the engine; parsed: records the prefilter let through to JSON.parse;');
  out.push('ignored: EventBridge events of other detail-types; skipped: records that did not reach the engine.');

  const skipped = r.sources.flatMap((s) =>
    Object.entries(s.stats.skipped).map(([reason, count]) => [
      s.name,
      `${reason} ${count}`,
      reason === 'duplicate-event' ? 'same eventID, eventName, time, account and caller as an earlier record' : (s.examples[reason] ?? ''),
    ]),
  );
  out.push('', 'Skipped, by reason:');
  out.push(...(skipped.length ? table(['source', 'reason', 'example'], skipped, ['l', 'l', 'l'], '  ') : ['  none']));

  const ignored = r.sources.filter((s) => total(s.stats.ignored) > 0);
  out.push('', 'Ignored, by EventBridge detail-type:');
  out.push(...(ignored.length ? ignored.map((s) => `  ${s.name}: ${Object.entries(s.stats.ignored).map(([t, c]) => `${t} ${c}`).join(', ')}`) : ['  none']));

  const notRead = r.sources.flatMap((s) => s.notRead.map((f) => [f.rel, f.reason]));
  out.push('', 'Files not read:');
  out.push(...(notRead.length ? table(['file', 'why'], notRead, ['l', 'l'], '  ') : ['  none']));

  const files = sum(r.sources.map((s) => s.files));
  const mismatches = r.sources.flatMap((s) => s.inventoryMismatches);
  const unlisted = r.sources.flatMap((s) => s.notInInventory);
  out.push('');
  if (!r.inventoryFound) out.push('Record counts: inventory.json not found, not cross-checked.');
  else if (mismatches.length === 0 && unlisted.length === 0) out.push(`Record counts: the reader's count matches inventory.json for all ${files} files.`);
  else {
    out.push('Record counts that differ from inventory.json:');
    for (const m of mismatches) out.push(`  ${m.file}: read ${m.read}, inventory ${m.inventory}`);
    for (const f of unlisted) out.push(`  ${f}: not in inventory.json`);
  }

  out.push('', 'Findings, by source (whole-folder runs):');
  for (const s of r.sources) {
    if (s.findings.length === 0) continue;
    out.push(`  ${s.name}`);
    for (const f of s.findings) out.push(`    ${findingLine(f)}`);
  }
  out.push(
    '',
    'Note: panther-analysis and streamalert are test suites. A whole-file run puts unrelated tests on one timeline,',
    'so baseline indicators (unusual-region) can fire across tests and sanitised ids ("...") make distinct tests',
    'look like duplicates. Their per-test verdicts are in section 2, where each test runs alone.',
  );
  return out;
}

function caseTitle(c: CaseResult): string {
  return `${c.rule} "${c.name}" (line ${c.line})`;
}

function suiteSection(s: SuiteResult): string[] {
  const out: string[] = [];
  const mappedCases = sum(s.mapped.map((m) => m.cases));
  const ec2Unmapped = s.unmapped.filter((u) => !u.reason.startsWith('not about EC2'));
  const verdicts = s.noVerdict ? `${s.lines - s.noVerdict} of them for ${plural(s.rules, 'rule')}, ${s.noVerdict} classifier-only without a verdict` : `for ${plural(s.rules, 'rule')}`;
  out.push('', `${s.title} (${s.file}): ${plural(s.lines, 'test')}, ${verdicts}`);
  out.push(
    `  ${plural(s.mapped.length, 'rule')} mapped to an engine predicate (${plural(mappedCases, 'test')}); ${plural(ec2Unmapped.length, 'EC2 rule')} and ${plural(s.unmapped.length - ec2Unmapped.length, 'rule')} of other services are not acquisition-related`,
  );
  out.push(
    '',
    ...table(
      ['rule', 'relation', 'our predicate (fired)', 'cases', 'compared', 'agree', 'disagree', 'unexplained'],
      s.mapped.map((m) => [m.rule, m.relation, m.predicate, n(m.cases), n(m.compared), n(m.agree), n(m.explained + m.unexplained), n(m.unexplained)]),
      ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r'],
      '  ',
    ),
  );
  out.push('', '  Why each predicate corresponds to the rule:');
  for (const m of s.mapped) out.push(`    ${m.rule}: ${m.rationale}`);
  out.push('', '  Disagreements:');
  if (s.disagreements.length === 0) out.push('    none');
  for (const c of s.disagreements) {
    out.push(`    ${caseTitle(c)}: expected ${String(c.expected)}, ours ${String(c.ours)}`);
    out.push(`      ${c.status === 'explained' ? 'explained' : 'UNEXPLAINED'}: ${c.reason ?? ''}`);
  }
  const scoped = s.mapped.filter((m) => m.cases > m.compared);
  if (scoped.length) {
    out.push('', '  Not compared:');
    for (const m of scoped) out.push(`    ${m.rule}: ${m.cases - m.compared} of ${m.cases} cases (${m.scope ?? 'out of scope'})`);
  }
  if (ec2Unmapped.length) {
    out.push('', '  EC2 rules not mapped (not acquisition):');
    out.push(...table(['rule', 'cases', 'why'], ec2Unmapped.map((u) => [u.rule, n(u.cases), u.reason]), ['l', 'r', 'l'], '    '));
  }
  out.push('', '  Tests of unmapped rules that produced a finding:');
  if (s.unmappedWithFindings.length === 0) out.push('    none');
  for (const c of s.unmappedWithFindings) out.push(`    ${caseTitle(c)}: ${describeFindings(c.findings)}`);
  if (s.missingRules.length) out.push('', `  Mapped rules with no test in the file: ${s.missingRules.join(', ')}`);
  if (s.invalidLines.length) out.push('', `  Lines that are not a JSON test: ${s.invalidLines.join(', ')}`);
  return out;
}

function stratusSection(r: StratusResult): string[] {
  const out = heading('3. Stratus Red Team: one engine run per detonation');
  out.push(
    '',
    ...table(
      ['acquisition technique', 'records', 'expected finding', 'caught', 'escalated'],
      r.acquisition.map((t) => [
        t.technique,
        t.present ? n(t.records) : 'missing',
        `${t.expected.join(' + ')}${t.mustEscalate ? ', escalated' : ''}`,
        t.caught ? 'yes' : 'NO',
        yesNo(t.escalated),
      ]),
      ['l', 'r', 'l', 'l', 'l'],
    ),
  );
  out.push('');
  for (const t of r.acquisition) {
    out.push(`  ${t.technique}: ${t.why}`);
    for (const f of t.findings) out.push(`    ${findingLine(f)}`);
    if (t.present && t.findings.length === 0) out.push('    no finding');
  }
  const escalated = r.others.filter((t) => t.escalated);
  const withFindings = r.others.filter((t) => t.findings.length > 0);
  out.push('', `Other techniques (not server acquisition): ${r.others.length}; escalated: ${escalated.length}; with a finding: ${withFindings.length}`);
  if (r.others.length === 0) return out;
  out.push(
    '',
    ...table(
      ['technique', 'records', 'relevant', 'findings', 'escalated'],
      r.others.map((t) => [t.technique, n(t.records), n(t.relevant), n(t.findings.length), yesNo(t.escalated)]),
      ['l', 'r', 'r', 'r', 'l'],
      '  ',
    ),
  );
  for (const t of withFindings) {
    out.push(`  ${t.technique}:`);
    for (const f of t.findings) out.push(`    ${findingLine(f)}`);
  }
  return out;
}

function controlsSection(controls: readonly ControlResult[]): string[] {
  const out = heading('4. Negative controls');
  out.push(
    '',
    ...table(
      ['control', 'data', 'records', 'expected', 'result', 'ok'],
      controls.map((c) => [c.name, c.path, c.present ? n(c.records) : 'missing', c.expect, c.outcome, !c.present ? 'not checked' : c.ok ? 'ok' : 'FAIL']),
      ['l', 'l', 'r', 'l', 'l', 'l'],
    ),
  );
  for (const c of controls) {
    for (const f of c.findings) out.push(`  ${c.name}: ${findingLine(f)}`);
  }
  return out;
}

function verdictSection(r: EvalResult): string[] {
  const out = heading('5. Result');
  const mapped = r.suites.flatMap((s) => s.mapped);
  out.push(
    '',
    `Rule tests compared: ${sum(mapped.map((m) => m.compared))}; agree ${sum(mapped.map((m) => m.agree))}; disagree, explained ${sum(mapped.map((m) => m.explained))}; disagree, UNEXPLAINED ${sum(mapped.map((m) => m.unexplained))}`,
    `Stratus acquisition techniques caught: ${r.stratus.acquisition.filter((t) => t.caught).length} of ${r.stratus.acquisition.length}; other techniques escalated: ${r.stratus.others.filter((t) => t.escalated).length} of ${r.stratus.others.length}`,
    `Negative controls passed: ${r.controls.filter((c) => c.present && c.ok).length} of ${r.controls.filter((c) => c.present).length}`,
  );
  if (r.warnings.length) {
    out.push('', 'Warnings:');
    for (const w of r.warnings) out.push(`  ${w}`);
  }
  if (r.failures.length) {
    out.push('', `UNEXPLAINED DISAGREEMENTS AND MISSED TECHNIQUES (${r.failures.length}):`);
    for (const f of r.failures) out.push(`  [${f.kind}] ${f.what}`, `      ${f.detail}`);
  }
  out.push('', r.ok ? 'PASS' : 'FAIL (exit 1)');
  return out;
}

export function formatReport(r: EvalResult): string {
  const lines: string[] = [
    'rogue-infra-responder: evaluation on third-party CloudTrail data',
    `datasets: ${r.datasets}`,
    'engine:   DEFAULT_SETTINGS (no config file, no threat-intel feeds)',
    ...sourcesSection(r.sources),
    ...heading('2. Rule tests: each test line run alone, through a fresh reader and engine'),
    ...r.suites.flatMap(suiteSection),
    ...stratusSection(r.stratus),
    ...controlsSection(r.controls),
    ...verdictSection(r),
  ];
  return `${lines.join('\n')}\n`;
}
