import { CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { EngineSettings } from '../../lambdas/core/settings';
import { containmentSettingsOf } from '../config/load';
import type { DeploymentConfig } from '../config/schema';
import { Detection } from '../constructs/detection/detection';
import { logicalIdOf } from '../constructs/shared/grants';
import { Workflow } from '../constructs/workflow/workflow';
import { Billing } from '../constructs/billing/billing';
import { Sweep } from '../constructs/detection/sweep';

export interface FeedFile {
  /** `ip` or `domain`. */
  readonly kind: 'ip' | 'domain';
  readonly name: string;
  readonly text: string;
}

export interface ResponderStackProps extends StackProps {
  readonly settings: EngineSettings;
  readonly deployment: DeploymentConfig;
  /** Threat-intel feeds from the config, uploaded to the feeds bucket. */
  readonly feeds: readonly FeedFile[];
}

const RETENTION: Record<number, RetentionDays> = Object.fromEntries(
  Object.values(RetentionDays)
    .filter((v): v is RetentionDays => typeof v === 'number')
    .map((v) => [v, v]),
);

/** CloudWatch Logs accepts only some retention periods: the smallest one at least as long. */
function retentionFor(days: number): RetentionDays {
  const allowed = Object.keys(RETENTION)
    .map(Number)
    .filter((d) => d > 0)
    .sort((a, b) => a - b);
  return RETENTION[allowed.find((d) => d >= days) ?? allowed[allowed.length - 1]!]!;
}

/**
 * The responder in the security account: composition only. Shared pieces
 * (key, state table, topics, feeds, secrets) here; each stage is a construct.
 */
export class ResponderStack extends Stack {
  readonly workflow: Workflow;
  readonly detection: Detection;
  /** The daily billing check; absent with deployment.billing.enabled false. */
  readonly billing?: Billing;
  /** The reconciliation sweep; absent with deployment.sweep.enabled false. */
  readonly sweep?: Sweep;

  constructor(scope: Construct, id: string, props: ResponderStackProps) {
    super(scope, id, props);
    const d = props.deployment;
    const logRetention = retentionFor(d.retention.logDays);

    const key = new Key(this, 'Key', {
      description: 'rogue-infra-responder: queues, topics, tables, logs, secrets',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Services that encrypt with it on the responder's behalf.
    key.grantEncryptDecrypt(new ServicePrincipal(`logs.${this.region}.amazonaws.com`));
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:GenerateDataKey*', 'kms:Decrypt');

    const table = new Table(this, 'State', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Findings and decisions are evidence.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const idempotency = new Table(this, 'Idempotency', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiration',
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const findingsTopic = new Topic(this, 'Findings', { displayName: 'Unauthorized server acquisition', masterKey: key, enforceSSL: true });
    const alarmsTopic = new Topic(this, 'Alarms', { displayName: 'rogue-infra-responder operations', masterKey: key, enforceSSL: true });
    for (const email of d.notifications.emails) {
      findingsTopic.addSubscription(new EmailSubscription(email));
      alarmsTopic.addSubscription(new EmailSubscription(email));
    }

    const accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(d.retention.logDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({ id: 'AwsSolutions-S1', reason: 'This bucket receives the feeds bucket\'s access logs; logging it to itself would loop.' });
    const feeds = new Bucket(this, 'Feeds', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'feeds/',
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
    if (props.feeds.length > 0) {
      new BucketDeployment(this, 'FeedFiles', {
        destinationBucket: feeds,
        sources: props.feeds.map((f) => Source.data(`${f.kind}/${f.name}`, f.text)),
        // Feeds removed from the config disappear from the bucket too.
        prune: true,
        memoryLimit: 256,
      });
      // The upload runs once per deployment, in a singleton function CDK provides.
      const provider = this.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
      if (provider) {
        const region = Token.isUnresolved(this.region) ? '<AWS::Region>' : this.region;
        const account = Token.isUnresolved(this.account) ? '<AWS::AccountId>' : this.account;
        const findings = [
          'AwsSolutions-L1',
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          ...['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map((a) => `AwsSolutions-IAM5[Action::${a}]`),
          `AwsSolutions-IAM5[Resource::<${logicalIdOf(feeds)}.Arn>/*]`,
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${account}-${region}/*]`,
        ];
        for (const id of findings) {
          Validations.of(provider).acknowledge({
            id,
            reason: 'CDK\'s BucketDeployment provider (its runtime, managed execution policy and asset-bucket wildcards) copies the feeds at deploy time; it is not ours to change and never touches findings.',
          });
        }
      }
    }

    const signingKey: ISecret = d.approval.signingKeySecretName
      ? Secret.fromSecretNameV2(this, 'SigningKey', d.approval.signingKeySecretName)
      : this.generatedSigningKey(key);
    const slackWebhook = d.notifications.slackWebhookSecretName ? Secret.fromSecretNameV2(this, 'SlackWebhook', d.notifications.slackWebhookSecretName) : undefined;

    this.workflow = new Workflow(this, 'Workflow', {
      settings: props.settings,
      key,
      table,
      topic: findingsTopic,
      feeds,
      signingKey,
      ...(slackWebhook ? { slackWebhook } : {}),
      containment: d.containment.mode,
      quarantine: containmentSettingsOf(d.containment),
      policy: d.containment.policy,
      ...(d.forwarding ? { memberAccess: { roleName: d.forwarding.memberRoleName, ...(d.organizationId ? { organizationId: d.organizationId } : {}) } } : {}),
      approvalTtlHours: d.approval.linkTtlHours,
      logRetention,
      ledgerDays: d.retention.ledgerDays,
      findingDays: d.retention.findingDays,
      threatIntelRefreshMinutes: d.threatIntelRefreshMinutes,
      alarmTopic: alarmsTopic,
    });
    this.detection = new Detection(this, 'Detection', {
      settings: props.settings,
      key,
      table,
      idempotencyTable: idempotency,
      stateMachine: this.workflow.stateMachine,
      alarmTopic: alarmsTopic,
      logRetention,
      ledgerDays: d.retention.ledgerDays,
      centralBusName: d.centralBusName,
      ...(d.organizationId ? { organizationId: d.organizationId } : {}),
      feeds,
      threatIntelRefreshMinutes: d.threatIntelRefreshMinutes,
    });

    if (d.sweep.enabled) {
      this.sweep = new Sweep(this, 'Sweep', {
        settings: props.settings,
        key,
        table,
        stateMachine: this.workflow.stateMachine,
        feeds,
        logRetention,
        ledgerDays: d.retention.ledgerDays,
        threatIntelRefreshMinutes: d.threatIntelRefreshMinutes,
        everyHours: d.sweep.everyHours,
        windowHours: d.sweep.windowHours,
        regions: d.forwarding ? d.forwarding.regions : [this.region],
        ...(d.forwarding ? { memberAccess: { roleName: d.forwarding.memberRoleName, ...(d.organizationId ? { organizationId: d.organizationId } : {}) } } : {}),
      });
    }

    if (d.billing.enabled) {
      const b = d.billing;
      this.billing = new Billing(this, 'Billing', {
        settings: props.settings,
        check: {
          lookbackDays: b.lookbackDays,
          growthMarginPercent: b.growthMarginPercent,
          baseline: { baselineDays: b.baselineDays, factor: b.factor, minDollars: b.minDollars, minHistoryDays: b.minHistoryDays, newAccountDollars: b.newAccountDollars },
          ...(b.monitorArn ? { monitorArn: b.monitorArn } : {}),
        },
        key,
        table,
        stateMachine: this.workflow.stateMachine,
        topic: findingsTopic,
        logRetention,
        ledgerDays: d.retention.ledgerDays,
        scheduleUtcHour: b.scheduleUtcHour,
        createMonitor: b.createMonitor,
        subscriptionThresholdDollars: b.subscriptionThresholdDollars,
        alarmTopic: alarmsTopic,
      });
    }

    new CfnOutput(this, 'CentralEventBusArn', { value: this.detection.centralBus.eventBusArn, description: 'Member accounts forward CloudTrail events here' });
    new CfnOutput(this, 'ApprovalEndpointUrl', { value: this.workflow.endpoint.url.url, description: 'Base URL of approve/reject links' });
    new CfnOutput(this, 'FindingsTopicArn', { value: findingsTopic.topicArn });
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'OperationsStateMachineArn', {
      value: this.workflow.operations.stateMachineArn,
      description: 'Release or (re)run a quarantine: {"action":"release"|"contain","findingId":"...","requestedBy":"..."}',
    });
    new CfnOutput(this, 'StateTableName', { value: table.tableName, description: 'Findings, manifests and correlation state (rogue-infra contain/release --table)' });
    new CfnOutput(this, 'FeedsBucketName', { value: feeds.bucketName, description: 'Threat-intel feeds: ip/<name> and domain/<name>' });
  }

  private generatedSigningKey(key: Key): Secret {
    const secret = new Secret(this, 'SigningKey', {
      description: 'HMAC key of rogue-infra-responder approval links',
      encryptionKey: key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating the HMAC key invalidates approval links in flight; rotate it by hand between approval windows (README: operations).',
    });
    return secret;
  }
}
