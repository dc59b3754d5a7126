import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { toSettings, validateConfig } from '../../lib/config/load';
import { ResponderStack } from '../../lib/stacks/responder-stack';

/**
 * The stack synthesized once per test file, as `cdk synth` would build it
 * from a config file, but without bundling the functions (esbuild per
 * function is the slow part, and the assertions are about the template).
 */
export interface Synth {
  readonly app: App;
  readonly stack: ResponderStack;
  readonly template: Template;
}

export const TEST_CONFIG = {
  approvedRegions: ['us-east-1', 'eu-west-1'],
  requiredTags: ['CostCenter'],
  deployment: {
    account: '111122223333',
    region: 'eu-west-1',
    organizationId: 'o-abcdefghij',
    notifications: { emails: ['secops@example.com'], slackWebhookSecretName: 'rogue-infra/slack-webhook' },
    approval: { linkTtlHours: 12 },
  },
};

export function synthesize(config: unknown = TEST_CONFIG, options: { validate?: boolean; outdir?: string } = {}): Synth {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:validation': options.validate ?? false },
  });
  const c = validateConfig(config, 'test config');
  const stack = new ResponderStack(app, 'RogueInfraResponder', {
    env: { account: c.deployment.account!, region: c.deployment.region! },
    settings: toSettings(c),
    deployment: c.deployment,
    feeds: [{ kind: 'ip', name: 'bad-ips.txt', text: '203.0.113.0/24\n' }],
  });
  return { app, stack, template: Template.fromStack(stack) };
}
