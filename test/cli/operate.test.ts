import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getFinding, history, recordFinding } from '../../lambdas/adapters/findings';
import { buildFinding } from '../../lambdas/core/finding';
import type { Finding } from '../../lambdas/core/model';
import { runCli } from '../support/io';
import { createResponderTable } from '../support/aws';
import { buildEstate, REGION, type Estate } from '../support/estate';
import { Principal, trail } from '../support/fixtures';
import { context, group } from '../support/groups';
import { MOTO_ACCOUNT } from '../support/moto';

/**
 * `rogue-infra contain` and `release`, in-process, against the moto server
 * (the SDK's endpoint comes from AWS_ENDPOINT_URL as the setup sets it).
 */


const run = (...argv: string[]) => runCli(argv);

let table: string;
let config: string;
let estate: Estate;
let finding: Finding;
const groupsOf = async (eni: string) => (await new EC2Client({ region: REGION }).send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] }))).NetworkInterfaces![0]!.Groups!.map((g) => g.GroupId!);

beforeAll(async () => {
  table = await createResponderTable();
  config = path.join(mkdtempSync(path.join(tmpdir(), 'rif-op-')), 'config.yaml');
  writeFileSync(config, 'deployment:\n  containment:\n    untrackSeconds: 0\n');
  estate = await buildEstate();
  const base = buildFinding(group([trail('run-instances-gpu-success.json', { as: Principal.backupUser })]), context())!;
  finding = { ...base, findingId: `rif-cli-${estate.instanceId}`, accountId: MOTO_ACCOUNT, region: REGION, regions: [REGION], resources: { ...base.resources, instanceIds: [estate.instanceId] } };
  await recordFinding(finding, { kind: 'assessed', at: new Date().toISOString() }, { tableName: table });
});

describe('rogue-infra contain / release', () => {
  it('says what is missing', async () => {
    expect(await run('contain', finding.findingId)).toMatchObject({ code: 1, stderr: expect.stringMatching(/--table is required: the responder's table name/) });
    expect(await run('release', '--table', table)).toMatchObject({ code: 1, stderr: expect.stringMatching(/expected exactly one FINDING_ID/) });
    expect(await run('contain', 'rif-nope', '--table', table)).toMatchObject({ code: 1, stderr: expect.stringMatching(/there is no finding rif-nope in /) });
    expect(await run('release', 'rif-nope', '--table', table)).toMatchObject({ code: 0, stdout: 'rif-nope was never quarantined: there is no containment record, nothing to release.\n' });
  });

  it('dry-runs, contains, dry-runs the release, releases: each recorded in the finding', async () => {
    const dry = await run('contain', finding.findingId, '--table', table, '--config', config, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`${estate.secondaryEni}: `);
    expect(dry.stdout).toMatch(/nothing changed/);
    expect(await groupsOf(estate.primaryEni)).toEqual([estate.web]);

    const contained = await run('contain', finding.findingId, '--table', table, '--config', config, '--by', 'sam');
    expect(contained.code).toBe(0);
    expect(contained.stdout).toMatch(/^Contained 1 instance\(s\)/);
    expect(contained.stdout).toMatch(new RegExp(`${estate.secondaryEni} \\(${estate.instanceId}\\): isolated`));
    expect(await groupsOf(estate.primaryEni)).not.toEqual([estate.web]);

    const releaseDry = await run('release', finding.findingId, '--table', table, '--dry-run');
    expect(releaseDry.stdout).toContain(`${estate.primaryEni} (primary): back to ${estate.web}`);
    expect(releaseDry.stdout).toMatch(/Kept: 2 snapshot\(s\)/);

    const released = await run('release', finding.findingId, '--table', table, '--by', 'sam');
    expect(released.code).toBe(0);
    expect(released.stdout).toMatch(/^Released /);
    expect(await groupsOf(estate.primaryEni)).toEqual([estate.web]);
    expect((await getFinding(finding.findingId, { tableName: table }))?.status).toBe('released');
    expect((await history(finding.findingId, { tableName: table })).map((h) => h.summary)).toEqual([
      expect.stringMatching(/^high|^critical|^medium|^low|^informational/),
      expect.stringMatching(/^contained: Quarantine run by sam \(rogue-infra contain\)/),
      expect.stringMatching(/^released: Released /),
    ]);
    expect((await run('release', finding.findingId, '--table', table)).stdout).toMatch(/already released/);
  });
});
