import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lambdas/core/errors';
import { forwardingStack, memberTemplate } from '../../lib/config/app';
import { containmentSettingsOf, validateConfig } from '../../lib/config/load';
import { cloudTrailPatterns } from '../../lib/constructs/detection/patterns';
import { MemberStack } from '../../lib/stacks/member-stack';
import { synthesize, TEST_CONFIG } from './stack';

/** Organisation-wide forwarding: the member stack a StackSet puts in every account and region, and the StackSet. */

const CONFIG = {
  deployment: {
    account: '111122223333',
    region: 'eu-west-1',
    organizationId: 'o-abcdefghij',
    forwarding: { organizationalUnitIds: ['r-ab12'], regions: ['eu-west-1', 'us-east-1', 'ap-southeast-3'], managementAccount: '999988887777' },
  },
};
const d = validateConfig(CONFIG, 'test').deployment;

type Resource = { Type: string; Properties: Record<string, unknown>; Condition?: string };

describe('the member stack', () => {
  const t = memberTemplate(d) as { Resources: Record<string, Resource>; Parameters?: Record<string, unknown>; Rules?: Record<string, unknown>; Conditions: Record<string, unknown> };
  const of = (type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

  it('forwards exactly the central rules\' calls from the default bus to the central bus, with a role', () => {
    const rules = of('AWS::Events::Rule').map(([, r]) => r.Properties);
    expect(rules.map((r) => JSON.stringify(r.EventPattern)).sort()).toEqual(cloudTrailPatterns().map((p) => JSON.stringify(p.pattern)).sort());
    for (const r of rules) {
      expect(r.EventBusName).toBeUndefined(); // the default bus
      const [target] = r.Targets as { Arn: string; RoleArn: unknown }[];
      expect(target!.Arn).toBe('arn:aws:events:eu-west-1:111122223333:event-bus/rogue-infra-central');
      expect(target!.RoleArn).toBeDefined();
    }
    const quota = rules.find((r) => JSON.stringify(r.EventPattern).includes('servicequotas'))!;
    expect(quota.State).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
  });

  it('has a member role that only the responder stack\'s roles may assume, made in the security region only', () => {
    const [, role] = of('AWS::IAM::Role').find(([, r]) => r.Properties.RoleName === 'rogue-infra-responder-member')!;
    expect(role.Condition).toBe('InSecurityRegion');
    expect(t.Conditions.InSecurityRegion).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] });
    const trust = (role.Properties.AssumeRolePolicyDocument as { Statement: { Principal: unknown; Condition: unknown }[] }).Statement[0]!;
    expect(JSON.stringify(trust.Principal)).toContain('arn:');
    expect(JSON.stringify(trust.Principal)).toContain(':iam::111122223333:root');
    expect(trust.Condition).toEqual({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/RogueInfraResponder-*' } });
    expect(role.Properties.MaxSessionDuration).toBe(3600);
    const policies = of('AWS::IAM::Policy').filter(([, p]) => p.Condition === 'InSecurityRegion');
    const statements = policies.flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Condition?: unknown; Resource: unknown }[] }).Statement);
    const find = (a: string) => statements.filter((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]).includes(a));
    expect(find('ec2:ModifyNetworkInterfaceAttribute').some((s) => JSON.stringify(s.Condition).includes('aws:ResourceTag/rogue-infra:containment'))).toBe(true);
    expect(find('ec2:DescribeInstances')).toHaveLength(1);
    expect(find('ec2:CreateTags').length).toBeGreaterThanOrEqual(2);
    expect(statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))).not.toContain('ec2:TerminateInstances');
  });

  it('needs no CDK bootstrap in member accounts and carries no asset', () => {
    expect(t.Parameters?.BootstrapVersion).toBeUndefined();
    expect(t.Rules?.CheckBootstrapVersion).toBeUndefined();
    expect(JSON.stringify(t)).not.toMatch(/cdk-hnb659fds|AssetParameters/);
  });

  it('is cdk-nag clean', () => {
    const stack = new MemberStack(new App(), 'Member', {
      securityAccount: '111122223333', securityRegion: 'eu-west-1', centralBusName: 'rogue-infra-central', responderStackName: 'RogueInfraResponder',
      memberRoleName: 'rogue-infra-responder-member', quarantine: containmentSettingsOf(d.containment),
    });
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`)).toEqual([]);
  });
});

describe('the forwarding StackSet', () => {
  it('is service-managed, auto-deploys to accounts joining the OUs, in every configured region, with the member template', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = forwardingStack(app, d);
    expect(stack.account).toBe('999988887777');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      CallAs: 'SELF',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ['r-ab12'] }, Regions: ['eu-west-1', 'us-east-1', 'ap-southeast-3'] }],
    });
    const set = Object.values(template.findResources('AWS::CloudFormation::StackSet'))[0] as { Properties: { TemplateBody: string } };
    expect(JSON.parse(set.Properties.TemplateBody)).toEqual(memberTemplate(d));
    expect(set.Properties.TemplateBody.length).toBeLessThan(51_200);
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });

  it('says what it needs when the security account or region is missing', () => {
    const noAccount = validateConfig({ deployment: { forwarding: { organizationalUnitIds: ['r-ab12'] } } }, 'test').deployment;
    expect(() => forwardingStack(new App(), noAccount)).toThrow(ConfigError);
    expect(() => forwardingStack(new App(), noAccount)).toThrow(/deployment\.account: expected the security account id .*; deployment\.region: expected/);
  });

  it('checks the OU ids and the call mode', () => {
    expect(() => validateConfig({ deployment: { forwarding: { organizationalUnitIds: ['sandbox'], callAs: 'ADMIN' } } }, 'c.yaml')).toThrow(
      /forwarding\.organizationalUnitIds\[0\]: expected an OU id such as "ou-ab12-cd34ef56" or a root id such as "r-ab12", found "sandbox"[\s\S]*forwarding\.callAs: expected SELF \(management account\) or DELEGATED_ADMIN, found "ADMIN"/,
    );
  });
});

describe('the responder stack with forwarding', () => {
  it('lets enrich, tag and contain assume the member role, in accounts of the organisation only', () => {
    process.env.CDK_VALIDATION = 'false';
    const { stack, template } = synthesize({ ...TEST_CONFIG, deployment: { ...TEST_CONFIG.deployment, forwarding: { organizationalUnitIds: ['r-ab12'] } } });
    const res = template.toJSON().Resources as Record<string, Resource>;
    for (const fn of ['Enrich', 'Tag', 'Contain']) {
      const [, f] = Object.entries(res).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(`WorkflowTasks${fn}`) && !id.includes('Role'))!;
      expect((f.Properties.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({ MEMBER_ROLE_NAME: 'rogue-infra-responder-member', ACCOUNT_ID: '111122223333' });
      const sts = Object.entries(res)
        .filter(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith(`WorkflowTasks${fn}Role`))
        .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown; Condition?: unknown }[] }).Statement)
        .filter((st) => st.Action === 'sts:AssumeRole');
      expect(sts).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Resource: 'arn:aws:iam::*:role/rogue-infra-responder-member', Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-abcdefghij' } } }]);
    }
    expect(new AwsSolutionsChecks().validateScope(stack).violations.map((v) => v.ruleName)).toEqual([]);
  });
});
