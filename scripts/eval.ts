import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { evaluateControls, evaluateSources, evaluateStratus } from './eval/checks';
import { SUITES } from './eval/mappings';
import { formatReport, plural, type EvalResult, type Failure } from './eval/report';
import { evaluateSuite } from './eval/suites';

/**
 * npm run eval -- [DATASETS] [--json]
 *
 * Runs the engine, with its default settings, over the third-party CloudTrail
 * corpora described in DATASETS/README.md and compares it with what those
 * corpora expect: the peers' rule tests (through scripts/eval/mappings.ts),
 * the Stratus Red Team detonations, and the benign data. See
 * docs/evaluation.md.
 *
 * Exit codes: 0 pass; 1 an unexplained disagreement, a Stratus acquisition
 * technique not caught or a negative control failed; 2 usage error or no
 * datasets folder.
 */

const USAGE = `Usage: npm run eval -- [DATASETS] [--json]

DATASETS  folder of the third-party CloudTrail data (default: ../shared/datasets, relative to the project)
--json    print the result as JSON on stdout; the readable report then goes to stderr
          (use \`npm run --silent eval -- DATASETS --json > result.json\`)
`;

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (parsed.positionals.length > 1) {
    process.stderr.write(`expected one DATASETS folder, got ${parsed.positionals.length}\n\n${USAGE}`);
    return 2;
  }
  const arg = parsed.positionals[0];
  // A path on the command line is the user's (relative to where they are);
  // the default is the project's neighbour, wherever the command is run from.
  const root = arg === undefined ? path.resolve(projectRoot, '../shared/datasets') : path.resolve(arg);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    process.stderr.write(`datasets folder not found: ${root}\n\n${USAGE}`);
    return 2;
  }

  const sources = await evaluateSources(root);
  const warnings: string[] = sources.missing.map((m) => `source folder ${m}/ is missing`);
  const suites = SUITES.filter((s) => {
    const present = existsSync(path.join(root, s.file));
    if (!present) warnings.push(`${s.file} is missing: ${s.title} not compared`);
    return present;
  }).map((s) => evaluateSuite(root, s));
  for (const s of suites) {
    if (s.missingRules.length) warnings.push(`${s.file}: mapped rules with no test: ${s.missingRules.join(', ')}`);
    if (s.invalidLines.length) warnings.push(`${s.file}: ${plural(s.invalidLines.length, 'line')} not a JSON test case`);
  }
  const stratus = await evaluateStratus(root);
  const controls = await evaluateControls(root);
  for (const c of controls) if (!c.present) warnings.push(`negative control ${c.path} is missing: not checked`);

  const failures: Failure[] = [
    ...suites.flatMap((s) =>
      s.disagreements
        .filter((c) => c.status === 'unexplained')
        .map((c): Failure => ({ kind: 'rule-test', what: `${s.title}: ${c.rule} "${c.name}" (line ${c.line}), expected ${String(c.expected)}`, detail: c.reason ?? '' })),
    ),
    ...stratus.acquisition
      .filter((t) => !t.caught)
      .map((t): Failure => ({
        kind: 'stratus-not-caught',
        what: `Stratus ${t.technique} not caught`,
        detail: t.present
          ? `expected a finding with ${t.expected.join(' + ')}${t.mustEscalate ? ', escalated' : ''}; got ${t.findings.map((f) => `[${f.indicators.join(', ')}${f.escalated ? ', escalated' : ''}]`).join(' ') || 'no finding'}`
          : 'detonation file missing',
      })),
    ...stratus.others
      .filter((t) => t.escalated)
      .map((t): Failure => ({ kind: 'stratus-negative', what: `Stratus ${t.technique} escalated`, detail: 'not server acquisition: it should not reach Tier 2' })),
    ...controls
      .filter((c) => c.present && !c.ok)
      .map((c): Failure => ({ kind: 'negative-control', what: `${c.name} (${c.path})`, detail: `expected ${c.expect}; got ${c.outcome}` })),
  ];
  const result: EvalResult = { datasets: root, settings: 'DEFAULT_SETTINGS', sources, suites, stratus, controls, warnings, failures, ok: failures.length === 0 };

  const report = formatReport(result);
  if (parsed.values.json) {
    process.stderr.write(report);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    process.stdout.write(report);
  }
  return result.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`eval failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  },
);
