import { Stack, type StackProps } from 'aws-cdk-lib';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import type { Construct } from 'constructs';

export interface ForwardingStackProps extends StackProps {
  readonly stackSetName: string;
  /** The member template (MemberStack, synthesized). */
  readonly memberTemplate: string;
  /** Where: OUs (or the root, `r-...`) whose accounts get it, now and when they join. */
  readonly organizationalUnitIds: readonly string[];
  readonly regions: readonly string[];
  /** SELF in the management account; DELEGATED_ADMIN in a delegated StackSets administrator. */
  readonly callAs: 'SELF' | 'DELEGATED_ADMIN';
}

/**
 * Deployed in the organisation's management account or a delegated
 * StackSets administrator: one service-managed StackSet that puts the
 * member stack in every account of the given OUs and every given region,
 * and in every account that joins them later (auto-deployment). An account
 * leaving the OUs loses it.
 */
export class ForwardingStack extends Stack {
  readonly stackSet: CfnStackSet;

  constructor(scope: Construct, id: string, props: ForwardingStackProps) {
    super(scope, id, props);
    this.stackSet = new CfnStackSet(this, 'Members', {
      stackSetName: props.stackSetName,
      description: 'rogue-infra-responder: forwards acquisition calls to the security account and lets its workflow contain instances',
      permissionModel: 'SERVICE_MANAGED',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      callAs: props.callAs,
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      // A region an account has not enabled (opt-in) fails for that account only.
      operationPreferences: { failureTolerancePercentage: 25, maxConcurrentPercentage: 50, regionConcurrencyType: 'PARALLEL' },
      stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: [...props.organizationalUnitIds] }, regions: [...props.regions] }],
      templateBody: props.memberTemplate,
    });
  }
}
