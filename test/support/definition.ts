import { MOTO_ACCOUNT } from './moto';
import { synthesize } from '../infra/stack';

const REGION = 'us-east-1';

/** Fn::Join of strings and function ARNs -> the definition as Step Functions receives it (ARNs filled in). */
export function runnable(def: unknown): Record<string, unknown> {
  const parts = (def as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const text = parts
    .map((p) => {
      if (typeof p === 'string') return p;
      const ref = p as { 'Fn::GetAtt'?: [string, string]; Ref?: string };
      if (ref.Ref === 'AWS::Partition') return 'aws';
      return `arn:aws:lambda:${REGION}:${MOTO_ACCOUNT}:function:${ref['Fn::GetAtt']?.[0] ?? 'unknown'}`;
    })
    .join('');
  return JSON.parse(text) as Record<string, unknown>;
}

/** The state machine definition synthesized from `config` (see test/infra/stack.ts). */
export function synthesizedDefinition(config?: Record<string, unknown>, which: 'workflow' | 'operations' = 'workflow'): Record<string, unknown> {
  const machines = synthesize(config).template.findResources('AWS::StepFunctions::StateMachine');
  const prefix = which === 'workflow' ? 'WorkflowStateMachine' : 'WorkflowOperations';
  const [, sm] = Object.entries(machines).find(([id]) => id.startsWith(prefix)) as [string, { Properties: { DefinitionString: unknown } }];
  return runnable(sm.Properties.DefinitionString);
}
