import { IndicatorId } from '../../../lambdas/core/constants';
import { launch, trail } from '../../support/fixtures';
import { context, group, handGroup } from '../../support/groups';
import { table } from '../../support/indicator-table';

const THRESHOLD = '(threshold >= 10 instances or >= 64 vCPUs or >= 5 addresses in 60 min)';

/** `n` t3.medium instances (2 vCPUs each, from cpuOptions) launched `at` minutes after T0. */
const smalls = (id: string, n: number, at: number) =>
  trail('run-instances-success.json', { id, at, edit: launch(n, 't3.medium', { idPrefix: `i-0${id.replace(/\W/g, '')}000`, cpu: { cores: 1, threads: 2 } }) });

const allocation = (n: number, at: number) =>
  trail('allocate-address.json', { id: `alloc-${n}`, at, response: { publicIp: `192.0.2.${10 + n}`, allocationId: `eipalloc-0000000000000000${n}` } });

export default table(IndicatorId.PROVISIONING_BURST, [
  {
    name: 'twelve instances in one call',
    group: () => group([smalls('big', 12, 0)]),
    expected: { status: 'fired', summary: `12 instances within 0 s ${THRESHOLD}`, eventIds: ['big'], details: { instances: 12, vcpus: 24, addresses: 0, spanMs: 0 } },
  },
  {
    name: 'one p3.16xlarge reaches the vCPU threshold on its own',
    group: () => group([trail('run-instances-gpu-success.json', { id: 'gpu' })]),
    expected: { status: 'fired', summary: `64 vCPUs within 0 s ${THRESHOLD}`, eventIds: ['gpu'], details: { instances: 1, vcpus: 64 } },
  },
  {
    name: 'five addresses within 20 minutes',
    group: () => group([0, 5, 10, 15, 20].map((at, i) => allocation(i + 1, at))),
    expected: {
      status: 'fired',
      summary: `5 addresses within 20 min ${THRESHOLD}`,
      eventIds: ['alloc-1', 'alloc-2', 'alloc-3', 'alloc-4', 'alloc-5'],
      details: { addresses: 5, spanMs: 20 * 60_000 },
    },
  },
  {
    name: 'six and six instances 50 minutes apart add up',
    group: () => group([smalls('a', 6, 0), smalls('b', 6, 50)]),
    expected: { status: 'fired', summary: `12 instances within 50 min ${THRESHOLD}`, eventIds: ['a', 'b'], details: { instances: 12 } },
  },
  {
    name: 'the window slides: three launches over 100 minutes, the last two within 60 count',
    group: () => group([smalls('a', 4, 0), smalls('b', 5, 50), smalls('c', 5, 100)]),
    expected: { status: 'fired', summary: `10 instances within 50 min ${THRESHOLD}`, eventIds: ['b', 'c'], details: { instances: 10 } },
  },
  {
    name: 'a lower configured threshold',
    group: () => group([trail('run-instances-success.json', { id: 'run' })]),
    ctx: () => context({ burst: { instances: 2 } }),
    expected: { status: 'fired', summary: '2 instances within 0 s (threshold >= 2 instances or >= 64 vCPUs or >= 5 addresses in 60 min)', eventIds: ['run'] },
  },
  {
    name: 'two ordinary instances',
    group: () => group([trail('run-instances-success.json')]),
    expected: { status: 'quiet', note: 'peak 2 instances, 8 vCPUs, 0 addresses per 60 min' },
  },
  {
    name: 'six and six instances 70 minutes apart in one group do not add up in a 60-minute window',
    group: () => group([smalls('a', 6, 0), trail('create-key-pair.json', { id: 'key', at: 35 }), smalls('b', 6, 70)]),
    expected: { status: 'quiet', note: 'peak 6 instances, 12 vCPUs, 0 addresses per 60 min' },
  },
  {
    name: 'same, in a group built by hand (the window, not the grouping, decides)',
    group: () => handGroup([smalls('a', 9, 0), smalls('b', 9, 61)]),
    expected: { status: 'quiet', note: 'peak 9 instances, 18 vCPUs, 0 addresses per 60 min' },
  },
  {
    name: 'associating addresses is not acquiring more of them',
    group: () => group([allocation(1, 0), ...[1, 2, 3, 4, 5].map((n) => trail('associate-address.json', { id: `assoc-${n}`, at: n }))]),
    expected: { status: 'quiet', note: 'peak 0 instances, 0 vCPUs, 1 addresses per 60 min' },
  },
  {
    name: 'a DryRun for fifty GPU instances acquires nothing',
    group: () => group([trail('run-instances-dry-run.json', { edit: launch(50, 'g5.12xlarge') })]),
    expected: { status: 'not-applicable', reason: 'nothing was acquired' },
  },
  {
    name: 'denied and over-limit launches acquire nothing',
    group: () => group([trail('run-instances-gpu-denied.json', { at: 0 }), trail('vcpu-limit-exceeded.json', { at: 1 })]),
    expected: { status: 'not-applicable', reason: 'nothing was acquired' },
  },
  {
    name: 'key pairs and quota reads only',
    group: () => group([trail('service-quotas-get.json', { at: 0 }), trail('create-key-pair.json', { at: 1 })]),
    expected: { status: 'not-applicable', reason: 'nothing was acquired' },
  },
]);
