import { CfnCondition, CfnResource, DefaultStackSynthesizer, Duration, Fn, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { EventBus, Rule, type CfnRule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import { AccountPrincipal, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { ContainmentSettings } from '../../lambdas/core/containment';
import { TAG } from '../../lambdas/core/workflow';
import { cloudTrailPatterns } from '../constructs/detection/patterns';
import { grantContainment } from '../constructs/workflow/containment-grants';

export interface MemberStackProps extends StackProps {
  /** The security account the responder runs in. */
  readonly securityAccount: string;
  /** Its region: the central bus is there, and the member role is made there (IAM is global). */
  readonly securityRegion: string;
  readonly centralBusName: string;
  /** The responder stack's name: only its roles may assume the member role. */
  readonly responderStackName: string;
  readonly memberRoleName: string;
  readonly quarantine: ContainmentSettings;
}

/**
 * What every member account runs, in every region (deployed by the
 * forwarding StackSet, never by `cdk deploy`):
 *
 * - the same rules as the central ones, on the default bus, forwarding the
 *   acquisition calls of this account and region to the central bus (a
 *   cross-account EventBridge target, with its role);
 * - in the security account's region only (IAM is global, and a StackSet
 *   puts this template in every region): the member role, assumable only by
 *   the responder stack's roles in the security account, with the describe,
 *   tag and containment permissions its workflow needs, scoped like theirs.
 *
 * No asset and no bootstrap check: member accounts are not CDK-bootstrapped.
 */
export class MemberStack extends Stack {
  readonly rules: Rule[] = [];

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, { ...props, synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) });
    const central = EventBus.fromEventBusArn(this, 'CentralBus', `arn:aws:events:${props.securityRegion}:${props.securityAccount}:event-bus/${props.centralBusName}`);
    const forwarder = new Role(this, 'ForwardRole', { assumedBy: new ServicePrincipal('events.amazonaws.com'), description: 'Puts acquisition calls on the rogue-infra-responder central bus' });
    for (const { eventSource, readOnlyCalls, pattern } of cloudTrailPatterns()) {
      const name = eventSource.split('.')[0]!;
      const rule = new Rule(this, `Forward${name[0]!.toUpperCase()}${name.slice(1)}Calls`, {
        description: `Forwards CloudTrail ${eventSource} provisioning calls (successful and failed) to the rogue-infra-responder central bus`,
        eventPattern: pattern,
        targets: [new EventBusTarget(central, { role: forwarder })],
      });
      if (readOnlyCalls) (rule.node.defaultChild as CfnRule).state = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
      this.rules.push(rule);
    }

    const home = new CfnCondition(this, 'InSecurityRegion', { expression: Fn.conditionEquals(Stack.of(this).region, props.securityRegion) });
    const role = new Role(this, 'ResponderRole', {
      roleName: props.memberRoleName,
      description: 'Lets the rogue-infra-responder workflow describe, tag and contain instances of this account',
      assumedBy: new AccountPrincipal(props.securityAccount).withConditions({ ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${props.securityAccount}:role/${props.responderStackName}-*` } }),
      maxSessionDuration: Duration.hours(1),
    });
    // Enrichment and tagging read instances and addresses: containment's reads include both.
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ec2:CreateTags'],
        resources: [`arn:aws:ec2:*:${this.account}:instance/*`, `arn:aws:ec2:*:${this.account}:elastic-ip/*`],
        conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': Object.values(TAG) } },
      }),
    );
    grantContainment(role, props.quarantine);
    (role.node.defaultChild as CfnResource).cfnOptions.condition = home;
    for (const c of role.node.findAll()) {
      if (c instanceof CfnResource && c !== role.node.defaultChild) c.cfnOptions.condition = home;
    }
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:aws:ec2:*:<AWS::AccountId>:elastic-ip/*]',
      reason: 'Tags Elastic IPs of a finding in any region, limited to the responder\'s own tag keys.',
    });
  }
}
