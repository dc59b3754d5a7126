import {
  AutoScalingClient,
  DescribeAutoScalingInstancesCommand,
  DetachInstancesCommand,
  EnterStandbyCommand,
  ExitStandbyCommand,
  AttachInstancesCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  AssociateAddressCommand,
  AssociateIamInstanceProfileCommand,
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkAclEntryCommand,
  CreateSecurityGroupCommand,
  CreateSnapshotCommand,
  CreateTagsCommand,
  DeleteNetworkAclEntryCommand,
  DescribeAddressesCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DisassociateIamInstanceProfileCommand,
  EC2Client,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type Instance,
  type IpPermission,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import type { AddressManifest, BlockedEntry, ContainmentSettings, EniManifest, InstanceManifest, ResponderGroups } from '../core/containment';
import { CONTAINABLE_STATES } from '../core/containment';
import { TAG } from '../core/workflow';
import { awsErrorName } from './aws';
import { clientForAccount, type MemberAccess } from './member';
import { isMissingError } from './ec2';

/**
 * The EC2, Auto Scaling and IAM calls containment is made of, one region at
 * a time. Each is safe to repeat: it looks before it acts (a snapshot of this
 * volume for this finding already exists, the group is already there), so a
 * rerun after a partial failure finishes the job instead of doubling it.
 * Deciding what to call, and in which order, is lambdas/adapters/quarantine.ts.
 */

export interface ContainmentClients {
  readonly ec2: EC2Client;
  readonly autoScaling: AutoScalingClient;
  readonly iam: IAMClient;
}

/**
 * The clients for a finding's account and region: the function's own in
 * its own account, the member role's elsewhere (see ./member.ts).
 */
export function containmentClients(region: string, accountId = '', access: MemberAccess = { ownAccount: accountId }): ContainmentClients {
  // IAM is global; its client region only picks the endpoint.
  return {
    ec2: clientForAccount(EC2Client, region, accountId, access),
    autoScaling: clientForAccount(AutoScalingClient, region, accountId, access),
    iam: clientForAccount(IAMClient, region, accountId, access),
  };
}

/** The tag the responder's own security groups carry, with "isolation" or "untrack". */
export const GROUP_TAG = TAG.GROUP;
export const REVOKE_POLICY = 'rogue-infra-revoke-older-sessions';
const ALL_V4 = '0.0.0.0/0';
const ALL_V6 = '::/0';

// ---------------------------------------------------------------------------
// Reading: the manifest.

/**
 * Everything release needs to put the instance back, read before anything
 * changes. Returns a reason instead when there is nothing to contain.
 */
export async function readInstance(c: ContainmentClients, region: string, instanceId: string): Promise<InstanceManifest | { skipped: string }> {
  let inst: Instance | undefined;
  try {
    const out = await c.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    inst = out.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
  } catch (err) {
    if (!isMissingError(err)) throw err;
  }
  if (!inst) return { skipped: `not found in ${region} (terminated long ago, another region or another account)` };
  const state = inst.State?.Name ?? 'unknown';
  if (!CONTAINABLE_STATES.has(state)) return { skipped: `${state}: nothing left to contain` };

  const [termination, shutdown, enis, profiles, asg] = await Promise.all([
    c.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'disableApiTermination' })),
    c.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'instanceInitiatedShutdownBehavior' })),
    c.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] })),
    c.ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] })),
    c.autoScaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] })),
  ]);
  const eniList: EniManifest[] = (enis.NetworkInterfaces ?? [])
    .filter((n) => n.NetworkInterfaceId && n.Attachment?.InstanceId === instanceId)
    .map((n) => ({
      networkInterfaceId: n.NetworkInterfaceId!,
      deviceIndex: n.Attachment?.DeviceIndex ?? 0,
      primary: (n.Attachment?.DeviceIndex ?? 0) === 0,
      vpcId: n.VpcId ?? inst.VpcId ?? '',
      ...(n.SubnetId ? { subnetId: n.SubnetId } : {}),
      groups: (n.Groups ?? []).map((g) => g.GroupId!).filter(Boolean),
    }))
    .sort((a, b) => a.deviceIndex - b.deviceIndex);

  const association = (profiles.IamInstanceProfileAssociations ?? []).find((a) => a.State === 'associated' || a.State === 'associating');
  let instanceProfile: InstanceManifest['instanceProfile'];
  if (association?.IamInstanceProfile?.Arn && association.AssociationId) {
    const name = association.IamInstanceProfile.Arn.split('/').pop()!;
    let roleNames: string[] = [];
    try {
      const p = await c.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }));
      roleNames = (p.InstanceProfile?.Roles ?? []).map((r) => r.RoleName!).filter(Boolean);
    } catch (err) {
      // The profile may live in a path or be unreadable; the association is what release needs.
      if (awsErrorName(err) !== 'NoSuchEntity' && awsErrorName(err) !== 'AccessDenied') throw err;
    }
    instanceProfile = { arn: association.IamInstanceProfile.Arn, associationId: association.AssociationId, roleNames };
  }

  const addresses = eniList.length === 0 ? [] : await addressesOn(c.ec2, eniList.map((e) => e.networkInterfaceId));
  const group = asg.AutoScalingInstances?.find((a) => a.InstanceId === instanceId);
  return {
    instanceId,
    region,
    state,
    ...(inst.InstanceType ? { instanceType: inst.InstanceType } : {}),
    ...(inst.VpcId ? { vpcId: inst.VpcId } : {}),
    spot: inst.InstanceLifecycle === 'spot',
    enis: eniList,
    volumes: (inst.BlockDeviceMappings ?? []).filter((b) => b.Ebs?.VolumeId).map((b) => ({ volumeId: b.Ebs!.VolumeId!, ...(b.DeviceName ? { deviceName: b.DeviceName } : {}) })),
    ...(instanceProfile ? { instanceProfile } : {}),
    addresses,
    terminationProtection: termination.DisableApiTermination?.Value === true,
    shutdownBehavior: shutdown.InstanceInitiatedShutdownBehavior?.Value ?? 'stop',
    ...(group?.AutoScalingGroupName ? { autoScaling: { groupName: group.AutoScalingGroupName, lifecycleState: group.LifecycleState ?? 'InService' } } : {}),
  };
}

/** Elastic IPs on these ENIs (by ENI, not instance id: an address on a secondary ENI names no instance). */
async function addressesOn(ec2: EC2Client, eniIds: readonly string[]): Promise<AddressManifest[]> {
  const out = await ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: 'network-interface-id', Values: [...eniIds] }] }));
  return (out.Addresses ?? [])
    .filter((a) => a.PublicIp)
    .map((a) => ({
      publicIp: a.PublicIp!,
      ...(a.AllocationId ? { allocationId: a.AllocationId } : {}),
      ...(a.AssociationId ? { associationId: a.AssociationId } : {}),
      ...(a.NetworkInterfaceId ? { networkInterfaceId: a.NetworkInterfaceId } : {}),
      ...(a.PrivateIpAddress ? { privateIp: a.PrivateIpAddress } : {}),
    }));
}

/** The instance's state name, or undefined when EC2 no longer knows it. */
export async function instanceState(ec2: EC2Client, instanceId: string): Promise<string | undefined> {
  try {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    return out.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId)?.State?.Name;
  } catch (err) {
    if (isMissingError(err)) return undefined;
    throw err;
  }
}

/** Each ENI's groups as they are now; ENIs that no longer exist are absent. */
export async function currentGroups(ec2: EC2Client, eniIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (eniIds.length === 0) return out;
  const res = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'network-interface-id', Values: [...eniIds] }] }));
  for (const n of res.NetworkInterfaces ?? []) if (n.NetworkInterfaceId) out.set(n.NetworkInterfaceId, (n.Groups ?? []).map((g) => g.GroupId!).filter(Boolean));
  return out;
}

// ---------------------------------------------------------------------------
// The responder's groups: one isolation and one untrack group per VPC, made on demand and reused.

function hasRule(rules: readonly IpPermission[] | undefined, cidr: string, v6: boolean): boolean {
  return (rules ?? []).some((r) => r.IpProtocol === '-1' && (v6 ? (r.Ipv6Ranges ?? []).some((x) => x.CidrIpv6 === cidr) : (r.IpRanges ?? []).some((x) => x.CidrIp === cidr)));
}

async function findGroup(ec2: EC2Client, vpcId: string, role: 'isolation' | 'untrack'): Promise<SecurityGroup | undefined> {
  const out = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: `tag:${GROUP_TAG}`, Values: [role] }] }));
  // Oldest id first, so concurrent creators converge on one group.
  return (out.SecurityGroups ?? []).sort((a, b) => (a.GroupId ?? '').localeCompare(b.GroupId ?? ''))[0];
}

async function ensureGroup(ec2: EC2Client, vpcId: string, role: 'isolation' | 'untrack'): Promise<SecurityGroup> {
  const found = await findGroup(ec2, vpcId, role);
  if (found) return found;
  try {
    await ec2.send(
      new CreateSecurityGroupCommand({
        VpcId: vpcId,
        GroupName: `rogue-infra-${role}-${vpcId}`,
        Description:
          role === 'isolation'
            ? 'rogue-infra-responder: isolation, no rules. Do not add any: instances under containment use it.'
            : 'rogue-infra-responder: allow-all, used for seconds so tracked flows become untracked before isolation.',
        TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: GROUP_TAG, Value: role }] }],
      }),
    );
  } catch (err) {
    // Another execution made it first: use theirs.
    if (awsErrorName(err) !== 'InvalidGroup.Duplicate') throw err;
  }
  const made = await findGroup(ec2, vpcId, role);
  if (!made) throw new Error(`security group rogue-infra-${role}-${vpcId} was created but cannot be found`);
  return made;
}

/**
 * The VPC's isolation group (no rules: a new group's default allow-all
 * egress is revoked, and any rule someone added since is taken away again)
 * and untrack group (all traffic in and out, IPv4 and IPv6: flows a VPC does
 * not track).
 */
export async function ensureResponderGroups(ec2: EC2Client, vpcId: string): Promise<ResponderGroups> {
  const isolation = await ensureGroup(ec2, vpcId, 'isolation');
  if ((isolation.IpPermissions ?? []).length > 0) await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: isolation.GroupId!, IpPermissions: isolation.IpPermissions }));
  if ((isolation.IpPermissionsEgress ?? []).length > 0) await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: isolation.GroupId!, IpPermissions: isolation.IpPermissionsEgress }));

  const untrack = await ensureGroup(ec2, vpcId, 'untrack');
  const ingress: IpPermission[] = [];
  const egress: IpPermission[] = [];
  if (!hasRule(untrack.IpPermissions, ALL_V4, false)) ingress.push({ IpProtocol: '-1', IpRanges: [{ CidrIp: ALL_V4 }] });
  if (!hasRule(untrack.IpPermissions, ALL_V6, true)) ingress.push({ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: ALL_V6 }] });
  if (!hasRule(untrack.IpPermissionsEgress, ALL_V4, false)) egress.push({ IpProtocol: '-1', IpRanges: [{ CidrIp: ALL_V4 }] });
  if (!hasRule(untrack.IpPermissionsEgress, ALL_V6, true)) egress.push({ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: ALL_V6 }] });
  if (ingress.length > 0) await ignoreDuplicate(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: untrack.GroupId!, IpPermissions: ingress })));
  if (egress.length > 0) await ignoreDuplicate(ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: untrack.GroupId!, IpPermissions: egress })));
  return { isolation: isolation.GroupId!, untrack: untrack.GroupId! };
}

async function ignoreDuplicate(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (awsErrorName(err) !== 'InvalidPermission.Duplicate') throw err;
  }
}

// ---------------------------------------------------------------------------
// Changing: each step, safe to repeat.

/**
 * Replaces the ENI's groups (all of them: ModifyNetworkInterfaceAttribute
 * sets the list; ModifyInstanceAttribute would touch the primary ENI only).
 */
export async function setGroups(ec2: EC2Client, networkInterfaceId: string, groups: readonly string[]): Promise<void> {
  await ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: networkInterfaceId, Groups: [...groups] }));
}

/** Short connection-tracking timeouts; a note instead of a failure where the ENI does not support them. */
export async function shortenTracking(ec2: EC2Client, networkInterfaceId: string, t: ContainmentSettings['connectionTracking']): Promise<string | undefined> {
  try {
    await ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: networkInterfaceId,
        ConnectionTrackingSpecification: { TcpEstablishedTimeout: t.tcpEstablishedSeconds, UdpStreamTimeout: t.udpStreamSeconds, UdpTimeout: t.udpSeconds },
      }),
    );
    return undefined;
  } catch (err) {
    const name = awsErrorName(err);
    if (name === 'UnsupportedOperation' || name === 'InvalidParameterValue' || name === 'InvalidParameterCombination') {
      return `${networkInterfaceId}: connection-tracking timeouts not supported (${name}); the untrack wait alone applies`;
    }
    throw err;
  }
}

/** The snapshot of this volume for this finding: the one already taken, or a new one. */
export async function snapshotVolume(
  ec2: EC2Client,
  volume: { readonly volumeId: string; readonly deviceName?: string },
  ctx: { readonly findingId: string; readonly instanceId: string },
): Promise<{ snapshotId: string; created: boolean }> {
  const existing = await ec2.send(
    new DescribeSnapshotsCommand({
      OwnerIds: ['self'],
      Filters: [
        { Name: 'volume-id', Values: [volume.volumeId] },
        { Name: `tag:${TAG.FINDING}`, Values: [ctx.findingId] },
      ],
    }),
  );
  const found = (existing.Snapshots ?? []).find((s) => s.SnapshotId && s.State !== 'error');
  if (found) return { snapshotId: found.SnapshotId!, created: false };
  const out = await ec2.send(
    new CreateSnapshotCommand({
      VolumeId: volume.volumeId,
      Description: `rogue-infra-responder evidence: ${ctx.instanceId} ${volume.deviceName ?? ''} for finding ${ctx.findingId}`.slice(0, 255),
      TagSpecifications: [
        {
          ResourceType: 'snapshot',
          Tags: [
            { Key: TAG.FINDING, Value: ctx.findingId },
            { Key: TAG.CONTAINMENT, Value: 'evidence' },
            { Key: TAG.INSTANCE, Value: ctx.instanceId },
            ...(volume.deviceName ? [{ Key: TAG.DEVICE, Value: volume.deviceName }] : []),
          ],
        },
      ],
    }),
  );
  return { snapshotId: out.SnapshotId!, created: true };
}

export async function setTerminationProtection(ec2: EC2Client, instanceId: string, on: boolean): Promise<void> {
  await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, DisableApiTermination: { Value: on } }));
}

export async function setShutdownBehavior(ec2: EC2Client, instanceId: string, behavior: string): Promise<void> {
  await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, InstanceInitiatedShutdownBehavior: { Value: behavior } }));
}

/** Where the instance stands in Auto Scaling now: its group and lifecycle state, or nothing. */
export async function autoScalingState(autoScaling: AutoScalingClient, instanceId: string): Promise<{ groupName: string; lifecycleState: string } | undefined> {
  const out = await autoScaling.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }));
  const a = out.AutoScalingInstances?.find((x) => x.InstanceId === instanceId);
  return a?.AutoScalingGroupName ? { groupName: a.AutoScalingGroupName, lifecycleState: a.LifecycleState ?? 'InService' } : undefined;
}

/**
 * Out of the group's reach: in standby the group neither health-checks nor
 * replaces nor scales it in; detached it is no longer the group's at all.
 * Both decrement the desired capacity so no replacement is launched.
 */
export async function holdFromAutoScaling(autoScaling: AutoScalingClient, instanceId: string, groupName: string, action: 'standby' | 'detach'): Promise<string> {
  const now = await autoScalingState(autoScaling, instanceId);
  if (!now) return 'not in an Auto Scaling group any more';
  if (now.lifecycleState.startsWith('Standby')) return `already in standby in ${now.groupName}`;
  if (action === 'standby') {
    await autoScaling.send(new EnterStandbyCommand({ AutoScalingGroupName: groupName, InstanceIds: [instanceId], ShouldDecrementDesiredCapacity: true }));
    return `standby in ${groupName}`;
  }
  await autoScaling.send(new DetachInstancesCommand({ AutoScalingGroupName: groupName, InstanceIds: [instanceId], ShouldDecrementDesiredCapacity: true }));
  return `detached from ${groupName}`;
}

/** Back to the group as it was: out of standby, or attached again. */
export async function returnToAutoScaling(autoScaling: AutoScalingClient, instanceId: string, groupName: string): Promise<string> {
  const now = await autoScalingState(autoScaling, instanceId);
  if (now && !now.lifecycleState.startsWith('Standby')) return `already ${now.lifecycleState} in ${now.groupName}`;
  if (now) {
    await autoScaling.send(new ExitStandbyCommand({ AutoScalingGroupName: now.groupName, InstanceIds: [instanceId] }));
    return `out of standby in ${now.groupName}`;
  }
  await autoScaling.send(new AttachInstancesCommand({ AutoScalingGroupName: groupName, InstanceIds: [instanceId] }));
  return `attached to ${groupName} again`;
}

export async function removeInstanceProfile(ec2: EC2Client, instanceId: string): Promise<string | undefined> {
  const out = await ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }));
  const a = (out.IamInstanceProfileAssociations ?? []).find((x) => x.State === 'associated' || x.State === 'associating');
  if (!a?.AssociationId) return undefined;
  await ec2.send(new DisassociateIamInstanceProfileCommand({ AssociationId: a.AssociationId }));
  return a.IamInstanceProfile?.Arn;
}

export async function restoreInstanceProfile(ec2: EC2Client, instanceId: string, arn: string): Promise<boolean> {
  const out = await ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] }));
  if ((out.IamInstanceProfileAssociations ?? []).some((x) => x.State === 'associated' || x.State === 'associating')) return false;
  await ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: instanceId, IamInstanceProfile: { Arn: arn } }));
  return true;
}

/**
 * Every session of the role issued before `at` is denied everything, which
 * is what the IAM console's "Revoke active sessions" does. Credentials the
 * instance stole or copied stop working; new ones (after release) do not.
 */
export async function revokeOlderSessions(iam: IAMClient, roleName: string, at: Date): Promise<void> {
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Sid: 'RogueInfraRevokeOlderSessions', Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': at.toISOString() } } }],
  };
  await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: REVOKE_POLICY, PolicyDocument: JSON.stringify(policy) }));
}

/** Rule numbers the responder uses in a network ACL: low, so its denies come before the usual allows at 100. */
const FIRST_RULE = 1;
const LAST_RULE = 99;

/**
 * Denies each CIDR in and out in every network ACL of these subnets.
 * Entries already there (a rerun) are reused; new ones take the lowest free
 * rule numbers below 100.
 */
export async function blockCidrs(ec2: EC2Client, subnetIds: readonly string[], cidrs: readonly string[]): Promise<BlockedEntry[]> {
  if (subnetIds.length === 0 || cidrs.length === 0) return [];
  const out = await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [...subnetIds] }] }));
  const blocked: BlockedEntry[] = [];
  for (const acl of out.NetworkAcls ?? []) {
    const entries = acl.Entries ?? [];
    const used = new Set(entries.map((e) => `${e.Egress ? 'out' : 'in'}:${e.RuleNumber}`));
    for (const egress of [false, true]) {
      for (const cidr of cidrs) {
        const there = entries.find((e) => e.Egress === egress && e.CidrBlock === cidr && e.RuleAction === 'deny' && (e.RuleNumber ?? 0) <= LAST_RULE);
        if (there) {
          blocked.push({ networkAclId: acl.NetworkAclId!, ruleNumber: there.RuleNumber!, egress, cidr });
          continue;
        }
        let n = FIRST_RULE;
        while (n <= LAST_RULE && used.has(`${egress ? 'out' : 'in'}:${n}`)) n++;
        if (n > LAST_RULE) throw new Error(`network ACL ${acl.NetworkAclId} has no free rule number below ${LAST_RULE + 1} to deny ${cidr}`);
        await ec2.send(new CreateNetworkAclEntryCommand({ NetworkAclId: acl.NetworkAclId!, RuleNumber: n, Egress: egress, Protocol: '-1', RuleAction: 'deny', CidrBlock: cidr }));
        used.add(`${egress ? 'out' : 'in'}:${n}`);
        blocked.push({ networkAclId: acl.NetworkAclId!, ruleNumber: n, egress, cidr });
      }
    }
  }
  return blocked;
}

export async function unblock(ec2: EC2Client, entry: BlockedEntry): Promise<void> {
  try {
    await ec2.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: entry.networkAclId, RuleNumber: entry.ruleNumber, Egress: entry.egress }));
  } catch (err) {
    // Already gone: released before, or removed by hand.
    if (!isMissingError(err) && awsErrorName(err) !== 'InvalidNetworkAclEntry.NotFound') throw err;
  }
}

/** Puts a recorded Elastic IP back on its ENI and private address if it was moved off. */
export async function restoreAddress(ec2: EC2Client, a: AddressManifest): Promise<boolean> {
  if (!a.allocationId || !a.networkInterfaceId) return false;
  const out = await ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: 'allocation-id', Values: [a.allocationId] }] }));
  const now = out.Addresses?.[0];
  if (!now || now.NetworkInterfaceId === a.networkInterfaceId) return false;
  await ec2.send(
    new AssociateAddressCommand({ AllocationId: a.allocationId, NetworkInterfaceId: a.networkInterfaceId, ...(a.privateIp ? { PrivateIpAddress: a.privateIp } : {}), AllowReassociation: false }),
  );
  return true;
}

/** Tags an instance and its interfaces (the containment role's permissions follow these tags). */
export async function tagInstance(ec2: EC2Client, resourceIds: readonly string[], tags: Readonly<Record<string, string>>): Promise<void> {
  await ec2.send(new CreateTagsCommand({ Resources: [...resourceIds], Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
}
