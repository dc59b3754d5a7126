import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { EngineSettings } from '../../../lambdas/core/settings';
import { grantFeedsRead, grantTable } from '../shared/grants';
import { ResponderFunction, type MemberAccessProps } from '../shared/responder-function';

export interface SweepProps {
  readonly settings: EngineSettings;
  readonly key: IKey;
  readonly table: ITable;
  readonly stateMachine: IStateMachine;
  readonly feeds: IBucket;
  readonly logRetention: RetentionDays;
  readonly ledgerDays: number;
  readonly threatIntelRefreshMinutes: number;
  readonly everyHours: number;
  readonly windowHours: number;
  /** Regions swept (where the account has them enabled). */
  readonly regions: readonly string[];
  /** With forwarding: the member role, and the organisation it is assumed in. */
  readonly memberAccess?: MemberAccessProps;
}

/**
 * The reconciliation sweep: on a schedule, every account and enabled region
 * is listed for running instances no event reported (see
 * lambdas/handlers/sweep.ts); those are scored like any event.
 */
export class Sweep extends Construct {
  readonly fn: ResponderFunction;

  constructor(scope: Construct, id: string, props: SweepProps) {
    super(scope, id);
    const { account } = Stack.of(this);
    this.fn = new ResponderFunction(this, 'Function', {
      handler: 'sweep',
      description: 'Reconciliation sweep: scores running instances in every account and region that no event reported',
      settings: props.settings,
      logRetention: props.logRetention,
      encryptionKey: props.key,
      timeout: Duration.minutes(10),
      memorySize: 1024,
      environment: {
        TABLE_NAME: props.table.tableName,
        STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
        FEEDS_BUCKET: props.feeds.bucketName,
        THREAT_INTEL_REFRESH_MINUTES: String(props.threatIntelRefreshMinutes),
        LEDGER_DAYS: String(props.ledgerDays),
        SWEEP_REGIONS: props.regions.join(','),
        SWEEP_WINDOW_HOURS: String(props.windowHours),
        // The own account is swept with the function's own role, members through theirs.
        ACCOUNT_ID: account,
      },
    });
    this.fn.allowUnscoped(['ec2:DescribeRegions', 'ec2:DescribeInstances', 'ec2:DescribeAddresses', 'organizations:ListAccounts'], 'listing regions, instances, Elastic IPs and the organisation\'s accounts');
    grantTable(this.fn.responderRole, props.table, props.key, 'write');
    grantFeedsRead(this.fn.responderRole, props.feeds);
    props.stateMachine.grantStartExecution(this.fn);
    if (props.memberAccess) this.fn.allowMemberAccess(props.memberAccess, 'The member role of every member account the sweep lists (one name, every account of the organisation).');
    new Rule(this, 'Schedule', {
      description: `Runs the reconciliation sweep every ${props.everyHours} hour(s)`,
      schedule: Schedule.rate(Duration.hours(props.everyHours)),
      targets: [new LambdaFunction(this.fn, { retryAttempts: 0 })],
    });
  }
}
