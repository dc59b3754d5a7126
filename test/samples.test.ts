import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IndicatorId } from '../lambdas/core/constants';
import type { Finding } from '../lambdas/core/model';
import { loadConfig } from '../lib/config/load';
import { hunt, type HuntResult } from '../lib/hunt/hunt';
import { buildSample, writeSample } from '../scripts/make-sample';

/**
 * The bundled sample is what a newcomer meets first (`npm start`), so it is
 * held to its story: the committed files are exactly what the generator
 * writes, the attack escalates with the expected evidence, and the benign
 * background never escalates, with the sample config or with none.
 */

const SAMPLES = fileURLToPath(new URL('../samples/', import.meta.url));
const TRAIL = path.join(SAMPLES, 'trail');
const CONFIG = path.join(SAMPLES, 'config.yaml');

const STOLEN_KEY_USER = 'arn:aws:iam::222222222222:user/svc-reporting';
const SANDBOX_SESSION = /^arn:aws:sts::333333333333:assumed-role\/dev-sandbox-access\/botocore-session-\d+$/;

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** Relative paths (with `/`) of every file under `dir`, sorted. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

const ids = (f: Finding): string[] => f.indicators.map((i) => i.id);
const escalated = (r: HuntResult): Finding[] => r.findings.filter((f) => f.escalate);

const scratch = mkdtempSync(path.join(tmpdir(), 'rif-sample-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the committed sample', () => {
  it('is exactly what scripts/make-sample.ts generates', () => {
    const generated = buildSample();
    const committed = filesUnder(TRAIL);
    expect(committed.length).toBeGreaterThan(100);
    expect(committed).toEqual(generated.map((f) => f.path));
    // Compared decompressed: gzip output may differ between zlib builds, the
    // records may not. The header must carry no timestamp, or every
    // regeneration would change every file.
    const differing = generated.filter((f) => {
      const gz = readFileSync(path.join(TRAIL, f.path));
      return gz.readUInt32LE(4) !== 0 || sha256(gunzipSync(gz)) !== sha256(f.json);
    });
    expect(differing.map((f) => f.path), 'regenerate with `npx tsx scripts/make-sample.ts` (npm run sample) and commit samples/trail').toEqual([]);
  });
});

describe('hunting the sample with samples/config.yaml', () => {
  let result: HuntResult;
  beforeAll(async () => {
    const config = loadConfig(CONFIG);
    result = await hunt({ paths: [TRAIL], settings: config.settings, intel: config.intel });
  });

  it('reads every record', () => {
    expect(result.incomplete).toBe(false);
    expect(result.summary.stats.skipped).toEqual({});
    expect(result.summary.stats.records).toBeGreaterThan(3000);
  });

  it('escalates the stolen-key acquisition in dev with the evidence of every stage', () => {
    const dev = result.findings.find((f) => f.principal === STOLEN_KEY_USER);
    expect(dev?.tier).toBe(2);
    expect(dev?.accountId).toBe('222222222222');
    expect(dev?.sourceIps).toEqual(['203.0.113.47']);
    expect(dev?.regions).toEqual(['ap-southeast-3', 'us-east-1']);
    expect(ids(dev!)).toEqual(
      expect.arrayContaining([
        IndicatorId.SERVER_PROVISIONED,
        IndicatorId.IP_ALLOCATED,
        IndicatorId.PROVISIONING_BURST,
        IndicatorId.ACCELERATED_INSTANCE_TYPE,
        IndicatorId.UNUSUAL_REGION,
        IndicatorId.UNAPPROVED_PRINCIPAL,
        IndicatorId.MISSING_BUSINESS_TAGS,
        IndicatorId.FAILED_PROVISIONING,
        IndicatorId.QUOTA_PROBING,
        IndicatorId.RAPID_CHURN,
        IndicatorId.SECURITY_GROUP_OPENED,
        IndicatorId.USER_DATA_MODIFIED,
        IndicatorId.NEW_KEY_PAIR,
        IndicatorId.TERMINATION_PROTECTION_SET,
      ]),
    );
    // 203.0.113.47 is on no feed: nothing in this activity is known-bad.
    expect(ids(dev!)).not.toContain(IndicatorId.THREAT_INTEL_MATCH);
    expect(dev?.resources.instanceIds).toHaveLength(30);
    expect(dev?.resources.requestIds).toHaveLength(6);
  });

  it('escalates the pivot into the sandbox on the threat-intel feed', () => {
    const sandbox = result.findings.find((f) => SANDBOX_SESSION.test(f.principal));
    expect(sandbox?.tier).toBe(2);
    expect(sandbox?.escalationReasons).toContain('threat-intel match');
    const match = sandbox?.indicators.find((i) => i.id === IndicatorId.THREAT_INTEL_MATCH);
    expect(match?.evidence.details?.matches).toEqual([expect.objectContaining({ value: '198.51.100.23', listed: '198.51.100.0/26', feed: 'feeds/bad-ips.txt' })]);
  });

  it('escalates nothing else, while still reporting the benign acquisitions', () => {
    expect(escalated(result).map((f) => f.principal)).toEqual([STOLEN_KEY_USER, expect.stringMatching(SANDBOX_SESSION)]);
    const benign = result.findings.filter((f) => !f.escalate);
    // Auto Scaling, the CI role, the developers' launches and the network admin's address.
    expect(benign.length).toBeGreaterThanOrEqual(15);
    expect(benign.every((f) => f.tier === 1)).toBe(true);
  });
});

describe('hunting the sample with no configuration (the defaults)', () => {
  let full: HuntResult;
  beforeAll(async () => {
    const defaults = loadConfig();
    full = await hunt({ paths: [TRAIL], settings: defaults.settings, intel: defaults.intel });
  });

  it('keeps the benign background free of escalations', async () => {
    const out = path.join(scratch, 'background');
    writeSample(out, buildSample({ attack: false }));
    const defaults = loadConfig();
    const result = await hunt({ paths: [out], settings: defaults.settings, intel: defaults.intel });
    expect(result.incomplete).toBe(false);
    // The background is the full sample minus the attack, record for record:
    // the generator seeds each story on its own, so leaving one out changes no other.
    const attackRecords = buildSample({ background: false }).reduce((n, f) => n + (f.json.match(/"eventID":/g)?.length ?? 0), 0);
    expect(attackRecords).toBeGreaterThan(50);
    expect(result.summary.stats.records + attackRecords).toBe(full.summary.stats.records);
    expect(result.findings.length).toBeGreaterThanOrEqual(15);
    expect(escalated(result).map((f) => `${f.principal}: ${f.escalationReasons.join('; ')}`)).toEqual([]);
  });

  it('still escalates the attack, on learned regions instead of configured ones', () => {
    expect(escalated(full).map((f) => f.principal)).toEqual([STOLEN_KEY_USER]);
    const dev = escalated(full)[0]!;
    const unusual = dev.indicators.find((i) => i.id === IndicatorId.UNUSUAL_REGION);
    expect(unusual?.evidence.details).toEqual({ regions: ['ap-southeast-3'], basis: 'baseline' });
    expect(ids(dev)).toEqual(
      expect.arrayContaining([IndicatorId.PROVISIONING_BURST, IndicatorId.ACCELERATED_INSTANCE_TYPE, IndicatorId.FAILED_PROVISIONING, IndicatorId.QUOTA_PROBING, IndicatorId.RAPID_CHURN]),
    );
    // Without the feed, two CPU instances in a home region are only a Tier 1
    // finding: the feed is what identifies the pivot into the sandbox.
    const sandbox = full.findings.find((f) => SANDBOX_SESSION.test(f.principal));
    expect(sandbox?.tier).toBe(1);
  });
});
