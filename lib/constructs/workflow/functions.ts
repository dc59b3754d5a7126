import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { EngineSettings } from '../../../lambdas/core/settings';
import { TAG } from '../../../lambdas/core/workflow';
import { grantFeedsRead, grantPublish, grantTable } from '../shared/grants';
import { ResponderFunction, type MemberAccessProps } from '../shared/responder-function';
import { grantContainment } from './containment-grants';
import type { ContainmentSettings } from '../../../lambdas/core/containment';
import type { ContainmentPolicy } from '../../../lambdas/core/policy';

export interface WorkflowFunctionsProps {
  readonly settings: EngineSettings;
  readonly key: IKey;
  readonly table: ITable;
  readonly topic: ITopic;
  readonly feeds: IBucket;
  readonly signingKey: ISecret;
  /** @default - no Slack */
  readonly slackWebhook?: ISecret;
  /** The approval endpoint's base URL (a function URL). */
  readonly approvalUrl: string;
  readonly approvalTtlHours: number;
  readonly logRetention: RetentionDays;
  readonly ledgerDays: number;
  readonly findingDays: number;
  readonly threatIntelRefreshMinutes: number;
  /** How quarantine runs (`deployment.containment`, less the mode). */
  readonly quarantine: ContainmentSettings;
  /** Which containment an escalation gets where (deployment.containment.policy). */
  readonly policy?: ContainmentPolicy;
  /** With organisation-wide forwarding: the member role enrich, tag and contain assume in a finding's account. */
  readonly memberAccess?: MemberAccessProps;
}

/**
 * The workflow's task functions, each with exactly the permissions its step
 * needs. EC2 and Organizations reads have no resource-level permissions;
 * tagging is limited to instances and Elastic IPs and to the responder's
 * own tag keys.
 */
export class WorkflowFunctions extends Construct {
  readonly enrich: ResponderFunction;
  readonly assess: ResponderFunction;
  readonly record: ResponderFunction;
  readonly tag: ResponderFunction;
  readonly notify: ResponderFunction;
  readonly requestApproval: ResponderFunction;
  readonly awaitDecision: ResponderFunction;
  readonly contain: ResponderFunction;

  constructor(scope: Construct, id: string, props: WorkflowFunctionsProps) {
    super(scope, id);
    const make = (fid: string, handler: string, description: string, environment: Record<string, string>, timeout = Duration.seconds(30)): ResponderFunction =>
      new ResponderFunction(this, fid, {
        handler,
        description,
        settings: props.settings,
        logRetention: props.logRetention,
        encryptionKey: props.key,
        environment,
        timeout,
      });
    const table = { TABLE_NAME: props.table.tableName };
    const feeds = { FEEDS_BUCKET: props.feeds.bucketName, THREAT_INTEL_REFRESH_MINUTES: String(props.threatIntelRefreshMinutes) };

    this.enrich = make('Enrich', 'enrich', 'Describes the instances, addresses and account of a finding', { ...feeds }, Duration.seconds(60));
    this.enrich.allowUnscoped(
      ['ec2:DescribeInstances', 'ec2:DescribeAddresses', 'organizations:DescribeAccount', 'organizations:ListParents', 'organizations:ListRoots', 'organizations:DescribeOrganizationalUnit', 'organizations:ListTagsForResource'],
      'EC2 Describe* and Organizations reads',
    );
    grantFeedsRead(this.enrich.responderRole, props.feeds);

    this.assess = make('Assess', 'assess', 'Rebuilds a finding with what enrichment learned, and decides its containment policy', {
      ...table,
      ...feeds,
      LEDGER_DAYS: String(props.ledgerDays),
      ...(props.policy ? { CONTAINMENT_POLICY: JSON.stringify(props.policy) } : {}),
    });
    grantTable(this.assess.responderRole, props.table, props.key, 'read');
    grantFeedsRead(this.assess.responderRole, props.feeds);

    this.record = make('Record', 'record', 'Records a finding and its history', { ...table, FINDING_DAYS: String(props.findingDays) });
    grantTable(this.record.responderRole, props.table, props.key, 'write');

    this.tag = make('Tag', 'tag', 'Tags the instances and addresses of a finding', {});
    this.tag.allowUnscoped(['ec2:DescribeInstances', 'ec2:DescribeAddresses'], 'EC2 Describe*: which of the finding\'s resources still exist');
    const { account } = Stack.of(this);
    this.tag.responderRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ec2:CreateTags'],
        resources: [`arn:aws:ec2:*:${account}:instance/*`, `arn:aws:ec2:*:${account}:elastic-ip/*`],
        // Only the responder's own tag keys: it cannot rewrite anyone else's.
        conditions: { 'ForAllValues:StringEquals': { 'aws:TagKeys': Object.values(TAG) } },
      }),
    );
    const shownAccount = Token.isUnresolved(account) ? '<AWS::AccountId>' : account;
    for (const type of ['instance', 'elastic-ip']) {
      Validations.of(this.tag.responderRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:aws:ec2:*:${shownAccount}:${type}/*]`,
        reason: `Findings name ${type}s in any region of the account; CreateTags is limited to the responder's own tag keys by an aws:TagKeys condition.`,
      });
    }

    this.notify = make('Notify', 'notify', 'Sends a finding, an approval request or an outcome by e-mail (SNS) and Slack', {
      TOPIC_ARN: props.topic.topicArn,
      ...(props.slackWebhook ? { SLACK_WEBHOOK_SECRET: props.slackWebhook.secretArn } : {}),
    });
    grantPublish(this.notify.responderRole, props.topic, props.key);
    props.slackWebhook?.grantRead(this.notify);

    const approval = { ...table, SIGNING_KEY_SECRET: props.signingKey.secretArn, APPROVAL_URL: props.approvalUrl, APPROVAL_TTL_HOURS: String(props.approvalTtlHours) };
    this.requestApproval = make('RequestApproval', 'request-approval', 'Creates a signed, expiring approval request for an escalated finding', approval);
    grantTable(this.requestApproval.responderRole, props.table, props.key, 'write');
    props.signingKey.grantRead(this.requestApproval);

    this.awaitDecision = make('AwaitDecision', 'await-decision', 'Stores the workflow task token of an approval request', table);
    grantTable(this.awaitDecision.responderRole, props.table, props.key, 'write');

    // Containment waits in-process only when an operator reruns it (the
    // workflow waits in a Wait state): the untrack wait plus the calls.
    const containTimeout = Duration.seconds(Math.min(900, props.quarantine.untrackSeconds + 300));
    this.contain = make(
      'Contain',
      'contain',
      'Plans, quarantines (evidence, untrack, isolate per ENI) and releases the instances of a finding',
      { ...table, FINDING_DAYS: String(props.findingDays), CONTAINMENT_SETTINGS: JSON.stringify(props.quarantine) },
      containTimeout,
    );
    grantTable(this.contain.responderRole, props.table, props.key, 'write');
    grantContainment(this.contain.responderRole, props.quarantine);
    if (props.memberAccess) {
      for (const fn of [this.enrich, this.tag, this.contain]) {
        fn.allowMemberAccess(props.memberAccess, 'The member role of whichever member account a finding comes from (one name, every account of the organisation).');
      }
    }
  }

  all(): Record<string, ResponderFunction> {
    return {
      enrich: this.enrich,
      assess: this.assess,
      record: this.record,
      tag: this.tag,
      notify: this.notify,
      requestApproval: this.requestApproval,
      awaitDecision: this.awaitDecision,
      contain: this.contain,
    };
  }
}
