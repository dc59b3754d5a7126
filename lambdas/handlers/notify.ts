import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { makeNotifier, type Notifier } from '../adapters/notifier';
import { readSecret } from '../adapters/secrets';
import type { DeliveryReport, Notification } from '../core/workflow';
import { optionalEnv, requireEnv } from './shared/runtime';
import { logger, metrics, traced } from './shared/observability';

/**
 * The workflow's Notify task: one notification (a finding, an approval
 * request, an outcome or a failure) to e-mail and Slack. Throws only when
 * no channel delivered, so the state machine's Retry sends it again.
 *
 * Environment:
 * - TOPIC_ARN (required): the SNS topic the e-mail subscriptions hang off.
 * - SLACK_WEBHOOK_SECRET (optional): name of the Secrets Manager secret
 *   holding the incoming webhook URL; without it Slack is skipped.
 * - SLACK_ALLOW_LOCAL (tests only): "true" accepts an http://127.0.0.1
 *   webhook, so tests can stand a local server in for Slack. The stack
 *   never sets it.
 */

function countDeliveries(report: DeliveryReport): void {
  const results = { email: report.email.sent ? 'sent' : 'failed', slack: report.slack.sent ? 'sent' : report.slack.skipped ? 'skipped' : 'failed' };
  for (const [channel, result] of Object.entries(results)) {
    // One metric with channel and result dimensions: an alarm on
    // result=failed covers both channels.
    const m = metrics.singleMetric();
    m.addDimensions({ channel, result });
    m.addMetric('Deliveries', MetricUnit.Count, 1);
  }
}

export function makeNotifyHandler(deps: { notifier: Notifier }): (event: Notification) => Promise<DeliveryReport> {
  return async (event) => {
    const report = await deps.notifier.send(event);
    countDeliveries(report);
    if (!report.email.sent || (!report.slack.sent && !report.slack.skipped)) logger.warn('a notification channel failed', { kind: event.kind, report });
    else logger.info('notification delivered', { kind: event.kind, report });
    return report;
  };
}

// Built on the first invocation rather than at load, so a missing variable
// fails that invocation with a message instead of the whole init; kept once
// built (the secret itself is cached by readSecret).
let notify: ((event: Notification) => Promise<DeliveryReport>) | undefined;

function fromEnvironment(): (event: Notification) => Promise<DeliveryReport> {
  const topicArn = requireEnv('TOPIC_ARN');
  const secretName = optionalEnv('SLACK_WEBHOOK_SECRET');
  const notifier = makeNotifier({
    topicArn,
    slackWebhookUrl: secretName ? () => readSecret(secretName) : () => Promise.resolve(undefined),
    allowLocalWebhook: optionalEnv('SLACK_ALLOW_LOCAL') === 'true',
  });
  return makeNotifyHandler({ notifier });
}

async function notifyOnce(event: Notification): Promise<DeliveryReport> {
  notify ??= fromEnvironment();
  return notify(event);
}

export const handler = middy(notifyOnce)
  .use(traced())
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
