import { Stack, Token, Validations } from 'aws-cdk-lib';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { ContainmentSettings } from '../../../lambdas/core/containment';
import { TAG } from '../../../lambdas/core/workflow';
import { allowUnscoped } from '../shared/grants';

/**
 * What the Contain function may do, and nothing more. EC2 reads have no
 * resource-level permissions. Changes are scoped where EC2 allows it:
 *
 * - instances and network interfaces: only those carrying the responder's
 *   containment tag, which it writes first (so a wrong id is refused, not
 *   changed); the tag itself is limited to the responder's own keys;
 * - security groups: rules only on the responder's own groups (tagged at
 *   creation); any group may be *attached* to an interface, because release
 *   puts back whatever the instance had;
 * - snapshots: only created with the finding tag;
 * - Auto Scaling, network ACLs, instance profiles and IAM: by ARN, and the
 *   optional ones only when the configuration turns them on.
 */
export function grantContainment(role: IRole, settings: ContainmentSettings): void {
  const { account } = Stack.of(role);
  const arn = (type: string) => `arn:aws:ec2:*:${account}:${type}/*`;
  const contained = { Null: { [`aws:ResourceTag/${TAG.CONTAINMENT}`]: 'false' } };
  const own = { Null: { [`aws:ResourceTag/${TAG.GROUP}`]: 'false' } };
  const add = (actions: string[], resources: string[], conditions?: Record<string, unknown>) =>
    role.addToPrincipalPolicy(new PolicyStatement({ actions, resources, ...(conditions ? { conditions } : {}) }));

  allowUnscoped(
    role,
    [
      'ec2:DescribeInstances',
      'ec2:DescribeInstanceAttribute',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeIamInstanceProfileAssociations',
      'ec2:DescribeAddresses',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSnapshots',
      'ec2:DescribeNetworkAcls',
      'autoscaling:DescribeAutoScalingInstances',
    ],
    'EC2 and Auto Scaling Describe*: the manifest, and where each ENI stands',
  );
  add(['iam:GetInstanceProfile'], [`arn:aws:iam::${account}:instance-profile/*`]);

  // Tags: the responder's own keys on instances and their interfaces; at creation on its groups and snapshots.
  add(['ec2:CreateTags'], [arn('instance'), arn('network-interface')], { 'ForAllValues:StringEquals': { 'aws:TagKeys': Object.values(TAG) } });
  add(['ec2:CreateTags'], ['arn:aws:ec2:*::snapshot/*', arn('security-group')], { StringEquals: { 'ec2:CreateAction': ['CreateSnapshot', 'CreateSecurityGroup'] } });

  // Evidence.
  add(['ec2:CreateSnapshot'], [arn('volume')]);
  add(['ec2:CreateSnapshot'], [`arn:aws:ec2:*::snapshot/*`], { Null: { [`aws:RequestTag/${TAG.FINDING}`]: 'false' } });
  add(['ec2:ModifyInstanceAttribute'], [arn('instance')], contained);

  // Isolation: the interfaces under containment; the responder's own groups.
  add(['ec2:ModifyNetworkInterfaceAttribute'], [arn('network-interface')], contained);
  add(['ec2:ModifyNetworkInterfaceAttribute'], [arn('security-group')]);
  add(['ec2:CreateSecurityGroup'], [arn('vpc')]);
  add(['ec2:CreateSecurityGroup'], [arn('security-group')], { Null: { [`aws:RequestTag/${TAG.GROUP}`]: 'false' } });
  add(['ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'], [arn('security-group')], own);
  // Release: an Elastic IP moved off a contained interface goes back.
  add(['ec2:AssociateAddress'], [arn('elastic-ip')]);
  add(['ec2:AssociateAddress'], [arn('network-interface')], contained);

  add(
    ['autoscaling:EnterStandby', 'autoscaling:ExitStandby', 'autoscaling:DetachInstances', 'autoscaling:AttachInstances'],
    [`arn:aws:autoscaling:*:${account}:autoScalingGroup:*:autoScalingGroupName/*`],
  );

  const optional: string[] = [];
  if (settings.removeInstanceProfile) {
    add(['ec2:DisassociateIamInstanceProfile', 'ec2:AssociateIamInstanceProfile'], [arn('instance')], contained);
    // Putting the profile back passes its role to EC2 again.
    add(['iam:PassRole'], [`arn:aws:iam::${account}:role/*`], { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } });
    optional.push('iam:PassRole on role/* (only to EC2: restoring an instance profile on release)');
  }
  if (settings.revokeRoleSessions) {
    add(['iam:PutRolePolicy'], [`arn:aws:iam::${account}:role/*`], { StringEquals: { 'iam:PolicyName': 'rogue-infra-revoke-older-sessions' } });
    optional.push('iam:PutRolePolicy on role/* (only the revoke-older-sessions policy)');
  }
  if (settings.blockFlaggedIps) {
    add(['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAclEntry'], [arn('network-acl')]);
    optional.push('network ACL entries (deny rules for flagged IPs)');
  }

  const shown = Token.isUnresolved(account) ? '<AWS::AccountId>' : account;
  const reasons: Record<string, string> = {
    [`arn:aws:ec2:*:${shown}:instance/*`]: 'Findings name instances in any region; changes are limited to instances carrying the responder\'s containment tag, and tags to its own keys.',
    [`arn:aws:ec2:*:${shown}:network-interface/*`]: 'Every ENI of a contained instance, in any region; limited to interfaces carrying the responder\'s containment tag.',
    [`arn:aws:ec2:*:${shown}:security-group/*`]: 'Rules only on the responder\'s own tagged groups; any group may be attached because release restores the recorded ones.',
    'arn:aws:ec2:*::snapshot/*': 'Evidence snapshots in any region: created only with the finding tag, tagged only at creation (ec2:CreateAction).',
    [`arn:aws:ec2:*:${shown}:volume/*`]: 'Evidence: every attached volume of a contained instance is snapshotted.',
    [`arn:aws:ec2:*:${shown}:vpc/*`]: 'The isolation and untrack groups are made on demand in the instance\'s VPC, in any region.',
    [`arn:aws:ec2:*:${shown}:elastic-ip/*`]: 'Release re-associates a recorded Elastic IP with its contained interface.',
    [`arn:aws:ec2:*:${shown}:network-acl/*`]: 'Deny entries for flagged IPs in the subnets of contained instances (blockFlaggedIps).',
    [`arn:aws:iam::${shown}:instance-profile/*`]: 'Reads the role names of a contained instance\'s profile for the manifest.',
    [`arn:aws:iam::${shown}:role/*`]: `Optional steps turned on in the configuration: ${optional.join('; ') || 'none'}.`,
    [`arn:aws:autoscaling:*:${shown}:autoScalingGroup:*:autoScalingGroupName/*`]: 'Standby, detach and their undo for the Auto Scaling group of a contained instance, in any region.',
  };
  for (const [resource, reason] of Object.entries(reasons)) {
    Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
  }
}
