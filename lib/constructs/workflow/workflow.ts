import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { logicalIdOf } from '../shared/grants';
import { ApprovalEndpoint } from './approval-endpoint';
import { buildDefinition, buildOperationsDefinition } from './definition';
import { WorkflowFunctions, type WorkflowFunctionsProps } from './functions';

/** What the task functions need (less the approval URL, which this construct makes), and how to run them. */
export interface WorkflowProps extends Omit<WorkflowFunctionsProps, 'approvalUrl'> {
  readonly containment: 'approval' | 'notify-only';
  /** Where operational alarms (failed or timed-out executions) go. */
  readonly alarmTopic: ITopic;
}

/**
 * The escalation workflow: a Standard state machine (executions outlive an
 * approval wait of a day) over the task functions, with its approval
 * endpoint. Logging of every state and X-Ray tracing are on.
 */
export class Workflow extends Construct {
  readonly stateMachine: StateMachine;
  /** Operators release, or run a quarantine by hand, through this one. */
  readonly operations: StateMachine;
  readonly functions: WorkflowFunctions;
  readonly endpoint: ApprovalEndpoint;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    this.endpoint = new ApprovalEndpoint(this, 'ApprovalEndpoint', {
      settings: props.settings,
      key: props.key,
      table: props.table,
      signingKey: props.signingKey,
      logRetention: props.logRetention,
    });
    this.functions = new WorkflowFunctions(this, 'Tasks', { ...props, approvalUrl: this.endpoint.url.url });
    const approvalTtl = Duration.hours(props.approvalTtlHours);
    const logs = new LogGroup(this, 'ExecutionLogs', { retention: props.logRetention, encryptionKey: props.key, removalPolicy: RemovalPolicy.RETAIN });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      comment: 'Escalates unauthorized server acquisition findings: enrich, assess, record, tag, notify, approval, outcome',
      definitionBody: DefinitionBody.fromChainable(
        buildDefinition(this, this.functions, { containment: props.containment, approvalTtl, untrackWait: Duration.seconds(props.quarantine.untrackSeconds) }),
      ),
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: true },
      // The longest path waits for the approval deadline.
      timeout: approvalTtl.plus(Duration.hours(2)),
    });
    this.endpoint.allowCallbacks(this.stateMachine);
    const operationsLogs = new LogGroup(this, 'OperationsLogs', { retention: props.logRetention, encryptionKey: props.key, removalPolicy: RemovalPolicy.RETAIN });
    this.operations = new StateMachine(this, 'Operations', {
      stateMachineType: StateMachineType.STANDARD,
      comment: 'Operator actions on a finding: release a quarantine, or run (finish) one by hand; notified and recorded',
      definitionBody: DefinitionBody.fromChainable(buildOperationsDefinition(new Construct(this, 'OperationsStates'), this.functions)),
      tracingEnabled: true,
      logs: { destination: operationsLogs, level: LogLevel.ALL, includeExecutionData: true },
      timeout: Duration.minutes(30),
    });
    // Every task's Catch ends in the Fail state after notifying, so a failed
    // execution has already been reported on the findings topic; the alarm
    // tells operators the responder itself needs attention.
    new Alarm(this, 'ExecutionsFailedAlarm', {
      alarmDescription: 'A response workflow failed or timed out, or an operator action (release, quarantine) failed: the finding may not have been notified, contained or released as intended; look at the execution history',
      metric: new MathExpression({
        expression: 'failed + timedOut + operationsFailed',
        usingMetrics: {
          failed: this.stateMachine.metricFailed({ statistic: 'Sum' }),
          timedOut: this.stateMachine.metricTimedOut({ statistic: 'Sum' }),
          operationsFailed: this.operations.metricFailed({ statistic: 'Sum' }),
        },
        period: Duration.minutes(5),
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new SnsAction(props.alarmTopic));
    for (const sm of [this.stateMachine, this.operations]) {
      for (const fn of Object.values(this.functions.all())) {
        Validations.of(sm.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(fn)}.Arn>:*]`,
          reason: 'Invoking a task function includes its versions and aliases (ARN:*), as the Step Functions Lambda integration requires.',
        });
      }
      Validations.of(sm.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray tracing and CloudWatch Logs delivery of the state machine: actions without resource-level permissions.',
      });
    }
  }
}
