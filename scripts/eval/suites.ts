import { readFileSync } from 'node:fs';
import path from 'node:path';
import { normalizeRecord } from '../../lambdas/core/cloudtrail/normalize';
import type { ReadStats } from '../../lambdas/core/cloudtrail/reader';
import { extractFacts, type EventFacts } from '../../lambdas/core/facts';
import { runLine } from './corpus';
import { OTHER_SERVICE_REASON, RULE_MAPPINGS, UNMAPPED_RULES, type CaseView, type Relation, type SuiteSpec } from './mappings';

/**
 * Runs a peer's rule-test suite one line at a time and compares each case
 * of an acquisition-related rule with the peer's expected outcome, through
 * the rule's mapping.
 */

export type CaseStatus = 'agree' | 'explained' | 'unexplained' | 'out-of-scope' | 'unmapped' | 'no-verdict';

export interface CaseResult {
  /** 1-based line in the suite file. */
  readonly line: number;
  readonly rule: string;
  readonly name: string;
  readonly expected: boolean | null;
  /** What the reader did with the event: relevant, not-relevant, ignored, or skipped:REASON. */
  readonly read: string;
  /** Indicators of each finding the engine produced for this event alone. */
  readonly findings: readonly (readonly string[])[];
  readonly escalated: boolean;
  readonly status: CaseStatus;
  /** Our predicate's value, for compared cases. */
  readonly ours?: boolean;
  /** Why it disagrees (explained), or what is missing (unexplained). */
  readonly reason?: string;
}

export interface RuleResult {
  readonly rule: string;
  readonly relation: Relation;
  readonly predicate: string;
  readonly rationale: string;
  readonly scope?: string;
  readonly cases: number;
  readonly compared: number;
  readonly agree: number;
  readonly explained: number;
  readonly unexplained: number;
}

export interface SuiteResult {
  readonly id: string;
  readonly title: string;
  readonly file: string;
  readonly lines: number;
  /** Lines that are not a JSON test case at all. */
  readonly invalidLines: readonly number[];
  readonly rules: number;
  readonly mapped: readonly RuleResult[];
  /** Mapped rules with no case in the file (the suite changed, or the mapping is wrong). */
  readonly missingRules: readonly string[];
  readonly unmapped: readonly { readonly rule: string; readonly cases: number; readonly reason: string }[];
  /** Tests without a verdict (StreamAlert's classifier-only tests). */
  readonly noVerdict: number;
  /** Every disagreement on a compared case, explained or not. */
  readonly disagreements: readonly CaseResult[];
  /** Cases of rules we did not map that still produced a finding (worth a look, not a disagreement). */
  readonly unmappedWithFindings: readonly CaseResult[];
  readonly cases: readonly CaseResult[];
}

interface TestLine {
  readonly rule: string;
  readonly name: string;
  readonly expected: boolean | null;
}

function parseTestLine(text: string): TestLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  return {
    // StreamAlert's classifier-only tests have no rule.
    rule: typeof v.rule === 'string' ? v.rule : '(classifier only)',
    name: typeof v.name === 'string' ? v.name : '(unnamed)',
    expected: typeof v.expected === 'boolean' ? v.expected : null,
  };
}

function readStatus(stats: ReadStats): string {
  const skipped = Object.entries(stats.skipped).filter(([, n]) => n > 0);
  if (skipped.length) return skipped.map(([r]) => `skipped:${r}`).join(',');
  if (stats.relevant > 0) return 'relevant';
  if (Object.keys(stats.ignored).length > 0) return 'ignored';
  return 'not-relevant';
}

/** The engine's facts for the record, also when the reader would not score it (explanations need them). */
function factsOf(record: CaseView['record'], label: string): EventFacts | undefined {
  if (!record) return undefined;
  const n = normalizeRecord(record, label);
  return n.ok ? extractFacts(n.event) : undefined;
}

export function evaluateSuite(root: string, spec: SuiteSpec): SuiteResult {
  const file = path.join(root, spec.file);
  const text = readFileSync(file, 'utf8');
  const mappings = new Map(RULE_MAPPINGS.filter((m) => m.suite === spec.id).map((m) => [m.rule, m]));
  const cases: CaseResult[] = [];
  const invalidLines: number[] = [];
  const lines = text.split('\n');
  let count = 0;
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    count++;
    const lineNo = i + 1;
    const test = parseTestLine(raw);
    if (!test) {
      invalidLines.push(lineNo);
      return;
    }
    const label = `${spec.file}:${lineNo}`;
    const run = runLine(label, raw);
    const view: CaseView = {
      rule: test.rule,
      name: test.name,
      expected: test.expected === true,
      record: run.record,
      facts: factsOf(run.record, label),
      findings: run.findings,
    };
    const base = {
      line: lineNo,
      rule: test.rule,
      name: test.name,
      expected: test.expected,
      read: readStatus(run.stats),
      findings: run.findings.map((f) => f.indicators.map((x) => x.id)),
      escalated: run.findings.some((f) => f.escalate),
    };
    const mapping = mappings.get(test.rule);
    if (test.expected === null) {
      cases.push({ ...base, status: 'no-verdict' });
    } else if (!mapping) {
      cases.push({ ...base, status: 'unmapped' });
    } else if (mapping.scope && !mapping.scope.includes(view)) {
      cases.push({ ...base, status: 'out-of-scope', reason: mapping.scope.describe });
    } else {
      const ours = mapping.holds(view);
      if (ours === test.expected) {
        cases.push({ ...base, status: 'agree', ours });
      } else {
        const why = mapping.explain?.(view, ours);
        cases.push(
          why
            ? { ...base, status: 'explained', ours, reason: why }
            : { ...base, status: 'unexplained', ours, reason: `our predicate (${mapping.predicate}) is ${ours} (findings: ${describeFindings(base.findings)}; read: ${base.read})` },
        );
      }
    }
  });

  const byRule = new Map<string, CaseResult[]>();
  for (const c of cases) byRule.set(c.rule, [...(byRule.get(c.rule) ?? []), c]);
  const mapped: RuleResult[] = [...mappings.values()]
    .filter((m) => byRule.has(m.rule))
    .map((m) => {
      const of = byRule.get(m.rule) ?? [];
      const n = (s: CaseStatus): number => of.filter((c) => c.status === s).length;
      return {
        rule: m.rule,
        relation: m.relation,
        predicate: m.predicate,
        rationale: m.rationale,
        ...(m.scope ? { scope: m.scope.describe } : {}),
        cases: of.length,
        compared: n('agree') + n('explained') + n('unexplained'),
        agree: n('agree'),
        explained: n('explained'),
        unexplained: n('unexplained'),
      };
    });
  const unmapped = [...byRule]
    .filter(([rule, of]) => !mappings.has(rule) && of.some((c) => c.status === 'unmapped'))
    .map(([rule, of]) => ({ rule, cases: of.length, reason: UNMAPPED_RULES.get(rule) ?? OTHER_SERVICE_REASON }))
    .sort((a, b) => Number(UNMAPPED_RULES.has(b.rule)) - Number(UNMAPPED_RULES.has(a.rule)) || a.rule.localeCompare(b.rule));
  return {
    id: spec.id,
    title: spec.title,
    file: spec.file,
    lines: count,
    invalidLines,
    // Rules with a verdict: StreamAlert's classifier-only tests belong to none.
    rules: new Set(cases.filter((c) => c.status !== 'no-verdict').map((c) => c.rule)).size,
    mapped,
    missingRules: [...mappings.keys()].filter((r) => !byRule.has(r)),
    unmapped,
    noVerdict: cases.filter((c) => c.status === 'no-verdict').length,
    disagreements: cases.filter((c) => c.status === 'explained' || c.status === 'unexplained'),
    unmappedWithFindings: cases.filter((c) => (c.status === 'unmapped' || c.status === 'no-verdict') && c.findings.length > 0),
    cases,
  };
}

export function describeFindings(findings: readonly (readonly string[])[]): string {
  return findings.length ? findings.map((f) => `[${f.join(', ')}]`).join(' ') : 'none';
}
