import { parseCidr } from './threat-intel';
import type { Finding } from './model';

/**
 * Containment, as data: what the instance looked like before (the rollback
 * manifest), what quarantine will do to it (the plan, also the dry run the
 * approver reads), where each network interface stands (so a rerun knows
 * what is left), and how release puts it back. No AWS here: the adapter
 * (lambdas/adapters/containment.ts) reads and changes EC2, this decides.
 *
 * The order is the incident responder's, not the attacker's convenience:
 *
 *   1. record the manifest (before anything changes);
 *   2. preserve evidence: snapshot every attached volume, termination
 *      protection on, shutdown behaviour "stop", out of its Auto Scaling group's
 *      reach (standby or detach);
 *   3. untrack: every ENI gets the allow-all group (IPv4 and IPv6, both
 *      directions), whose flows the VPC does not track, and short
 *      connection-tracking timeouts where the ENI supports them;
 *   4. wait, so connections tracked under the old groups turn untracked;
 *   5. isolate: every ENI gets the empty isolation group of its VPC;
 *   6. optionally: instance profile removed, its role's sessions revoked,
 *      the finding's flagged IPs denied in the subnets' network ACLs.
 *
 * A security group change does not end a tracked connection: an idle TCP
 * session opened under the old rules survives for days unless step 3 turns
 * it untracked first. That is why the order matters.
 */

export type AutoScalingAction = 'standby' | 'detach';

export interface ContainmentSettings {
  /** Seconds between making flows untracked (3) and isolating (5). */
  readonly untrackSeconds: number;
  /** Connection-tracking timeouts set on each ENI during the untrack step (Nitro ENIs; others ignore it). */
  readonly connectionTracking: { readonly tcpEstablishedSeconds: number; readonly udpStreamSeconds: number; readonly udpSeconds: number };
  /** How an instance is kept from its Auto Scaling group: standby (returns on release) or detach. */
  readonly autoScaling: AutoScalingAction;
  /** Detach the instance profile (restored on release). */
  readonly removeInstanceProfile: boolean;
  /** Deny the profile's role every session issued before containment (an inline policy; kept on release). */
  readonly revokeRoleSessions: boolean;
  /** Deny the finding's threat-intel IPs in the network ACLs of the instance's subnets (removed on release). */
  readonly blockFlaggedIps: boolean;
}

export const DEFAULT_CONTAINMENT: ContainmentSettings = {
  untrackSeconds: 60,
  // The lowest values EC2 accepts: 60 s for established TCP and UDP streams, 30 s for UDP.
  connectionTracking: { tcpEstablishedSeconds: 60, udpStreamSeconds: 60, udpSeconds: 30 },
  autoScaling: 'standby',
  removeInstanceProfile: false,
  revokeRoleSessions: false,
  blockFlaggedIps: false,
};

// ---------------------------------------------------------------------------
// The rollback manifest: everything release needs, captured before any change.

export interface EniManifest {
  readonly networkInterfaceId: string;
  readonly deviceIndex: number;
  readonly primary: boolean;
  readonly vpcId: string;
  readonly subnetId?: string;
  /** The groups it had, in order: what release restores. */
  readonly groups: readonly string[];
}

export interface AddressManifest {
  readonly publicIp: string;
  readonly allocationId?: string;
  readonly associationId?: string;
  readonly networkInterfaceId?: string;
  readonly privateIp?: string;
}

export interface InstanceManifest {
  readonly instanceId: string;
  readonly region: string;
  readonly state?: string;
  readonly instanceType?: string;
  readonly vpcId?: string;
  /** Spot instances cannot have termination protection. */
  readonly spot: boolean;
  readonly enis: readonly EniManifest[];
  readonly volumes: readonly { readonly volumeId: string; readonly deviceName?: string }[];
  readonly instanceProfile?: { readonly arn: string; readonly associationId: string; readonly roleNames: readonly string[] };
  readonly addresses: readonly AddressManifest[];
  readonly terminationProtection: boolean;
  /** "stop" or "terminate". */
  readonly shutdownBehavior: string;
  readonly autoScaling?: { readonly groupName: string; readonly lifecycleState: string };
}

export interface SkippedInstance {
  readonly instanceId: string;
  readonly region: string;
  readonly reason: string;
}

export interface ContainmentManifest {
  readonly findingId: string;
  readonly accountId: string;
  /** ISO 8601. */
  readonly recordedAt: string;
  readonly instances: readonly InstanceManifest[];
  /** The finding's instances there is nothing to contain on (gone, terminated), and why. */
  readonly skipped: readonly SkippedInstance[];
}

/** States an instance can be contained in; anything else (terminated, shutting down) is past helping. */
export const CONTAINABLE_STATES: ReadonlySet<string> = new Set(['pending', 'running', 'stopping', 'stopped']);

// ---------------------------------------------------------------------------
// The plan: what quarantine will do; computed without changing anything.

export interface EniPlan {
  readonly networkInterfaceId: string;
  readonly primary: boolean;
  readonly vpcId: string;
  readonly from: readonly string[];
}

export interface InstancePlan {
  readonly instanceId: string;
  readonly region: string;
  readonly enis: readonly EniPlan[];
  readonly snapshots: readonly { readonly volumeId: string; readonly deviceName?: string }[];
  readonly terminationProtection: 'enable' | 'already-on' | 'not-possible-spot';
  readonly shutdownBehavior: 'set-stop' | 'already-stop';
  readonly autoScaling?: { readonly groupName: string; readonly action: AutoScalingAction | 'already-standby' };
  readonly instanceProfile?: { readonly arn: string; readonly action: 'remove' | 'keep'; readonly revokeSessionsOf: readonly string[] };
  readonly addresses: readonly AddressManifest[];
}

export interface ContainmentPlan {
  readonly findingId: string;
  readonly instances: readonly InstancePlan[];
  readonly skipped: readonly SkippedInstance[];
  /** Denied in the subnets' network ACLs when blockFlaggedIps is on. */
  readonly blockIps: readonly string[];
  readonly untrackSeconds: number;
}

export function planContainment(manifest: ContainmentManifest, settings: ContainmentSettings, flagged: readonly string[] = []): ContainmentPlan {
  const instances = manifest.instances.map((m): InstancePlan => {
    const asg = m.autoScaling;
    return {
      instanceId: m.instanceId,
      region: m.region,
      enis: m.enis.map((e) => ({ networkInterfaceId: e.networkInterfaceId, primary: e.primary, vpcId: e.vpcId, from: e.groups })),
      snapshots: m.volumes,
      terminationProtection: m.spot ? 'not-possible-spot' : m.terminationProtection ? 'already-on' : 'enable',
      shutdownBehavior: m.shutdownBehavior === 'stop' ? 'already-stop' : 'set-stop',
      ...(asg ? { autoScaling: { groupName: asg.groupName, action: asg.lifecycleState.startsWith('Standby') ? 'already-standby' : settings.autoScaling } } : {}),
      ...(m.instanceProfile
        ? {
            instanceProfile: {
              arn: m.instanceProfile.arn,
              action: settings.removeInstanceProfile ? 'remove' : 'keep',
              revokeSessionsOf: settings.revokeRoleSessions ? m.instanceProfile.roleNames : [],
            },
          }
        : {}),
      addresses: m.addresses,
    };
  });
  const hasVpc = manifest.instances.some((m) => m.enis.some((e) => e.subnetId));
  return {
    findingId: manifest.findingId,
    instances,
    skipped: manifest.skipped,
    blockIps: settings.blockFlaggedIps && hasVpc ? [...flagged] : [],
    untrackSeconds: settings.untrackSeconds,
  };
}

const AS_ACTION: Record<string, string> = {
  standby: 'put in standby (no health checks or replacement; returns on release)',
  detach: 'detached (the group launches a replacement only if its desired capacity says so; it is decremented)',
  'already-standby': 'already in standby',
};

/** The plan in sentences, one per change: the approval message and `contain --dry-run` print these. */
export function describePlan(plan: ContainmentPlan): string[] {
  const lines: string[] = [];
  if (plan.instances.length === 0) lines.push('Nothing to contain: none of the finding\'s instances can be contained.');
  for (const i of plan.instances) {
    lines.push(`${i.instanceId} (${i.region}):`);
    for (const v of i.snapshots) lines.push(`  snapshot ${v.volumeId}${v.deviceName ? ` (${v.deviceName})` : ''}, tagged with the finding`);
    if (i.snapshots.length === 0) lines.push('  no EBS volumes to snapshot');
    lines.push(
      i.terminationProtection === 'enable'
        ? '  termination protection: off -> on'
        : i.terminationProtection === 'already-on'
          ? '  termination protection: already on (kept)'
          : '  termination protection: not possible on a Spot instance (its interruption can still end it; the snapshots keep the disks)',
    );
    lines.push(i.shutdownBehavior === 'set-stop' ? '  shutdown behaviour: terminate -> stop' : '  shutdown behaviour: already stop');
    if (i.autoScaling) lines.push(`  Auto Scaling group ${i.autoScaling.groupName}: ${AS_ACTION[i.autoScaling.action]}`);
    for (const e of i.enis) {
      lines.push(
        `  ${e.networkInterfaceId}${e.primary ? ' (primary)' : ''}: ${e.from.join(', ') || 'no groups'} -> allow-all (untrack, ${plan.untrackSeconds} s) -> isolation group of ${e.vpcId}`,
      );
    }
    if (i.enis.length === 0) lines.push('  no network interfaces (EC2-Classic or not attached): nothing to isolate');
    if (i.instanceProfile) {
      lines.push(`  instance profile ${i.instanceProfile.arn}: ${i.instanceProfile.action === 'remove' ? 'removed (restored on release)' : 'kept'}`);
      for (const r of i.instanceProfile.revokeSessionsOf) lines.push(`  role ${r}: sessions issued before now revoked`);
    }
    for (const a of i.addresses) lines.push(`  Elastic IP ${a.publicIp}${a.networkInterfaceId ? ` on ${a.networkInterfaceId}` : ''}: kept (recorded)`);
  }
  for (const s of plan.skipped) lines.push(`${s.instanceId} (${s.region}): skipped, ${s.reason}`);
  if (plan.blockIps.length > 0) lines.push(`Network ACLs of the instances' subnets: deny ${plan.blockIps.join(', ')} (removed on release)`);
  return lines;
}

/** What release would put back, from the manifest: `release --dry-run` prints these. */
export function describeRelease(m: ContainmentManifest, progress: ContainmentProgress): string[] {
  if (progress.phase === 'released') return [`Already released (${progress.updatedAt}): nothing to do.`];
  const lines: string[] = [];
  for (const i of m.instances) {
    lines.push(`${i.instanceId} (${i.region}):`);
    for (const e of i.enis) lines.push(`  ${e.networkInterfaceId}${e.primary ? ' (primary)' : ''}: back to ${e.groups.join(', ') || 'no groups'}`);
    if (!i.spot) lines.push(`  termination protection: back to ${i.terminationProtection ? 'on' : 'off'}`);
    lines.push(`  shutdown behaviour: back to ${i.shutdownBehavior}`);
    if (i.autoScaling && !i.autoScaling.lifecycleState.startsWith('Standby')) lines.push(`  Auto Scaling group ${i.autoScaling.groupName}: back in service`);
    if (i.instanceProfile && progress.removedProfiles.includes(i.instanceId)) lines.push(`  instance profile ${i.instanceProfile.arn}: associated again`);
    for (const a of i.addresses) lines.push(`  Elastic IP ${a.publicIp}: on ${a.networkInterfaceId ?? 'its interface'} (re-associated if it was moved)`);
  }
  for (const b of progress.blocked) lines.push(`network ACL ${b.networkAclId}: deny rule ${b.ruleNumber} (${b.egress ? 'out' : 'in'}, ${b.cidr}) removed`);
  const snaps = Object.values(progress.snapshots);
  lines.push(`Kept: ${snaps.length} snapshot(s)${snaps.length ? ` (${snaps.join(', ')})` : ''}${progress.revokedRoles.length ? `; revoked sessions of ${progress.revokedRoles.join(', ')}` : ''}.`);
  return lines;
}

// ---------------------------------------------------------------------------
// Where each ENI stands: what a rerun continues from, what a failure reports.

export interface ResponderGroups {
  /** The empty group of the VPC. */
  readonly isolation: string;
  /** The allow-all group of the VPC (untracked flows). */
  readonly untrack: string;
}

/**
 * - original: the groups it had (nothing done yet, or released);
 * - untracked: on the allow-all group, waiting to be isolated;
 * - isolated: on the isolation group alone: contained;
 * - changed: something else (another hand, or a half-applied change).
 */
export type EniState = 'original' | 'untracked' | 'isolated' | 'changed';

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

export function eniState(current: readonly string[], eni: EniManifest, groups?: ResponderGroups): EniState {
  if (groups && sameSet(current, [groups.isolation])) return 'isolated';
  if (groups && sameSet(current, [groups.untrack])) return 'untracked';
  if (sameSet(current, eni.groups)) return 'original';
  return 'changed';
}

// ---------------------------------------------------------------------------
// Progress and the report: stored with the manifest, sent with the outcome.

export type ContainmentPhase = 'recorded' | 'prepared' | 'isolated' | 'failed' | 'released';

export interface BlockedEntry {
  readonly networkAclId: string;
  readonly ruleNumber: number;
  readonly egress: boolean;
  readonly cidr: string;
}

export interface ContainmentProgress {
  readonly phase: ContainmentPhase;
  /** volumeId -> snapshotId. */
  readonly snapshots: Readonly<Record<string, string>>;
  /** vpcId -> the responder's groups in it. */
  readonly groups: Readonly<Record<string, ResponderGroups>>;
  readonly blocked: readonly BlockedEntry[];
  /** networkInterfaceId -> when it was put on the untrack group (ISO 8601): isolation waits out the rest. */
  readonly untrackedAt: Readonly<Record<string, string>>;
  readonly revokedRoles: readonly string[];
  readonly removedProfiles: readonly string[];
  /** What did not work and was not retried: "ModifyNetworkInterfaceAttribute eni-1: ...". */
  readonly errors: readonly string[];
  /** What was noted on the way (a Spot instance, an unsupported timeout). */
  readonly notes: readonly string[];
  readonly updatedAt: string;
}

export interface EniReport {
  readonly instanceId: string;
  readonly networkInterfaceId: string;
  readonly state: EniState;
  readonly groups: readonly string[];
}

export interface ContainmentReport {
  readonly findingId: string;
  readonly phase: ContainmentPhase;
  /** Where the manifest is: "<table> FINDING#<id> CONTAINMENT". */
  readonly manifest: string;
  readonly enis: readonly EniReport[];
  readonly snapshots: readonly { readonly volumeId: string; readonly snapshotId: string }[];
  readonly instances: readonly string[];
  readonly skipped: readonly SkippedInstance[];
  readonly notes: readonly string[];
  readonly errors: readonly string[];
  /** One paragraph for the outcome. */
  readonly summary: string;
}

export function summarize(findingId: string, phase: ContainmentPhase, enis: readonly EniReport[], progress: ContainmentProgress, skipped: readonly SkippedInstance[]): string {
  const by = (s: EniState) => enis.filter((e) => e.state === s).length;
  const snaps = Object.keys(progress.snapshots).length;
  const instances = new Set(enis.map((e) => e.instanceId)).size;
  const skip = skipped.length ? `; ${skipped.length} skipped` : '';
  switch (phase) {
    case 'isolated':
      return `Contained ${instances} instance(s) of ${findingId}: ${by('isolated')} of ${enis.length} network interface(s) isolated, ${snaps} snapshot(s) kept${skip}.`;
    case 'prepared':
      return `Evidence preserved for ${findingId} (${snaps} snapshot(s)); ${by('untracked')} of ${enis.length} network interface(s) untracked, isolation follows${skip}.`;
    case 'released':
      return `Released ${findingId}: ${by('original')} of ${enis.length} network interface(s) back on their recorded groups; ${snaps} snapshot(s) kept.`;
    case 'failed':
      return `Containment of ${findingId} is incomplete: ${enis.map((e) => `${e.networkInterfaceId} ${e.state}`).join(', ') || 'no interface changed'}.`;
    default:
      return `Manifest recorded for ${findingId}; nothing changed yet.`;
  }
}

/** "eni-1 (i-1): isolated [sg-iso]" for every ENI: what a failure notification must say. */
export function describeEnis(enis: readonly EniReport[]): string {
  return enis.map((e) => `${e.networkInterfaceId} (${e.instanceId}): ${e.state} [${e.groups.join(', ')}]`).join('; ');
}

// ---------------------------------------------------------------------------
// Flagged IPs: what blockFlaggedIps denies.

/**
 * The finding's threat-intel hits that are addresses someone else controls:
 * the caller, an ingress CIDR, an IP in the request. The instances' own
 * public IPs are left out (denying them blocks nothing), as are private
 * addresses (a feed that lists 10.0.0.1 would cut the VPC from itself).
 */
export function flaggedIps(finding: Finding, ownIps: readonly string[] = []): string[] {
  const hit = finding.indicators.find((i) => i.id === 'threat-intel-match');
  const matches = (hit?.evidence.details?.matches ?? []) as readonly { value?: unknown; where?: unknown }[];
  const own = new Set([...ownIps, ...finding.resources.publicIps]);
  const out = new Set<string>();
  for (const m of matches) {
    if (typeof m.value !== 'string' || own.has(m.value)) continue;
    if (typeof m.where === 'string' && /^public IP of /.test(m.where)) continue;
    const cidr = toCidr(m.value);
    if (cidr) out.add(cidr);
  }
  return [...out];
}

const PRIVATE_V4: readonly (readonly [string, number])[] = [
  ['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['127.0.0.0', 8], ['169.254.0.0', 16], ['0.0.0.0', 8], ['100.64.0.0', 10],
];

function v4Text(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/**
 * A public IPv4 address or CIDR as the network ACL wants it ("198.51.100.0/24",
 * "203.0.113.7/32"), or undefined for anything else: private and shared
 * ranges, IPv6 (network ACL entries for IPv6 need an IPv6 VPC; left to a
 * person), text that is no address.
 */
export function toCidr(value: string): string | undefined {
  const parsed = parseCidr(value);
  if (!parsed || parsed.v !== 4 || value.includes(':')) return undefined;
  const prefix = 32 - Math.log2(parsed.hi - parsed.lo + 1);
  // A whole /0../7 denied in a network ACL cuts the VPC off the internet: not ours to do.
  if (prefix < 8) return undefined;
  for (const [net, bits] of PRIVATE_V4) {
    const p = parseCidr(`${net}/${bits}`)!;
    if (p.v === 4 && parsed.lo <= p.hi && parsed.hi >= p.lo) return undefined;
  }
  return `${v4Text(parsed.lo)}/${prefix}`;
}

/**
 * How long isolation must still wait (ms) for the ENIs now untracked: the
 * untrack wait counted from when each was untracked, the longest remainder.
 * An ENI untracked at an unknown time waits the whole of it.
 */
export function remainingUntrackWait(enis: readonly EniReport[], untrackedAt: Readonly<Record<string, string>>, untrackSeconds: number, now: number): number {
  let wait = 0;
  for (const e of enis) {
    if (e.state !== 'untracked') continue;
    const since = untrackedAt[e.networkInterfaceId] ? Date.parse(untrackedAt[e.networkInterfaceId]!) : Number.NaN;
    const left = Number.isFinite(since) ? untrackSeconds * 1000 - (now - since) : untrackSeconds * 1000;
    wait = Math.max(wait, Math.min(untrackSeconds * 1000, left));
  }
  return Math.max(0, Math.round(wait));
}
