import type { Actor } from './cloudtrail/types';
import { parseInstanceType } from './instance-types';
import type { Answer } from './model';
import { matchApproved } from './principals';
import type { EngineSettings } from './settings';

/**
 * The playbook's second log source, as data: "payment records and billing
 * anomalies related to purchasing or using server infrastructure". Two
 * sources of billing signals, both turned into the same `BillingSignal`:
 *
 * - Cost Anomaly Detection (GetAnomalies): AWS's own model, which lags a day
 *   or more, needs a monitor, and keeps growing an anomaly after it is
 *   first reported (deduplicated by id in the adapter);
 * - our own baseline over GetCostAndUsage: daily unblended cost of compute
 *   per linked account and region, against the median and MAD of the
 *   trailing weeks. It works without a monitor and for new accounts.
 *
 * A signal is then joined back to the provisioning the ledger saw in that
 * account and region: who launched, what, when. Pure: the caller passes
 * the API responses (as the SDK or the AWS CLI return them), the day, the
 * launches.
 */

/** Cost Explorer services that are compute spend: instances, their addresses/transfer/EBS, Lightsail servers. */
export const COMPUTE_SERVICE_NAMES: readonly string[] = ['Amazon Elastic Compute Cloud - Compute', 'EC2 - Other', 'Amazon Lightsail'];

export interface BillingSignal {
  /** The anomaly id, or `baseline:<account>:<region>:<day>`. */
  readonly id: string;
  readonly source: 'anomaly-detection' | 'baseline';
  readonly accountId: string;
  readonly accountName?: string;
  /** Absent when the source does not say (the whole account). */
  readonly region?: string;
  /** First and last day concerned, inclusive (YYYY-MM-DD). */
  readonly start: string;
  readonly end: string;
  /** USD above what was expected. */
  readonly impact: number;
  readonly actual?: number;
  readonly expected?: number;
  /** Cost Anomaly Detection's score (0-100). */
  readonly score?: number;
  readonly usageTypes: readonly string[];
  /** Instance families named by the usage types (g5, p4d...), to match launches. */
  readonly families: readonly string[];
  /** The numbers in words, for the finding. */
  readonly explanation: string;
}

// ---------------------------------------------------------------------------
// Cost Anomaly Detection.

/** The parts of a GetAnomalies `Anomaly` used here; SDK objects and saved CLI output both fit. */
export interface AnomalyLike {
  readonly AnomalyId?: string;
  readonly AnomalyStartDate?: string;
  readonly AnomalyEndDate?: string;
  readonly DimensionValue?: string;
  readonly RootCauses?: readonly {
    readonly Service?: string;
    readonly Region?: string;
    readonly LinkedAccount?: string;
    readonly LinkedAccountName?: string;
    readonly UsageType?: string;
    readonly Impact?: { readonly Contribution?: number };
  }[];
  readonly AnomalyScore?: { readonly MaxScore?: number; readonly CurrentScore?: number };
  readonly Impact?: { readonly MaxImpact?: number; readonly TotalImpact?: number; readonly TotalActualSpend?: number; readonly TotalExpectedSpend?: number; readonly TotalImpactPercentage?: number };
  readonly MonitorArn?: string;
}

const day = (iso: string | undefined): string | undefined => (iso ? iso.slice(0, 10) : undefined);
const usd = (n: number): string => `USD ${n.toFixed(2)}`;

export function isComputeAnomaly(a: AnomalyLike, services: readonly string[] = COMPUTE_SERVICE_NAMES): boolean {
  if (a.DimensionValue && services.includes(a.DimensionValue)) return true;
  return (a.RootCauses ?? []).some((r) => r.Service !== undefined && services.includes(r.Service));
}

/** The total impact Cost Anomaly Detection reports (TotalImpact, else MaxImpact), what growth is measured on. */
export function anomalyImpact(a: AnomalyLike): number {
  return a.Impact?.TotalImpact ?? a.Impact?.MaxImpact ?? 0;
}

/**
 * One signal per compute anomaly and linked account (root causes name the
 * account, region and usage type; an anomaly of one account's own monitor
 * names none, so `ownAccount` stands in). Anomalies of other services are
 * left out.
 */
export function signalsFromAnomalies(anomalies: readonly AnomalyLike[], ownAccount: string, services: readonly string[] = COMPUTE_SERVICE_NAMES): BillingSignal[] {
  const out: BillingSignal[] = [];
  for (const a of anomalies) {
    if (!a.AnomalyId || !isComputeAnomaly(a, services)) continue;
    const causes = (a.RootCauses ?? []).filter((r) => !r.Service || services.includes(r.Service));
    const accounts = [...new Set(causes.map((r) => r.LinkedAccount).filter((x): x is string => Boolean(x)))];
    const start = day(a.AnomalyStartDate) ?? day(a.AnomalyEndDate) ?? '';
    const end = day(a.AnomalyEndDate) ?? start;
    const impact = anomalyImpact(a);
    for (const accountId of accounts.length ? accounts : [ownAccount]) {
      const mine = causes.filter((r) => !r.LinkedAccount || r.LinkedAccount === accountId);
      const regions = [...new Set(mine.map((r) => r.Region).filter((x): x is string => Boolean(x)))];
      const usageTypes = [...new Set(mine.map((r) => r.UsageType).filter((x): x is string => Boolean(x)))];
      const name = mine.find((r) => r.LinkedAccountName)?.LinkedAccountName;
      const actual = a.Impact?.TotalActualSpend;
      const expected = a.Impact?.TotalExpectedSpend;
      const pct = a.Impact?.TotalImpactPercentage;
      const causeText = mine
        .map((r) => [r.Service, r.Region, r.UsageType].filter(Boolean).join(' / ') + (r.Impact?.Contribution !== undefined ? ` (${usd(r.Impact.Contribution)})` : ''))
        .join('; ');
      out.push({
        id: a.AnomalyId,
        source: 'anomaly-detection',
        accountId,
        ...(name ? { accountName: name } : {}),
        ...(regions.length === 1 ? { region: regions[0]! } : {}),
        start,
        end,
        impact,
        ...(actual !== undefined ? { actual } : {}),
        ...(expected !== undefined ? { expected } : {}),
        ...(a.AnomalyScore?.MaxScore !== undefined ? { score: a.AnomalyScore.MaxScore } : {}),
        usageTypes,
        families: familiesOf(usageTypes),
        explanation:
          `Cost Anomaly Detection ${a.AnomalyId}: ${usd(impact)} above expected` +
          (actual !== undefined && expected !== undefined ? ` (${usd(actual)} spent, ${usd(expected)} expected${pct !== undefined ? `, +${pct.toFixed(0)}%` : ''})` : '') +
          ` from ${start} to ${end}` +
          (a.AnomalyScore?.MaxScore !== undefined ? `, score ${a.AnomalyScore.MaxScore.toFixed(0)}` : '') +
          (causeText ? `; root causes: ${causeText}` : ''),
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// The baseline over GetCostAndUsage.

/** The parts of a GetCostAndUsage `ResultByTime` used here. */
export interface ResultByTimeLike {
  readonly TimePeriod?: { readonly Start?: string; readonly End?: string };
  readonly Groups?: readonly { readonly Keys?: readonly string[]; readonly Metrics?: Readonly<Record<string, { readonly Amount?: string; readonly Unit?: string }>> }[];
  readonly Estimated?: boolean;
}

export interface DailyCost {
  readonly date: string;
  readonly amount: number;
  readonly estimated: boolean;
}

/**
 * Daily series per group key ("<account>|<region>" for a LINKED_ACCOUNT,
 * REGION grouping). A day on which a group had no cost is absent from the
 * response, and is 0 here.
 */
export function costSeries(results: readonly ResultByTimeLike[], metric = 'UnblendedCost'): Map<string, DailyCost[]> {
  const out = new Map<string, DailyCost[]>();
  for (const r of results) {
    const date = r.TimePeriod?.Start?.slice(0, 10);
    if (!date) continue;
    for (const g of r.Groups ?? []) {
      const key = (g.Keys ?? []).join('|');
      const amount = Number(g.Metrics?.[metric]?.Amount ?? '0');
      if (!key || !Number.isFinite(amount)) continue;
      const list = out.get(key) ?? [];
      list.push({ date, amount, estimated: r.Estimated === true });
      out.set(key, list);
    }
  }
  return out;
}

export interface BaselineSettings {
  /** Trailing days the median and MAD are taken over. */
  readonly baselineDays: number;
  /** Spend above this multiple of the median (and above median + 3 scaled MADs) is anomalous. */
  readonly factor: number;
  /** ... and only when it is at least this many USD above the median. */
  readonly minDollars: number;
  /** Fewer days of spend than this is a new account: judged on `newAccountDollars` alone. */
  readonly minHistoryDays: number;
  readonly newAccountDollars: number;
}

export const DEFAULT_BASELINE: BaselineSettings = { baselineDays: 28, factor: 3, minDollars: 50, minHistoryDays: 7, newAccountDollars: 100 };

export interface BillingCheckSettings {
  /** Days of anomalies asked for (they are reported a day or more late, and keep growing). */
  readonly lookbackDays: number;
  /** An anomaly is alerted again when its total impact grew by this much (percent). */
  readonly growthMarginPercent: number;
  readonly baseline: BaselineSettings;
  /** Only this monitor's anomalies (default: every monitor's). */
  readonly monitorArn?: string;
}

export const DEFAULT_BILLING_CHECK: BillingCheckSettings = { lookbackDays: 7, growthMarginPercent: 20, baseline: DEFAULT_BASELINE };

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median absolute deviation (unscaled). */
export function mad(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

/** YYYY-MM-DD `n` days after `date` (negative: before). */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The last day the check may judge: yesterday (UTC). Today's costs are
 * still arriving, so today is never judged and never part of a baseline: a
 * partial day cannot raise a false alarm, nor drag a median down.
 */
export function lastCompleteDay(now: number): string {
  return addDays(new Date(now).toISOString().slice(0, 10), -1);
}

export interface BaselineResult {
  readonly signals: BillingSignal[];
  /** Series judged, and why others were not (no spend, new account under the threshold). */
  readonly notes: string[];
}

/**
 * Judges `day` for every "<account>|<region>" series: against the median and
 * MAD of the `baselineDays` before it when the series has history, against
 * `newAccountDollars` when it has less than `minHistoryDays` of spend.
 * `usage` ("<account>|<usage type>" series, optional) names what the money
 * went on that day.
 */
export function baselineSignals(
  series: ReadonlyMap<string, readonly DailyCost[]>,
  dayToJudge: string,
  s: BaselineSettings = DEFAULT_BASELINE,
  usage?: ReadonlyMap<string, readonly DailyCost[]>,
  /** The first day the data covers: before it, nothing is known (not zero). */
  dataStart?: string,
): BaselineResult {
  const signals: BillingSignal[] = [];
  const notes: string[] = [];
  const window = addDays(dayToJudge, -s.baselineDays);
  const from = dataStart && dataStart > window ? dataStart : window;
  for (const [key, points] of series) {
    const [accountId = '', region = ''] = key.split('|');
    const byDay = new Map(points.map((p) => [p.date, p]));
    const spend = byDay.get(dayToJudge)?.amount ?? 0;
    if (spend <= 0) continue;
    const history: number[] = [];
    let firstSpend: string | undefined;
    for (let d = from; d < dayToJudge; d = addDays(d, 1)) {
      const a = byDay.get(d)?.amount ?? 0;
      if (firstSpend === undefined && a > 0) firstSpend = d;
      if (firstSpend !== undefined) history.push(a);
    }
    const estimated = byDay.get(dayToJudge)?.estimated ? ' (Cost Explorer still marks the day estimated)' : '';
    const top = topUsage(usage, accountId, dayToJudge);
    const usageTypes = top.map((t) => t.usageType);
    const spentOn = top.length ? `; spent on ${top.map((t) => `${t.usageType} ${usd(t.amount)}`).join(', ')}` : '';
    const base = { source: 'baseline' as const, accountId, ...(region ? { region } : {}), start: dayToJudge, end: dayToJudge, usageTypes, families: familiesOf(usageTypes) };
    if (history.length < s.minHistoryDays) {
      if (spend >= s.newAccountDollars) {
        signals.push({
          ...base,
          id: `baseline:${accountId}:${region}:${dayToJudge}`,
          impact: spend,
          actual: spend,
          expected: 0,
          explanation: `${usd(spend)} of compute in ${accountId} ${region} on ${dayToJudge}${estimated} with only ${history.length} day(s) of earlier spend (new account or region): at least ${usd(s.newAccountDollars)} is reported without history${spentOn}`,
        });
      } else {
        notes.push(`${accountId} ${region}: ${history.length} day(s) of history, ${usd(spend)} on ${dayToJudge} is under ${usd(s.newAccountDollars)}`);
      }
      continue;
    }
    const m = median(history);
    const scaledMad = 1.4826 * mad(history);
    const threshold = Math.max(m * s.factor, m + 3 * scaledMad);
    if (spend > threshold && spend - m >= s.minDollars) {
      signals.push({
        ...base,
        id: `baseline:${accountId}:${region}:${dayToJudge}`,
        impact: spend - m,
        actual: spend,
        expected: m,
        explanation:
          `${usd(spend)} of compute in ${accountId} ${region} on ${dayToJudge}${estimated}: ${(spend / Math.max(m, 0.01)).toFixed(1)}x the median of the ${history.length} days before ` +
          `(median ${usd(m)}, MAD ${usd(scaledMad / 1.4826)}; threshold ${usd(threshold)} = max(${s.factor} x median, median + 3 scaled MAD), and at least ${usd(s.minDollars)} above the median)${spentOn}`,
      });
    }
  }
  return { signals, notes };
}

function topUsage(usage: ReadonlyMap<string, readonly DailyCost[]> | undefined, accountId: string, date: string): { usageType: string; amount: number }[] {
  if (!usage) return [];
  const rows: { usageType: string; amount: number }[] = [];
  for (const [key, points] of usage) {
    const [acct, usageType] = key.split('|');
    if (acct !== accountId || !usageType) continue;
    const p = points.find((x) => x.date === date);
    if (p && p.amount > 0) rows.push({ usageType, amount: p.amount });
  }
  return rows.sort((a, b) => b.amount - a.amount).slice(0, 5);
}

/** "USE1-BoxUsage:g5.12xlarge" -> "g5"; "SpotUsage:p4d.24xlarge" -> "p4d"; others -> undefined. */
export function familyOfUsageType(usageType: string): string | undefined {
  const m = /(?:^|-)(?:BoxUsage|SpotUsage|DedicatedUsage|HostUsage|UnusedBox|ReservedHostUsage)(?::|$)([a-z0-9.-]+)?/.exec(usageType);
  const type = m?.[1];
  if (!type) return undefined;
  return parseInstanceType(type)?.family;
}

function familiesOf(usageTypes: readonly string[]): string[] {
  return [...new Set(usageTypes.map(familyOfUsageType).filter((x): x is string => Boolean(x)))];
}

// ---------------------------------------------------------------------------
// Joining a signal back to who provisioned.

/** A successful launch as the ledger keeps it for this join. */
export interface LaunchRecord {
  readonly accountId: string;
  readonly region: string;
  /** Epoch ms. */
  readonly time: number;
  readonly eventId: string;
  readonly actor: Pick<Actor, 'arn' | 'type' | 'issuerArn' | 'invokedBy'>;
  readonly instanceTypes: readonly string[];
  readonly instanceIds: readonly string[];
  /** For an address allocation (kept for the reconciliation sweep): its allocation ids. */
  readonly allocationIds?: readonly string[];
  readonly findingId?: string;
}

export interface Provisioner {
  readonly arn: string;
  readonly type: string;
  readonly issuerArn?: string;
  readonly approved: boolean;
  readonly launches: number;
  readonly instanceIds: readonly string[];
  readonly instanceTypes: readonly string[];
  /** Where the launches were. */
  readonly regions: readonly string[];
  readonly eventIds: readonly string[];
  readonly findingIds: readonly string[];
}

export interface Join {
  readonly provisioners: readonly Provisioner[];
  /** Some launcher is not an approved principal (and not a service acting for the account). */
  readonly corroborated: boolean;
  /** How the launches were matched, in words. */
  readonly basis: string;
}

/** How far before a signal's first day a launch can still explain it (instances bill from launch on). */
export const JOIN_LOOKBACK_DAYS = 2;

/**
 * The principals that plausibly caused a signal: launches in its account
 * (and region, when it names one) from JOIN_LOOKBACK_DAYS before its start
 * to the end of its last day; of those, the ones of the instance families
 * the usage types name, when any match.
 */
export function joinProvisioning(signal: BillingSignal, launches: readonly LaunchRecord[], settings: Pick<EngineSettings, 'approvedPrincipals'>): Join {
  const from = Date.parse(`${addDays(signal.start, -JOIN_LOOKBACK_DAYS)}T00:00:00Z`);
  const to = Date.parse(`${addDays(signal.end, 1)}T00:00:00Z`);
  const inWindow = launches.filter((l) => l.instanceTypes.length > 0 && l.accountId === signal.accountId && (!signal.region || l.region === signal.region) && l.time >= from && l.time < to);
  const familyOf = (t: string) => parseInstanceType(t)?.family;
  const ofFamily = signal.families.length ? inWindow.filter((l) => l.instanceTypes.some((t) => signal.families.includes(familyOf(t) ?? ''))) : [];
  const chosen = ofFamily.length ? ofFamily : inWindow;
  const where = `${signal.accountId}${signal.region ? ` ${signal.region}` : ''} from ${addDays(signal.start, -JOIN_LOOKBACK_DAYS)} to ${signal.end}`;
  const basis = ofFamily.length
    ? `${chosen.length} launch(es) of ${signal.families.join(', ')} in ${where}`
    : signal.families.length && inWindow.length
      ? `${inWindow.length} launch(es) in ${where}, none of ${signal.families.join(', ')}`
      : `${inWindow.length} launch(es) in ${where}`;
  const by = new Map<string, LaunchRecord[]>();
  for (const l of chosen) by.set(l.actor.arn, [...(by.get(l.actor.arn) ?? []), l]);
  const provisioners: Provisioner[] = [...by.values()].map((ls) => {
    const a = ls[0]!.actor;
    const actor: Actor = { arn: a.arn, type: a.type, ...(a.issuerArn ? { issuerArn: a.issuerArn } : {}) };
    const approved = a.invokedBy !== undefined || matchApproved(actor, settings.approvedPrincipals) !== undefined;
    return {
      arn: a.arn,
      type: a.type,
      ...(a.issuerArn ? { issuerArn: a.issuerArn } : {}),
      approved,
      launches: ls.length,
      instanceIds: [...new Set(ls.flatMap((l) => l.instanceIds))],
      instanceTypes: [...new Set(ls.flatMap((l) => l.instanceTypes))],
      regions: [...new Set(ls.map((l) => l.region))],
      eventIds: ls.map((l) => l.eventId),
      findingIds: [...new Set(ls.map((l) => l.findingId).filter((x): x is string => Boolean(x)))],
    };
  });
  // Unapproved first, then by how much they launched.
  provisioners.sort((x, y) => Number(x.approved) - Number(y.approved) || y.instanceIds.length - x.instanceIds.length || x.arn.localeCompare(y.arn));
  return { provisioners, corroborated: provisioners.some((p) => !p.approved), basis };
}

// ---------------------------------------------------------------------------
// The billing question.

/** What the engine is given about billing: the signals, and what data they come from. */
export interface BillingData {
  readonly signals: readonly BillingSignal[];
  /** "GetAnomalies 2025-05-01..2025-05-08; GetCostAndUsage 2025-04-01..2025-05-08". */
  readonly coverage: string;
}

export const BILLING_QUESTION = 'Is there heightened or unexpected billing activity related to compute services?';

/** The answer from the signals that concern an activity (account, region, days). */
export function billingAnswer(signals: readonly BillingSignal[], coverage: string): Answer {
  if (signals.length === 0) {
    return { question: BILLING_QUESTION, answer: 'no', summary: `No compute cost anomaly for this account and region in the billing data (${coverage}).`, evidence: [] };
  }
  const total = signals.reduce((n, x) => n + x.impact, 0);
  return {
    question: BILLING_QUESTION,
    answer: 'yes',
    summary: `${signals.length} compute cost anomal${signals.length === 1 ? 'y' : 'ies'}, ${usd(total)} above expected.`,
    evidence: signals.map((x) => x.explanation),
  };
}

/** Signals that concern an account and region over [first, last] (epoch ms), a day of slack either side. */
export function signalsFor(signals: readonly BillingSignal[], accountId: string, regions: readonly string[], first: number, last: number): BillingSignal[] {
  const from = new Date(first - 86_400_000).toISOString().slice(0, 10);
  const to = new Date(last + 2 * 86_400_000).toISOString().slice(0, 10);
  return signals.filter((x) => x.accountId === accountId && (!x.region || regions.includes(x.region)) && x.end >= from && x.start <= to);
}

// ---------------------------------------------------------------------------
// Saved responses (the hunt's --billing).

export interface SavedResponse {
  /** Where it came from, for messages. */
  readonly name: string;
  readonly json: unknown;
}

export interface SavedBilling {
  readonly data: BillingData;
  /** One line per response that could not be used, or part of one: file, what, what was expected. */
  readonly problems: string[];
}

type GroupDefinition = { Type?: string; Key?: string };

/**
 * Billing data from responses saved with the AWS CLI (`aws ce get-anomalies
 * ... > a.json`, `aws ce get-cost-and-usage --granularity DAILY --group-by
 * Type=DIMENSION,Key=LINKED_ACCOUNT Type=DIMENSION,Key=REGION ... > c.json`):
 * every anomaly of compute, and every day of the cost data judged against
 * the days before it, as the billing check would have judged it then.
 */
export function billingFromSaved(responses: readonly SavedResponse[], s: BaselineSettings = DEFAULT_BASELINE): SavedBilling {
  const signals = new Map<string, BillingSignal>();
  const problems: string[] = [];
  const coverage: string[] = [];
  const series = new Map<string, DailyCost[]>();
  const usage = new Map<string, DailyCost[]>();
  for (const { name, json } of responses) {
    const doc = (typeof json === 'object' && json !== null ? json : {}) as { Anomalies?: unknown; ResultsByTime?: unknown; GroupDefinitions?: unknown };
    if (Array.isArray(doc.Anomalies)) {
      const anomalies = doc.Anomalies as AnomalyLike[];
      const compute = anomalies.filter((a) => isComputeAnomaly(a));
      for (const a of compute) {
        if (!(a.RootCauses ?? []).some((r) => r.LinkedAccount)) problems.push(`${name}: anomaly ${a.AnomalyId ?? '(no id)'} names no linked account in its root causes, so it cannot be matched to an account`);
      }
      for (const sig of signalsFromAnomalies(compute, '')) if (sig.accountId) signals.set(`${sig.id}|${sig.accountId}`, sig);
      const days = compute.flatMap((a) => [day(a.AnomalyStartDate), day(a.AnomalyEndDate)]).filter((x): x is string => Boolean(x)).sort();
      coverage.push(`GetAnomalies ${name}: ${compute.length} of ${anomalies.length} anomalies are compute${days.length ? `, ${days[0]}..${days.at(-1)}` : ''}`);
      continue;
    }
    if (Array.isArray(doc.ResultsByTime)) {
      const keys = Array.isArray(doc.GroupDefinitions) ? (doc.GroupDefinitions as GroupDefinition[]).map((g) => g.Key) : [];
      const target = keys[0] === 'LINKED_ACCOUNT' && keys[1] === 'REGION' ? series : keys[0] === 'LINKED_ACCOUNT' && keys[1] === 'USAGE_TYPE' ? usage : undefined;
      if (!target) {
        problems.push(`${name}: a GetCostAndUsage response grouped by ${keys.length ? keys.join(', ') : 'nothing'}; expected --group-by LINKED_ACCOUNT and REGION (or LINKED_ACCOUNT and USAGE_TYPE), daily`);
        continue;
      }
      const results = doc.ResultsByTime as ResultByTimeLike[];
      for (const [k, points] of costSeries(results)) target.set(k, [...(target.get(k) ?? []), ...points]);
      const days = results.map((r) => r.TimePeriod?.Start?.slice(0, 10)).filter((x): x is string => Boolean(x)).sort();
      coverage.push(`GetCostAndUsage ${name}: ${days.length ? `${days[0]}..${days.at(-1)}` : 'no days'}`);
      continue;
    }
    problems.push(`${name}: not a saved GetAnomalies ({"Anomalies": [...]}) or GetCostAndUsage ({"ResultsByTime": [...]}) response`);
  }
  const days = [...new Set([...series.values()].flatMap((p) => p.map((x) => x.date)))].sort();
  // A day is judged once the data holds minHistoryDays before it: an account
  // spending from the first day of the data is not a new account.
  const first = days[0];
  for (const d of days) {
    if (!first || d < addDays(first, s.minHistoryDays)) continue;
    for (const sig of baselineSignals(series, d, s, usage, first).signals) signals.set(sig.id, sig);
  }
  return { data: { signals: [...signals.values()], coverage: coverage.join('; ') || 'no billing data' }, problems };
}
