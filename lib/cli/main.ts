import { readFileSync, writeFileSync } from 'node:fs';
import { billingFromSaved, type BillingData, type SavedResponse } from '../../lambdas/core/billing';
import { parseArgs } from 'node:util';
import { ConfigError, describeError } from '../../lambdas/core/errors';
import type { ReadProblem } from '../../lambdas/core/cloudtrail/reader';
import { loadConfig } from '../config/load';
import { hunt, type HuntProgress } from '../hunt/hunt';
import { formatHtml } from '../hunt/report/html';
import { formatBytes, formatSummary } from '../hunt/report/summary';
import { formatTable } from '../hunt/report/table';

/**
 * The rogue-infra command line. `main` takes its streams as arguments and
 * returns the exit code, so the tests run it in-process.
 */

export const ExitCode = { OK: 0, USAGE: 1, INCOMPLETE_INPUT: 2, ESCALATION: 3 } as const;

export interface Io {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdinIsTTY: boolean;
  /** The clock, for the report's "generated at" only. */
  readonly now: () => Date;
}

const FORMATS = ['table', 'jsonl', 'json', 'html'] as const;
type Format = (typeof FORMATS)[number];

export const USAGE = `Usage: rogue-infra hunt [PATH ...] [options]
       rogue-infra contain|release FINDING_ID --table TABLE [options]  (see rogue-infra contain --help)

Hunts CloudTrail logs for unauthorized server acquisition (MITRE ATT&CK T1583.004).
PATH is a file (JSON, JSON Lines, S3 log file, .gz), a directory (read recursively)
or - for stdin. With no PATH, reads stdin when it is piped.

Options:
  --config FILE          configuration (JSON or YAML); default: built-in defaults
  --billing FILE         a saved Cost Explorer response (aws ce get-anomalies, or
                         aws ce get-cost-and-usage --granularity DAILY grouped by
                         LINKED_ACCOUNT and REGION): answers the billing question
                         and scores billing-anomaly; repeatable
  --format FORMAT        table (default), jsonl, json or html
  --out FILE             write the report to FILE instead of stdout
  --fail-on-escalation   exit 3 when any finding is escalated to Tier 2
  --threads N            reader threads besides the main one, which reads too
                         (default: one per extra core for large inputs; 0: main only)
  --quiet                no progress, no per-record warnings (the summary stays)
  -h, --help             this help
  -v, --version          the version

Exit codes: 0 done; 1 usage or configuration error; 2 some input could not be
read (the rest was processed); 3 --fail-on-escalation and something escalated
(3 wins over 2); 4 contain/release failed part way.
`;

const MAX_PROBLEMS_PER_SOURCE = 20;

function describeProblem(p: ReadProblem): string {
  const at = p.position ? ` record ${p.position.index} (line ${p.position.line}, byte ${p.position.offset})` : '';
  return `warning: ${p.source}:${at} ${p.reason}: ${p.message}`;
}

export async function main(argv: readonly string[], io: Io, version = '0.0.0'): Promise<number> {
  const err = (line: string): void => void io.stderr.write(`${line}\n`);
  // The operator verbs talk to AWS; loaded only when used, so a hunt starts
  // without the SDK clients.
  if (argv[0] === 'contain' || argv[0] === 'release') {
    const { operate } = await import('./operate');
    return operate(argv[0], argv.slice(1), io);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string' },
        billing: { type: 'string', multiple: true },
        format: { type: 'string', default: 'table' },
        out: { type: 'string' },
        'fail-on-escalation': { type: 'boolean', default: false },
        threads: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (e) {
    err(`rogue-infra: ${describeError(e)}\n`);
    err(USAGE);
    return ExitCode.USAGE;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    io.stdout.write(`${version}\n`);
    return ExitCode.OK;
  }
  const [command, ...paths] = positionals;
  if (values.help || command === 'help') {
    io.stdout.write(USAGE);
    return ExitCode.OK;
  }
  if (command !== 'hunt') {
    err(command ? `rogue-infra: unknown command "${command}" (expected: hunt, contain, release)\n` : 'rogue-infra: missing command (expected: hunt, contain, release)\n');
    err(USAGE);
    return ExitCode.USAGE;
  }
  const format = values.format as Format;
  if (!FORMATS.includes(format)) {
    err(`rogue-infra: --format: expected one of ${FORMATS.join(', ')}, found "${values.format}"`);
    return ExitCode.USAGE;
  }
  let threads: number | undefined;
  if (values.threads !== undefined) {
    threads = Number(values.threads);
    if (!Number.isInteger(threads) || threads < 0 || threads > 64) {
      err(`rogue-infra: --threads: expected a whole number from 0 to 64, found "${values.threads}"`);
      return ExitCode.USAGE;
    }
  }
  if (paths.length === 0) {
    if (io.stdinIsTTY) {
      err('rogue-infra: hunt: expected at least one PATH (a file, a directory, or - for stdin)\n');
      err(USAGE);
      return ExitCode.USAGE;
    }
    paths.push('-');
  }

  let config;
  try {
    config = loadConfig(values.config);
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`rogue-infra: ${e.message}`);
      return ExitCode.USAGE;
    }
    throw e;
  }

  // Saved Cost Explorer responses: what cannot be used is reported, the rest is used.
  let billing: BillingData | undefined;
  let billingIncomplete = false;
  if (values.billing?.length) {
    const saved: SavedResponse[] = [];
    for (const file of values.billing) {
      try {
        saved.push({ name: file, json: JSON.parse(readFileSync(file, 'utf8')) as unknown });
      } catch (e) {
        billingIncomplete = true;
        err(`warning: --billing ${file}: ${e instanceof SyntaxError ? `not valid JSON: ${e.message}` : describeError(e)}; expected a response saved from aws ce get-anomalies or get-cost-and-usage`);
      }
    }
    const out = billingFromSaved(saved);
    for (const p of out.problems) err(`warning: --billing ${p}`);
    billingIncomplete ||= out.problems.length > 0;
    billing = out.data;
    if (!values.quiet) err(`billing data: ${out.data.signals.length} compute signal(s) from ${out.data.coverage}`);
  }

  const perSource = new Map<string, number>();
  const progress = io.stderr.isTTY && !values.quiet;
  let lastProgress = 0;
  const showProgress = (p: HuntProgress): void => {
    const now = Date.now();
    if (now - lastProgress < 200 && p.filesDone < p.files) return;
    lastProgress = now;
    io.stderr.write(`\r\u001b[Kreading ${p.filesDone}/${p.files} files, ${formatBytes(p.bytes)}, ${p.records.toLocaleString('en-US')} records`);
  };
  const result = await hunt({
    paths,
    settings: config.settings,
    intel: config.intel,
    ...(billing ? { billing } : {}),
    ...(threads === undefined ? {} : { threads }),
    onProblem: (p) => {
      if (values.quiet) return;
      const seen = (perSource.get(p.source) ?? 0) + 1;
      perSource.set(p.source, seen);
      if (seen <= MAX_PROBLEMS_PER_SOURCE) {
        if (progress) io.stderr.write('\r\u001b[K');
        err(describeProblem(p));
      }
    },
    ...(progress ? { onProgress: showProgress } : {}),
  });
  if (progress) io.stderr.write('\r\u001b[K');
  for (const [source, count] of perSource) {
    if (count > MAX_PROBLEMS_PER_SOURCE) err(`warning: ${source}: ${count - MAX_PROBLEMS_PER_SOURCE} more problems not shown (all are counted below)`);
  }

  const report =
    format === 'jsonl'
      ? result.findings.map((f) => JSON.stringify(f)).join('\n') + (result.findings.length ? '\n' : '')
      : format === 'json'
        ? `${JSON.stringify({ summary: result.summary, findings: result.findings }, null, 2)}\n`
        : format === 'html'
          ? formatHtml(result.findings, result.summary, io.now().toISOString())
          : formatTable(result.findings, { color: Boolean(io.stdout.isTTY) && !values.out });
  if (values.out) {
    try {
      writeFileSync(values.out, report);
    } catch (e) {
      err(`rogue-infra: --out: cannot write ${values.out}: ${describeError(e)}`);
      return ExitCode.USAGE;
    }
  } else {
    io.stdout.write(report);
  }
  err(formatSummary(result.summary, result.findings));
  if (values['fail-on-escalation'] && result.findings.some((f) => f.escalate)) return ExitCode.ESCALATION;
  if (result.incomplete || billingIncomplete) return ExitCode.INCOMPLETE_INPUT;
  return ExitCode.OK;
}
