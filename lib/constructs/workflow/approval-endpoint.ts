import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FunctionUrlAuthType, type FunctionUrl } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { EngineSettings } from '../../../lambdas/core/settings';
import { grantTable } from '../shared/grants';
import { ResponderFunction } from '../shared/responder-function';

export interface ApprovalEndpointProps {
  readonly settings: EngineSettings;
  readonly key: IKey;
  readonly table: ITable;
  readonly signingKey: ISecret;
  readonly logRetention: RetentionDays;
}

/**
 * The HTTPS endpoint behind approve and reject links: a Lambda function URL.
 * It has no IAM authentication because the link is the credential: signed
 * with a key from Secrets Manager, expiring, usable once, and a GET only
 * shows a confirmation page (mail scanners follow links; only the form's
 * POST decides).
 */
export class ApprovalEndpoint extends Construct {
  readonly fn: ResponderFunction;
  readonly url: FunctionUrl;

  constructor(scope: Construct, id: string, props: ApprovalEndpointProps) {
    super(scope, id);
    this.fn = new ResponderFunction(this, 'Approve', {
      handler: 'approve',
      description: 'Approval links: confirmation page, signed single-use decision, callback to the waiting workflow',
      settings: props.settings,
      logRetention: props.logRetention,
      encryptionKey: props.key,
      timeout: Duration.seconds(15),
      environment: { TABLE_NAME: props.table.tableName, SIGNING_KEY_SECRET: props.signingKey.secretArn },
    });
    grantTable(this.fn.responderRole, props.table, props.key, 'write');
    props.signingKey.grantRead(this.fn);
    this.url = this.fn.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });
  }

  /**
   * Lets the endpoint answer the workflow's waiting task. A policy of its own,
   * not the function's default policy: the state machine depends on the
   * endpoint's URL, so the function must not depend on the state machine.
   */
  allowCallbacks(stateMachine: IStateMachine): void {
    new Policy(this, 'CallbackPolicy', {
      roles: [this.fn.responderRole],
      statements: [new PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'], resources: [stateMachine.stateMachineArn] })],
    });
  }
}
