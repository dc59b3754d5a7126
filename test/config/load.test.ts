import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lambdas/core/errors';
import { DEFAULT_SETTINGS } from '../../lambdas/core/settings';
import { loadConfig, validateConfig } from '../../lib/config/load';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rif-config-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the documented defaults with no file', () => {
    const c = loadConfig();
    expect(c.settings).toEqual(DEFAULT_SETTINGS);
    expect(c.intel.feeds).toEqual([]);
  });

  it('reads YAML and JSON alike, merging partial sections over the defaults', () => {
    const yaml = dirWith({ 'c.yaml': 'approvedRegions: [eu-west-1]\nburst:\n  vcpus: 128\nweights:\n  new-key-pair: 0\n' });
    const json = dirWith({ 'c.json': JSON.stringify({ approvedRegions: ['eu-west-1'], burst: { vcpus: 128 }, weights: { 'new-key-pair': 0 } }) });
    const a = loadConfig(path.join(yaml, 'c.yaml')).settings;
    const b = loadConfig(path.join(json, 'c.json')).settings;
    expect(a).toEqual(b);
    expect(a.burst).toEqual({ ...DEFAULT_SETTINGS.burst, vcpus: 128 });
    expect(a.weights['new-key-pair']).toBe(0);
    expect(a.weights['server-provisioned']).toBe(DEFAULT_SETTINGS.weights['server-provisioned']);
  });

  it('resolves feed paths relative to the config file, not the working directory', () => {
    const dir = dirWith({
      'conf/c.yaml': 'threatIntel:\n  ipFeeds: [../feeds/ips.txt]\n  domainFeeds: [../feeds/domains.txt]\n',
      'feeds/ips.txt': '# comment\n198.51.100.0/24 ; trailing comment\n2001:db8::/32\n',
      'feeds/domains.txt': 'evil.example\n0.0.0.0 tracker.example\n',
    });
    const c = loadConfig(path.join(dir, 'conf/c.yaml'));
    expect(c.intel.ips.match('198.51.100.7')?.text).toBe('198.51.100.0/24');
    expect(c.intel.ips.match('2001:db8::1')?.line).toBe(3);
    expect(c.intel.domains.match('c2.evil.example')?.text).toBe('evil.example');
    expect(c.intel.domains.match('tracker.example')).toBeDefined();
  });

  it('reports every problem at once: key, what was expected, what was found', () => {
    const problems = problemsOf(() =>
      validateConfig(
        {
          approvedPrincipals: ['role/ci'],
          approvedRegion: ['us-east-1'],
          requiredTags: 'CostCenter',
          burst: { instances: 0, window: 5 },
          escalation: { riskIndicators: ['gpu'] },
        },
        'c.yaml',
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'c.yaml: approvedPrincipals[0]: expected an ARN pattern starting with "arn:" (use * and ? as wildcards), found "role/ci"',
        'c.yaml: approvedRegion: unknown key; did you mean "approvedRegions"?',
        'c.yaml: requiredTags: expected a list of tag keys, found "CostCenter"',
        'c.yaml: burst.instances: expected a positive whole number (instances), found number 0',
        expect.stringMatching(/^c\.yaml: burst\.window: unknown key; did you mean "windowMinutes"\?|^c\.yaml: burst\.window: unknown key \(expected one of: windowMinutes/),
        expect.stringMatching(/^c\.yaml: escalation\.riskIndicators\[0\]: expected an indicator id \(server-provisioned, .*\), found "gpu"$/),
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('checks the containment settings with the same messages', () => {
    const problems = problemsOf(() =>
      validateConfig({ deployment: { containment: { untrackSeconds: 900, autoScaling: 'terminate', blockFlaggedIps: 'yes', revokeSessions: true } } }, 'c.yaml'),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'c.yaml: deployment.containment.untrackSeconds: expected at most 300 seconds, found number 900',
        'c.yaml: deployment.containment.autoScaling: expected one of standby, detach, found "terminate"',
        'c.yaml: deployment.containment.blockFlaggedIps: expected true or false, found "yes"',
        'c.yaml: deployment.containment.revokeSessions: unknown key (expected one of: mode, untrackSeconds, autoScaling, removeInstanceProfile, revokeRoleSessions, policy, blockFlaggedIps)',
      ]),
    );
    expect(problems).toHaveLength(4);
    expect(validateConfig({}, 'c.yaml').deployment.containment).toEqual({
      mode: 'approval', untrackSeconds: 60, autoScaling: 'standby', removeInstanceProfile: false, revokeRoleSessions: false, blockFlaggedIps: false, policy: { dryRun: false, rules: [] },
    });
    expect(problemsOf(() => validateConfig({ deployment: { containment: { policy: { rules: [{ match: {}, action: 'isolate' }] } } } }, 'c.yaml'))).toEqual([
      'c.yaml: deployment.containment.policy.rules[0].match: expected at least one of ou, accountId, tag, found an object',
      'c.yaml: deployment.containment.policy.rules[0].action: expected one of never, approval, automatic, found "isolate"',
    ]);
  });

  it('names a missing feed file and bad feed lines with their line numbers', () => {
    const dir = dirWith({ 'c.yaml': 'threatIntel:\n  ipFeeds: [ips.txt, gone.txt]\n', 'ips.txt': '10.0.0.1\nnot-an-ip\n300.1.1.1/8\n' });
    const problems = problemsOf(() => loadConfig(path.join(dir, 'c.yaml')));
    expect(problems).toEqual([
      expect.stringMatching(/threatIntel\.ipFeeds\[0\] \(ips\.txt:2\): expected an IPv4 or IPv6 address or CIDR block, found "not-an-ip"$/),
      expect.stringMatching(/threatIntel\.ipFeeds\[0\] \(ips\.txt:3\): expected an IPv4 or IPv6 address or CIDR block, found "300\.1\.1\.1\/8"$/),
      expect.stringMatching(/threatIntel\.ipFeeds\[1\]: expected an existing feed file, found no file at .*gone\.txt \(paths resolve relative to the config file\)$/),
    ]);
  });

  it('says which file is not valid YAML or JSON', () => {
    const dir = dirWith({ 'c.json': '{"approvedRegions": [', 'c.yaml': 'approvedRegions: [us-east-1\n' });
    expect(() => loadConfig(path.join(dir, 'c.json'))).toThrow(/config file .*c\.json is not valid JSON/);
    expect(() => loadConfig(path.join(dir, 'c.yaml'))).toThrow(/config file .*c\.yaml is not valid YAML/);
  });
});
