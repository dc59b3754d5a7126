import type { SFNClient } from '@aws-sdk/client-sfn';
import { awsErrorName, clientFor } from './aws';

/**
 * Starting a response workflow, for the scorer, the billing check and the
 * sweep. It is the rare path of each: the Step Functions client is loaded
 * (from the runtime) on first use only. Execution names are how a finding
 * is started once per tier or alert, so "already exists" is an answer
 * (false), not an error.
 */

let sfn: SFNClient | undefined;

export async function startWorkflow(stateMachineArn: string, name: string, input: unknown): Promise<boolean> {
  const sdk = await import('@aws-sdk/client-sfn');
  sfn ??= clientFor(sdk.SFNClient);
  try {
    await sfn.send(new sdk.StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    return true;
  } catch (err) {
    if (awsErrorName(err) === 'ExecutionAlreadyExists') return false;
    throw err;
  }
}
