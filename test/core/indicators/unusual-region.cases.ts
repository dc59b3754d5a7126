import { IndicatorId } from '../../../lambdas/core/constants';
import { HOUR, MINUTE, Principal, T0, trail } from '../../support/fixtures';
import { context, group, groupWith, handGroup } from '../../support/groups';
import { table } from '../../support/indicator-table';

const APPROVED = () => context({ approvedRegions: ['us-east-1', 'eu-west-1'] });
const LEARNED = 'first acquisition activity of this account in ap-southeast-3 (learned baseline; no approvedRegions configured)';
const LEARNING = 'no approvedRegions configured and the account has less than 24 h of history to learn its regions from';

/** The account's history: the pipeline launching in us-east-1 at T0. */
const history = () => trail('run-instances-success.json', { id: 'history', at: 0, as: Principal.ci });

export default table(IndicatorId.UNUSUAL_REGION, [
  {
    name: 'a launch outside approvedRegions',
    group: () => group([trail('run-instances-success.json', { id: 'run', region: 'ap-southeast-3' })]),
    ctx: APPROVED,
    expected: {
      status: 'fired',
      summary: 'activity in ap-southeast-3, not in approvedRegions (us-east-1, eu-west-1)',
      eventIds: ['run'],
      details: { regions: ['ap-southeast-3'], basis: 'approvedRegions' },
    },
  },
  {
    name: 'a denied probe outside approvedRegions counts; the approved-region launch does not',
    group: () =>
      group([
        trail('run-instances-success.json', { id: 'home', at: 0 }),
        trail('run-instances-gpu-denied.json', { id: 'probe', at: 5, region: 'me-central-1' }),
        trail('service-quotas-get.json', { id: 'quota', at: 6, region: 'me-central-1' }),
      ]),
    ctx: APPROVED,
    expected: { status: 'fired', summary: 'activity in me-central-1, not in approvedRegions (us-east-1, eu-west-1)', eventIds: ['probe', 'quota'] },
  },
  {
    name: 'learned baseline: first use of a region 25 h after the account was first seen',
    group: () => groupWith('new', [history(), trail('run-instances-success.json', { id: 'new', at: 25 * 60, region: 'ap-southeast-3' })]),
    expected: { status: 'fired', summary: LEARNED, eventIds: ['new'], details: { regions: ['ap-southeast-3'], basis: 'baseline' } },
  },
  {
    name: 'learned baseline with a shorter learning period',
    group: () => groupWith('new', [history(), trail('run-instances-success.json', { id: 'new', at: 2 * 60, region: 'ap-southeast-3' })]),
    ctx: () => context({ baseline: { learningHours: 1 } }),
    expected: { status: 'fired', summary: LEARNED, eventIds: ['new'] },
  },
  {
    name: 'learned baseline, by hand: only the events the baseline had not seen count',
    group: () =>
      handGroup([
        { event: trail('run-instances-success.json', { id: 'known', at: 0 }), novelty: { accountSeenSince: T0 - 48 * HOUR, regionFirstSeen: false } },
        { event: trail('run-instances-success.json', { id: 'new', at: 1, region: 'ap-southeast-3' }), novelty: { accountSeenSince: T0 - 48 * HOUR, regionFirstSeen: true } },
      ]),
    expected: { status: 'fired', summary: LEARNED, eventIds: ['new'] },
  },
  {
    name: 'all activity in approved regions',
    group: () => group([trail('run-instances-success.json', { at: 0 }), trail('allocate-address.json', { at: 1, region: 'eu-west-1' })]),
    ctx: APPROVED,
    expected: { status: 'quiet', note: 'all activity in approved regions' },
  },
  {
    name: 'learned baseline: the region the account already used',
    group: () => groupWith('again', [history(), trail('run-instances-success.json', { id: 'again', at: 25 * 60 })]),
    expected: { status: 'quiet', note: 'all activity in regions the account already used' },
  },
  {
    name: 'approvedRegions win over the baseline: a region used before but not approved still fires',
    group: () => groupWith('again', [history(), trail('run-instances-success.json', { id: 'again', at: 25 * 60 })]),
    ctx: () => context({ approvedRegions: ['eu-west-1'] }),
    expected: { status: 'fired', summary: 'activity in us-east-1, not in approvedRegions (eu-west-1)', eventIds: ['again'] },
  },
  {
    name: 'during the learning period a new region cannot be judged',
    group: () => groupWith('new', [history(), trail('run-instances-success.json', { id: 'new', at: 2 * 60, region: 'ap-southeast-3' })]),
    expected: { status: 'not-applicable', reason: LEARNING },
  },
  {
    name: 'the first event the account ever showed',
    group: () => group([trail('run-instances-success.json', { region: 'ap-southeast-3' })]),
    expected: { status: 'not-applicable', reason: LEARNING },
  },
  {
    name: 'learning by hand: the account was seen 23 h 59 min earlier',
    group: () => handGroup([{ event: trail('run-instances-success.json', { region: 'ap-southeast-3' }), novelty: { accountSeenSince: T0 - 24 * HOUR + MINUTE } }]),
    expected: { status: 'not-applicable', reason: LEARNING },
  },
  {
    name: 'giving resources back says nothing about where someone builds',
    group: () => group([trail('terminate-instances.json', { region: 'ap-southeast-3', at: 0 }), trail('release-address.json', { region: 'ap-southeast-3', at: 1 })]),
    ctx: APPROVED,
    expected: { status: 'not-applicable', reason: 'no acquisition activity' },
  },
]);
