import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../../lambdas/core/errors';
import { ResponderStack } from '../stacks/responder-stack';
import { ForwardingStack } from '../stacks/forwarding-stack';
import { MemberStack } from '../stacks/member-stack';
import { containmentSettingsOf, loadConfig } from './load';
import type { DeploymentConfig } from './schema';

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
  if (d.forwarding) forwardingStack(app, d);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

/**
 * The forwarding stack, for the management account (or a delegated
 * administrator): a StackSet of the member stack, whose template is
 * synthesized here in an app of its own (it is never deployed by cdk).
 */
export function forwardingStack(app: App, d: DeploymentConfig): ForwardingStack {
  const f = d.forwarding!;
  const missing = [
    ...(d.account ? [] : ['deployment.account: expected the security account id (member roles trust it, members forward to its bus), found nothing']),
    ...(d.region ? [] : ['deployment.region: expected the security account region (the central bus is there), found nothing']),
  ];
  if (missing.length) throw new ConfigError(`deployment.forwarding needs the security account and region: ${missing.join('; ')}`, missing);
  return new ForwardingStack(app, f.stackName, {
    description: 'rogue-infra-responder: organisation-wide forwarding and member roles (StackSet)',
    ...(f.managementAccount ? { env: { account: f.managementAccount, region: d.region! } } : { env: { region: d.region! } }),
    stackSetName: f.stackSetName,
    memberTemplate: JSON.stringify(memberTemplate(d)),
    organizationalUnitIds: f.organizationalUnitIds,
    regions: f.regions,
    callAs: f.callAs,
  });
}

/** The member stack's template, as the StackSet deploys it. */
export function memberTemplate(d: DeploymentConfig): Record<string, unknown> {
  const member = new App();
  const stack = new MemberStack(member, 'RogueInfraMember', {
    securityAccount: d.account!,
    securityRegion: d.region!,
    centralBusName: d.centralBusName,
    responderStackName: d.stackName,
    memberRoleName: d.forwarding!.memberRoleName,
    quarantine: containmentSettingsOf(d.containment),
  });
  return member.synth().getStackByName(stack.stackName).template as Record<string, unknown>;
}
