import { IndicatorId } from '../../../lambdas/core/constants';
import { ALLOCATION_ID, FLEET_ID, Principal, SPOT_REQUESTS, WEB_INSTANCES, trail } from '../../support/fixtures';
import { context, group, groupWith } from '../../support/groups';
import { table } from '../../support/indicator-table';

const [first, second] = WEB_INSTANCES;

export default table(IndicatorId.RAPID_CHURN, [
  {
    name: 'instances terminated 12 minutes after launch',
    group: () => group([trail('run-instances-success.json', { id: 'run', at: 0 }), trail('terminate-instances.json', { id: 'term', at: 12 })]),
    expected: {
      status: 'fired',
      summary: `2 released within 30 min of creation: ${first} after 12 min, ${second} after 12 min`,
      eventIds: ['term'],
      details: { resources: [first, second] },
    },
  },
  {
    name: 'an Elastic IP released 5 minutes after allocation',
    group: () => group([trail('allocate-address.json', { id: 'alloc', at: 0 }), trail('release-address.json', { id: 'rel', at: 5 })]),
    expected: { status: 'fired', summary: `1 released within 30 min of creation: ${ALLOCATION_ID} after 5 min`, eventIds: ['rel'], details: { resources: [ALLOCATION_ID] } },
  },
  {
    name: 'spot requests cancelled 3 minutes after they were made',
    group: () => group([trail('request-spot-instances.json', { id: 'spot', at: 0 }), trail('cancel-spot-instance-requests.json', { id: 'cancel', at: 3 })]),
    expected: {
      status: 'fired',
      summary: `3 released within 30 min of creation: ${SPOT_REQUESTS.map((r) => `${r} after 3 min`).join(', ')}`,
      eventIds: ['cancel'],
      details: { resources: [...SPOT_REQUESTS] },
    },
  },
  {
    name: 'an EC2 fleet deleted 4 minutes after creation (PascalCase DeleteFleets, FleetId as {content})',
    group: () => group([trail('create-fleet.json', { id: 'fleet', at: 0 }), trail('delete-fleets.json', { id: 'delete', at: 4 })]),
    expected: { status: 'fired', summary: `1 released within 30 min of creation: ${FLEET_ID} after 4 min`, eventIds: ['delete'], details: { resources: [FLEET_ID] } },
  },
  {
    name: 'released by another principal than the one who created it',
    group: () =>
      groupWith('term', [trail('run-instances-success.json', { id: 'run', at: 0, as: Principal.ci }), trail('terminate-instances.json', { id: 'term', at: 20, as: Principal.ops })]),
    expected: { status: 'fired', summary: `2 released within 30 min of creation: ${first} after 20 min, ${second} after 20 min`, eventIds: ['term'] },
  },
  {
    name: 'a longer configured churn window (the correlator remembers creations that long)',
    group: () => group([trail('run-instances-success.json', { id: 'run', at: 0 }), trail('terminate-instances.json', { id: 'term', at: 45 })], context({ churn: { minutes: 60 } }).settings),
    ctx: () => context({ churn: { minutes: 60 } }),
    expected: { status: 'fired', summary: `2 released within 60 min of creation: ${first} after 45 min, ${second} after 45 min`, eventIds: ['term'] },
  },
  {
    name: 'terminated 45 minutes after launch: outside the 30-minute churn window',
    group: () => group([trail('run-instances-success.json', { id: 'run', at: 0 }), trail('terminate-instances.json', { id: 'term', at: 45 })]),
    expected: { status: 'quiet', note: 'releases were of resources created earlier, or of resources not seen being created' },
  },
  {
    name: 'terminating instances never seen being created',
    group: () => group([trail('terminate-instances.json')]),
    expected: { status: 'quiet', note: 'releases were of resources created earlier, or of resources not seen being created' },
  },
  {
    name: 'a termination that failed (termination protection) releases nothing',
    group: () => group([trail('run-instances-success.json', { id: 'run', at: 0 }), trail('terminate-instances.json', { id: 'term', at: 5, error: 'Client.OperationNotPermitted' })]),
    expected: { status: 'quiet' },
  },
  {
    name: 'the same instance id in another region is another resource',
    group: () => group([trail('run-instances-success.json', { id: 'run', at: 0 }), trail('terminate-instances.json', { id: 'term', at: 5, region: 'eu-west-1' })]),
    expected: { status: 'quiet' },
  },
  {
    name: 'launch only',
    group: () => group([trail('run-instances-success.json')]),
    expected: { status: 'not-applicable', reason: 'nothing was released' },
  },
  {
    name: 'allocate and associate only',
    group: () => group([trail('allocate-address.json', { at: 0 }), trail('associate-address.json', { at: 1 })]),
    expected: { status: 'not-applicable', reason: 'nothing was released' },
  },
]);
