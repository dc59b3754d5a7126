import { IndicatorId } from '../../../lambdas/core/constants';
import { GPU_INSTANCE, WEB_INSTANCES, launchTags, trail } from '../../support/fixtures';
import { context, group } from '../../support/groups';
import { table } from '../../support/indicator-table';

const REQUIRED = () => context({ requiredTags: ['CostCenter', 'Owner'] });
const TEMPLATE = 'launched from a launch template: tags are checked on the instance during enrichment';

export default table(IndicatorId.MISSING_BUSINESS_TAGS, [
  {
    name: 'a launch without an Owner tag',
    group: () => group([trail('run-instances-success.json', { id: 'run', edit: launchTags({ Name: 'web-01', CostCenter: 'cc-1042' }) })]),
    ctx: REQUIRED,
    expected: {
      status: 'fired',
      summary: `1 of 1 launches lack Owner (${WEB_INSTANCES.join(', ')})`,
      eventIds: ['run'],
      details: { missing: ['Owner'], instanceIds: [...WEB_INSTANCES] },
    },
  },
  {
    name: 'an untagged GPU launch lacks every required tag',
    group: () => group([trail('run-instances-gpu-success.json', { id: 'gpu' })]),
    ctx: REQUIRED,
    expected: { status: 'fired', summary: `1 of 1 launches lack CostCenter, Owner (${GPU_INSTANCE})`, eventIds: ['gpu'], details: { missing: ['CostCenter', 'Owner'] } },
  },
  {
    name: 'an empty value is as good as no tag',
    group: () => group([trail('run-instances-success.json', { id: 'run', edit: launchTags({ CostCenter: 'cc-1042', Owner: '' }) })]),
    ctx: REQUIRED,
    expected: { status: 'fired', summary: `1 of 1 launches lack Owner (${WEB_INSTANCES.join(', ')})`, eventIds: ['run'] },
  },
  {
    name: 'only the offending launch of two is cited; spot requests have no instance ids yet',
    group: () => group([trail('run-instances-success.json', { id: 'ok', at: 0 }), trail('request-spot-instances.json', { id: 'spot', at: 1 })]),
    ctx: REQUIRED,
    expected: { status: 'fired', summary: '1 of 2 launches lack CostCenter, Owner', eventIds: ['spot'], details: { instanceIds: [] } },
  },
  {
    name: 'every launch carries the required tags',
    group: () => group([trail('run-instances-success.json')]),
    ctx: REQUIRED,
    expected: { status: 'quiet', note: 'every launch carries the required tags' },
  },
  {
    name: 'tags shown only in the response count',
    group: () =>
      group([
        trail('run-instances-success.json', {
          edit: (r) => {
            delete (r.requestParameters as Record<string, unknown>).tagSpecificationSet;
          },
        }),
      ]),
    ctx: REQUIRED,
    expected: { status: 'quiet', note: 'every launch carries the required tags' },
  },
  {
    name: 'CreateFleet tags from its PascalCase TagSpecification (list items carry "tag" index markers)',
    group: () => group([trail('create-fleet.json')]),
    ctx: () => context({ requiredTags: ['CostCenter'] }),
    expected: { status: 'quiet', note: 'every launch carries the required tags' },
  },
  {
    name: 'no requiredTags configured',
    group: () => group([trail('run-instances-gpu-success.json')]),
    expected: { status: 'not-applicable', reason: 'no requiredTags configured' },
  },
  {
    name: 'tags are unknown when a launch template supplied them',
    group: () => group([trail('run-instances-launch-template.json')]),
    ctx: REQUIRED,
    expected: { status: 'not-applicable', reason: TEMPLATE },
  },
  {
    name: 'failed and dry-run launches acquire nothing to tag',
    group: () => group([trail('run-instances-dry-run.json', { at: 0 }), trail('run-instances-gpu-denied.json', { at: 1 })]),
    ctx: REQUIRED,
    expected: { status: 'not-applicable', reason: 'no successful launches' },
  },
  {
    name: 'addresses are not launches',
    group: () => group([trail('allocate-address.json')]),
    ctx: REQUIRED,
    expected: { status: 'not-applicable', reason: 'no successful launches' },
  },
]);
