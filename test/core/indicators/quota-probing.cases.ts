import { IndicatorId } from '../../../lambdas/core/constants';
import { trail } from '../../support/fixtures';
import { context, group } from '../../support/groups';
import { table } from '../../support/indicator-table';

const get = (id: string, at: number, quotaCode = 'L-1216C47A', serviceCode = 'ec2') => trail('service-quotas-get.json', { id, at, request: { serviceCode, quotaCode } });

export default table(IndicatorId.QUOTA_PROBING, [
  {
    name: 'a request to raise the G and VT vCPU quota',
    group: () => group([trail('service-quotas-increase.json', { id: 'raise' })]),
    expected: {
      status: 'fired',
      summary: 'increase requested: L-DB2E81BA to 256 (L-DB2E81BA)',
      eventIds: ['raise'],
      details: { reads: 0, increases: 1, quotaCodes: ['L-DB2E81BA'] },
    },
  },
  {
    name: 'three EC2 quota reads',
    group: () => group([get('q1', 0), trail('service-quotas-list.json', { id: 'q2', at: 1 }), get('q3', 2, 'L-DB2E81BA')]),
    expected: { status: 'fired', summary: '3 EC2 quota reads (L-1216C47A, L-DB2E81BA)', eventIds: ['q1', 'q2', 'q3'], details: { reads: 3, increases: 0 } },
  },
  {
    name: 'reads, then an increase',
    group: () => group([get('q1', 0), get('q2', 1, 'L-DB2E81BA'), trail('service-quotas-increase.json', { id: 'raise', at: 3 })]),
    expected: {
      status: 'fired',
      summary: '2 EC2 quota reads; increase requested: L-DB2E81BA to 256 (L-1216C47A, L-DB2E81BA)',
      eventIds: ['q1', 'q2', 'raise'],
      details: { reads: 2, increases: 1, quotaCodes: ['L-1216C47A', 'L-DB2E81BA'] },
    },
  },
  {
    name: 'a lower configured read threshold',
    group: () => group([get('q1', 0)]),
    ctx: () => context({ quotaProbing: { minReads: 1 } }),
    expected: { status: 'fired', summary: '1 EC2 quota read (L-1216C47A)', eventIds: ['q1'] },
  },
  {
    name: 'only EC2 calls are cited when other services are read too',
    group: () => group([get('lambda', 0, 'L-B99A9384', 'lambda'), trail('service-quotas-increase.json', { id: 'raise', at: 1 })]),
    expected: { status: 'fired', summary: 'increase requested: L-DB2E81BA to 256 (L-DB2E81BA)', eventIds: ['raise'] },
  },
  {
    name: 'two reads stay under the threshold',
    group: () => group([get('q1', 0), get('q2', 1)]),
    expected: { status: 'quiet', note: '2 EC2 quota reads' },
  },
  {
    name: 'quota calls about other services',
    group: () => group([get('q1', 0, 'L-B99A9384', 'lambda'), get('q2', 1, 'L-0DA4ABF3', 'sagemaker'), trail('service-quotas-increase.json', { at: 2, request: { serviceCode: 'lambda' } })]),
    expected: { status: 'quiet', note: 'quota calls were about other services' },
  },
  {
    name: 'no Service Quotas calls',
    group: () => group([trail('run-instances-success.json')]),
    expected: { status: 'not-applicable', reason: 'no Service Quotas calls' },
  },
  {
    name: 'a vCPU limit error is a failed launch, not a quota call',
    group: () => group([trail('vcpu-limit-exceeded.json')]),
    expected: { status: 'not-applicable', reason: 'no Service Quotas calls' },
  },
]);
