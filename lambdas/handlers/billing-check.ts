import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Anomaly, ResultByTime } from '@aws-sdk/client-cost-explorer';
import {
  addDays,
  baselineSignals,
  costSeries,
  joinProvisioning,
  JOIN_LOOKBACK_DAYS,
  lastCompleteDay,
  signalsFromAnomalies,
  DEFAULT_BILLING_CHECK,
  type BillingCheckSettings,
  type BillingSignal,
  type LaunchRecord,
} from '../core/billing';
import { billingFinding } from '../core/billing-finding';
import { describeError, RogueInfraError } from '../core/errors';
import type { Finding } from '../core/model';
import type { EngineSettings } from '../core/settings';
import type { WorkflowInput } from '../core/workflow';
import { awsErrorName } from '../adapters/aws';
import { anomalyStore, type AlertDecision } from '../adapters/anomaly-store';
import { COMPUTE_SERVICES, getAnomalies, getDailyCost } from '../adapters/cost';
import { startWorkflow } from '../adapters/executions';
import { Ledger } from '../adapters/ledger';
import { logger, traced } from './shared/observability';
import { engineSettings, jsonSettings, numberEnv, optionalEnv, requireEnv } from './shared/runtime';

/**
 * The daily billing check (a scheduled rule): compute anomalies from Cost
 * Anomaly Detection, and our own baseline over GetCostAndUsage, each joined
 * back to who launched in that account and region; every new (or grown)
 * signal starts the response workflow with a billing finding. One source
 * failing is reported and the other still runs. Cost Explorer bills each
 * request, so the check makes three a day (plus pages): anomalies, daily
 * cost by account and region, and the judged day by usage type.
 */


export interface BillingCheckDeps {
  readonly settings: EngineSettings;
  readonly check: BillingCheckSettings;
  /** The account the check runs in: an anomaly of its own monitor names no linked account. */
  readonly ownAccount: string;
  readonly now: () => number;
  readonly getAnomalies: (range: { start: string; end: string }) => Promise<Anomaly[]>;
  readonly getDailyCost: (range: { start: string; end: string }, groupBy: readonly ['LINKED_ACCOUNT', 'REGION'] | readonly ['LINKED_ACCOUNT', 'USAGE_TYPE']) => Promise<ResultByTime[]>;
  readonly decide: (id: string, impact: number, marginPercent: number) => Promise<AlertDecision>;
  readonly launches: (accountId: string, from: number, to: number, region?: string) => Promise<LaunchRecord[]>;
  /** Resolves false when an execution of that name exists already. */
  readonly startExecution: (name: string, input: WorkflowInput) => Promise<boolean>;
}

export interface BillingCheckResult {
  /** The day judged (the last complete UTC day). */
  readonly day: string;
  readonly anomalies: { readonly returned: number; readonly compute: number; readonly alerted: number };
  readonly baseline: { readonly series: number; readonly signals: number; readonly alerted: number };
  readonly findings: readonly { readonly findingId: string; readonly tier: 1 | 2; readonly signal: string; readonly alert: AlertDecision['kind']; readonly started: boolean }[];
  readonly notes: readonly string[];
  /** A source that failed (after retries): the other still ran. */
  readonly errors: readonly string[];
}

export function makeBillingCheck(deps: BillingCheckDeps): () => Promise<BillingCheckResult> {
  return async () => {
    const day = lastCompleteDay(deps.now());
    const notes: string[] = [];
    const errors: string[] = [];
    const signals: BillingSignal[] = [];
    let returned = 0;
    let compute = 0;
    let series = 0;
    let baselineCount = 0;

    // 1. Cost Anomaly Detection. DateInterval selects by the anomaly's end date;
    // EndDate is exclusive of nothing here, so ask up to today.
    try {
      const anomalies = await deps.getAnomalies({ start: addDays(day, -deps.check.lookbackDays + 1), end: addDays(day, 1) });
      returned = anomalies.length;
      const own = signalsFromAnomalies(anomalies, deps.ownAccount);
      compute = new Set(own.map((s) => s.id)).size;
      if (returned === 0) notes.push('Cost Anomaly Detection returned no anomaly for the period: none happened, or no monitor is configured (deployment.billing.createMonitor)');
      signals.push(...own);
    } catch (err) {
      errors.push(`GetAnomalies: ${awsErrorName(err)}: ${describeError(err)}`);
    }

    // 2. The baseline: the judged day against the days before it.
    try {
      const from = addDays(day, -deps.check.baseline.baselineDays);
      // One after the other: Cost Explorer's rate limit is low, and they are two of the day's few calls.
      const daily = await deps.getDailyCost({ start: from, end: addDays(day, 1) }, ['LINKED_ACCOUNT', 'REGION']);
      const usage = await deps.getDailyCost({ start: day, end: addDays(day, 1) }, ['LINKED_ACCOUNT', 'USAGE_TYPE']);
      const bySeries = costSeries(daily);
      series = bySeries.size;
      if (series === 0) notes.push(`no compute spend in any account from ${from} to ${day}`);
      const judged = baselineSignals(bySeries, day, deps.check.baseline, costSeries(usage), from);
      baselineCount = judged.signals.length;
      notes.push(...judged.notes);
      signals.push(...judged.signals);
    } catch (err) {
      errors.push(`GetCostAndUsage: ${awsErrorName(err)}: ${describeError(err)}`);
    }

    // 3. Each signal: alert once (and again when an anomaly grew), joined to who launched.
    const findings: BillingCheckResult['findings'][number][] = [];
    let alertedAnomalies = 0;
    let alertedBaseline = 0;
    for (const signal of signals) {
      const key = signal.source === 'anomaly-detection' ? `${signal.id}#${signal.accountId}` : signal.id;
      const decision = await deps.decide(key, signal.impact, deps.check.growthMarginPercent);
      if (decision.kind === 'unchanged') continue;
      if (signal.source === 'anomaly-detection') alertedAnomalies++;
      else alertedBaseline++;
      const from = Date.parse(`${addDays(signal.start, -JOIN_LOOKBACK_DAYS)}T00:00:00Z`);
      const to = Date.parse(`${addDays(signal.end, 1)}T00:00:00Z`);
      const join = joinProvisioning(signal, await deps.launches(signal.accountId, from, to, signal.region), deps.settings);
      const finding: Finding = billingFinding(signal, join, deps.settings);
      const name = `${finding.findingId}-${day}${decision.kind === 'grown' ? '-grown' : ''}`;
      const started = await deps.startExecution(name, { finding, groupKey: `billing:${signal.id}`, trigger: decision.kind === 'grown' ? 'escalated' : 'new' });
      findings.push({ findingId: finding.findingId, tier: finding.tier, signal: signal.explanation, alert: decision.kind, started });
    }
    const result: BillingCheckResult = {
      day,
      anomalies: { returned, compute, alerted: alertedAnomalies },
      baseline: { series, signals: baselineCount, alerted: alertedBaseline },
      findings,
      notes,
      errors,
    };
    if (errors.length) logger.error('billing check: a source failed', { errors });
    logger.info('billing check done', { ...result, findings: findings.length });
    return result;
  };
}

export function billingCheckSettings(raw = process.env.BILLING_SETTINGS): BillingCheckSettings {
  return jsonSettings('BILLING_SETTINGS', raw, DEFAULT_BILLING_CHECK, (p: Partial<BillingCheckSettings>) => ({
    ...DEFAULT_BILLING_CHECK,
    ...p,
    baseline: { ...DEFAULT_BILLING_CHECK.baseline, ...p.baseline },
  }));
}

let check: (() => Promise<BillingCheckResult>) | undefined;

function fromEnvironment(): () => Promise<BillingCheckResult> {
  const settings = engineSettings();
  const tableName = requireEnv('TABLE_NAME');
  const stateMachineArn = requireEnv('STATE_MACHINE_ARN');
  const checkSettings = billingCheckSettings();
  const monitorArn = optionalEnv('ANOMALY_MONITOR_ARN') ?? checkSettings.monitorArn;
  const ledger = new Ledger({ tableName, ledgerDays: numberEnv('LEDGER_DAYS', 30), churnMinutes: settings.churn.minutes, now: () => Date.now() });
  const store = anomalyStore({ tableName });
  return makeBillingCheck({
    settings,
    check: checkSettings,
    ownAccount: requireEnv('ACCOUNT_ID'),
    now: Date.now,
    getAnomalies: (range) => getAnomalies(range, monitorArn ? { monitorArn } : {}),
    getDailyCost: (range, groupBy) => getDailyCost(range, groupBy, COMPUTE_SERVICES),
    decide: (id, impact, margin) => store.decide(id, impact, margin),
    launches: (account, from, to, region) => ledger.launches(account, from, to, region),
    startExecution: (name, input) => startWorkflow(stateMachineArn, name, input),
  });
}

/**
 * A source that failed after its retries fails the invocation once the
 * other source has been handled: the function's error alarm tells
 * operators, and nothing already alerted is alerted twice on a rerun.
 */
async function run(): Promise<BillingCheckResult> {
  const result = await (check ??= fromEnvironment())();
  if (result.errors.length) throw new BillingSourceError(`billing check ${result.day}: ${result.errors.join('; ')} (${result.findings.length} finding(s) started from the other source)`);
  return result;
}

export class BillingSourceError extends RogueInfraError {
  override readonly name = 'BillingSourceError';
}

export const handler = middy(run)
  .use(traced())
  .use(injectLambdaContext(logger));

