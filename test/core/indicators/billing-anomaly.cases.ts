import type { BillingSignal } from '../../../lambdas/core/billing';
import { IndicatorId } from '../../../lambdas/core/constants';
import { ACCOUNT, trail } from '../../support/fixtures';
import { context, group } from '../../support/groups';
import { table } from '../../support/indicator-table';

/** Fixtures happen on 2025-03-04 in us-east-1 of ACCOUNT. */
const signal = (over: Partial<BillingSignal> = {}): BillingSignal => ({
  id: 'anomaly-1',
  source: 'anomaly-detection',
  accountId: ACCOUNT,
  region: 'us-east-1',
  start: '2025-03-04',
  end: '2025-03-05',
  impact: 812.4,
  usageTypes: ['BoxUsage:p3.2xlarge'],
  families: ['p3'],
  explanation: 'Cost Anomaly Detection anomaly-1: USD 812.40 above expected',
  ...over,
});
const withBilling = (signals: BillingSignal[]) => () => ({ ...context(), billing: { signals, coverage: 'GetAnomalies 2025-03-01..2025-03-06' } });

export default table(IndicatorId.BILLING_ANOMALY, [
  {
    name: 'an anomaly in the account and region on the day of the launch',
    group: () => group([trail('run-instances-gpu-success.json', { id: 'run' })]),
    ctx: withBilling([signal()]),
    expected: { status: 'fired', summary: 'Cost Anomaly Detection anomaly-1: USD 812.40 above expected', eventIds: ['run'], details: { signals: [{ id: 'anomaly-1', impact: 812.4 }] } },
  },
  {
    name: 'a baseline signal for the whole account (no region) the day after',
    group: () => group([trail('run-instances-gpu-success.json', { id: 'run' })]),
    ctx: withBilling([signal({ id: 'baseline:1', source: 'baseline', region: undefined, start: '2025-03-05', end: '2025-03-05', explanation: 'USD 900.00 of compute, 12.0x the median' })]),
    expected: { status: 'fired', summary: 'USD 900.00 of compute, 12.0x the median', eventIds: ['run'] },
  },
  {
    name: 'an anomaly in another account',
    group: () => group([trail('run-instances-gpu-success.json')]),
    ctx: withBilling([signal({ accountId: '999999999999' })]),
    expected: { status: 'quiet', note: /^no compute anomaly for 111122223333 us-east-1 in GetAnomalies/ },
  },
  {
    name: 'an anomaly a week later, or in another region',
    group: () => group([trail('run-instances-gpu-success.json')]),
    ctx: withBilling([signal({ start: '2025-03-12', end: '2025-03-13' }), signal({ region: 'eu-west-1' })]),
    expected: { status: 'quiet', note: /no compute anomaly/ },
  },
  {
    name: 'no billing data (a CloudTrail-only hunt)',
    group: () => group([trail('run-instances-gpu-success.json')]),
    expected: { status: 'not-applicable', reason: /^no billing data/ },
  },
  {
    name: 'no billing data, even for a burst',
    group: () => group([trail('run-instances-gpu-success.json', { id: 'a', at: 0 }), trail('run-instances-gpu-success.json', { id: 'b', at: 1 })]),
    expected: { status: 'not-applicable', reason: /hunt --billing/ },
  },
]);
