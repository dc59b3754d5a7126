import { DescribeAutoScalingInstancesCommand, AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import {
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { REVOKE_POLICY, type ContainmentClients } from '../../lambdas/adapters/containment';
import { containmentStore, type ContainmentStore } from '../../lambdas/adapters/containment-store';
import { contain, ContainmentError, plan, prepare, release, isolate, type QuarantineDeps } from '../../lambdas/adapters/quarantine';
import { DEFAULT_CONTAINMENT, type ContainmentSettings } from '../../lambdas/core/containment';
import { buildFinding } from '../../lambdas/core/finding';
import type { Finding, FindingIndicator } from '../../lambdas/core/model';
import { TAG } from '../../lambdas/core/workflow';
import { createResponderTable } from '../support/aws';
import { buildEstate, recordingClients, REGION, type Estate, type SentRequest } from '../support/estate';
import { Principal, trail } from '../support/fixtures';
import { context, group } from '../support/groups';
import { MOTO_ACCOUNT } from '../support/moto';

/**
 * Quarantine and release against the moto server, on an instance with two
 * network interfaces, two volumes, an Elastic IP, an instance profile and an
 * Auto Scaling group. Every request the adapter sends is recorded, and the
 * tests assert on those requests as well as on moto's resulting state: moto's
 * ModifyNetworkInterfaceAttribute(Groups) has been seen to add groups rather
 * than replace them, so the state alone could hide (or fake) a wrong request.
 * The request is the contract with EC2: `Groups` is the whole new list.
 */

const ec2 = new EC2Client({ region: REGION });
const autoScaling = new AutoScalingClient({ region: REGION });
const iam = new IAMClient({ region: REGION });
let table: string;
let store: ContainmentStore;

beforeAll(async () => {
  table = await createResponderTable();
  store = containmentStore({ tableName: table });
});

function findingFor(estate: Estate, extra: readonly FindingIndicator[] = []): Finding {
  const base = buildFinding(group([trail('run-instances-gpu-success.json', { as: Principal.backupUser })]), context())!;
  return {
    ...base,
    findingId: `f-${estate.instanceId}`,
    accountId: MOTO_ACCOUNT,
    region: REGION,
    regions: [REGION],
    resources: { ...base.resources, instanceIds: [estate.instanceId, 'i-0000000000dead000'], publicIps: [estate.publicIp] },
    indicators: [...base.indicators, ...extra],
  };
}

function deps(sent: SentRequest[], settings: Partial<ContainmentSettings> = {}, clients?: ContainmentClients): QuarantineDeps & { slept: number[] } {
  const slept: number[] = [];
  const c = clients ?? recordingClients(sent);
  return { store, clients: () => c, settings: { ...DEFAULT_CONTAINMENT, ...settings }, sleep: (ms) => Promise.resolve(void slept.push(ms)), slept };
}

const groupsOf = async (eni: string) =>
  (await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] }))).NetworkInterfaces![0]!.Groups!.map((g) => g.GroupId!);
const tagsOf = async (id: string) =>
  Object.fromEntries((await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!.Tags!.map((t) => [t.Key!, t.Value!]));
const snapshotsOf = async (findingId: string) =>
  (await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: `tag:${TAG.FINDING}`, Values: [findingId] }] }))).Snapshots!;
const lifecycle = async (id: string) => (await autoScaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [id] }))).AutoScalingInstances?.[0]?.LifecycleState;
const protectedNow = async (id: string) => (await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'disableApiTermination' }))).DisableApiTermination?.Value;
const groupCalls = (sent: readonly SentRequest[], eni?: string) =>
  sent.filter((s) => s.command === 'ModifyNetworkInterfaceAttributeCommand' && s.input.Groups && (!eni || s.input.NetworkInterfaceId === eni));
const MUTATING = /^(Create|Modify|Delete|Associate|Disassociate|Authorize|Revoke|Put|Enter|Exit|Detach|Attach)/;

describe('quarantine', () => {
  it('records the manifest first, preserves evidence, untracks every ENI, waits, then isolates every ENI', async () => {
    const estate = await buildEstate();
    const finding = findingFor(estate);
    const sent: SentRequest[] = [];
    const d = deps(sent);
    const report = await contain(finding, d);

    // The manifest: what release needs, read before any change.
    const stored = (await store.get(finding.findingId))!;
    const m = stored.manifest.instances[0]!;
    expect(m.instanceId).toBe(estate.instanceId);
    expect(m.enis.map((e) => [e.networkInterfaceId, e.primary, [...e.groups].sort()])).toEqual([
      [estate.primaryEni, true, [estate.web]],
      [estate.secondaryEni, false, [estate.web, estate.db].sort()],
    ]);
    expect(m.volumes.map((v) => v.volumeId).sort()).toEqual([...estate.volumeIds].sort());
    expect(m.addresses).toEqual([expect.objectContaining({ allocationId: estate.allocationId, networkInterfaceId: estate.secondaryEni, publicIp: estate.publicIp })]);
    expect(m.instanceProfile).toEqual(expect.objectContaining({ arn: estate.profileArn, roleNames: [estate.roleName] }));
    expect(m.terminationProtection).toBe(false);
    expect(m.autoScaling).toEqual({ groupName: estate.groupName, lifecycleState: 'InService' });
    expect(stored.manifest.skipped).toEqual([expect.objectContaining({ instanceId: 'i-0000000000dead000', reason: expect.stringMatching(/^not found/) })]);
    expect(stored.progress.phase).toBe('isolated');

    // The order: no change before the reads; evidence before any network change; untrack, wait, isolate.
    const firstChange = sent.findIndex((s) => MUTATING.test(s.command));
    expect(sent.slice(0, firstChange).every((s) => /^(Describe|Get)/.test(s.command))).toBe(true);
    const idx = (pred: (s: SentRequest) => boolean) => sent.findIndex(pred);
    const lastSnapshot = sent.map((s) => s.command).lastIndexOf('CreateSnapshotCommand');
    const { isolation, untrack } = stored.progress.groups[estate.vpcId]!;
    const firstUntrack = idx((s) => Array.isArray(s.input.Groups) && (s.input.Groups as string[])[0] === untrack);
    const firstIsolate = idx((s) => Array.isArray(s.input.Groups) && (s.input.Groups as string[])[0] === isolation);
    expect(lastSnapshot).toBeGreaterThan(-1);
    expect(lastSnapshot).toBeLessThan(firstUntrack);
    expect(idx((s) => s.command === 'EnterStandbyCommand')).toBeLessThan(firstUntrack);
    expect(idx((s) => s.command === 'ModifyInstanceAttributeCommand' && s.input.DisableApiTermination !== undefined)).toBeLessThan(firstUntrack);
    expect(firstUntrack).toBeLessThan(firstIsolate);
    // One wait, counted from the untracking (a few ms ago), between untrack and isolate.
    expect(d.slept).toHaveLength(1);
    expect(d.slept[0]).toBeGreaterThan(DEFAULT_CONTAINMENT.untrackSeconds * 1000 - 5000);
    expect(d.slept[0]).toBeLessThanOrEqual(DEFAULT_CONTAINMENT.untrackSeconds * 1000);

    // Every ENI (not only the primary), each sent exactly the one group it must have.
    for (const eni of [estate.primaryEni, estate.secondaryEni]) {
      expect(groupCalls(sent, eni).map((s) => s.input.Groups)).toEqual([[untrack], [isolation]]);
      expect(sent).toContainEqual({
        command: 'ModifyNetworkInterfaceAttributeCommand',
        input: { NetworkInterfaceId: eni, ConnectionTrackingSpecification: { TcpEstablishedTimeout: 60, UdpStreamTimeout: 60, UdpTimeout: 30 } },
      });
      // moto's state agrees (it is not the proof: see the note above).
      expect(await groupsOf(eni)).toEqual([isolation]);
    }
    expect(sent.some((s) => s.command === 'ModifyInstanceAttributeCommand' && s.input.Groups)).toBe(false);

    // The responder's groups: isolation has no rule at all, untrack allows everything both ways.
    const sgs = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [isolation, untrack] }))).SecurityGroups!;
    const iso = sgs.find((g) => g.GroupId === isolation)!;
    const unt = sgs.find((g) => g.GroupId === untrack)!;
    expect([iso.IpPermissions, iso.IpPermissionsEgress]).toEqual([[], []]);
    for (const rules of [unt.IpPermissions!, unt.IpPermissionsEgress!]) {
      expect(rules.flatMap((r) => r.IpRanges!.map((x) => x.CidrIp))).toContain('0.0.0.0/0');
      expect(rules.flatMap((r) => r.Ipv6Ranges!.map((x) => x.CidrIpv6))).toContain('::/0');
    }

    // Evidence kept, out of the Auto Scaling group's reach, tagged.
    const snaps = await snapshotsOf(finding.findingId);
    expect(snaps.map((s) => s.VolumeId).sort()).toEqual([...estate.volumeIds].sort());
    expect(report.snapshots.map((s) => s.snapshotId).sort()).toEqual(snaps.map((s) => s.SnapshotId).sort());
    expect(await protectedNow(estate.instanceId)).toBe(true);
    expect((await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: estate.instanceId, Attribute: 'instanceInitiatedShutdownBehavior' }))).InstanceInitiatedShutdownBehavior?.Value).toBe('stop');
    expect(await lifecycle(estate.instanceId)).toBe('Standby');
    expect(await tagsOf(estate.instanceId)).toMatchObject({ [TAG.CONTAINMENT]: 'quarantined', [TAG.FINDING]: finding.findingId, [TAG.MANIFEST]: `${table} FINDING#${finding.findingId} CONTAINMENT` });
    // Not asked for: the instance profile stays.
    expect(sent.some((s) => s.command === 'DisassociateIamInstanceProfileCommand')).toBe(false);
    expect(report).toMatchObject({ phase: 'isolated', instances: [estate.instanceId] });
    expect(report.enis.map((e) => e.state)).toEqual(['isolated', 'isolated']);
    expect(report.summary).toMatch(/^Contained 1 instance\(s\) .*2 of 2 network interface\(s\) isolated, 2 snapshot\(s\) kept; 1 skipped\.$/);
  });

  it('reuses the VPC\'s groups, and takes back any rule someone added to the isolation group', async () => {
    const first = await buildEstate();
    await contain(findingFor(first), deps([]));
    const { isolation } = (await store.get(`f-${first.instanceId}`))!.progress.groups[first.vpcId]!;
    const { AuthorizeSecurityGroupIngressCommand } = await import('@aws-sdk/client-ec2');
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: isolation, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    // A second estate: its own VPC, so check reuse by containing the first finding again (idempotent) instead.
    const sent: SentRequest[] = [];
    await isolate(findingFor(first), deps(sent));
    expect(sent.filter((s) => s.command === 'CreateSecurityGroupCommand')).toEqual([]);
    expect(sent.filter((s) => s.command === 'RevokeSecurityGroupIngressCommand').map((s) => s.input.GroupId)).toEqual([isolation]);
    const iso = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [isolation] }))).SecurityGroups![0]!;
    expect(iso.IpPermissions).toEqual([]);
    // Nothing else repeated: no snapshot, no group change (already isolated).
    expect(sent.filter((s) => s.command === 'CreateSnapshotCommand' || (s.command === 'ModifyNetworkInterfaceAttributeCommand' && s.input.Groups))).toEqual([]);
  });

  it('a failure midway stops with the state of every ENI; a rerun finishes without a second snapshot or a new manifest', async () => {
    const estate = await buildEstate();
    const finding = findingFor(estate);
    const sent: SentRequest[] = [];
    const broken = recordingClients(sent);
    // The secondary ENI refuses its first group change: a permission boundary, say.
    let refused = false;
    broken.ec2.middlewareStack.add(
      (next, ctx) => async (args) => {
        const input = args.input as { NetworkInterfaceId?: string; Groups?: string[] };
        if (!refused && ctx.commandName === 'ModifyNetworkInterfaceAttributeCommand' && input.NetworkInterfaceId === estate.secondaryEni && input.Groups) {
          refused = true;
          throw Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation', $metadata: {} });
        }
        return next(args);
      },
      { step: 'initialize', name: 'refuseOnce' },
    );
    const failed = await contain(finding, deps(sent, {}, broken)).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ContainmentError);
    const err = failed as ContainmentError;
    expect(err.message).toContain(`untracking the network interfaces: UnauthorizedOperation`);
    expect(err.message).toContain(`${estate.primaryEni} (${estate.instanceId}): untracked`);
    expect(err.message).toContain(`${estate.secondaryEni} (${estate.instanceId}): original`);
    expect(err.report.phase).toBe('failed');
    const afterFailure = (await store.get(finding.findingId))!;
    expect(afterFailure.progress.phase).toBe('failed');
    expect(afterFailure.progress.errors[0]).toMatch(/UnauthorizedOperation/);
    expect(await tagsOf(estate.instanceId)).toMatchObject({ [TAG.CONTAINMENT]: 'failed' });

    const rerun: SentRequest[] = [];
    const report = await contain(finding, deps(rerun));
    expect(report.enis.map((e) => e.state)).toEqual(['isolated', 'isolated']);
    const stored = (await store.get(finding.findingId))!;
    // Same manifest: the original groups, not the half-quarantined ones.
    expect(stored.manifest).toEqual(afterFailure.manifest);
    expect(stored.manifest.instances[0]!.enis[0]!.groups).toEqual([estate.web]);
    expect(rerun.filter((s) => s.command === 'CreateSnapshotCommand')).toEqual([]);
    expect((await snapshotsOf(finding.findingId)).length).toBe(2);
    // The already-untracked primary is not untracked again; the secondary is.
    const { untrack } = stored.progress.groups[estate.vpcId]!;
    expect(groupCalls(rerun, estate.primaryEni).map((s) => s.input.Groups)).toEqual([[stored.progress.groups[estate.vpcId]!.isolation]]);
    expect(groupCalls(rerun, estate.secondaryEni)[0]!.input.Groups).toEqual([untrack]);
    expect(stored.progress.phase).toBe('isolated');
  });

  it('the dry run says what will change and changes nothing', async () => {
    const estate = await buildEstate();
    const finding = findingFor(estate);
    const sent: SentRequest[] = [];
    const p = await plan(finding, deps(sent, { removeInstanceProfile: true }));
    expect(sent.filter((s) => MUTATING.test(s.command))).toEqual([]);
    expect(await store.get(finding.findingId)).toBeUndefined();
    expect(p.instances[0]).toMatchObject({
      instanceId: estate.instanceId,
      terminationProtection: 'enable',
      autoScaling: { groupName: estate.groupName, action: 'standby' },
      instanceProfile: { arn: estate.profileArn, action: 'remove' },
    });
    expect(p.instances[0]!.enis.map((e) => e.networkInterfaceId)).toEqual([estate.primaryEni, estate.secondaryEni]);
    expect(p.instances[0]!.snapshots.map((v) => v.volumeId).sort()).toEqual([...estate.volumeIds].sort());
    expect(p.skipped.map((s) => s.instanceId)).toEqual(['i-0000000000dead000']);
  });

  it('a Spot instance is contained without termination protection, and the report says so', async () => {
    const estate = await buildEstate({ spot: true });
    const sent: SentRequest[] = [];
    const report = await contain(findingFor(estate), deps(sent));
    expect(sent.some((s) => s.command === 'ModifyInstanceAttributeCommand' && s.input.DisableApiTermination)).toBe(false);
    expect(report.notes.join('\n')).toMatch(/Spot instance: termination protection is not possible/);
    expect(report.enis.every((e) => e.state === 'isolated')).toBe(true);
  });
});

describe('a finding that grows after containment', () => {
  it('records and contains the new instance on the next run, leaving the recorded ones as they were', async () => {
    const first = await buildEstate();
    const finding = findingFor(first);
    await contain(finding, deps([]));
    const before = (await store.get(finding.findingId))!.manifest;
    const second = await buildEstate();
    const grown: Finding = { ...finding, resources: { ...finding.resources, instanceIds: [...finding.resources.instanceIds, second.instanceId] } };

    const p = await plan(grown, deps([]));
    expect(p.instances.map((i) => i.instanceId)).toEqual([first.instanceId, second.instanceId]);

    const report = await contain(grown, deps([]));
    const after = (await store.get(finding.findingId))!.manifest;
    expect(after.instances.slice(0, 1)).toEqual(before.instances);
    expect(after.instances[1]!.enis.map((e) => e.groups)).toEqual([[second.web], expect.arrayContaining([second.web, second.db])]);
    expect(report.enis.map((e) => [e.instanceId, e.state])).toEqual([
      [first.instanceId, 'isolated'],
      [first.instanceId, 'isolated'],
      [second.instanceId, 'isolated'],
      [second.instanceId, 'isolated'],
    ]);
    await release(finding.findingId, 'alex@example.com', deps([]));
    expect(await groupsOf(second.primaryEni)).toEqual([second.web]);
    expect(await groupsOf(first.primaryEni)).toEqual([first.web]);
  });

  it('refuses a manifest that would lose or rewrite a recorded instance', async () => {
    const estate = await buildEstate();
    const finding = findingFor(estate);
    await prepare(finding, deps([]));
    const stored = (await store.get(finding.findingId))!;
    const rewritten = { ...stored.manifest, instances: [{ ...stored.manifest.instances[0]!, terminationProtection: true }] };
    await expect(store.extend(finding.findingId, rewritten, stored.version)).rejects.toThrow(/may only gain instances, never lose or rewrite one/);
  });
});

describe('release', () => {
  it('restores exactly the recorded groups per ENI and the recorded settings, and keeps the snapshots', async () => {
    const estate = await buildEstate();
    const finding = findingFor(estate);
    await contain(finding, deps([]));
    const sent: SentRequest[] = [];
    const out = await release(finding.findingId, 'alex@example.com', deps(sent));
    expect(out.released).toBe(true);
    expect(groupCalls(sent, estate.primaryEni).map((s) => s.input.Groups)).toEqual([[estate.web]]);
    expect((groupCalls(sent, estate.secondaryEni)[0]!.input.Groups as string[]).slice().sort()).toEqual([estate.web, estate.db].sort());
    expect(await groupsOf(estate.primaryEni)).toEqual([estate.web]);
    expect((await groupsOf(estate.secondaryEni)).sort()).toEqual([estate.web, estate.db].sort());
    expect(await protectedNow(estate.instanceId)).toBe(false);
    expect(await lifecycle(estate.instanceId)).toBe('InService');
    expect((await snapshotsOf(finding.findingId)).length).toBe(2);
    expect(await tagsOf(estate.instanceId)).toMatchObject({ [TAG.CONTAINMENT]: 'released' });
    expect(out.report!.enis.map((e) => e.state)).toEqual(['original', 'original']);
    expect(out.report!.notes.join('\n')).toMatch(/released by alex@example.com/);

    const again = await release(finding.findingId, 'alex@example.com', deps([]));
    expect(again).toMatchObject({ released: false, message: expect.stringMatching(/already released/) });
  });

  it('an instance terminated while contained is noted, and the release still completes', async () => {
    const estate = await buildEstate();
    const finding = findingFor(estate);
    await contain(finding, deps([]));
    const { ModifyInstanceAttributeCommand, TerminateInstancesCommand } = await import('@aws-sdk/client-ec2');
    await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: estate.instanceId, DisableApiTermination: { Value: false } }));
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [estate.instanceId] }));
    const out = await release(finding.findingId, 'alex@example.com', deps([]));
    expect(out.released).toBe(true);
    expect(out.report!.notes.join('\n')).toMatch(new RegExp(`${estate.instanceId} is (terminated|shutting-down|gone): nothing to restore on it`));
    expect((await snapshotsOf(finding.findingId)).length).toBe(2);
  });

  it('releasing something never quarantined is a clear no-op', async () => {
    const sent: SentRequest[] = [];
    const out = await release('f-never-contained', 'alex@example.com', deps(sent));
    expect(out).toEqual({ released: false, message: 'f-never-contained was never quarantined: there is no containment record, nothing to release.' });
    expect(sent).toEqual([]);
  });
});

describe('optional steps', () => {
  it('removes the instance profile, revokes its role\'s sessions and denies flagged IPs; release undoes the profile and the denies', async () => {
    const estate = await buildEstate();
    const intel: FindingIndicator = {
      id: 'threat-intel-match',
      title: 'Threat-intel match',
      weight: 40,
      evidence: {
        summary: 'caller 203.0.113.66 is listed',
        eventIds: ['e1'],
        details: {
          matches: [
            { value: '203.0.113.66', where: 'caller IP' },
            { value: estate.publicIp, where: `public IP of ${estate.instanceId}` },
            { value: '10.0.0.5', where: 'an IP in the request' },
          ],
        },
      },
    };
    const finding = findingFor(estate, [intel]);
    const settings = { removeInstanceProfile: true, revokeRoleSessions: true, blockFlaggedIps: true };
    const sent: SentRequest[] = [];
    const report = await contain(finding, deps(sent, settings));
    expect(report.errors).toEqual([]);
    const assoc = await ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [estate.instanceId] }] }));
    expect((assoc.IamInstanceProfileAssociations ?? []).filter((a) => a.State === 'associated')).toEqual([]);
    const policy = await iam.send(new GetRolePolicyCommand({ RoleName: estate.roleName, PolicyName: REVOKE_POLICY }));
    expect(decodeURIComponent(policy.PolicyDocument!)).toMatch(/"aws:TokenIssueTime"/);
    const acl = async () => (await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [estate.subnetId] }] }))).NetworkAcls![0]!;
    const denies = (await acl()).Entries!.filter((e) => e.RuleAction === 'deny' && (e.RuleNumber ?? 0) < 100);
    // Only the caller: not the instance's own address, not a private one.
    expect(denies.map((e) => [e.CidrBlock, e.Egress]).sort()).toEqual([['203.0.113.66/32', false], ['203.0.113.66/32', true]]);

    await release(finding.findingId, 'alex@example.com', deps([], settings));
    const back = await ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [estate.instanceId] }] }));
    expect((back.IamInstanceProfileAssociations ?? []).filter((a) => a.State === 'associated' || a.State === 'associating').map((a) => a.IamInstanceProfile?.Arn)).toEqual([estate.profileArn]);
    expect((await acl()).Entries!.filter((e) => e.RuleAction === 'deny' && (e.RuleNumber ?? 0) < 100)).toEqual([]);
  });

  it('prepare then isolate (the workflow\'s two tasks) reach the same end as contain', async () => {
    const estate = await buildEstate();
    const finding = findingFor(estate);
    const prepared = await prepare(finding, deps([]));
    expect(prepared.phase).toBe('prepared');
    expect(prepared.enis.map((e) => e.state)).toEqual(['untracked', 'untracked']);
    // The workflow's Wait state ran in between: isolation has nothing left to wait.
    const later = { ...deps([]), now: () => new Date(Date.now() + (DEFAULT_CONTAINMENT.untrackSeconds + 1) * 1000) };
    const slept: number[] = [];
    const isolated = await isolate(finding, { ...later, sleep: (ms) => Promise.resolve(void slept.push(ms)) });
    expect(isolated.enis.map((e) => e.state)).toEqual(['isolated', 'isolated']);
    expect(slept).toEqual([]);
  });
});
