import { describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../../lambdas/core/cloudtrail/types';
import { analyze } from '../../lambdas/core/engine';
import { launch, record, trail } from '../support/fixtures';
import { normalizeRecord } from '../../lambdas/core/cloudtrail/normalize';

/** Which deliveries the engine takes for one event, and which for two. */

const ID = '5f1d0c2e-0000-4000-8000-00000000d0d0';

function normalized(r: CloudTrailRecord) {
  const n = normalizeRecord(r, 'test#0', 'test');
  if (!n.ok) throw new Error(n.message);
  return n.event;
}

/** The same record with its request's keys in the reverse order, as another delivery path may write it. */
function reordered(r: CloudTrailRecord): CloudTrailRecord {
  const reverse = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(reverse) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverse(x)])) : v;
  return { ...r, requestParameters: reverse(r.requestParameters) as Record<string, unknown> };
}

describe('analyze: duplicates', () => {
  it('counts a second delivery of an event once, even with its request keys in another order', () => {
    const r = record('run-instances-success.json', { id: ID, edit: launch(3, 'p3.16xlarge') });
    const twice = analyze([normalized(r), normalized(structuredClone(r))]);
    expect(twice.duplicates).toBe(1);
    const reorderedToo = analyze([normalized(r), normalized(reordered(r))]);
    expect(reorderedToo.duplicates).toBe(1);
    expect(reorderedToo.findings).toEqual(analyze([normalized(r)]).findings);
  });

  it('keeps two events that reuse an id but asked for different things', () => {
    const small = trail('run-instances-success.json', { id: ID, edit: launch(1, 't3.micro', { idPrefix: 'i-0a000000000000' }) });
    const large = trail('run-instances-success.json', { id: ID, edit: launch(8, 'p4d.24xlarge', { idPrefix: 'i-0b000000000000' }) });
    const both = analyze([small, large]);
    expect(both.duplicates).toBe(0);
    expect(both.findings.flatMap((f) => f.resources.instanceIds)).toHaveLength(9);
  });

  it('keeps two events that reuse an id but came from different callers or sources', () => {
    const a = trail('run-instances-success.json', { id: ID });
    const elsewhere = trail('run-instances-success.json', { id: ID, sourceIp: '203.0.113.77' });
    const failed = trail('run-instances-success.json', { id: ID, error: 'Client.UnauthorizedOperation' });
    expect(analyze([a, elsewhere, failed]).duplicates).toBe(0);
  });
});
