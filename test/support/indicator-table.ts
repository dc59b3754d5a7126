/**
 * The shape of every indicator test: a table of cases, each a group, a
 * context and the one outcome expected (fired with its evidence, quiet, or
 * not applicable with its reason).
 */
import { describe, expect, it } from 'vitest';
import type { IndicatorId } from '../../lambdas/core/constants';
import { INDICATOR_BY_ID } from '../../lambdas/core/indicators/catalogue';
import type { EventGroup, IndicatorContext, IndicatorResult } from '../../lambdas/core/model';
import { context } from './groups';

export type Expected =
  | {
      readonly status: 'fired';
      /** Exact text, or a pattern for the parts that are not the point of the case. */
      readonly summary: string | RegExp;
      /** The events the evidence cites, in order. */
      readonly eventIds: readonly string[];
      /** Checked with toMatchObject: the keys given must match, others may exist. */
      readonly details?: Readonly<Record<string, unknown>>;
    }
  | { readonly status: 'quiet'; readonly note?: string | RegExp }
  | { readonly status: 'not-applicable'; readonly reason: string | RegExp };

export interface IndicatorCase {
  readonly name: string;
  readonly group: () => EventGroup;
  readonly ctx?: () => IndicatorContext;
  readonly expected: Expected;
}

export type Outcome = IndicatorResult['status'];

export function evaluate(id: IndicatorId, group: EventGroup, ctx: IndicatorContext = context()): IndicatorResult {
  const def = INDICATOR_BY_ID.get(id);
  if (!def) throw new Error(`${id} is not in the catalogue`);
  return def.evaluate(group, ctx);
}

function matches(actual: string | undefined, expected: string | RegExp): void {
  if (typeof expected === 'string') expect(actual).toBe(expected);
  else expect(actual).toMatch(expected);
}

/** Asserts one result against its expectation, and that the evidence cites only events of the group. */
export function expectResult(result: IndicatorResult, expected: Expected, group?: EventGroup): void {
  expect(result.status).toBe(expected.status);
  if (result.status === 'fired' && expected.status === 'fired') {
    matches(result.evidence.summary, expected.summary);
    expect(result.evidence.eventIds).toEqual(expected.eventIds);
    if (expected.details) expect(result.evidence.details).toMatchObject(expected.details);
    if (group) {
      const inGroup = new Set(group.events.map((e) => e.event.eventId));
      for (const id of result.evidence.eventIds) expect(inGroup.has(id)).toBe(true);
    }
  } else if (result.status === 'quiet' && expected.status === 'quiet') {
    if (expected.note !== undefined) matches(result.note, expected.note);
  } else if (result.status === 'not-applicable' && expected.status === 'not-applicable') {
    matches(result.reason, expected.reason);
  }
}

export interface IndicatorTable {
  readonly id: IndicatorId;
  readonly cases: readonly IndicatorCase[];
  /** How many cases of each outcome the table must have (default 2; 0 where the indicator cannot produce it). */
  readonly minimum: Readonly<Record<Outcome, number>>;
}

/** An indicator's table of cases, run by test/core/indicators/indicators.test.ts. */
export function table(id: IndicatorId, cases: readonly IndicatorCase[], minimum: Partial<Record<Outcome, number>> = {}): IndicatorTable {
  return { id, cases, minimum: { fired: 2, quiet: 2, 'not-applicable': 2, ...minimum } };
}

/**
 * One describe per indicator: the table itself, and a check that the table
 * covers each outcome at least `minimum` times (and never one the indicator
 * cannot produce).
 */
export function runTable({ id, cases, minimum }: IndicatorTable): void {
  describe(`indicator ${id}`, () => {
    it('is in the catalogue', () => {
      expect(INDICATOR_BY_ID.get(id)?.id).toBe(id);
    });

    it('has cases for every outcome it can produce', () => {
      const count = (s: Outcome) => cases.filter((c) => c.expected.status === s).length;
      const outcomes: readonly Outcome[] = ['fired', 'quiet', 'not-applicable'];
      for (const s of outcomes) {
        if (minimum[s] === 0) expect(count(s), s).toBe(0);
        else expect(count(s), s).toBeGreaterThanOrEqual(minimum[s]);
      }
    });

    it.each(cases.map((c) => [`${c.expected.status}: ${c.name}`, c] as const))('%s', (_title, c) => {
      const g = c.group();
      expectResult(evaluate(id, g, c.ctx ? c.ctx() : context()), c.expected, g);
    });
  });
}
