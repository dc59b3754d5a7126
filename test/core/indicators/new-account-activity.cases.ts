import { IndicatorId } from '../../../lambdas/core/constants';
import type { AccountContext } from '../../../lambdas/core/workflow';
import { ACCOUNT, trail } from '../../support/fixtures';
import { context, group } from '../../support/groups';
import { table } from '../../support/indicator-table';

/** Fixtures happen on 2025-03-04 at 10:00 in ACCOUNT. */
const account = (over: Partial<AccountContext> = {}): AccountContext => ({ id: ACCOUNT, name: 'dev-data', ouPath: ['Root', 'Workloads'], tags: {}, joinedAt: '2023-01-10T00:00:00Z', ...over });
const withAccount = (a: AccountContext) => () => ({
  ...context(),
  enrichment: { instances: [], addresses: [], account: a, threatIntel: { feeds: [], entries: 0 }, errors: [] },
});

export default table(IndicatorId.NEW_ACCOUNT_ACTIVITY, [
  {
    name: 'an account that joined four days before launching GPUs',
    group: () => group([trail('run-instances-gpu-success.json', { id: 'run' })]),
    ctx: withAccount(account({ joinedAt: '2025-02-28T09:00:00Z' })),
    expected: { status: 'fired', summary: /^account 111122223333 \(dev-data\) joined the organisation 2025-02-28, 4 day\(s\) before this activity; \d+ instance\(s\) launched here$/, eventIds: ['run'], details: { joinedAt: '2025-02-28T09:00:00Z' } },
  },
  {
    name: 'an old account in a sandbox OU',
    group: () => group([trail('run-instances-gpu-success.json', { id: 'run' })]),
    ctx: withAccount(account({ ouPath: ['Root', 'Sandboxes', 'Team-Sandbox'] })),
    expected: { status: 'fired', summary: /is in the sandbox OU Sandboxes \(Root \/ Sandboxes \/ Team-Sandbox\)/, eventIds: ['run'], details: { sandboxOu: 'Sandboxes' } },
  },
  {
    name: 'an established account in a workload OU',
    group: () => group([trail('run-instances-gpu-success.json')]),
    ctx: withAccount(account()),
    expected: { status: 'quiet', note: '111122223333 (dev-data) joined 2023-01-10, OU Root / Workloads' },
  },
  {
    name: 'a new account where the launch failed',
    group: () => group([trail('run-instances-gpu-success.json', { error: 'Client.UnauthorizedOperation' })]),
    ctx: withAccount(account({ joinedAt: '2025-03-01T00:00:00Z' })),
    expected: { status: 'quiet', note: 'nothing was acquired' },
  },
  {
    name: 'a hunt: no account context',
    group: () => group([trail('run-instances-gpu-success.json')]),
    expected: { status: 'not-applicable', reason: /^no account context/ },
  },
  {
    name: 'the scorer, before enrichment',
    group: () => group([trail('run-instances-gpu-success.json', { id: 'a', at: 0 }), trail('run-instances-gpu-success.json', { id: 'b', at: 1 })]),
    expected: { status: 'not-applicable', reason: /Organizations/ },
  },
]);
