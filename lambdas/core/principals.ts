import type { Actor } from './cloudtrail/types';
import { globToRegExp } from './instance-types';

/**
 * Who is allowed to acquire servers comes from configuration only. Tags on
 * an instance are written by whoever launched it, so they never approve
 * anything; a first-seen baseline only adds context to the evidence.
 */

export interface ApprovalMatch {
  readonly pattern: string;
  /** Which identity matched: the recorded ARN or, for an assumed role, the role it was issued from. */
  readonly matched: string;
}

export function matchApproved(actor: Actor, patterns: readonly string[]): ApprovalMatch | undefined {
  const candidates = [actor.arn, actor.issuerArn].filter((x): x is string => typeof x === 'string');
  for (const pattern of patterns) {
    const re = globToRegExp(pattern);
    for (const c of candidates) if (re.test(c)) return { pattern, matched: c };
  }
  return undefined;
}

/** Long-term credentials: the root user, or an IAM user's access key (AKIA...). */
export function credentialNote(actor: Actor): string | undefined {
  if (actor.type === 'Root' || /:root$/.test(actor.arn)) {
    return `root user of account ${actor.accountId ?? actor.arn.split(':')[4] ?? '?'}${actor.accessKeyId ? ` with access key ${actor.accessKeyId}` : ''}`;
  }
  if (actor.type === 'IAMUser' && actor.accessKeyId?.startsWith('AKIA')) {
    return `long-term access key ${actor.accessKeyId} of IAM user ${actor.userName ?? actor.arn}`;
  }
  if (actor.type === 'IAMUser') return `IAM user ${actor.userName ?? actor.arn}${actor.accessKeyId ? ` (key ${actor.accessKeyId})` : ''}`;
  return undefined;
}

/** A short human name: role/session, user, root. */
export function displayName(actor: Actor): string {
  if (actor.invokedBy && actor.type === 'AWSService') return actor.invokedBy;
  const m = /:(?:assumed-role|user|role|federated-user)\/(.+)$/.exec(actor.arn);
  if (m) return m[1]!;
  if (/:root$/.test(actor.arn)) return 'root';
  return actor.arn;
}
