import {
  CreateTagsCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeRegionsCommand,
  EC2Client,
  type Address,
  type Instance,
} from '@aws-sdk/client-ec2';
import type { SweptAddress, SweptInstance } from '../core/sweep';
import type { AddressContext, InstanceContext } from '../core/workflow';
import { awsErrorName, clientFor } from './aws';

/**
 * EC2 as enrichment and tagging see it. Findings span regions, so every call
 * takes the region and gets that region's client. Ids in a finding come from
 * CloudTrail and may be long gone (terminated, released) or belong to another
 * region: a missing id is an answer ("not found"), never a reason to lose the
 * ids around it.
 */

/** Ids per DescribeInstances call: keeps requests small and a NotFound retry cheap. */
const DESCRIBE_BATCH = 100;
/** DescribeAddresses filter values per call. */
const ADDRESS_BATCH = 100;
/** CreateTags resources per call. */
const TAG_BATCH = 100;

export const ASG_TAG = 'aws:autoscaling:groupName';

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function unique<T>(items: readonly (T | undefined | null | '')[]): T[] {
  return [...new Set(items.filter((x): x is T => x !== undefined && x !== null && x !== ''))];
}

/** `InvalidInstanceID.NotFound`, `InvalidAllocationID.NotFound`, `InvalidInstanceID.Malformed`, `InvalidID`. */
export function isMissingError(err: unknown): boolean {
  const name = awsErrorName(err);
  return /\.(NotFound|Malformed)$/.test(name) || name === 'InvalidID';
}

function namedIn(message: string, ids: readonly string[]): string[] {
  return ids.filter((id) => new RegExp(`(^|[^\\w-])${id.replace(/[^\w-]/g, '\\$&')}($|[^\\w-])`).test(message));
}

/**
 * Runs `call` on `ids`, dropping the ids EC2 says do not exist and asking
 * again for the rest. EC2 names the missing ids in the message (moto names
 * only the first; the loop covers that); when the message names none we
 * recognise, the batch is split in half until the culprits are isolated.
 */
async function withoutMissing<T>(ids: readonly string[], call: (ids: string[]) => Promise<T[]>, missing: string[]): Promise<T[]> {
  if (ids.length === 0) return [];
  try {
    return await call([...ids]);
  } catch (err) {
    if (!isMissingError(err)) throw err;
    if (ids.length === 1) {
      missing.push(ids[0]!);
      return [];
    }
    const named = namedIn(err instanceof Error ? err.message : '', ids);
    if (named.length > 0) {
      missing.push(...named);
      return withoutMissing(ids.filter((id) => !named.includes(id)), call, missing);
    }
    const mid = ids.length >> 1;
    const left = await withoutMissing(ids.slice(0, mid), call, missing);
    const right = await withoutMissing(ids.slice(mid), call, missing);
    return [...left, ...right];
  }
}

async function describePages(client: EC2Client, ids: string[]): Promise<Instance[]> {
  const out: Instance[] = [];
  let token: string | undefined;
  do {
    // MaxResults cannot be combined with InstanceIds; EC2 may still page.
    const page = await client.send(new DescribeInstancesCommand({ InstanceIds: ids, NextToken: token }));
    for (const r of page.Reservations ?? []) out.push(...(r.Instances ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

export function toInstanceContext(inst: Instance, region: string): InstanceContext {
  const enis = inst.NetworkInterfaces ?? [];
  const tags = Object.fromEntries((inst.Tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? '']));
  const groups = new Map<string, { id: string; name?: string }>();
  for (const g of [...(inst.SecurityGroups ?? []), ...enis.flatMap((e) => e.Groups ?? [])]) {
    if (g.GroupId && !groups.has(g.GroupId)) groups.set(g.GroupId, g.GroupName ? { id: g.GroupId, name: g.GroupName } : { id: g.GroupId });
  }
  return {
    instanceId: inst.InstanceId!,
    region,
    found: true,
    state: inst.State?.Name,
    instanceType: inst.InstanceType,
    imageId: inst.ImageId,
    launchTime: inst.LaunchTime?.toISOString(),
    // Every address the internet can reach it on: the primary public IP, each
    // ENI's (and each secondary private IP's) association, and IPv6 (global).
    publicIps: unique<string>([
      inst.PublicIpAddress,
      inst.Ipv6Address,
      ...enis.flatMap((e) => [
        e.Association?.PublicIp,
        ...(e.PrivateIpAddresses ?? []).map((p) => p.Association?.PublicIp),
        ...(e.Ipv6Addresses ?? []).map((a) => a.Ipv6Address),
      ]),
    ]),
    privateIps: unique<string>([
      inst.PrivateIpAddress,
      ...enis.flatMap((e) => [e.PrivateIpAddress, ...(e.PrivateIpAddresses ?? []).map((p) => p.PrivateIpAddress)]),
    ]),
    securityGroups: [...groups.values()],
    networkInterfaceIds: unique<string>(enis.map((e) => e.NetworkInterfaceId)),
    volumeIds: unique<string>((inst.BlockDeviceMappings ?? []).map((b) => b.Ebs?.VolumeId)),
    instanceProfileArn: inst.IamInstanceProfile?.Arn,
    vpcId: inst.VpcId,
    subnetId: inst.SubnetId,
    spot: inst.InstanceLifecycle === 'spot',
    autoScalingGroup: tags[ASG_TAG],
    tags,
  };
}

/** What is known of an instance EC2 does not return: its id, and where it was looked for. */
export function missingInstance(instanceId: string, region: string): InstanceContext {
  return { instanceId, region, found: false, publicIps: [], privateIps: [], securityGroups: [], networkInterfaceIds: [], volumeIds: [], spot: false, tags: {} };
}

/** Every requested id comes back, in order, with `found: false` when EC2 does not know it in this region. */
export async function describeInstances(region: string, instanceIds: readonly string[], client: EC2Client = clientFor(EC2Client, region)): Promise<InstanceContext[]> {
  const ids = unique<string>(instanceIds);
  const found = new Map<string, InstanceContext>();
  for (const batch of chunks(ids, DESCRIBE_BATCH)) {
    const instances = await withoutMissing(batch, (some) => describePages(client, some), []);
    for (const inst of instances) if (inst.InstanceId) found.set(inst.InstanceId, toInstanceContext(inst, region));
  }
  return ids.map((id) => found.get(id) ?? missingInstance(id, region));
}

function toAddressContext(a: Address): AddressContext {
  // EC2 (and emulators) send empty strings for "not associated".
  const opt = (v: string | undefined) => (v ? v : undefined);
  return {
    publicIp: a.PublicIp!,
    allocationId: opt(a.AllocationId),
    associationId: opt(a.AssociationId),
    instanceId: opt(a.InstanceId),
    networkInterfaceId: opt(a.NetworkInterfaceId),
  };
}

/**
 * Elastic IPs by allocation id or public ip. Filters rather than the
 * AllocationIds/PublicIps parameters: those fail the whole call on one
 * unknown value, filters just leave it out.
 */
export async function describeAddresses(
  region: string,
  query: { readonly allocationIds?: readonly string[]; readonly publicIps?: readonly string[] },
  client: EC2Client = clientFor(EC2Client, region),
): Promise<AddressContext[]> {
  const byKey = new Map<string, AddressContext>();
  const ask = async (filter: 'allocation-id' | 'public-ip', values: readonly string[]) => {
    for (const batch of chunks(unique<string>(values), ADDRESS_BATCH)) {
      const out = await client.send(new DescribeAddressesCommand({ Filters: [{ Name: filter, Values: batch }] }));
      for (const a of out.Addresses ?? []) if (a.PublicIp) byKey.set(a.AllocationId || a.PublicIp, toAddressContext(a));
    }
  };
  await ask('allocation-id', query.allocationIds ?? []);
  await ask('public-ip', query.publicIps ?? []);
  return [...byKey.values()];
}

export interface TagReport {
  readonly tagged: string[];
  /** Ids that do not exist in this region (terminated, released, or elsewhere). */
  readonly missing: string[];
}

/**
 * Tags instances and Elastic IP allocations. Existence is checked first
 * (one Describe call per kind and batch) so that `missing` does not depend
 * on CreateTags rejecting unknown ids: EC2 does, moto accepts tags for any
 * id. Ids that vanish between the check and the tag are caught from
 * CreateTags' own NotFound answer.
 */
export async function tagResources(
  region: string,
  resourceIds: readonly string[],
  tags: Readonly<Record<string, string>>,
  client: EC2Client = clientFor(EC2Client, region),
): Promise<TagReport> {
  const ids = unique<string>(resourceIds);
  const instanceIds = ids.filter((id) => id.startsWith('i-'));
  const allocationIds = ids.filter((id) => id.startsWith('eipalloc-'));
  const existing = new Set<string>(ids.filter((id) => !id.startsWith('i-') && !id.startsWith('eipalloc-')));
  if (instanceIds.length > 0) {
    for (const i of await describeInstances(region, instanceIds, client)) if (i.found) existing.add(i.instanceId);
  }
  if (allocationIds.length > 0) {
    for (const a of await describeAddresses(region, { allocationIds }, client)) if (a.allocationId) existing.add(a.allocationId);
  }
  const missing = ids.filter((id) => !existing.has(id));
  const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  const tagged: string[] = [];
  for (const batch of chunks(ids.filter((id) => existing.has(id)), TAG_BATCH)) {
    const done = await withoutMissing(
      batch,
      async (some) => {
        await client.send(new CreateTagsCommand({ Resources: some, Tags }));
        return some;
      },
      missing,
    );
    tagged.push(...done);
  }
  return { tagged, missing };
}

/** The regions this account has enabled (opt-in ones once enabled): what a sweep covers. */
export async function enabledRegions(client: EC2Client): Promise<string[]> {
  const out = await client.send(new DescribeRegionsCommand({ AllRegions: false }));
  return (out.Regions ?? []).filter((r) => r.RegionName && r.OptInStatus !== 'not-opted-in').map((r) => r.RegionName!);
}

/** Pending and running instances launched since `since` (epoch ms), as the sweep sees them. */
export async function instancesLaunchedSince(client: EC2Client, accountId: string, region: string, since: number): Promise<SweptInstance[]> {
  const out: SweptInstance[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running'] }], NextToken: token, MaxResults: 1000 }));
    for (const inst of page.Reservations?.flatMap((r) => r.Instances ?? []) ?? []) {
      if (!inst.InstanceId || !inst.LaunchTime || inst.LaunchTime.getTime() < since) continue;
      const c = toInstanceContext(inst, region);
      out.push({
        accountId,
        region,
        instanceId: inst.InstanceId,
        instanceType: inst.InstanceType ?? 'unknown',
        launchTime: inst.LaunchTime.toISOString(),
        ...(inst.ImageId ? { imageId: inst.ImageId } : {}),
        tags: c.tags,
        spot: c.spot,
      });
    }
    token = page.NextToken;
  } while (token);
  return out;
}

/** Every Elastic IP of the account in this region (the sweep's view; no allocation time exists). */
export async function allAddresses(client: EC2Client, accountId: string, region: string): Promise<SweptAddress[]> {
  const out = await client.send(new DescribeAddressesCommand({}));
  return (out.Addresses ?? [])
    .filter((a) => a.AllocationId && a.PublicIp)
    .map((a) => ({ accountId, region, allocationId: a.AllocationId!, publicIp: a.PublicIp!, ...(a.InstanceId ? { instanceId: a.InstanceId } : {}) }));
}
