import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build-cli';
import { ExitCode } from '../../lib/cli/main';
import { runCli } from '../support/io';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = path.join(root, 'test/fixtures/hunt');
const attack = path.join(fixtures, 'attack.json.gz');
const damaged = path.join(fixtures, 'damaged.json');
const config = path.join(fixtures, 'config.yaml');


const run = (...argv: string[]) => runCli(argv);

/** The real command, as `npm run hunt` starts it. */
function spawnCli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bin/rogue-infra.ts'), ...args], { cwd: root, input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const CONTRACT = ['findingId', 'accountId', 'region', 'principal', 'firstSeen', 'lastSeen', 'score', 'severity', 'escalate', 'indicators', 'resources', 'eventIds', 'answers'];

function checkContract(jsonl: string) {
  const lines = jsonl.trim().split('\n');
  const findings = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const f of findings) {
    for (const key of CONTRACT) expect(f, key).toHaveProperty(key);
    expect(f.findingId).toMatch(/^rif-[0-9a-f]{24}$/);
    expect(typeof f.score).toBe('number');
    expect(typeof f.escalate).toBe('boolean');
    expect(Date.parse(f.firstSeen as string)).not.toBeNaN();
    for (const i of f.indicators as { id: string; evidence: { summary: string; eventIds: string[] } }[]) {
      expect(typeof i.id).toBe('string');
      expect(i.evidence.summary.length).toBeGreaterThan(0);
      expect(i.evidence.eventIds.length).toBeGreaterThan(0);
    }
    expect(Object.keys(f.answers as object)).toEqual(['recentAcquisition', 'legitimateUse', 'billing', 'threatIntel']);
  }
  return findings;
}

describe('rogue-infra hunt, end to end', () => {
  it('writes one finding per line with the jsonl contract', () => {
    const r = spawnCli(['hunt', attack, '--config', config, '--format', 'jsonl']);
    expect(r.stderr).toMatch(/findings: 2 \(1 escalated to Tier 2, 1 Tier 1\)/);
    expect(r.code).toBe(ExitCode.OK);
    const [top, second] = checkContract(r.stdout);
    expect(top).toMatchObject({ accountId: '777788889999', region: 'ap-southeast-3', principal: 'arn:aws:iam::777788889999:user/mallory', escalate: true, severity: 'critical' });
    expect((top!.indicators as { id: string }[]).map((i) => i.id)).toEqual([
      'server-provisioned', 'provisioning-burst', 'unusual-region', 'accelerated-instance-type', 'unapproved-principal', 'failed-provisioning', 'threat-intel-match',
    ]);
    expect(second).toMatchObject({ principal: 'arn:aws:iam::777788889999:user/dana', escalate: false });
  });

  it('reads stdin and gives the same findings with the same ids', () => {
    const fromFile = spawnCli(['hunt', attack, '--config', config, '--format', 'jsonl']).stdout;
    const text = spawnSync('gzip', ['-dc', attack], { encoding: 'utf8' }).stdout;
    const fromStdin = spawnCli(['hunt', '-', '--config', config, '--format', 'jsonl'], text);
    expect(fromStdin.code).toBe(ExitCode.OK);
    expect(fromStdin.stdout).toBe(fromFile);
  });

  it('works as the bundled, installable binary, with reader threads', async () => {
    const bin = await buildCli(mkdtempSync(path.join(tmpdir(), 'rif-cli-')));
    const r = spawnSync(process.execPath, [bin, 'hunt', attack, attack, '--config', config, '--format', 'jsonl', '--threads', '2'], { encoding: 'utf8' });
    expect(r.status).toBe(ExitCode.OK);
    // The same file twice: every event of the second copy is a duplicate.
    expect(r.stderr).toMatch(/skipped: 8 duplicate-event/);
    expect(r.stdout).toBe(spawnCli(['hunt', attack, '--config', config, '--format', 'jsonl']).stdout);
    // The operator verbs load from a chunk of their own beside the binary.
    const help = spawnSync(process.execPath, [bin, 'release', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(ExitCode.OK);
    expect(help.stdout).toMatch(/^Usage: rogue-infra contain FINDING_ID --table TABLE/);
  });
});

describe('rogue-infra hunt --billing', () => {
  const samples = path.join(root, 'samples');
  const billing = ['--billing', path.join(samples, 'billing/anomalies.json'), '--billing', path.join(samples, 'billing/cost-by-account-region.json')];

  it('answers the billing question from saved Cost Explorer responses, and scores billing-anomaly', async () => {
    const r = await run('hunt', path.join(samples, 'trail'), '--config', path.join(samples, 'config.yaml'), '--format', 'jsonl', ...billing);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stderr).toMatch(/billing data: 2 compute signal\(s\) from GetAnomalies .*anomalies\.json: 1 of 2 anomalies are compute/);
    const findings = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { accountId: string; region: string; answers: { billing: { answer: string; evidence: string[] } }; indicators: { id: string }[] });
    const gpu = findings.find((f) => f.accountId === '222222222222' && f.region === 'ap-southeast-3')!;
    expect(gpu.answers.billing.answer).toBe('yes');
    expect(gpu.answers.billing.evidence[0]).toMatch(/Cost Anomaly Detection 8a1f0c2e-.*USD 1874\.32 above expected/);
    expect(gpu.indicators.map((i) => i.id)).toContain('billing-anomaly');
    // Everyone else: billing data says no anomaly (it was "unknown" without it).
    expect(findings.filter((f) => f !== gpu).every((f) => f.answers.billing.answer === 'no')).toBe(true);
  });

  it('reports a file it cannot use, uses the others, and exits 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rif-billing-'));
    writeFileSync(path.join(dir, 'broken.json'), '{"Anomalies": [');
    writeFileSync(path.join(dir, 'by-service.json'), JSON.stringify({ GroupDefinitions: [{ Type: 'DIMENSION', Key: 'SERVICE' }], ResultsByTime: [] }));
    const r = await run('hunt', attack, '--config', config, '--format', 'jsonl', '--billing', path.join(dir, 'broken.json'), '--billing', path.join(dir, 'by-service.json'), '--billing', path.join(samples, 'billing/anomalies.json'));
    expect(r.code).toBe(ExitCode.INCOMPLETE_INPUT);
    expect(r.stderr).toMatch(/warning: --billing .*broken\.json: not valid JSON: .*; expected a response saved from aws ce get-anomalies or get-cost-and-usage/);
    expect(r.stderr).toMatch(/warning: --billing .*by-service\.json: a GetCostAndUsage response grouped by SERVICE; expected --group-by LINKED_ACCOUNT and REGION/);
    expect(r.stdout.trim().split('\n').length).toBeGreaterThan(0);
  });
});

describe('rogue-infra exit codes and messages', () => {
  it('exits 2 when some input could not be read, after reporting where and processing the rest', async () => {
    const r = await run('hunt', attack, damaged, '--config', config, '--format', 'jsonl');
    expect(r.code).toBe(ExitCode.INCOMPLETE_INPUT);
    expect(r.stderr).toMatch(/warning: .*damaged\.json: record 2 \(line 1, byte \d+\) truncated: record is cut off/);
    expect(r.stderr).toMatch(/skipped: 1 truncated/);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('exits 3 with --fail-on-escalation when something escalated (3 wins over 2)', async () => {
    expect((await run('hunt', attack, '--config', config, '--fail-on-escalation')).code).toBe(ExitCode.ESCALATION);
    expect((await run('hunt', attack, damaged, '--config', config, '--fail-on-escalation')).code).toBe(ExitCode.ESCALATION);
  });

  it.each([
    [['hunt', attack, '--bogus'], /Unknown option '--bogus'/],
    [['hunt', attack, '--format', 'xml'], /--format: expected one of table, jsonl, json, html, found "xml"/],
    [['hunt', attack, '--threads', 'two'], /--threads: expected a whole number from 0 to 64, found "two"/],
    [['scan', attack], /unknown command "scan" \(expected: hunt, contain, release\)/],
    [['hunt'], /expected at least one PATH/],
    [['hunt', attack, '--config', path.join(fixtures, 'nope.yaml')], /cannot read config file .*nope\.yaml: no such file/],
  ])('exits 1 on usage errors: %j', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(message);
  });

  it('exits 1 on a bad config, naming the key, what was expected and what was found', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rif-cfg-'));
    const bad = path.join(dir, 'config.yaml');
    writeFileSync(bad, 'approvedRegions: [us-east1x]\nthreatIntel:\n  ipFeeds: [missing.txt]\nburst: { instances: "many" }\n');
    const r = await run('hunt', attack, '--config', bad);
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toContain('approvedRegions[0]: expected a region name such as "us-east-1", found "us-east1x"');
    expect(r.stderr).toContain('burst.instances: expected a whole number (instances), found "many"');
    writeFileSync(bad, 'threatIntel:\n  ipFeeds: [missing.txt]\n');
    const feeds = await run('hunt', attack, '--config', bad);
    expect(feeds.stderr).toContain(`threatIntel.ipFeeds[0]: expected an existing feed file, found no file at ${path.join(dir, 'missing.txt')}`);
  });

  it('writes a self-contained HTML report with --out, escaping what the logs contain', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'rif-html-')), 'report.html');
    const r = await run('hunt', attack, '--config', config, '--format', 'html', '--out', out);
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toBe('');
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|src=/i);
    expect(html).toContain('Tier 2: escalated');
    expect(html).toContain('arn:aws:iam::777788889999:user/mallory');
  });

  it('prints the table for people with escalations first', async () => {
    const r = await run('hunt', attack, '--config', config);
    expect(r.stdout.indexOf('TIER 2')).toBeGreaterThanOrEqual(0);
    // dana's approved launch is expected activity: counted by principal, not listed.
    expect(r.stdout.indexOf('TIER 2')).toBeLessThan(r.stdout.indexOf('1 informational finding'));
    expect(r.stdout).toMatch(/1 informational finding .*\n +1 +arn:aws:iam::777788889999:user\/dana/);
    expect(r.stdout).toMatch(/why +threat-intel match; unexplained acquisition \(unapproved principal\)/);
    expect(r.stdout).toMatch(/next steps\n +1\. Tier 2:/);
  });
});
