import { IndicatorId } from '../../../lambdas/core/constants';
import { ALLOCATION_ID, WEB_INSTANCES, trail } from '../../support/fixtures';
import { group } from '../../support/groups';
import { table } from '../../support/indicator-table';

const allocation = (n: number, at: number) =>
  trail('allocate-address.json', {
    id: `alloc-${n}`,
    at,
    response: { publicIp: `192.0.2.${100 + n}`, allocationId: `eipalloc-00000000000000${String(n).padStart(3, '0')}` },
  });

export default table(IndicatorId.IP_ALLOCATED, [
  {
    name: 'AllocateAddress names the address and its allocation',
    group: () => group([trail('allocate-address.json', { id: 'alloc' })]),
    expected: {
      status: 'fired',
      summary: `1 address allocated: 192.0.2.44, ${ALLOCATION_ID}`,
      eventIds: ['alloc'],
      details: { publicIps: ['192.0.2.44'], allocationIds: [ALLOCATION_ID], instanceIds: [] },
    },
  },
  {
    name: 'allocate then associate with an instance',
    group: () => group([trail('allocate-address.json', { id: 'alloc', at: 0 }), trail('associate-address.json', { id: 'assoc', at: 1 })]),
    expected: {
      status: 'fired',
      summary: `1 address allocated, 1 associated with ${WEB_INSTANCES[0]}: 192.0.2.44, ${ALLOCATION_ID}`,
      eventIds: ['alloc', 'assoc'],
      details: { instanceIds: [WEB_INSTANCES[0]] },
    },
  },
  {
    name: 'six allocations: the list is cut after five',
    group: () => group([1, 2, 3, 4, 5, 6].map((n) => allocation(n, n))),
    expected: {
      status: 'fired',
      summary: /^6 addresses allocated: 192\.0\.2\.101, 192\.0\.2\.102, 192\.0\.2\.103, 192\.0\.2\.104, 192\.0\.2\.105 and 7 more$/,
      eventIds: ['alloc-1', 'alloc-2', 'alloc-3', 'alloc-4', 'alloc-5', 'alloc-6'],
    },
  },
  {
    name: 'over the address limit',
    group: () => group([trail('allocate-address.json', { error: 'Client.AddressLimitExceeded' })]),
    expected: { status: 'quiet', note: 'address calls failed or were dry runs' },
  },
  {
    name: 'a DryRun allocation and a denied association',
    group: () => group([trail('allocate-address.json', { error: 'Client.DryRunOperation', at: 0 }), trail('associate-address.json', { error: 'Client.UnauthorizedOperation', at: 1 })]),
    expected: { status: 'quiet', note: 'address calls failed or were dry runs' },
  },
  {
    name: 'launches only',
    group: () => group([trail('run-instances-success.json')]),
    expected: { status: 'not-applicable', reason: 'no address calls' },
  },
  {
    name: 'releasing an address is not acquiring one',
    group: () => group([trail('release-address.json')]),
    expected: { status: 'not-applicable', reason: 'no address calls' },
  },
]);
