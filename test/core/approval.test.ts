import { describe, expect, it } from 'vitest';
import { linkQuery, sign, verifyLink, type ApprovalLink } from '../../lambdas/core/approval';

const KEY = 'k'.repeat(64);
const link: ApprovalLink = { approvalId: 'apr-0123456789abcdef', findingId: 'rif-0123456789abcdef01234567', decision: 'approve', expiresAt: 1_700_086_400 };
const params = (q: string): Record<string, string> => Object.fromEntries(new URLSearchParams(q));

describe('approval links', () => {
  it('accepts a genuine, current link', () => {
    expect(verifyLink(params(linkQuery(link, KEY)), KEY, link.expiresAt - 1)).toEqual({ ok: true, link });
  });

  it.each([
    ['expired', (q: Record<string, string>) => q, link.expiresAt, 'expired'],
    ['decision flipped', (q: Record<string, string>) => ({ ...q, d: 'reject' }), 0, 'tampered'],
    ['expiry extended', (q: Record<string, string>) => ({ ...q, e: String(link.expiresAt + 86_400) }), 0, 'forged'],
    ['finding swapped', (q: Record<string, string>) => ({ ...q, f: 'rif-ffffffffffffffffffffffff' }), 0, 'forged'],
    ['signed with another key', () => params(linkQuery(link, 'other-key')), 0, 'forged'],
    ['signature missing', (q: Record<string, string>) => ({ ...q, s: '' }), 0, 'malformed'],
    ['decision unknown', (q: Record<string, string>) => ({ ...q, d: 'maybe' }), 0, 'malformed'],
    ['expiry not a number', (q: Record<string, string>) => ({ ...q, e: 'soon' }), 0, 'malformed'],
  ])('rejects a link %s', (_name, change, now, reason) => {
    const r = verifyLink(change(params(linkQuery(link, KEY))), KEY, now);
    expect(r).toMatchObject({ ok: false, reason });
    if (!r.ok) expect(r.message.length).toBeGreaterThan(10);
  });

  it('signs deterministically and differently per decision', () => {
    expect(sign(link, KEY)).toBe(sign({ ...link }, KEY));
    expect(sign(link, KEY)).not.toBe(sign({ ...link, decision: 'reject' }, KEY));
    expect(sign(link, KEY)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
