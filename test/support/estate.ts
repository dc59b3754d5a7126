import { AttachInstancesCommand, AutoScalingClient, CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AssociateIamInstanceProfileCommand,
  CreateLaunchTemplateCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import type { ContainmentClients } from '../../lambdas/adapters/containment';
import { unique } from './aws';

/**
 * A compromised-looking estate in the moto server: its own VPC and subnet,
 * an instance with two network interfaces (the secondary on two groups),
 * two EBS volumes, an Elastic IP on the secondary interface, an instance
 * profile with a role, and membership of an Auto Scaling group. Each call
 * builds a fresh one (own VPC, unique names), so tests can share the server.
 */

export const REGION = 'us-east-1';

export interface Estate {
  readonly vpcId: string;
  readonly subnetId: string;
  readonly instanceId: string;
  readonly web: string;
  readonly db: string;
  readonly primaryEni: string;
  readonly secondaryEni: string;
  readonly volumeIds: readonly string[];
  readonly allocationId: string;
  readonly publicIp: string;
  readonly groupName: string;
  readonly roleName: string;
  readonly profileArn: string;
}

export interface SentRequest {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

/** Clients whose every request is written to `sent` (command name and input), as the adapter sent it. */
export function recordingClients(sent: SentRequest[], region = REGION): ContainmentClients {
  const record = <T extends { middlewareStack: { add: (...a: never[]) => void } }>(client: T): T => {
    (client.middlewareStack as unknown as EC2Client['middlewareStack']).add(
      (next, context) => (args) => {
        sent.push({ command: String(context.commandName), input: args.input as Record<string, unknown> });
        return next(args);
      },
      { step: 'initialize', name: 'recordRequests' },
    );
    return client;
  };
  return { ec2: record(new EC2Client({ region })), autoScaling: record(new AutoScalingClient({ region })), iam: record(new IAMClient({ region })) };
}

export async function buildEstate(options: { spot?: boolean } = {}): Promise<Estate> {
  const ec2 = new EC2Client({ region: REGION });
  const asg = new AutoScalingClient({ region: REGION });
  const iam = new IAMClient({ region: REGION });
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
  const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.20.1.0/24', AvailabilityZone: `${REGION}a` }))).Subnet!.SubnetId!;
  const web = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: unique('web'), Description: 'web' }))).GroupId!;
  const db = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: unique('db'), Description: 'db' }))).GroupId!;
  const run = await ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-12c6146b',
      MinCount: 1,
      MaxCount: 1,
      InstanceType: 'g5.xlarge',
      NetworkInterfaces: [
        { DeviceIndex: 0, SubnetId: subnetId, Groups: [web] },
        { DeviceIndex: 1, SubnetId: subnetId, Groups: [web, db] },
      ],
      BlockDeviceMappings: [
        { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 8 } },
        { DeviceName: '/dev/xvdb', Ebs: { VolumeSize: 100 } },
      ],
      ...(options.spot ? { InstanceMarketOptions: { MarketType: 'spot' } } : {}),
    }),
  );
  const inst = run.Instances![0]!;
  const enis = [...inst.NetworkInterfaces!].sort((a, b) => (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0));
  const alloc = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
  await ec2.send(new AssociateAddressCommand({ AllocationId: alloc.AllocationId, NetworkInterfaceId: enis[1]!.NetworkInterfaceId }));

  const roleName = unique('miner-role');
  const profileName = unique('miner-profile');
  await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }));
  const profile = await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: profileName }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: profileName, RoleName: roleName }));
  await ec2.send(new AssociateIamInstanceProfileCommand({ InstanceId: inst.InstanceId, IamInstanceProfile: { Name: profileName } }));

  const groupName = unique('asg');
  const template = unique('lt');
  await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: template, LaunchTemplateData: { ImageId: 'ami-12c6146b', InstanceType: 't3.micro' } }));
  await asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: groupName, LaunchTemplate: { LaunchTemplateName: template }, MinSize: 0, MaxSize: 2, DesiredCapacity: 0, VPCZoneIdentifier: subnetId }));
  await asg.send(new AttachInstancesCommand({ AutoScalingGroupName: groupName, InstanceIds: [inst.InstanceId!] }));

  return {
    vpcId,
    subnetId,
    instanceId: inst.InstanceId!,
    web,
    db,
    primaryEni: enis[0]!.NetworkInterfaceId!,
    secondaryEni: enis[1]!.NetworkInterfaceId!,
    volumeIds: inst.BlockDeviceMappings!.map((b) => b.Ebs!.VolumeId!),
    allocationId: alloc.AllocationId!,
    publicIp: alloc.PublicIp!,
    groupName,
    roleName,
    profileArn: profile.InstanceProfile!.Arn!,
  };
}
