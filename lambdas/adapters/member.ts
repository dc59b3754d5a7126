import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { clientFor, instrumentClient } from './aws';

/**
 * Clients for a finding's own account. A finding from a member account is
 * described, tagged and contained through the member role there (deployed
 * by the forwarding StackSet), never with the security account's own
 * credentials, which see only the security account. Findings of the
 * security account itself use the function's own role.
 *
 * One client per account, region and service, kept across invocations like
 * clientFor's; the SDK refreshes the assumed-role credentials before they
 * expire (it memoizes a credential provider until the expiration it returns).
 */

export interface MemberAccess {
  /** The account the function runs in (ACCOUNT_ID). */
  readonly ownAccount: string;
  /** The member role's name (MEMBER_ROLE_NAME); absent: no forwarding, own account only. */
  readonly roleName?: string;
}

/** Credentials as SDK clients take them. */
export interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

type Ctor<T> = new (config: { region?: string; maxAttempts?: number; credentials?: () => Promise<AwsCredentialIdentity> }) => T;

const cache = new Map<string, unknown>();

/** An AssumeRole credential provider for `roleArn` (one hour; refreshed by the SDK near expiry). */
export function assumedRole(roleArn: string, sessionName = 'rogue-infra-responder'): () => Promise<AwsCredentialIdentity> {
  return async () => {
    const out = await clientFor(STSClient).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: 3600 }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${roleArn} returned no credentials`);
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}), ...(c.Expiration ? { expiration: c.Expiration } : {}) };
  };
}

export function memberRoleArn(accountId: string, roleName: string): string {
  return `arn:aws:iam::${accountId}:role/${roleName}`;
}

/** A client of `ctor` for `accountId` in `region`: the function's own, or through the member role. */
export function clientForAccount<T>(ctor: Ctor<T>, region: string, accountId: string, access: MemberAccess): T {
  if (!access.roleName || !accountId || accountId === access.ownAccount) return clientFor(ctor, region);
  const key = `${ctor.name}/${accountId}/${region}`;
  let client = cache.get(key) as T | undefined;
  if (!client) {
    client = instrumentClient(new ctor({ region, maxAttempts: 3, credentials: assumedRole(memberRoleArn(accountId, access.roleName)) }));
    cache.set(key, client);
  }
  return client;
}

/** The member access the stack configured (ACCOUNT_ID, MEMBER_ROLE_NAME). */
export function memberAccessFromEnvironment(): MemberAccess {
  const roleName = process.env.MEMBER_ROLE_NAME || undefined;
  return { ownAccount: process.env.ACCOUNT_ID ?? '', ...(roleName ? { roleName } : {}) };
}
