import { describe, expect, it } from 'vitest';
import { decideContainment, DEFAULT_POLICY, type ContainmentPolicy } from '../../lambdas/core/policy';
import type { AccountContext } from '../../lambdas/core/workflow';

const sandbox: AccountContext = { id: '333333333333', name: 'dev-sandbox', ouPath: ['Root', 'Workloads', 'Sandbox'], tags: { environment: 'sandbox' } };
const prod: AccountContext = { id: '111111111111', name: 'prod', ouPath: ['Root', 'Workloads', 'Prod'], tags: { environment: 'production', 'data-class': 'restricted' } };

const policy: ContainmentPolicy = {
  dryRun: false,
  rules: [
    { match: { tag: 'data-class=restricted' }, action: 'never' },
    { match: { ou: 'sandbox' }, action: 'automatic' },
    { match: { accountId: '222222222222' }, action: 'automatic' },
    { match: { ou: 'Prod*', tag: 'environment=prod*' }, action: 'approval' },
  ],
};

describe('the containment policy', () => {
  it.each([
    ['a restricted production account: never (the first match wins)', prod.id, prod, { action: 'never', rule: 'rule 1 (tag data-class=restricted): never' }],
    ['a sandbox OU, matched by name, case-insensitive: automatic', sandbox.id, sandbox, { action: 'automatic', rule: 'rule 2 (ou sandbox): automatic' }],
    ['an account named by id, context unknown: automatic', '222222222222', undefined, { action: 'automatic', rule: 'rule 3 (account 222222222222): automatic' }],
    ['an OU and tag rule needs both', '444444444444', { ...prod, id: '444444444444', tags: { environment: 'production' } }, { action: 'approval', rule: 'rule 4 (ou Prod*, tag environment=prod*): approval' }],
    ['nothing matches: approval', '555555555555', { ...sandbox, id: '555555555555', ouPath: ['Root', 'Shared'], tags: {} }, { action: 'approval', rule: 'default: approval' }],
  ] as const)('%s', (_name, id, account, expected) => {
    expect(decideContainment(id, account, policy)).toEqual({ ...expected, dryRun: false });
  });

  it('without the account\'s context no OU or tag rule matches, and the decision says so (approval, never automatic by accident)', () => {
    expect(decideContainment('333333333333', undefined, policy)).toEqual({ action: 'approval', dryRun: false, rule: "default: approval (the account's OU and tags were not known, so no OU or tag rule could match)" });
  });

  it('a tag rule without a value matches the key\'s presence', () => {
    expect(decideContainment(prod.id, prod, { dryRun: false, rules: [{ match: { tag: 'data-class' }, action: 'never' }] }).action).toBe('never');
  });

  it('dry run applies everywhere, whatever the rule; the default is approval', () => {
    expect(decideContainment(sandbox.id, sandbox, { ...policy, dryRun: true })).toMatchObject({ action: 'automatic', dryRun: true });
    expect(decideContainment('1', undefined, DEFAULT_POLICY)).toEqual({ action: 'approval', dryRun: false, rule: 'default: approval' });
  });
});
