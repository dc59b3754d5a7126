import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type CfnRule, EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { AnyPrincipal, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { EngineSettings } from '../../../lambdas/core/settings';
import { grantFeedsRead, grantTable } from '../shared/grants';
import { ResponderFunction } from '../shared/responder-function';
import { cloudTrailPatterns } from './patterns';

export interface DetectionProps {
  readonly settings: EngineSettings;
  readonly key: IKey;
  readonly table: ITable;
  readonly idempotencyTable: ITable;
  readonly stateMachine: IStateMachine;
  /** Where alarms (dead letters) go. */
  readonly alarmTopic: ITopic;
  readonly logRetention: RetentionDays;
  readonly ledgerDays: number;
  /** Name of the central bus member accounts forward to. */
  readonly centralBusName: string;
  /**
   * Only accounts of this organisation may put events on the central bus.
   * @default - no resource policy: the bus admits this account only
   */
  readonly organizationId?: string;
  /** Threat-intel feeds, read by the scorer. */
  readonly feeds: IBucket;
  /** @default 15 */
  readonly threatIntelRefreshMinutes?: number;
}

/**
 * Detection: CloudTrail provisioning calls (failed ones included) from the
 * default bus (this account) and from a central bus (the organisation's
 * member accounts forward to it) -> one encrypted queue with a dead-letter
 * queue and an alarm on it -> the scorer, in batches with partial failures.
 */
export class Detection extends Construct {
  readonly centralBus: EventBus;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly scorer: ResponderFunction;
  readonly rules: Rule[] = [];

  constructor(scope: Construct, id: string, props: DetectionProps) {
    super(scope, id);

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This is the dead-letter queue of the events queue; it has no dead-letter queue of its own, and an alarm watches it.',
    });
    this.queue = new Queue(this, 'Events', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      // Six times the scorer's timeout, as Lambda recommends for SQS sources.
      visibilityTimeout: Duration.seconds(6 * 60),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });
    // EventBridge encrypts what it sends to the queue with the queue's key.
    props.key.grant(new ServicePrincipal('events.amazonaws.com'), 'kms:GenerateDataKey', 'kms:Decrypt');

    this.centralBus = new EventBus(this, 'CentralBus', { eventBusName: props.centralBusName });
    if (props.organizationId) {
      this.centralBus.addToResourcePolicy(
        new PolicyStatement({
          sid: 'OrganizationMembersMayPutEvents',
          principals: [new AnyPrincipal()],
          actions: ['events:PutEvents'],
          resources: [this.centralBus.eventBusArn],
          conditions: { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } },
        }),
      );
    }

    const defaultBus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    for (const [busId, bus] of [['Default', defaultBus], ['Central', this.centralBus]] as const) {
      for (const { eventSource, readOnlyCalls, pattern } of cloudTrailPatterns()) {
        const name = eventSource.split('.')[0]!;
        const rule = new Rule(this, `${busId}${name[0]!.toUpperCase()}${name.slice(1)}Calls`, {
          eventBus: bus,
          description: `CloudTrail ${eventSource} provisioning calls (successful and failed) on the ${busId.toLowerCase()} bus`,
          eventPattern: pattern,
        });
        if (readOnlyCalls) {
          // Quota reads are read-only events: without this state EventBridge
          // never matches them. The pattern still names only the calls we
          // read, so nothing else comes through.
          (rule.node.defaultChild as CfnRule).state = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
        }
        rule.addTarget(new SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(24) }));
        this.rules.push(rule);
      }
    }

    this.scorer = new ResponderFunction(this, 'Scorer', {
      handler: 'score',
      description: 'Scores CloudTrail provisioning events against the playbook indicators and starts the workflow',
      settings: props.settings,
      logRetention: props.logRetention,
      encryptionKey: props.key,
      timeout: Duration.seconds(60),
      memorySize: 1024,
      environment: {
        TABLE_NAME: props.table.tableName,
        IDEMPOTENCY_TABLE_NAME: props.idempotencyTable.tableName,
        STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
        LEDGER_DAYS: String(props.ledgerDays),
        FEEDS_BUCKET: props.feeds.bucketName,
        THREAT_INTEL_REFRESH_MINUTES: String(props.threatIntelRefreshMinutes ?? 15),
      },
    });
    this.scorer.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, maxBatchingWindow: Duration.seconds(5), reportBatchItemFailures: true }));
    grantTable(this.scorer.responderRole, props.table, props.key, 'write');
    grantTable(this.scorer.responderRole, props.idempotencyTable, props.key, 'write');
    props.stateMachine.grantStartExecution(this.scorer);
    grantFeedsRead(this.scorer.responderRole, props.feeds);
    // The scorer updates the finding record of a finding that grows.
    // Reading the queue: the event source mapping's own grant, plus the key.
    this.scorer.responderRole.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.key.keyArn] }));

    new Alarm(this, 'DeadLettersAlarm', {
      alarmDescription: 'CloudTrail events could not be scored (or delivered to the queue): look at the dead-letter queue',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new SnsAction(props.alarmTopic));
  }
}
