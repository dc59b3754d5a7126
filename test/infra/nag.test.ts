import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { synthesize } from './stack';

describe('cdk-nag AwsSolutions', () => {
  it.each([
    ['with approvals, Slack and an organisation', undefined],
    ['with the defaults (no config file)', {}],
    ['notify-only, no feeds', { deployment: { containment: { mode: 'notify-only' } } }],
    ['with a Cost Anomaly Detection monitor', { deployment: { billing: { createMonitor: true } } }],
    ['with every optional containment step', { deployment: { containment: { removeInstanceProfile: true, revokeRoleSessions: true, blockFlaggedIps: true, autoScaling: 'detach' } } }],
  ])('has no unacknowledged finding %s', (_name, config) => {
    const { stack } = synthesize(config);
    const report = new AwsSolutionsChecks().validateScope(stack);
    const open = report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`);
    expect(open).toEqual([]);
  });
});
