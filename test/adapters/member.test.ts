import { randomInt } from 'node:crypto';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { containmentClients, readInstance } from '../../lambdas/adapters/containment';
import { describeInstances } from '../../lambdas/adapters/ec2';
import { clientForAccount } from '../../lambdas/adapters/member';
import { inMotoAccount, MOTO_ACCOUNT } from '../support/moto';

/**
 * A member account's instances, reached the way the workflow reaches them:
 * AssumeRole into the member role there (moto hands out credentials of the
 * role's account), then EC2 with those credentials. The security account's
 * own client does not see them.
 */

const REGION = 'us-east-1';
const ROLE = 'rogue-infra-responder-member';

describe('member-account access', () => {
  it('describes and reads a member account\'s instance through the member role; the own client does not see it', async () => {
    const member = String(randomInt(100_000_000_000, 999_999_999_999));
    await inMotoAccount(new IAMClient({ region: REGION }), member).send(
      new CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MOTO_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] }) }),
    );
    const run = await inMotoAccount(new EC2Client({ region: REGION }), member).send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, InstanceType: 'g5.xlarge' }));
    const id = run.Instances![0]!.InstanceId!;
    const access = { ownAccount: MOTO_ACCOUNT, roleName: ROLE };

    const viaRole = await describeInstances(REGION, [id], clientForAccount(EC2Client, REGION, member, access));
    expect(viaRole[0]).toMatchObject({ instanceId: id, found: true, instanceType: 'g5.xlarge' });
    const own = await describeInstances(REGION, [id], clientForAccount(EC2Client, REGION, MOTO_ACCOUNT, access));
    expect(own[0]).toMatchObject({ instanceId: id, found: false });

    const manifest = await readInstance(containmentClients(REGION, member, access), REGION, id);
    expect(manifest).toMatchObject({ instanceId: id, region: REGION, state: 'running' });
    // Without forwarding configured there is no member role: the own client, which does not see it.
    expect(await readInstance(containmentClients(REGION, member, { ownAccount: MOTO_ACCOUNT }), REGION, id)).toMatchObject({ skipped: expect.stringMatching(/^not found/) as unknown });
  });

  it('reuses one client per account, region and service', () => {
    const access = { ownAccount: MOTO_ACCOUNT, roleName: ROLE };
    expect(clientForAccount(EC2Client, REGION, '222233334444', access)).toBe(clientForAccount(EC2Client, REGION, '222233334444', access));
    expect(clientForAccount(EC2Client, REGION, '222233334444', access)).not.toBe(clientForAccount(EC2Client, 'eu-west-1', '222233334444', access));
  });
});
