import { describe, expect, it } from 'vitest';
import {
  addDays,
  baselineSignals,
  billingFromSaved,
  costSeries,
  DEFAULT_BASELINE,
  familyOfUsageType,
  joinProvisioning,
  lastCompleteDay,
  mad,
  median,
  signalsFromAnomalies,
  type AnomalyLike,
  type BillingSignal,
  type LaunchRecord,
  type ResultByTimeLike,
} from '../../lambdas/core/billing';
import { billingFinding, billingFindingId } from '../../lambdas/core/billing-finding';
import { analyze } from '../../lambdas/core/engine';
import { withDefaults } from '../../lambdas/core/settings';
import { Principal, trail } from '../support/fixtures';

/** Daily results as GetCostAndUsage returns them, grouped by LINKED_ACCOUNT and REGION. */
function daily(first: string, days: number, rows: Record<string, (d: number) => number>, estimatedFrom = days): ResultByTimeLike[] {
  return Array.from({ length: days }, (_, i) => ({
    TimePeriod: { Start: addDays(first, i), End: addDays(first, i + 1) },
    Estimated: i >= estimatedFrom,
    Groups: Object.entries(rows)
      .map(([key, f]) => ({ Keys: key.split('|'), Metrics: { UnblendedCost: { Amount: f(i).toFixed(4), Unit: 'USD' } } }))
      .filter((g) => Number(g.Metrics.UnblendedCost.Amount) > 0),
  }));
}

describe('robust statistics', () => {
  it('median and MAD', () => {
    expect(median([])).toBe(0);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(mad([1, 1, 2, 2, 4, 6, 9])).toBe(1);
  });
  it('the last complete day is yesterday (UTC), whatever the hour', () => {
    expect(lastCompleteDay(Date.parse('2025-05-15T00:00:01Z'))).toBe('2025-05-14');
    expect(lastCompleteDay(Date.parse('2025-05-15T23:59:59Z'))).toBe('2025-05-14');
  });
});

describe('the baseline over GetCostAndUsage', () => {
  const D = '2025-05-14';
  const first = addDays(D, -28);
  // 29 days: 28 of history and the day judged (index 28).
  const results = daily(first, 29, {
    '111111111111|us-east-1': (i) => 40 + (i % 3), // steady
    '222222222222|ap-southeast-3': (i) => (i === 28 ? 1450 : 12 + (i % 2)), // a GPU spike on the day
    '333333333333|eu-west-1': () => 0, // quiet: no spend at all
    '444444444444|us-west-2': (i) => (i >= 26 ? 300 : 0), // new account: 3 days of spend
    '555555555555|us-east-1': (i) => (i >= 27 ? 60 : 0), // new, small
  });
  const series = costSeries(results);

  it('reads the groups into series, a missing day being zero', () => {
    expect(series.get('222222222222|ap-southeast-3')).toHaveLength(29);
    expect(series.has('333333333333|eu-west-1')).toBe(false);
  });

  it('flags the spike with its numbers, the new account on the new-account threshold, and nothing else', () => {
    const usage = costSeries([
      { TimePeriod: { Start: D, End: addDays(D, 1) }, Groups: [{ Keys: ['222222222222', 'APS3-BoxUsage:g5.12xlarge'], Metrics: { UnblendedCost: { Amount: '1400', Unit: 'USD' } } }] },
    ]);
    const { signals, notes } = baselineSignals(series, D, DEFAULT_BASELINE, usage);
    expect(signals.map((s) => `${s.accountId} ${s.region}`).sort()).toEqual(['222222222222 ap-southeast-3', '444444444444 us-west-2']);
    const spike = signals.find((s) => s.accountId === '222222222222')!;
    expect(spike).toMatchObject({ source: 'baseline', start: D, end: D, actual: 1450, expected: 12.5, families: ['g5'], usageTypes: ['APS3-BoxUsage:g5.12xlarge'] });
    expect(spike.impact).toBeCloseTo(1437.5);
    expect(spike.explanation).toMatch(/USD 1450\.00 of compute in 222222222222 ap-southeast-3 on 2025-05-14: 116\.0x the median of the 28 days before \(median USD 12\.50/);
    expect(spike.explanation).toMatch(/spent on APS3-BoxUsage:g5\.12xlarge USD 1400\.00/);
    const fresh = signals.find((s) => s.accountId === '444444444444')!;
    expect(fresh.explanation).toMatch(/only 2 day\(s\) of earlier spend \(new account or region\)/);
    expect(notes).toEqual([expect.stringMatching(/^555555555555 us-east-1: 1 day\(s\) of history, USD 60\.00 .* is under USD 100\.00$/)]);
  });

  it('never judges today: a partial day is neither an anomaly nor part of a baseline', () => {
    // Today (the 15th) is half in; judged is the 14th, and the 15th is not in its baseline.
    const withToday = [...results, ...daily(addDays(D, 1), 1, { '111111111111|us-east-1': () => 5 }, 0)];
    const { signals } = baselineSignals(costSeries(withToday), lastCompleteDay(Date.parse('2025-05-15T12:00:00Z')));
    expect(signals.some((s) => s.accountId === '111111111111')).toBe(false);
    expect(signals.every((s) => s.start === D)).toBe(true);
  });

  it('notes when Cost Explorer still marks the judged day estimated', () => {
    const est = costSeries(daily(first, 29, { '222222222222|ap-southeast-3': (i) => (i === 28 ? 900 : 10) }, 28));
    expect(baselineSignals(est, D).signals[0]!.explanation).toMatch(/still marks the day estimated/);
  });

  it('names instance families from usage types', () => {
    expect(familyOfUsageType('USE1-BoxUsage:g5.12xlarge')).toBe('g5');
    expect(familyOfUsageType('BoxUsage:t3.micro')).toBe('t3');
    expect(familyOfUsageType('APS3-SpotUsage:p4d.24xlarge')).toBe('p4d');
    expect(familyOfUsageType('USE1-DataTransfer-Out-Bytes')).toBeUndefined();
    expect(familyOfUsageType('USE1-ElasticIP:IdleAddress')).toBeUndefined();
  });
});

const anomaly = (over: Partial<AnomalyLike> = {}): AnomalyLike => ({
  AnomalyId: 'a1b2c3d4-0000-4000-8000-000000000001',
  AnomalyStartDate: '2025-05-13T00:00:00Z',
  AnomalyEndDate: '2025-05-14T00:00:00Z',
  DimensionValue: 'Amazon Elastic Compute Cloud - Compute',
  RootCauses: [{ Service: 'Amazon Elastic Compute Cloud - Compute', Region: 'ap-southeast-3', LinkedAccount: '222222222222', LinkedAccountName: 'dev-data', UsageType: 'APS3-BoxUsage:g5.12xlarge', Impact: { Contribution: 1380.5 } }],
  AnomalyScore: { MaxScore: 87.2, CurrentScore: 80 },
  Impact: { MaxImpact: 720, TotalImpact: 1380.5, TotalActualSpend: 1405.5, TotalExpectedSpend: 25, TotalImpactPercentage: 5522 },
  MonitorArn: 'arn:aws:ce::999999999999:anomalymonitor/abc',
  ...over,
});

describe('Cost Anomaly Detection anomalies', () => {
  it('keeps compute anomalies, one signal per linked account, with the root causes and numbers', () => {
    const other = anomaly({ AnomalyId: 'rds', DimensionValue: 'Amazon Relational Database Service', RootCauses: [{ Service: 'Amazon Relational Database Service', LinkedAccount: '222222222222' }] });
    const [s, ...rest] = signalsFromAnomalies([anomaly(), other], '999999999999');
    expect(rest).toEqual([]);
    expect(s).toMatchObject({ id: 'a1b2c3d4-0000-4000-8000-000000000001', source: 'anomaly-detection', accountId: '222222222222', accountName: 'dev-data', region: 'ap-southeast-3', start: '2025-05-13', end: '2025-05-14', impact: 1380.5, score: 87.2, families: ['g5'] });
    expect(s!.explanation).toBe(
      'Cost Anomaly Detection a1b2c3d4-0000-4000-8000-000000000001: USD 1380.50 above expected (USD 1405.50 spent, USD 25.00 expected, +5522%) from 2025-05-13 to 2025-05-14, score 87; root causes: Amazon Elastic Compute Cloud - Compute / ap-southeast-3 / APS3-BoxUsage:g5.12xlarge (USD 1380.50)',
    );
  });

  it('an anomaly of one account\'s own monitor (no linked account) is that account\'s', () => {
    const own = anomaly({ RootCauses: [{ Service: 'EC2 - Other', Region: 'us-east-1', UsageType: 'USE1-ElasticIP:IdleAddress' }] });
    expect(signalsFromAnomalies([own], '999999999999')[0]).toMatchObject({ accountId: '999999999999', region: 'us-east-1', families: [] });
  });
});

const settings = withDefaults({ approvedPrincipals: ['arn:aws:iam::*:role/ci-*'] });
const signal = (over: Partial<BillingSignal> = {}): BillingSignal => ({
  id: 'a1', source: 'anomaly-detection', accountId: '222222222222', region: 'ap-southeast-3', start: '2025-05-13', end: '2025-05-14', impact: 1380.5, usageTypes: ['APS3-BoxUsage:g5.12xlarge'], families: ['g5'], explanation: 'spike', ...over,
});
const launch = (arn: string, type: string, at: string, over: Partial<LaunchRecord> = {}): LaunchRecord => ({
  accountId: '222222222222', region: 'ap-southeast-3', time: Date.parse(at), eventId: `e-${arn.slice(-6)}-${at}`, actor: { arn, type: arn.includes(':user/') ? 'IAMUser' : 'AssumedRole', ...(arn.includes(':assumed-role/ci-') ? { issuerArn: 'arn:aws:iam::222222222222:role/ci-deploy' } : {}) },
  instanceTypes: [type], instanceIds: [`i-${arn.slice(-4)}${at.slice(8, 10)}`], ...over,
});

describe('joining a signal back to who provisioned', () => {
  const mallory = 'arn:aws:iam::222222222222:user/mallory';
  const ci = 'arn:aws:sts::222222222222:assumed-role/ci-deploy/build-1';
  const launches = [
    launch(mallory, 'g5.12xlarge', '2025-05-12T22:10:00Z'),
    launch(ci, 't3.large', '2025-05-13T09:00:00Z'),
    launch(mallory, 'g5.12xlarge', '2025-05-01T00:00:00Z'), // too early
    launch(mallory, 'g5.12xlarge', '2025-05-13T01:00:00Z', { region: 'us-east-1' }), // another region
    launch(mallory, 'g5.12xlarge', '2025-05-13T01:00:00Z', { accountId: '333333333333' }), // another account
  ];

  it('names the launchers of the families the usage types name, unapproved first: corroborated', () => {
    const j = joinProvisioning(signal(), launches, settings);
    expect(j.provisioners.map((p) => [p.arn, p.approved, p.instanceTypes])).toEqual([[mallory, false, ['g5.12xlarge']]]);
    expect(j.corroborated).toBe(true);
    expect(j.basis).toBe('1 launch(es) of g5 in 222222222222 ap-southeast-3 from 2025-05-11 to 2025-05-14');
  });

  it('falls back to every launch in the window when none is of those families; approved ones do not corroborate', () => {
    const j = joinProvisioning(signal({ families: ['p4d'] }), launches.slice(1, 2), settings);
    expect(j.provisioners.map((p) => [p.arn, p.approved])).toEqual([[ci, true]]);
    expect(j.corroborated).toBe(false);
    expect(j.basis).toMatch(/1 launch\(es\) in .*, none of p4d/);
  });

  it('a billing finding: corroborated escalates to Tier 2, a lone anomaly is Tier 1', () => {
    const f = billingFinding(signal(), joinProvisioning(signal(), launches, settings), settings);
    expect(f).toMatchObject({ findingId: billingFindingId(signal()), escalate: true, tier: 2, principal: mallory, accountId: '222222222222', region: 'ap-southeast-3' });
    expect(f.indicators.map((i) => i.id)).toEqual(['billing-anomaly', 'unapproved-principal']);
    expect(f.answers.billing).toMatchObject({ answer: 'yes', evidence: ['spike'] });
    expect(f.answers.legitimateUse.answer).toBe('no');
    expect(f.findingId).toMatch(/^rif-bill-[0-9a-f]{19}$/);
    const lone = billingFinding(signal(), joinProvisioning(signal(), [], settings), settings);
    expect(lone).toMatchObject({ escalate: false, tier: 1, principal: expect.stringMatching(/^unknown/) as unknown });
    expect(lone.answers.recentAcquisition).toMatchObject({ answer: 'unknown', needs: expect.stringMatching(/forwarding/) as unknown });
  });
});

describe('saved responses (hunt --billing)', () => {
  it('reads GetAnomalies and GetCostAndUsage output, and says what it cannot use', () => {
    const cost = { GroupDefinitions: [{ Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' }, { Type: 'DIMENSION', Key: 'REGION' }], ResultsByTime: daily('2025-04-16', 29, { '222222222222|ap-southeast-3': (i) => (i === 28 ? 1450 : 12) }) };
    const out = billingFromSaved([
      { name: 'anomalies.json', json: { Anomalies: [anomaly(), anomaly({ AnomalyId: 'x', RootCauses: [{ Service: 'EC2 - Other' }] })] } },
      { name: 'cost.json', json: cost },
      { name: 'by-service.json', json: { GroupDefinitions: [{ Type: 'DIMENSION', Key: 'SERVICE' }], ResultsByTime: [] } },
      { name: 'notes.json', json: { hello: 1 } },
    ]);
    expect(out.data.signals.map((s) => `${s.source} ${s.accountId} ${s.start}`).sort()).toEqual(['anomaly-detection 222222222222 2025-05-13', 'baseline 222222222222 2025-05-14']);
    expect(out.data.coverage).toBe('GetAnomalies anomalies.json: 2 of 2 anomalies are compute, 2025-05-13..2025-05-14; GetCostAndUsage cost.json: 2025-04-16..2025-05-14');
    expect(out.problems).toEqual([
      'anomalies.json: anomaly x names no linked account in its root causes, so it cannot be matched to an account',
      'by-service.json: a GetCostAndUsage response grouped by SERVICE; expected --group-by LINKED_ACCOUNT and REGION (or LINKED_ACCOUNT and USAGE_TYPE), daily',
      'notes.json: not a saved GetAnomalies ({"Anomalies": [...]}) or GetCostAndUsage ({"ResultsByTime": [...]}) response',
    ]);
  });

  it('does not call an account that spends from the first day of the data new', () => {
    const cost = { GroupDefinitions: [{ Key: 'LINKED_ACCOUNT' }, { Key: 'REGION' }], ResultsByTime: daily('2025-05-01', 10, { '111111111111|us-east-1': () => 500 }) };
    expect(billingFromSaved([{ name: 'c.json', json: cost }]).data.signals).toEqual([]);
  });
});

describe('the billing-anomaly indicator and the billing answer in the engine', () => {
  const events = [trail('run-instances-gpu-success.json', { as: Principal.backupUser })];
  const e = events[0]!;
  const matching = signal({ accountId: e.accountId, region: e.region, start: e.eventTime.slice(0, 10), end: e.eventTime.slice(0, 10), explanation: 'GPU spend spike' });

  it('is not applicable without billing data, and the answer says what would answer it', () => {
    const [f] = analyze(events).findings;
    expect(f!.indicators.map((i) => i.id)).not.toContain('billing-anomaly');
    expect(f!.answers.billing.answer).toBe('unknown');
  });

  it('fires on a signal for the same account, region and days, and the answer is yes', () => {
    const [f] = analyze(events, { billing: { signals: [matching], coverage: 'test' } }).findings;
    expect(f!.indicators.find((i) => i.id === 'billing-anomaly')?.evidence.summary).toBe('GPU spend spike');
    expect(f!.answers.billing).toMatchObject({ answer: 'yes' });
  });

  it('is quiet for another account, and the answer is no', () => {
    const [f] = analyze(events, { billing: { signals: [{ ...matching, accountId: '000000000000' }], coverage: 'GetAnomalies a.json' } }).findings;
    expect(f!.indicators.map((i) => i.id)).not.toContain('billing-anomaly');
    expect(f!.answers.billing).toMatchObject({ answer: 'no', evidence: [expect.stringContaining('GetAnomalies a.json')] });
  });
});
