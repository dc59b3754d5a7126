import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../../lambdas/core/errors';
import { ResponderStack } from '../stacks/responder-stack';
import { loadConfig } from './load';

/**
 * The CDK app's configuration: the same validated file as the hunt's
 * (`cdk deploy -c config=path/to/config.yaml`), plus its `deployment`
 * section. The one place the app reads context or files.
 */
export function responderApp(app: App): ResponderStack {
  const file = app.node.tryGetContext('config') as unknown;
  if (file !== undefined && typeof file !== 'string') {
    throw new ConfigError(`context "config": expected a path to a JSON or YAML file, found ${JSON.stringify(file)}`);
  }
  const loaded = loadConfig(file);
  const d = loaded.config.deployment;
  const account = d.account ?? process.env.CDK_DEFAULT_ACCOUNT;
  const region = d.region ?? process.env.CDK_DEFAULT_REGION;
  const stack = new ResponderStack(app, d.stackName, {
    description: 'rogue-infra-responder: detects and contains unauthorized server acquisition (MITRE ATT&CK T1583.004)',
    ...(account || region ? { env: { ...(account ? { account } : {}), ...(region ? { region } : {}) } } : {}),
    settings: loaded.settings,
    deployment: d,
    feeds: loaded.feedFiles,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
