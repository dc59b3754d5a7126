import { parseArgs } from 'node:util';
import { containmentClients } from '../../lambdas/adapters/containment';
import { containmentStore } from '../../lambdas/adapters/containment-store';
import { getFinding, recordFinding } from '../../lambdas/adapters/findings';
import { contain, ContainmentError, plan, release } from '../../lambdas/adapters/quarantine';
import { describePlan, describeRelease, type ContainmentReport, type ContainmentSettings } from '../../lambdas/core/containment';
import { ConfigError, describeError } from '../../lambdas/core/errors';
import { containmentLines } from '../../lambdas/core/render/text';
import type { Outcome } from '../../lambdas/core/workflow';
import { containmentSettingsOf, loadConfig } from '../config/load';
import type { Io } from './main';

/**
 * `rogue-infra contain` and `rogue-infra release`: the operator's hands on a
 * deployed responder, with the operator's own AWS credentials (the usual
 * SDK chain: AWS_PROFILE, SSO, environment). The same code as the Contain
 * function, on the same table, so a quarantine the workflow started and a
 * rerun from a laptop continue one manifest.
 */

export const OPERATE_USAGE = `Usage: rogue-infra contain FINDING_ID --table TABLE [options]
       rogue-infra release FINDING_ID --table TABLE [options]

contain   quarantines the finding's instances (manifest, snapshots, termination
          protection, Auto Scaling standby, untrack, wait, isolate per ENI),
          or finishes a quarantine that stopped part way.
release   puts them back exactly as recorded (security groups per ENI and the
          other settings); the snapshots are kept.

Options:
  --table TABLE      the responder's table (stack output StateTableName)
  --region REGION    the table's region (default: AWS_REGION / the profile's)
  --config FILE      the deployment config: its deployment.containment settings
  --by NAME          who is doing it, recorded in the finding (default: $USER)
  --dry-run          print what would change and change nothing
  -h, --help         this help

Exit codes: 0 done (or nothing to do); 1 usage or configuration error;
4 the action failed part way (the state of every ENI is printed).
`;

export const OPERATE_FAILED = 4;

export async function operate(command: 'contain' | 'release', argv: readonly string[], io: Io): Promise<number> {
  const err = (line: string): void => void io.stderr.write(`${line}\n`);
  const out = (line: string): void => void io.stdout.write(`${line}\n`);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        table: { type: 'string' },
        region: { type: 'string' },
        config: { type: 'string' },
        by: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    err(`rogue-infra ${command}: ${describeError(e)}\n`);
    err(OPERATE_USAGE);
    return 1;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(OPERATE_USAGE);
    return 0;
  }
  const [findingId, ...extra] = positionals;
  if (!findingId || extra.length > 0) {
    err(`rogue-infra ${command}: expected exactly one FINDING_ID (as in the notification, "rif-..."), found ${positionals.length}\n`);
    err(OPERATE_USAGE);
    return 1;
  }
  if (!values.table) {
    err(`rogue-infra ${command}: --table is required: the responder's table name (the stack output StateTableName)\n`);
    return 1;
  }
  if (values.region) process.env.AWS_REGION = values.region;
  let settings: ContainmentSettings;
  try {
    settings = containmentSettingsOf(loadConfig(values.config).config.deployment.containment);
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`rogue-infra: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const by = values.by ?? process.env.USER ?? 'an operator';
  const tableName = values.table;
  const store = containmentStore({ tableName });
  const deps = {
    store,
    clients: (scope: { region: string }) => containmentClients(scope.region),
    settings,
    sleep: async (ms: number) => {
      err(`waiting ${Math.round(ms / 1000)} s for flows tracked under the old groups to become untracked...`);
      await new Promise((r) => setTimeout(r, ms));
    },
  };
  const printReport = (r: ContainmentReport) => {
    out(r.summary);
    for (const l of containmentLines(r)) out(`  ${l}`);
  };

  try {
    const record = await getFinding(findingId, { tableName });
    if (command === 'contain') {
      if (!record) {
        err(`rogue-infra contain: there is no finding ${findingId} in ${tableName} (check the id and the table's region)`);
        return 1;
      }
      if (values['dry-run']) {
        out(`Dry run: quarantine of ${findingId} would do this (nothing changed):`);
        for (const l of describePlan(await plan(record.finding, deps))) out(l);
        return 0;
      }
      const report = await contain(record.finding, deps);
      printReport(report);
      const outcome: Outcome = { kind: 'contained', summary: `Quarantine run by ${by} (rogue-infra contain). ${report.summary}`, requestedBy: by, containment: report };
      await recordFinding(record.finding, { kind: 'outcome', at: new Date().toISOString(), detail: outcome }, { tableName });
      return 0;
    }
    if (values['dry-run']) {
      const stored = await store.get(findingId);
      if (!stored) {
        out(`${findingId} was never quarantined: nothing to release.`);
        return 0;
      }
      out(`Dry run: release of ${findingId} would do this (nothing changed):`);
      for (const l of describeRelease(stored.manifest, stored.progress)) out(l);
      return 0;
    }
    const result = await release(findingId, by, deps);
    if (!result.released || !result.report) {
      out(result.message);
      return 0;
    }
    printReport(result.report);
    if (record) {
      const outcome: Outcome = { kind: 'released', summary: `${result.message} (rogue-infra release)`, requestedBy: by, containment: result.report };
      await recordFinding(record.finding, { kind: 'outcome', at: new Date().toISOString(), detail: outcome }, { tableName });
    }
    return 0;
  } catch (e) {
    if (e instanceof ContainmentError) {
      err(`rogue-infra ${command}: ${e.message}`);
      for (const l of containmentLines(e.report)) err(`  ${l}`);
      err('Fix the cause and run the same command again: it continues where it stopped.');
      return OPERATE_FAILED;
    }
    err(`rogue-infra ${command}: ${describeError(e)}`);
    return OPERATE_FAILED;
  }
}
