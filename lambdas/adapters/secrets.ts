import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigError } from '../core/errors';

/**
 * Secrets (the Slack webhook URL, the approval signing key) are read from
 * Secrets Manager at run time and cached in the warm Lambda, never passed in
 * environment variables or templates.
 */
export async function readSecret(name: string, maxAgeSeconds = 300): Promise<string> {
  const value = await getSecret<string>(name, { maxAge: maxAgeSeconds });
  if (typeof value !== 'string' || value.length === 0) {
    throw new ConfigError(`secret ${name} is empty or not a string: store the value as plain text (or JSON for the Slack webhook)`);
  }
  return value;
}
