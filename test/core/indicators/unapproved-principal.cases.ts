import { IndicatorId } from '../../../lambdas/core/constants';
import { ACCOUNT, Principal, launchTags, trail } from '../../support/fixtures';
import { context, group, groupWith } from '../../support/groups';
import { table } from '../../support/indicator-table';

const OPS_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/ops-admin/jordan`;
const CI_ROLES = () => context({ approvedPrincipals: [`arn:aws:iam::${ACCOUNT}:role/ci-*`] });

export default table(
  IndicatorId.UNAPPROVED_PRINCIPAL,
  [
    {
      name: 'an assumed role when nobody is approved',
      group: () => group([trail('run-instances-success.json', { id: 'run' })]),
      expected: {
        status: 'fired',
        summary: `${OPS_ARN} no approvedPrincipals configured`,
        eventIds: ['run'],
        details: { arn: OPS_ARN, role: `arn:aws:iam::${ACCOUNT}:role/ops-admin`, longTermCredential: false, firstSeen: false },
      },
    },
    {
      name: 'an IAM user long-term access key is called out',
      group: () => group([trail('run-instances-gpu-success.json', { id: 'gpu' })]),
      ctx: CI_ROLES,
      expected: {
        status: 'fired',
        summary: `arn:aws:iam::${ACCOUNT}:user/svc-backup matches none of 1 approvedPrincipals; long-term access key AKIAXMPLSVCBACKUP777 of IAM user svc-backup`,
        eventIds: ['gpu'],
        details: { arn: `arn:aws:iam::${ACCOUNT}:user/svc-backup`, longTermCredential: true },
      },
    },
    {
      name: 'the root user is called out',
      group: () => group([trail('allocate-address.json', { id: 'alloc', as: Principal.root })]),
      expected: {
        status: 'fired',
        summary: `arn:aws:iam::${ACCOUNT}:root no approvedPrincipals configured; root user of account ${ACCOUNT} with access key AKIAXMPLROOTKEY00001`,
        eventIds: ['alloc'],
        details: { longTermCredential: true },
      },
    },
    {
      name: 'an IAM user in a console session (temporary key) is named but not called long-term',
      group: () => group([trail('create-key-pair.json', { id: 'key', as: Principal.consoleUser })]),
      ctx: CI_ROLES,
      expected: {
        status: 'fired',
        summary: `arn:aws:iam::${ACCOUNT}:user/alice matches none of 1 approvedPrincipals; IAM user alice (key ASIAXMPLALICECONSOLE)`,
        eventIds: ['key'],
        details: { longTermCredential: false },
      },
    },
    {
      name: 'a principal never seen acquiring in an account with history',
      group: () =>
        groupWith('run', [trail('run-instances-success.json', { id: 'history', at: 0, as: Principal.ci }), trail('run-instances-success.json', { id: 'run', at: 120 })]),
      ctx: CI_ROLES,
      expected: { status: 'fired', summary: `${OPS_ARN} matches none of 1 approvedPrincipals; never seen acquiring in this account before`, eventIds: ['run'], details: { firstSeen: true } },
    },
    {
      name: 'a role whose name starts like an approved one is another role',
      group: () => group([trail('run-instances-success.json', { id: 'run', as: Principal.ciShadow })]),
      ctx: () => context({ approvedPrincipals: [`arn:aws:iam::${ACCOUNT}:role/ci-deployer`] }),
      expected: {
        status: 'fired',
        summary: `arn:aws:sts::${ACCOUNT}:assumed-role/ci-deployer-shadow/build-1 matches none of 1 approvedPrincipals`,
        eventIds: ['run'],
        details: { role: `arn:aws:iam::${ACCOUNT}:role/ci-deployer-shadow` },
      },
    },
    {
      name: 'tags the caller wrote never approve it',
      group: () => group([trail('run-instances-success.json', { id: 'run', edit: launchTags({ ApprovedBy: 'security-team', Owner: 'ci-deployer', CostCenter: 'cc-1042' }) })]),
      ctx: () => context({ requiredTags: ['CostCenter', 'Owner'] }),
      expected: { status: 'fired', summary: `${OPS_ARN} no approvedPrincipals configured`, eventIds: ['run'] },
    },
    {
      name: 'an assumed role approved through the role it was issued from',
      group: () => group([trail('run-instances-gpu-success.json', { as: Principal.ci })]),
      ctx: CI_ROLES,
      expected: { status: 'quiet', note: `arn:aws:iam::${ACCOUNT}:role/ci-deployer matches approved pattern arn:aws:iam::${ACCOUNT}:role/ci-*` },
    },
    {
      name: 'an assumed role approved by its session ARN',
      group: () => group([trail('run-instances-success.json', { as: Principal.ci })]),
      ctx: () => context({ approvedPrincipals: [`arn:aws:sts::${ACCOUNT}:assumed-role/ci-deployer/*`] }),
      expected: {
        status: 'quiet',
        note: `arn:aws:sts::${ACCOUNT}:assumed-role/ci-deployer/build-4711 matches approved pattern arn:aws:sts::${ACCOUNT}:assumed-role/ci-deployer/*`,
      },
    },
    {
      name: 'an IAM user approved by its exact ARN',
      group: () => group([trail('run-instances-gpu-success.json')]),
      ctx: () => context({ approvedPrincipals: [`arn:aws:iam::${ACCOUNT}:role/ci-*`, `arn:aws:iam::${ACCOUNT}:user/svc-backup`] }),
      expected: { status: 'quiet', note: `arn:aws:iam::${ACCOUNT}:user/svc-backup matches approved pattern arn:aws:iam::${ACCOUNT}:user/svc-backup` },
    },
    {
      name: 'Auto Scaling launches on the account\'s behalf',
      group: () => group([trail('run-instances-autoscaling.json')]),
      expected: { status: 'quiet', note: "calls made by autoscaling.amazonaws.com on the account's behalf" },
    },
    {
      name: 'older records: the root identity with invokedBy autoscaling',
      group: () =>
        group([
          trail('run-instances-success.json', {
            as: { ...Principal.root, invokedBy: 'autoscaling.amazonaws.com', accessKeyId: undefined },
            sourceIp: 'autoscaling.amazonaws.com',
          }),
        ]),
      expected: { status: 'quiet', note: "calls made by autoscaling.amazonaws.com on the account's behalf" },
    },
  ],
  { 'not-applicable': 0 },
);
