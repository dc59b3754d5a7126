import { IndicatorId } from '../../../lambdas/core/constants';
import { launch, trail } from '../../support/fixtures';
import { context, group } from '../../support/groups';
import { table } from '../../support/indicator-table';

export default table(IndicatorId.ACCELERATED_INSTANCE_TYPE, [
  {
    name: 'a p3.16xlarge launched',
    group: () => group([trail('run-instances-gpu-success.json', { id: 'gpu' })]),
    expected: { status: 'fired', summary: 'p3.16xlarge (accelerated family p*)', eventIds: ['gpu'], details: { instanceTypes: ['p3.16xlarge'] } },
  },
  {
    name: 'a denied p4d.24xlarge launch is telling too',
    group: () => group([trail('run-instances-gpu-denied.json', { id: 'denied' })]),
    expected: { status: 'fired', summary: 'p4d.24xlarge (accelerated family p*) requested but failed', eventIds: ['denied'], details: { instanceTypes: ['p4d.24xlarge'] } },
  },
  {
    name: 'a DryRun for g5.12xlarge',
    group: () => group([trail('run-instances-dry-run.json', { id: 'probe' })]),
    expected: { status: 'fired', summary: 'g5.12xlarge (accelerated family g*) requested but dry-run', eventIds: ['probe'] },
  },
  {
    name: 'denied, then dry run: both outcomes named',
    group: () => group([trail('run-instances-gpu-denied.json', { id: 'denied', at: 0 }), trail('run-instances-dry-run.json', { id: 'probe', at: 1 })]),
    expected: {
      status: 'fired',
      summary: 'p4d.24xlarge (accelerated family p*), g5.12xlarge (accelerated family g*) requested but failed/dry-run',
      eventIds: ['denied', 'probe'],
      details: { instanceTypes: ['p4d.24xlarge', 'g5.12xlarge'] },
    },
  },
  {
    name: 'a very large general-purpose size (64 vCPUs)',
    group: () => group([trail('run-instances-success.json', { id: 'big', edit: launch(1, 'm5.16xlarge', { cpu: { cores: 32, threads: 2 } }) })]),
    expected: { status: 'fired', summary: 'm5.16xlarge (64 vCPUs)', eventIds: ['big'] },
  },
  {
    name: 'a resize to p3.8xlarge with ModifyInstanceAttribute',
    group: () => group([trail('modify-instance-attribute-type.json', { id: 'resize' })]),
    expected: { status: 'fired', summary: 'p3.8xlarge (accelerated family p*)', eventIds: ['resize'] },
  },
  {
    name: 'the type comes from the response when a launch template chose it',
    group: () => group([trail('run-instances-launch-template.json', { id: 'lt' })]),
    expected: { status: 'fired', summary: 'g4dn.2xlarge (accelerated family g*)', eventIds: ['lt'] },
  },
  {
    name: 'CreateFleet overrides name GPU families (PascalCase request)',
    group: () => group([trail('create-fleet.json', { id: 'fleet' })]),
    expected: { status: 'fired', summary: 'g4dn.xlarge (accelerated family g*), g5.xlarge (accelerated family g*)', eventIds: ['fleet'] },
  },
  {
    name: 'ordinary m5.xlarge instances',
    group: () => group([trail('run-instances-success.json')]),
    expected: { status: 'quiet', note: 'types m5.xlarge are ordinary' },
  },
  {
    name: '48 vCPUs is below the large threshold',
    group: () => group([trail('run-instances-success.json', { edit: launch(1, 'm5.12xlarge', { cpu: false }) }), trail('request-spot-instances.json', { at: 1 })]),
    expected: { status: 'quiet', note: 'types m5.12xlarge, c5.4xlarge are ordinary' },
  },
  {
    name: 'families are configuration: without p* a p3 is ordinary',
    group: () => group([trail('run-instances-gpu-success.json')]),
    ctx: () => context({ instanceTypes: { acceleratedFamilies: ['g*'], largeMinVcpus: 128 } }),
    expected: { status: 'quiet', note: 'types p3.16xlarge are ordinary' },
  },
  {
    name: 'Graviton families end in g but are not GPU families',
    group: () => group([trail('run-instances-success.json', { edit: launch(2, 'm6g.4xlarge', { cpu: false }) })]),
    expected: { status: 'quiet', note: 'types m6g.4xlarge are ordinary' },
  },
  {
    name: 'addresses only',
    group: () => group([trail('allocate-address.json')]),
    expected: { status: 'not-applicable', reason: 'no instance types in the activity' },
  },
  {
    name: 'a denied launch from a launch template names no type',
    group: () => group([trail('run-instances-launch-template.json', { error: 'Client.UnauthorizedOperation' })]),
    expected: { status: 'not-applicable', reason: 'no instance types in the activity' },
  },
  {
    name: 'a userData change names no type',
    group: () => group([trail('modify-instance-attribute-userdata.json')]),
    expected: { status: 'not-applicable', reason: 'no instance types in the activity' },
  },
]);
