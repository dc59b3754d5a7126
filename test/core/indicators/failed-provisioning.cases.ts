import { IndicatorId } from '../../../lambdas/core/constants';
import { trail } from '../../support/fixtures';
import { group } from '../../support/groups';
import { table } from '../../support/indicator-table';

export default table(IndicatorId.FAILED_PROVISIONING, [
  {
    name: 'a denied GPU launch (Client.UnauthorizedOperation)',
    group: () => group([trail('run-instances-gpu-denied.json', { id: 'denied' })]),
    expected: {
      status: 'fired',
      summary: 'RunInstances Client.UnauthorizedOperation',
      eventIds: ['denied'],
      details: { failures: 1, dryRuns: 0, codes: ['Client.UnauthorizedOperation'] },
    },
  },
  {
    name: 'a DryRun probe',
    group: () => group([trail('run-instances-dry-run.json', { id: 'probe' })]),
    expected: { status: 'fired', summary: 'RunInstances dry run', eventIds: ['probe'], details: { failures: 0, dryRuns: 1, codes: [] } },
  },
  {
    name: 'two vCPU-limit failures and a dry run, tallied',
    group: () =>
      group([
        trail('vcpu-limit-exceeded.json', { id: 'limit-1', at: 0 }),
        trail('run-instances-dry-run.json', { id: 'probe', at: 1 }),
        trail('vcpu-limit-exceeded.json', { id: 'limit-2', at: 2 }),
      ]),
    expected: {
      status: 'fired',
      summary: 'RunInstances Client.VcpuLimitExceeded x2; RunInstances dry run',
      eventIds: ['limit-1', 'limit-2', 'probe'],
      details: { failures: 2, dryRuns: 1, codes: ['Client.VcpuLimitExceeded'] },
    },
  },
  {
    name: 'an address over the account limit',
    group: () => group([trail('allocate-address.json', { id: 'alloc', error: 'Client.AddressLimitExceeded' })]),
    expected: { status: 'fired', summary: 'AllocateAddress Client.AddressLimitExceeded', eventIds: ['alloc'] },
  },
  {
    name: 'a launch in a region the account has not opted in to',
    group: () => group([trail('run-instances-success.json', { id: 'optin', region: 'af-south-1', error: 'Client.OptInRequired' })]),
    expected: { status: 'fired', summary: 'RunInstances Client.OptInRequired', eventIds: ['optin'] },
  },
  {
    name: 'a new account still pending verification',
    group: () => group([trail('request-spot-instances.json', { id: 'spot', error: 'Client.PendingVerification' })]),
    expected: { status: 'fired', summary: 'RequestSpotInstances Client.PendingVerification', eventIds: ['spot'] },
  },
  {
    name: 'a denied resize to a GPU type',
    group: () => group([trail('modify-instance-attribute-type.json', { id: 'resize', error: 'Client.UnauthorizedOperation' })]),
    expected: { status: 'fired', summary: 'ModifyInstanceAttribute Client.UnauthorizedOperation', eventIds: ['resize'] },
  },
  {
    name: 'AWS ran out of capacity: not the caller lacking permission',
    group: () => group([trail('run-instances-insufficient-capacity.json')]),
    expected: { status: 'quiet', note: 'failures were Server.InsufficientInstanceCapacity (not permission or limit errors)' },
  },
  {
    name: 'a typo in the AMI id',
    group: () => group([trail('run-instances-success.json', { error: 'Client.InvalidAMIID.NotFound' })]),
    expected: { status: 'quiet', note: 'failures were Client.InvalidAMIID.NotFound (not permission or limit errors)' },
  },
  {
    name: 'successful launches only',
    group: () => group([trail('run-instances-success.json', { at: 0 }), trail('allocate-address.json', { at: 1 })]),
    expected: { status: 'not-applicable', reason: 'no failed or dry-run acquisition calls' },
  },
  {
    name: 'a denied key pair or security-group change is not an acquisition',
    group: () => group([trail('create-key-pair.json', { error: 'Client.UnauthorizedOperation', at: 0 }), trail('authorize-sg-ingress-world-22.json', { error: 'Client.UnauthorizedOperation', at: 1 })]),
    expected: { status: 'not-applicable', reason: 'no failed or dry-run acquisition calls' },
  },
  {
    name: 'a denied quota read is probing, not provisioning',
    group: () => group([trail('service-quotas-get.json', { error: 'AccessDeniedException' })]),
    expected: { status: 'not-applicable', reason: 'no failed or dry-run acquisition calls' },
  },
]);
