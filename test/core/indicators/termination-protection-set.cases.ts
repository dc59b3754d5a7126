import { IndicatorId } from '../../../lambdas/core/constants';
import { GPU_INSTANCE, WEB_INSTANCES, trail } from '../../support/fixtures';
import { group } from '../../support/groups';
import { table } from '../../support/indicator-table';

export default table(IndicatorId.TERMINATION_PROTECTION_SET, [
  {
    name: 'ModifyInstanceAttribute disableApiTermination {value: true}',
    group: () => group([trail('modify-instance-attribute-termination.json', { id: 'tp' })]),
    expected: { status: 'fired', summary: `on ${WEB_INSTANCES[0]}`, eventIds: ['tp'], details: { instanceIds: [WEB_INSTANCES[0]] } },
  },
  {
    name: 'protection requested at launch',
    group: () => group([trail('run-instances-success.json', { id: 'run', request: { disableApiTermination: true } })]),
    expected: { status: 'fired', summary: `on ${WEB_INSTANCES.join(', ')}`, eventIds: ['run'], details: { instanceIds: [...WEB_INSTANCES] } },
  },
  {
    name: 'the attribute/value request form',
    group: () =>
      group([
        trail('modify-instance-attribute-termination.json', {
          id: 'tp',
          edit: (r) => {
            r.requestParameters = { instanceId: GPU_INSTANCE, attribute: 'disableApiTermination', value: 'true' };
          },
        }),
      ]),
    expected: { status: 'fired', summary: `on ${GPU_INSTANCE}`, eventIds: ['tp'] },
  },
  {
    name: 'set at launch and again later: each instance named once, both calls cited',
    group: () => group([trail('run-instances-success.json', { id: 'run', at: 0, request: { disableApiTermination: true } }), trail('modify-instance-attribute-termination.json', { id: 'tp', at: 5 })]),
    expected: { status: 'fired', summary: `on ${WEB_INSTANCES.join(', ')}`, eventIds: ['run', 'tp'] },
  },
  {
    name: 'protection turned off',
    group: () => group([trail('modify-instance-attribute-termination.json', { request: { disableApiTermination: { value: false } } })]),
    expected: { status: 'quiet', note: 'termination protection not set' },
  },
  {
    name: 'a launch without protection',
    group: () => group([trail('run-instances-success.json')]),
    expected: { status: 'quiet', note: 'termination protection not set' },
  },
  {
    name: 'protection asked for by a launch that was denied',
    group: () => group([trail('run-instances-gpu-denied.json', { request: { disableApiTermination: true } })]),
    expected: { status: 'quiet', note: 'termination protection not set' },
  },
  {
    name: 'addresses only',
    group: () => group([trail('allocate-address.json')]),
    expected: { status: 'not-applicable', reason: 'no launch or ModifyInstanceAttribute calls' },
  },
  {
    name: 'security groups and key pairs only',
    group: () => group([trail('authorize-sg-ingress-world-22.json', { at: 0 }), trail('create-key-pair.json', { at: 1 })]),
    expected: { status: 'not-applicable', reason: 'no launch or ModifyInstanceAttribute calls' },
  },
]);
