import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { synthesizedDefinition } from '../support/definition';

/**
 * The synthesized definition checked as Step Functions checks it at
 * deployment (asl-validator: schema, transitions, reachability, terminal
 * states), for every containment mode. CDK builds the graph without these
 * checks, and the local executor only sees the paths a test walks.
 */

type Validate = (definition: unknown) => { isValid: boolean; errors: { 'Error code': string; Message: string }[] };
const validate = createRequire(import.meta.url)('asl-validator') as Validate;

describe('the state machine definition', () => {
  it.each([
    ['approval', undefined],
    ['notify-only', { deployment: { containment: { mode: 'notify-only' } } }],
  ])('is valid ASL with containment mode %s', (_mode, config) => {
    process.env.CDK_VALIDATION = 'false';
    const result = validate(synthesizedDefinition(config));
    expect(result.errors.map((e) => `${e['Error code']}: ${e.Message}`)).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('is valid ASL for the operations state machine (release, quarantine by hand)', () => {
    process.env.CDK_VALIDATION = 'false';
    const result = validate(synthesizedDefinition(undefined, 'operations'));
    expect(result.errors.map((e) => `${e['Error code']}: ${e.Message}`)).toEqual([]);
    expect(result.isValid).toBe(true);
  });
});
