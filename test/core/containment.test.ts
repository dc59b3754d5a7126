import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONTAINMENT,
  describeEnis,
  describePlan,
  eniState,
  flaggedIps,
  planContainment,
  remainingUntrackWait,
  summarize,
  toCidr,
  type ContainmentManifest,
  type ContainmentProgress,
  type EniManifest,
  type InstanceManifest,
} from '../../lambdas/core/containment';
import { buildFinding } from '../../lambdas/core/finding';
import type { Finding } from '../../lambdas/core/model';
import { Principal, trail } from '../support/fixtures';
import { context, group } from '../support/groups';

const eni = (id: string, groups: string[], primary = false): EniManifest => ({ networkInterfaceId: id, deviceIndex: primary ? 0 : 1, primary, vpcId: 'vpc-1', subnetId: 'subnet-1', groups });

const instance = (over: Partial<InstanceManifest> = {}): InstanceManifest => ({
  instanceId: 'i-1',
  region: 'us-east-1',
  state: 'running',
  spot: false,
  enis: [eni('eni-a', ['sg-web'], true), eni('eni-b', ['sg-web', 'sg-db'])],
  volumes: [{ volumeId: 'vol-1', deviceName: '/dev/xvda' }],
  addresses: [{ publicIp: '198.51.100.9', allocationId: 'eipalloc-1', networkInterfaceId: 'eni-b' }],
  terminationProtection: false,
  shutdownBehavior: 'terminate',
  ...over,
});

const manifest = (instances: InstanceManifest[], skipped: ContainmentManifest['skipped'] = []): ContainmentManifest => ({ findingId: 'rif-1', accountId: '111122223333', recordedAt: '2025-05-15T04:00:00.000Z', instances, skipped });

describe('planContainment (the dry run)', () => {
  it('plans every ENI, every volume, protection, shutdown behaviour and the Auto Scaling group', () => {
    const p = planContainment(manifest([instance({ autoScaling: { groupName: 'gpu', lifecycleState: 'InService' } })]), DEFAULT_CONTAINMENT);
    expect(p.instances[0]).toMatchObject({
      enis: [
        { networkInterfaceId: 'eni-a', primary: true, from: ['sg-web'] },
        { networkInterfaceId: 'eni-b', primary: false, from: ['sg-web', 'sg-db'] },
      ],
      snapshots: [{ volumeId: 'vol-1' }],
      terminationProtection: 'enable',
      shutdownBehavior: 'set-stop',
      autoScaling: { groupName: 'gpu', action: 'standby' },
    });
    expect(p.untrackSeconds).toBe(60);
  });

  it('keeps what is already right, and says what is not possible', () => {
    const spot = planContainment(manifest([instance({ spot: true, shutdownBehavior: 'stop', autoScaling: { groupName: 'gpu', lifecycleState: 'Standby' } })]), { ...DEFAULT_CONTAINMENT, autoScaling: 'detach' });
    expect(spot.instances[0]).toMatchObject({ terminationProtection: 'not-possible-spot', shutdownBehavior: 'already-stop', autoScaling: { action: 'already-standby' } });
    const on = planContainment(manifest([instance({ terminationProtection: true })]), DEFAULT_CONTAINMENT);
    expect(on.instances[0]!.terminationProtection).toBe('already-on');
  });

  it('plans the optional steps only when configured', () => {
    const withProfile = instance({ instanceProfile: { arn: 'arn:aws:iam::111122223333:instance-profile/miner', associationId: 'iip-1', roleNames: ['miner-role'] } });
    const off = planContainment(manifest([withProfile]), DEFAULT_CONTAINMENT, ['203.0.113.66/32']);
    expect(off.instances[0]!.instanceProfile).toEqual({ arn: 'arn:aws:iam::111122223333:instance-profile/miner', action: 'keep', revokeSessionsOf: [] });
    expect(off.blockIps).toEqual([]);
    const on = planContainment(manifest([withProfile]), { ...DEFAULT_CONTAINMENT, removeInstanceProfile: true, revokeRoleSessions: true, blockFlaggedIps: true }, ['203.0.113.66/32']);
    expect(on.instances[0]!.instanceProfile).toEqual({ arn: 'arn:aws:iam::111122223333:instance-profile/miner', action: 'remove', revokeSessionsOf: ['miner-role'] });
    expect(on.blockIps).toEqual(['203.0.113.66/32']);
  });

  it('reads as sentences an approver can check, one per change', () => {
    const lines = describePlan(planContainment(manifest([instance()], [{ instanceId: 'i-gone', region: 'us-east-1', reason: 'terminated: nothing left to contain' }]), DEFAULT_CONTAINMENT));
    expect(lines).toEqual([
      'i-1 (us-east-1):',
      '  snapshot vol-1 (/dev/xvda), tagged with the finding',
      '  termination protection: off -> on',
      '  shutdown behaviour: terminate -> stop',
      '  eni-a (primary): sg-web -> allow-all (untrack, 60 s) -> isolation group of vpc-1',
      '  eni-b: sg-web, sg-db -> allow-all (untrack, 60 s) -> isolation group of vpc-1',
      '  Elastic IP 198.51.100.9 on eni-b: kept (recorded)',
      'i-gone (us-east-1): skipped, terminated: nothing left to contain',
    ]);
    expect(describePlan(planContainment(manifest([]), DEFAULT_CONTAINMENT))[0]).toMatch(/^Nothing to contain/);
  });
});

describe('eniState: where an interface stands', () => {
  const e = eni('eni-b', ['sg-web', 'sg-db']);
  const groups = { isolation: 'sg-iso', untrack: 'sg-all' };
  it.each([
    [['sg-db', 'sg-web'], 'original'],
    [['sg-all'], 'untracked'],
    [['sg-iso'], 'isolated'],
    [['sg-iso', 'sg-web'], 'changed'],
    [['sg-web'], 'changed'],
    [[], 'changed'],
  ] as const)('%j is %s', (current, state) => {
    expect(eniState(current, e, groups)).toBe(state);
  });
  it('without the responder groups only original or changed', () => {
    expect(eniState(['sg-web', 'sg-db'], e)).toBe('original');
    expect(eniState(['sg-iso'], e)).toBe('changed');
  });
});

describe('remainingUntrackWait', () => {
  const t0 = Date.parse('2025-05-15T04:00:00.000Z');
  const r = (state: 'untracked' | 'isolated', id: string) => ({ instanceId: 'i-1', networkInterfaceId: id, state, groups: [] });
  it('waits out the rest of the longest remaining untrack time', () => {
    const at = { 'eni-a': '2025-05-15T04:00:00.000Z', 'eni-b': '2025-05-15T04:00:30.000Z' };
    expect(remainingUntrackWait([r('untracked', 'eni-a'), r('untracked', 'eni-b')], at, 60, t0 + 40_000)).toBe(50_000);
    expect(remainingUntrackWait([r('untracked', 'eni-a')], at, 60, t0 + 61_000)).toBe(0);
  });
  it('waits the whole time when it does not know when, and not at all for isolated interfaces', () => {
    expect(remainingUntrackWait([r('untracked', 'eni-x')], {}, 60, t0)).toBe(60_000);
    expect(remainingUntrackWait([r('isolated', 'eni-x')], {}, 60, t0)).toBe(0);
    // A clock that went backwards never makes it wait longer than the setting.
    expect(remainingUntrackWait([r('untracked', 'eni-a')], { 'eni-a': '2025-05-15T04:10:00.000Z' }, 60, t0)).toBe(60_000);
  });
});

describe('reports', () => {
  const progress: ContainmentProgress = { phase: 'isolated', snapshots: { 'vol-1': 'snap-1' }, groups: {}, blocked: [], untrackedAt: {}, revokedRoles: [], removedProfiles: [], errors: [], notes: [], updatedAt: '' };
  const enis = [
    { instanceId: 'i-1', networkInterfaceId: 'eni-a', state: 'isolated' as const, groups: ['sg-iso'] },
    { instanceId: 'i-1', networkInterfaceId: 'eni-b', state: 'untracked' as const, groups: ['sg-all'] },
  ];
  it('summarises each phase in one sentence', () => {
    expect(summarize('rif-1', 'isolated', enis, progress, [])).toBe('Contained 1 instance(s) of rif-1: 1 of 2 network interface(s) isolated, 1 snapshot(s) kept.');
    expect(summarize('rif-1', 'failed', enis, progress, [])).toBe('Containment of rif-1 is incomplete: eni-a isolated, eni-b untracked.');
    expect(summarize('rif-1', 'released', enis, progress, [])).toMatch(/^Released rif-1: 0 of 2/);
  });
  it('names every ENI with its state and groups', () => {
    expect(describeEnis(enis)).toBe('eni-a (i-1): isolated [sg-iso]; eni-b (i-1): untracked [sg-all]');
  });
});

describe('flaggedIps: what blockFlaggedIps would deny', () => {
  const withMatches = (matches: unknown[]): Finding => {
    const f = buildFinding(group([trail('run-instances-gpu-success.json', { as: Principal.backupUser })]), context())!;
    return {
      ...f,
      resources: { ...f.resources, publicIps: ['198.51.100.9'] },
      indicators: [...f.indicators, { id: 'threat-intel-match', title: 'Threat-intel match', weight: 40, evidence: { summary: 's', eventIds: [], details: { matches } } }],
    };
  };
  it('keeps other people\'s public addresses and CIDRs, never the instances\' own or private ones', () => {
    const f = withMatches([
      { value: '203.0.113.66', where: 'caller IP' },
      { value: '198.51.100.0/24', where: 'ingress CIDR' },
      { value: '198.51.100.9', where: 'allocated address' },
      { value: '192.0.2.5', where: 'public IP of i-1' },
      { value: '10.1.2.3', where: 'an IP in the request' },
      { value: 'evil.example', where: 'a domain' },
    ]);
    expect(flaggedIps(f)).toEqual(['203.0.113.66/32', '198.51.100.0/24']);
  });
  it('is empty without a threat-intel hit', () => {
    const f = buildFinding(group([trail('run-instances-gpu-success.json', { as: Principal.backupUser })]), context())!;
    expect(flaggedIps(f)).toEqual([]);
  });
});

describe('toCidr', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7/32'],
    ['203.0.113.77/24', '203.0.113.0/24'],
    ['10.0.0.1', undefined],
    ['172.20.1.1/32', undefined],
    ['100.64.0.1', undefined],
    ['8.0.0.0/4', undefined],
    ['2001:db8::1', undefined],
    ['::ffff:203.0.113.7', undefined],
    ['not an ip', undefined],
  ])('%s -> %s', (input, expected) => {
    expect(toCidr(input)).toBe(expected);
  });
});
