import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Approval links: the approve and reject links a notification carries are
 * HMAC-signed (SHA-256, key from Secrets Manager), expire, and name one
 * approval request. Single use is enforced by the approval endpoint with a
 * conditional write; this module only decides whether a link is genuine
 * and current. Pure: the key, the clock and the ids come in as arguments.
 */

export type Decision = 'approve' | 'reject';
export const DECISIONS: readonly Decision[] = ['approve', 'reject'];

export interface ApprovalLink {
  /** The approval request (one per workflow wait). */
  readonly approvalId: string;
  readonly findingId: string;
  readonly decision: Decision;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

const VERSION = 'v1';
const ID = /^[A-Za-z0-9_-]{8,128}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

function canonical(link: ApprovalLink): string {
  return [VERSION, link.approvalId, link.findingId, link.decision, String(link.expiresAt)].join('\n');
}

export function sign(link: ApprovalLink, key: string | Buffer): string {
  return createHmac('sha256', key).update(canonical(link)).digest('base64url');
}

/** The query string of a signed link (the endpoint's base URL is the caller's). */
export function linkQuery(link: ApprovalLink, key: string | Buffer): string {
  const q = new URLSearchParams({ a: link.approvalId, f: link.findingId, d: link.decision, e: String(link.expiresAt), s: sign(link, key) });
  return q.toString();
}

export function signedUrl(baseUrl: string, link: ApprovalLink, key: string | Buffer): string {
  return `${baseUrl.replace(/\/?$/, '/')}?${linkQuery(link, key)}`;
}

export type LinkCheck =
  | { readonly ok: true; readonly link: ApprovalLink }
  | { readonly ok: false; readonly reason: 'malformed' | 'forged' | 'tampered' | 'expired'; readonly message: string; readonly link?: ApprovalLink };

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Checks a link's parameters. `tampered` is reported when the signature is
 * genuine for the same request with the other decision (someone edited
 * `d=`); any other mismatch is `forged`. Expiry is checked only after the
 * signature, so an attacker learns nothing from a forged link.
 */
export function verifyLink(params: Readonly<Record<string, string | undefined>>, key: string | Buffer, nowSeconds: number): LinkCheck {
  const { a, f, d, e, s } = params;
  if (!a || !f || !d || !e || !s) {
    return { ok: false, reason: 'malformed', message: 'The link is incomplete: it needs a, f, d, e and s parameters. Use the link exactly as it was sent.' };
  }
  if (!ID.test(a) || !ID.test(f) || !DECISIONS.includes(d as Decision) || !/^\d{1,12}$/.test(e) || !SIGNATURE.test(s)) {
    return { ok: false, reason: 'malformed', message: 'The link is not in the form this responder sends.' };
  }
  const link: ApprovalLink = { approvalId: a, findingId: f, decision: d as Decision, expiresAt: Number(e) };
  if (!equal(sign(link, key), s)) {
    const other: ApprovalLink = { ...link, decision: link.decision === 'approve' ? 'reject' : 'approve' };
    if (equal(sign(other, key), s)) {
      return { ok: false, reason: 'tampered', message: 'The link was altered: its decision does not match its signature.' };
    }
    return { ok: false, reason: 'forged', message: 'The link was not issued by this responder, or was altered (signature mismatch).' };
  }
  if (nowSeconds >= link.expiresAt) {
    return { ok: false, reason: 'expired', message: `The link expired at ${new Date(link.expiresAt * 1000).toISOString()}.`, link };
  }
  return { ok: true, link };
}
