import { IndicatorId } from '../../../lambdas/core/constants';
import { WEB_INSTANCES, trail } from '../../support/fixtures';
import { group } from '../../support/groups';
import { table } from '../../support/indicator-table';

export default table(IndicatorId.USER_DATA_MODIFIED, [
  {
    name: 'userData replaced (content redacted by CloudTrail)',
    group: () => group([trail('modify-instance-attribute-userdata.json', { id: 'ud' })]),
    expected: { status: 'fired', summary: `userData replaced on ${WEB_INSTANCES[0]}`, eventIds: ['ud'], details: { instanceIds: [WEB_INSTANCES[0]] } },
  },
  {
    name: 'userData replaced on two instances, among other changes',
    group: () =>
      group([
        trail('modify-instance-attribute-userdata.json', { id: 'ud-1', at: 0 }),
        trail('modify-instance-attribute-termination.json', { id: 'tp', at: 1 }),
        trail('modify-instance-attribute-userdata.json', { id: 'ud-2', at: 2, request: { instanceId: WEB_INSTANCES[1] } }),
      ]),
    expected: { status: 'fired', summary: `userData replaced on ${WEB_INSTANCES.join(', ')}`, eventIds: ['ud-1', 'ud-2'], details: { instanceIds: [...WEB_INSTANCES] } },
  },
  {
    name: 'the attribute/value request form',
    group: () =>
      group([
        trail('modify-instance-attribute-termination.json', {
          id: 'ud',
          edit: (r) => {
            r.requestParameters = { instanceId: WEB_INSTANCES[0], attribute: 'userData', value: '<sensitiveDataRemoved>' };
          },
        }),
      ]),
    expected: { status: 'fired', summary: `userData replaced on ${WEB_INSTANCES[0]}`, eventIds: ['ud'] },
  },
  {
    name: 'termination protection is another attribute',
    group: () => group([trail('modify-instance-attribute-termination.json')]),
    expected: { status: 'quiet', note: 'no userData change' },
  },
  {
    name: 'a userData change refused (the instance was running)',
    group: () => group([trail('modify-instance-attribute-userdata.json', { error: 'Client.IncorrectInstanceState' })]),
    expected: { status: 'quiet', note: 'no userData change' },
  },
  {
    name: 'launches only',
    group: () => group([trail('run-instances-success.json')]),
    expected: { status: 'not-applicable', reason: 'no ModifyInstanceAttribute calls' },
  },
  {
    name: 'key pairs only',
    group: () => group([trail('create-key-pair.json')]),
    expected: { status: 'not-applicable', reason: 'no ModifyInstanceAttribute calls' },
  },
]);
