import { IndicatorId } from '../../../lambdas/core/constants';
import { GPU_INSTANCE, Principal, WEB_INSTANCES, launch, trail } from '../../support/fixtures';
import { group } from '../../support/groups';
import { table } from '../../support/indicator-table';

export default table(IndicatorId.SERVER_PROVISIONED, [
  {
    name: 'RunInstances of two m5.xlarge, vCPUs exact from cpuOptions',
    group: () => group([trail('run-instances-success.json', { id: 'run' })]),
    expected: {
      status: 'fired',
      summary: `2 instances (m5.xlarge x2, 8 vCPUs) via RunInstances: ${WEB_INSTANCES.join(', ')}`,
      eventIds: ['run'],
      details: { instances: 2, vcpus: 8, instanceIds: [...WEB_INSTANCES], calls: ['RunInstances'] },
    },
  },
  {
    name: 'a successful launch after a dry run counts only the launch',
    group: () => group([trail('run-instances-dry-run.json', { id: 'probe', at: 0 }), trail('run-instances-gpu-success.json', { id: 'run', at: 3, as: Principal.ops })]),
    expected: {
      status: 'fired',
      summary: `1 instance (p3.16xlarge, 64 vCPUs) via RunInstances: ${GPU_INSTANCE}`,
      eventIds: ['run'],
      details: { instances: 1, vcpus: 64, instanceIds: [GPU_INSTANCE] },
    },
  },
  {
    name: 'RequestSpotInstances counts the instances asked for, vCPUs estimated from the type',
    group: () => group([trail('request-spot-instances.json', { id: 'spot' })]),
    expected: { status: 'fired', summary: '3 instances requested (c5.4xlarge x3, 48 vCPUs) via RequestSpotInstances', eventIds: ['spot'], details: { instances: 3, vcpus: 48, instanceIds: [] } },
  },
  {
    name: 'a request for an absurd number of instances is counted, not listed one by one',
    group: () => group([trail('request-spot-instances.json', { id: 'spot', edit: (r) => void ((r.requestParameters as Record<string, unknown>).instanceCount = 5_000_000_000) })]),
    expected: { status: 'fired', summary: '5000000000 instances requested (c5.4xlarge x5000000000, 80000000000 vCPUs) via RequestSpotInstances', eventIds: ['spot'], details: { instances: 5_000_000_000 } },
  },
  {
    name: 'RequestSpotFleet counts its target capacity',
    group: () => group([trail('request-spot-fleet.json', { id: 'sfr' })]),
    // A fleet offered two types: both are named, the mix is not guessed; vCPUs assume the larger.
    expected: { status: 'fired', summary: '20 instances requested (c5.2xlarge/c5.4xlarge, 320 vCPUs) via RequestSpotFleet', eventIds: ['sfr'], details: { instances: 20, vcpus: 320, calls: ['RequestSpotFleet'] } },
  },
  {
    name: 'CreateFleet (PascalCase request) lists the fleet instances',
    group: () => group([trail('create-fleet.json', { id: 'fleet' })]),
    expected: {
      status: 'fired',
      summary: '2 instances (g4dn.xlarge x2, 8 vCPUs) via CreateFleet: i-0e7f8a9b0c1d20041, i-0e7f8a9b0c1d20042',
      eventIds: ['fleet'],
      details: { instances: 2, instanceIds: ['i-0e7f8a9b0c1d20041', 'i-0e7f8a9b0c1d20042'], calls: ['CreateFleet'] },
    },
  },
  {
    name: 'an Auto Scaling launch still provisions a server, and says who invoked it',
    group: () => group([trail('run-instances-autoscaling.json', { id: 'asg' })]),
    expected: { status: 'fired', summary: '1 instance (c5.large, 2 vCPUs) via RunInstances: i-0c5d6e7f8a9b00021 (invoked by autoscaling.amazonaws.com)', eventIds: ['asg'] },
  },
  {
    name: 'Lightsail CreateInstances',
    group: () => group([trail('lightsail-create-instances.json', { id: 'ls' })]),
    expected: { status: 'fired', summary: '2 instances (lightsail:medium_3_0 x2) via CreateInstances: relay-1, relay-2', eventIds: ['ls'] },
  },
  {
    name: 'a lone DryRun acquires nothing',
    group: () => group([trail('run-instances-dry-run.json', { edit: launch(50, 'g5.12xlarge') })]),
    expected: { status: 'quiet', note: 'launch calls failed or were dry runs' },
  },
  {
    name: 'a denied GPU launch acquires nothing',
    group: () => group([trail('run-instances-gpu-denied.json')]),
    expected: { status: 'quiet', note: 'launch calls failed or were dry runs' },
  },
  {
    name: 'a launch over the vCPU limit acquires nothing',
    group: () => group([trail('vcpu-limit-exceeded.json'), trail('run-instances-insufficient-capacity.json')]),
    expected: { status: 'quiet', note: 'launch calls failed or were dry runs' },
  },
  {
    name: 'addresses only',
    group: () => group([trail('allocate-address.json'), trail('associate-address.json')]),
    expected: { status: 'not-applicable', reason: 'no launch calls' },
  },
  {
    name: 'preparation only (key pair, security group)',
    group: () => group([trail('create-key-pair.json'), trail('authorize-sg-ingress-world-22.json')]),
    expected: { status: 'not-applicable', reason: 'no launch calls' },
  },
  {
    name: 'terminating instances is not provisioning them',
    group: () => group([trail('terminate-instances.json')]),
    expected: { status: 'not-applicable', reason: 'no launch calls' },
  },
]);
