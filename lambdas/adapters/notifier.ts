import { PublishCommand, SNSClient, type MessageAttributeValue } from '@aws-sdk/client-sns';
import { renderSlack } from '../core/render/slack';
import { renderEmail } from '../core/render/text';
import { ConfigError, TransientError, describeError } from '../core/errors';
import type { DeliveryReport, Notification } from '../core/workflow';
import { awsErrorName, clientFor } from './aws';

/**
 * Delivers a notification to the people who act on it: SNS (e-mail
 * subscriptions, and anything else subscribed to the topic) and a Slack
 * incoming webhook.
 *
 * Best effort per channel: a Slack outage must not swallow the e-mail and
 * the other way round, so each channel's result is reported, and only when
 * both fail does `send` throw (a TransientError, which the workflow retries).
 *
 * The webhook URL is a credential (anyone holding it can post to the
 * channel), so it lives in Secrets Manager and never appears in a log line,
 * an error message or the report.
 */

export interface Notifier {
  send(n: Notification): Promise<DeliveryReport>;
}

export interface NotifierOptions {
  readonly topicArn: string;
  /** The webhook secret's value (a URL, or JSON `{"url": ...}`); undefined when Slack is not configured. */
  readonly slackWebhookUrl: () => Promise<string | undefined>;
  readonly fetch?: typeof fetch;
  readonly sns?: SNSClient;
  /**
   * Accept `http://127.0.0.1:<port>/...` as the webhook, for tests that run
   * a local server in place of Slack. Off unless asked for: in production
   * only https://hooks.slack.com is a valid destination.
   */
  readonly allowLocalWebhook?: boolean;
  /** Milliseconds to wait for Slack (default 5000). */
  readonly slackTimeoutMs?: number;
}

const SLACK_HOST = 'hooks.slack.com';

/**
 * The webhook URL from the secret's value: a plain URL, or JSON
 * `{"url": "..."}`. Messages name what is wrong, never the value.
 */
export function parseWebhookSecret(value: string, allowLocal = false): URL {
  let raw = value.trim();
  if (raw.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new ConfigError('Slack webhook secret: looks like JSON but does not parse; store the URL, or {"url": "https://hooks.slack.com/..."}');
    }
    const url = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>).url : undefined;
    if (typeof url !== 'string') throw new ConfigError('Slack webhook secret: JSON without a string "url" key; expected {"url": "https://hooks.slack.com/..."}');
    raw = url.trim();
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('Slack webhook secret: not a URL; expected https://hooks.slack.com/services/...');
  }
  const slack = url.protocol === 'https:' && url.hostname === SLACK_HOST && !url.port && !url.username && !url.password;
  const local = allowLocal && url.protocol === 'http:' && url.hostname === '127.0.0.1';
  if (!slack && !local) {
    // Only the scheme and host are named: the path is the credential.
    throw new ConfigError(
      `Slack webhook secret: expected an https://${SLACK_HOST}/... incoming webhook URL, found one for ${url.protocol}//${url.hostname}`,
    );
  }
  return url;
}

/** SNS filter policies on subscriptions select by these (e.g. only Tier 2, only approvals). */
export function messageAttributes(n: Notification): Record<string, MessageAttributeValue> {
  const attrs: Record<string, MessageAttributeValue> = { kind: { DataType: 'String', StringValue: n.kind } };
  const findingId = n.kind === 'failure' ? n.findingId : n.finding.findingId;
  // SNS rejects empty attribute values, so absent ones are left out.
  if (findingId) attrs.findingId = { DataType: 'String', StringValue: findingId };
  if (n.kind !== 'failure') {
    attrs.severity = { DataType: 'String', StringValue: n.finding.severity };
    // A Number, so filter policies can match it exactly ([2]) or by range.
    attrs.tier = { DataType: 'Number', StringValue: String(n.finding.tier) };
  }
  if (n.kind === 'outcome') attrs.outcome = { DataType: 'String', StringValue: n.outcome.kind };
  return attrs;
}

/** The region in a topic ARN: the topic may live elsewhere than the function. */
function regionOf(topicArn: string): string | undefined {
  const region = topicArn.split(':')[3];
  return region ? region : undefined;
}

function describe(err: unknown): string {
  // fetch reports "fetch failed" and keeps the reason (ECONNREFUSED, a TLS
  // error) in `cause`.
  const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return `${awsErrorName(err)}: ${describeError(err)}${cause}`;
}

export function makeNotifier(opts: NotifierOptions): Notifier {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.slackTimeoutMs ?? 5000;
  const sns = (): SNSClient => opts.sns ?? clientFor(SNSClient, regionOf(opts.topicArn));

  async function email(n: Notification): Promise<DeliveryReport['email']> {
    try {
      // Rendering inside the try: a notification that cannot be rendered is
      // this channel's failure, reported like any other.
      const { subject, body } = renderEmail(n);
      const out = await sns().send(new PublishCommand({ TopicArn: opts.topicArn, Subject: subject, Message: body, MessageAttributes: messageAttributes(n) }));
      return { sent: true, messageId: out.MessageId ?? '' };
    } catch (err) {
      return { sent: false, error: describe(err) };
    }
  }

  async function slack(n: Notification): Promise<DeliveryReport['slack']> {
    let secret: string | undefined;
    try {
      secret = await opts.slackWebhookUrl();
    } catch (err) {
      return { sent: false, error: `reading the webhook secret: ${describe(err)}` };
    }
    if (secret === undefined || secret.trim() === '') return { sent: false, skipped: true };
    let url: URL;
    try {
      url = parseWebhookSecret(secret, opts.allowLocalWebhook ?? false);
    } catch (err) {
      return { sent: false, error: describeError(err) };
    }
    try {
      const message = renderSlack(n);
      const res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        // No unfurling: a preview fetch must never open an approval link,
        // and attacker-chosen names must not turn into link previews.
        body: JSON.stringify({ text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false }),
        signal: AbortSignal.timeout(timeoutMs),
        // A webhook answers itself; following a redirect would send the
        // message somewhere nobody configured.
        redirect: 'error',
      });
      if (res.ok) {
        await res.body?.cancel();
        return { sent: true };
      }
      // Slack answers with a short reason (invalid_blocks, channel_not_found,
      // ...), and with Retry-After when rate limited (about one message a
      // second per webhook).
      const reason = (await res.text().catch(() => '')).replace(/\s+/g, ' ').trim().slice(0, 200);
      const retryAfter = res.status === 429 ? res.headers.get('retry-after') : null;
      return { sent: false, error: `Slack answered HTTP ${res.status}${reason ? `: ${reason}` : ''}${retryAfter ? ` (retry after ${retryAfter} s)` : ''}` };
    } catch (err) {
      // fetch errors name the host at most, but make sure the path never leaks.
      let message = describe(err).split(url.href).join('<webhook>');
      if (url.pathname.length > 1) message = message.split(url.pathname).join('/<webhook>');
      return { sent: false, error: message };
    }
  }

  return {
    async send(n) {
      const [e, s] = await Promise.all([email(n), slack(n)]);
      const report: DeliveryReport = { email: e, slack: s };
      if (!e.sent && !s.sent) {
        // Nothing reached anyone (Slack failing or not configured): let the workflow retry.
        const slackPart = s.skipped ? 'Slack is not configured' : `Slack failed (${s.error ?? 'unknown'})`;
        throw new TransientError(`notification not delivered: e-mail failed (${e.error}); ${slackPart}`);
      }
      return report;
    },
  };
}
