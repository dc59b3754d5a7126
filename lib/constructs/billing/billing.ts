import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { CfnAnomalyMonitor, CfnAnomalySubscription } from 'aws-cdk-lib/aws-ce';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { BillingCheckSettings } from '../../../lambdas/core/billing';
import type { EngineSettings } from '../../../lambdas/core/settings';
import { grantTable } from '../shared/grants';
import { ResponderFunction } from '../shared/responder-function';

export interface BillingProps {
  readonly settings: EngineSettings;
  readonly check: BillingCheckSettings;
  readonly key: IKey;
  readonly table: ITable;
  readonly stateMachine: IStateMachine;
  /** Where the created monitor's subscription sends its own alerts. */
  readonly topic: ITopic;
  readonly logRetention: RetentionDays;
  readonly ledgerDays: number;
  /** UTC hour of the daily run. */
  readonly scheduleUtcHour: number;
  /** Create a Cost Anomaly Detection monitor (by service) and an immediate subscription to `topic`. */
  readonly createMonitor: boolean;
  readonly subscriptionThresholdDollars: number;
  /** Operations alarms: a run that failed (a Cost Explorer source unavailable after retries). */
  readonly alarmTopic: ITopic;
}

/**
 * The daily billing check: a scheduled rule, the function, and optionally a
 * Cost Anomaly Detection monitor with an immediate SNS subscription (its
 * alerts reach the same subscribers directly, before the next daily run).
 *
 * Cost Explorer is a us-east-1 API whatever the stack's region (the function
 * calls that endpoint) and bills every request, which is why the check runs
 * once a day and makes a handful of calls.
 */
export class Billing extends Construct {
  readonly check: ResponderFunction;
  readonly monitor?: CfnAnomalyMonitor;

  constructor(scope: Construct, id: string, props: BillingProps) {
    super(scope, id);
    const { account } = Stack.of(this);
    if (props.createMonitor) {
      this.monitor = new CfnAnomalyMonitor(this, 'Monitor', { monitorName: 'rogue-infra-responder services', monitorType: 'DIMENSIONAL', monitorDimension: 'SERVICE' });
      new CfnAnomalySubscription(this, 'Subscription', {
        subscriptionName: 'rogue-infra-responder immediate',
        frequency: 'IMMEDIATE',
        monitorArnList: [this.monitor.attrMonitorArn],
        subscribers: [{ type: 'SNS', address: props.topic.topicArn }],
        thresholdExpression: JSON.stringify({ Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', MatchOptions: ['GREATER_THAN_OR_EQUAL'], Values: [String(props.subscriptionThresholdDollars)] } }),
      });
      // Cost Anomaly Detection publishes as costalerts.amazonaws.com, into an encrypted topic.
      const costAlerts = new ServicePrincipal('costalerts.amazonaws.com');
      props.topic.addToResourcePolicy(new PolicyStatement({ principals: [costAlerts], actions: ['sns:Publish'], resources: [props.topic.topicArn], conditions: { StringEquals: { 'aws:SourceAccount': account } } }));
      props.key.addToResourcePolicy(new PolicyStatement({ principals: [costAlerts], actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: ['*'], conditions: { StringEquals: { 'aws:SourceAccount': account } } }));
    }

    this.check = new ResponderFunction(this, 'Check', {
      handler: 'billing-check',
      description: 'Daily billing check: compute cost anomalies and spend baseline, joined to who provisioned',
      settings: props.settings,
      logRetention: props.logRetention,
      encryptionKey: props.key,
      timeout: Duration.minutes(5),
      environment: {
        TABLE_NAME: props.table.tableName,
        STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
        ACCOUNT_ID: account,
        LEDGER_DAYS: String(props.ledgerDays),
        BILLING_SETTINGS: JSON.stringify(props.check),
        ...(this.monitor ? { ANOMALY_MONITOR_ARN: this.monitor.attrMonitorArn } : {}),
      },
    });
    this.check.allowUnscoped(['ce:GetAnomalies', 'ce:GetCostAndUsage'], 'Cost Explorer reads, which take no resource ARN');
    grantTable(this.check.responderRole, props.table, props.key, 'write');
    props.stateMachine.grantStartExecution(this.check);

    new Rule(this, 'Daily', {
      description: 'Runs the billing check once a day (it judges the last complete UTC day)',
      schedule: Schedule.cron({ minute: '15', hour: String(props.scheduleUtcHour) }),
      // No retry: a failed source is reported by the alarm below, and a rerun would pay for every call again.
      targets: [new LambdaFunction(this.check, { retryAttempts: 0 })],
    });
    new Alarm(this, 'FailedAlarm', {
      alarmDescription: 'The daily billing check failed: a Cost Explorer source was unavailable after retries, or the run itself failed; its log says which (the other source was still handled)',
      metric: this.check.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new SnsAction(props.alarmTopic));
  }
}
