import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeTagsCommand,
  DescribeVolumesCommand,
  EC2Client,
  EC2ServiceException,
  ModifySubnetAttributeCommand,
  RunInstancesCommand,
  type DescribeInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeAddresses, describeInstances, tagResources } from '../../lambdas/adapters/ec2';
import { unique } from '../support/aws';

const region = 'us-east-1';
const ec2 = new EC2Client({ region });

/** The project has no IAM client; IAM's query API is a plain form POST, and moto routes it by the credential scope. */
async function createInstanceProfile(name: string): Promise<string> {
  const res = await fetch(`${process.env.AWS_ENDPOINT_URL}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Action: 'CreateInstanceProfile', Version: '2010-05-08', InstanceProfileName: name }).toString(),
  });
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(await res.text())?.[1];
  if (!res.ok || !arn) throw new Error(`CreateInstanceProfile ${name}: HTTP ${res.status}`);
  return arn;
}

interface Fixture {
  vpcId: string;
  subnetId: string;
  sgId: string;
  sgName: string;
  profileArn: string;
  asg: string;
  /** Spot, two ENIs, two volumes, an Elastic IP on the second ENI. */
  suspect: { id: string; imageId: string; primaryEni: string; primaryPrivateIp: string; primaryPublicIp: string; secondEni: string; secondPrivateIp: string };
  eip: { allocationId: string; publicIp: string };
  /** On demand, an Elastic IP associated with the instance itself. */
  plain: { id: string; allocationId: string; publicIp: string };
}

let fx: Fixture;

beforeAll(async () => {
  const name = unique('ec2-adapter');
  const profileArn = await createInstanceProfile(name);
  // Filtered: moto lists over a thousand images otherwise, which takes seconds.
  const imageId = (await ec2.send(new DescribeImagesCommand({ Filters: [{ Name: 'name', Values: ['amzn2-ami-hvm-*'] }] }))).Images![0]!.ImageId!;
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
  const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.20.1.0/24' }))).Subnet!.SubnetId!;
  await ec2.send(new ModifySubnetAttributeCommand({ SubnetId: subnetId, MapPublicIpOnLaunch: { Value: true } }));
  const sgName = `${name}-sg`;
  const sgId = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: sgName, Description: 'test', VpcId: vpcId }))).GroupId!;
  const asg = `${name}-asg`;
  const run = await ec2.send(
    new RunInstancesCommand({
      ImageId: imageId,
      MinCount: 1,
      MaxCount: 1,
      InstanceType: 'g4dn.xlarge',
      SubnetId: subnetId,
      SecurityGroupIds: [sgId],
      IamInstanceProfile: { Arn: profileArn },
      InstanceMarketOptions: { MarketType: 'spot' },
      BlockDeviceMappings: [
        { DeviceName: '/dev/sda1', Ebs: { VolumeSize: 8 } },
        { DeviceName: '/dev/sdf', Ebs: { VolumeSize: 100 } },
      ],
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: name }, { Key: 'aws:autoscaling:groupName', Value: asg }] }],
    }),
  );
  const inst = run.Instances![0]!;
  const secondEni = (await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [sgId] }))).NetworkInterface!;
  await ec2.send(new AttachNetworkInterfaceCommand({ InstanceId: inst.InstanceId!, NetworkInterfaceId: secondEni.NetworkInterfaceId!, DeviceIndex: 1 }));
  const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
  await ec2.send(new AssociateAddressCommand({ AllocationId: eip.AllocationId!, NetworkInterfaceId: secondEni.NetworkInterfaceId! }));

  const plainRun = await ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, InstanceType: 't3.micro', SubnetId: subnetId }));
  const plainId = plainRun.Instances![0]!.InstanceId!;
  const plainEip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
  await ec2.send(new AssociateAddressCommand({ AllocationId: plainEip.AllocationId!, InstanceId: plainId }));

  fx = {
    vpcId,
    subnetId,
    sgId,
    sgName,
    profileArn,
    asg,
    suspect: {
      id: inst.InstanceId!,
      imageId,
      primaryEni: inst.NetworkInterfaces![0]!.NetworkInterfaceId!,
      primaryPrivateIp: inst.PrivateIpAddress!,
      primaryPublicIp: inst.PublicIpAddress!,
      secondEni: secondEni.NetworkInterfaceId!,
      secondPrivateIp: secondEni.PrivateIpAddress!,
    },
    eip: { allocationId: eip.AllocationId!, publicIp: eip.PublicIp! },
    plain: { id: plainId, allocationId: plainEip.AllocationId!, publicIp: plainEip.PublicIp! },
  };
});

/** A well-formed id no moto instance has. */
const ghost = (n: number) => `i-0${String(n).padStart(16, 'f')}`;

describe('describeInstances', () => {
  it('returns every field enrichment uses', async () => {
    const volumes = await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [fx.suspect.id] }] }));
    const [got] = await describeInstances(region, [fx.suspect.id]);
    expect(got).toEqual({
      instanceId: fx.suspect.id,
      region,
      found: true,
      state: 'running',
      instanceType: 'g4dn.xlarge',
      imageId: fx.suspect.imageId,
      launchTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      publicIps: expect.arrayContaining([fx.suspect.primaryPublicIp, fx.eip.publicIp]),
      privateIps: expect.arrayContaining([fx.suspect.primaryPrivateIp, fx.suspect.secondPrivateIp]),
      securityGroups: [{ id: fx.sgId, name: fx.sgName }],
      networkInterfaceIds: [fx.suspect.primaryEni, fx.suspect.secondEni],
      volumeIds: expect.arrayContaining(volumes.Volumes!.map((v) => v.VolumeId!)),
      instanceProfileArn: fx.profileArn,
      vpcId: fx.vpcId,
      subnetId: fx.subnetId,
      spot: true,
      autoScalingGroup: fx.asg,
      tags: { Name: expect.stringMatching(/^ec2-adapter-/), 'aws:autoscaling:groupName': fx.asg },
    });
    expect(got!.publicIps).toHaveLength(2);
    expect(got!.privateIps).toHaveLength(2);
    expect(got!.volumeIds).toHaveLength(2);
  });

  it('answers found:false for ids EC2 does not return, without losing the others', async () => {
    const got = await describeInstances(region, [ghost(1), fx.suspect.id, ghost(2), fx.plain.id, 'i-zz']);
    expect(got.map((i) => [i.instanceId, i.found])).toEqual([
      [ghost(1), false],
      [fx.suspect.id, true],
      [ghost(2), false],
      [fx.plain.id, true],
      ['i-zz', false],
    ]);
    expect(got[0]).toEqual({ instanceId: ghost(1), region, found: false, publicIps: [], privateIps: [], securityGroups: [], networkInterfaceIds: [], volumeIds: [], spot: false, tags: {} });
    expect(got[3]).toMatchObject({ spot: false, autoScalingGroup: undefined, publicIps: expect.arrayContaining([fx.plain.publicIp]) });
  });

  it('splits a batch when EC2 does not say which id is missing', async () => {
    // A client whose NotFound names no id, as some EC2 answers do: only
    // halving the batch finds the culprit.
    const client = new EC2Client({ region });
    const asked: string[][] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const ids = (args.input as DescribeInstancesCommandInput).InstanceIds ?? [];
        asked.push(ids);
        if (ids.includes(ghost(3))) throw new EC2ServiceException({ name: 'InvalidInstanceID.NotFound', $fault: 'client', $metadata: {}, message: 'The instance IDs do not exist' });
        return next(args);
      },
      { step: 'initialize', name: 'vagueNotFound' },
    );
    const got = await describeInstances(region, [fx.suspect.id, fx.plain.id, ghost(3)], client);
    expect(got.map((i) => i.found)).toEqual([true, true, false]);
    expect(asked.length).toBeGreaterThan(2);
    expect(asked.at(-1)).toEqual([ghost(3)]);
  });

  it('asks in batches of 100 and keeps the order asked', async () => {
    const client = new EC2Client({ region });
    const calls: number[] = [];
    client.middlewareStack.add(
      (next) => (args) => {
        if (args.input && (args.input as DescribeInstancesCommandInput).InstanceIds) calls.push((args.input as DescribeInstancesCommandInput).InstanceIds!.length);
        return next(args);
      },
      { step: 'initialize', name: 'countCalls' },
    );
    const run = await ec2.send(new RunInstancesCommand({ ImageId: fx.suspect.imageId, MinCount: 101, MaxCount: 101, InstanceType: 't3.nano', SubnetId: fx.subnetId }));
    const ids = run.Instances!.map((i) => i.InstanceId!).reverse();
    const got = await describeInstances(region, ids, client);
    expect(got.map((i) => i.instanceId)).toEqual(ids);
    expect(got.every((i) => i.found && i.instanceType === 't3.nano')).toBe(true);
    expect(calls).toEqual([100, 1]);
  });

  it('finds nothing in a region the instances are not in', async () => {
    const got = await describeInstances('eu-west-1', [fx.suspect.id]);
    expect(got).toMatchObject([{ instanceId: fx.suspect.id, region: 'eu-west-1', found: false }]);
  });
});

describe('describeAddresses', () => {
  it('finds Elastic IPs by allocation id and by public ip, ignoring unknown values', async () => {
    const byAllocation = await describeAddresses(region, { allocationIds: [fx.eip.allocationId, 'eipalloc-0000000000000000f'] });
    expect(byAllocation).toEqual([{ publicIp: fx.eip.publicIp, allocationId: fx.eip.allocationId, associationId: expect.stringMatching(/^eipassoc-/), networkInterfaceId: fx.suspect.secondEni }]);
    const byIp = await describeAddresses(region, { publicIps: [fx.plain.publicIp, '192.0.2.250'] });
    expect(byIp).toMatchObject([{ publicIp: fx.plain.publicIp, allocationId: fx.plain.allocationId, instanceId: fx.plain.id }]);
    const both = await describeAddresses(region, { allocationIds: [fx.eip.allocationId], publicIps: [fx.eip.publicIp, fx.plain.publicIp] });
    expect(both.map((a) => a.publicIp).sort()).toEqual([fx.eip.publicIp, fx.plain.publicIp].sort());
    expect(await describeAddresses('eu-west-1', { allocationIds: [fx.eip.allocationId] })).toEqual([]);
  });
});

describe('tagResources', () => {
  it('tags instances and allocations, and reports the ids that are not there', async () => {
    const tags = { 'rogue-infra:finding-id': unique('rif'), 'rogue-infra:status': 'escalated' };
    const missingAlloc = 'eipalloc-0000000000000000e';
    const report = await tagResources(region, [fx.plain.id, ghost(4), fx.plain.allocationId, missingAlloc], tags);
    expect(report.tagged.sort()).toEqual([fx.plain.id, fx.plain.allocationId].sort());
    expect(report.missing.sort()).toEqual([ghost(4), missingAlloc].sort());

    const written = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['rogue-infra:finding-id'] }, { Name: 'value', Values: [tags['rogue-infra:finding-id']] }] }));
    expect(written.Tags!.map((t) => t.ResourceId).sort()).toEqual([fx.plain.id, fx.plain.allocationId].sort());
    const instance = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [fx.plain.id] }))).Reservations![0]!.Instances![0]!;
    expect(instance.Tags).toEqual(expect.arrayContaining([{ Key: 'rogue-infra:status', Value: 'escalated' }]));
  });

  it('reports every id as missing in a region that does not have them', async () => {
    const report = await tagResources('eu-west-1', [fx.suspect.id, fx.eip.allocationId], { 'rogue-infra:status': 'observed' });
    expect(report).toEqual({ tagged: [], missing: [fx.suspect.id, fx.eip.allocationId] });
    const written = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [fx.suspect.id] }, { Name: 'key', Values: ['rogue-infra:status'] }] }));
    expect(written.Tags).toEqual([]);
  });
});
