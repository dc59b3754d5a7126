import { randomInt } from 'node:crypto';
import { AllocateAddressCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateAccountCommand, CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../lambdas/adapters/ledger';
import { listActiveAccounts } from '../../lambdas/adapters/organizations';
import { extractFacts } from '../../lambdas/core/facts';
import { withDefaults } from '../../lambdas/core/settings';
import { SWEEP_PRINCIPAL } from '../../lambdas/core/sweep';
import { emptyThreatIntel } from '../../lambdas/core/threat-intel';
import type { WorkflowInput } from '../../lambdas/core/workflow';
import { scoreEvent } from '../../lambdas/handlers/score';
import { awsSweepSources, makeSweep } from '../../lambdas/handlers/sweep';
import { createResponderTable } from '../support/aws';
import { trail } from '../support/fixtures';
import { inMotoAccount, MOTO_ACCOUNT } from '../support/moto';

/**
 * The reconciliation sweep against moto: an organisation with a member
 * account, the member role there, two running instances in it, one of
 * which the scorer saw launched. The sweep lists the accounts, the member's
 * enabled regions and instances through the member role, and scores the
 * instance no event reported.
 */

const REGION = 'us-east-1';
const ROLE = 'rogue-infra-responder-member';

describe('the reconciliation sweep', () => {
  it('scores a running instance no event reported, seen by the sweep, and leaves the reported one alone', async () => {
    const management = String(randomInt(100_000_000_000, 999_999_999_999));
    const org = inMotoAccount(new OrganizationsClient({ region: REGION }), management);
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const member = (await org.send(new CreateAccountCommand({ AccountName: 'sandbox-7', Email: `sandbox-7-${management}@example.com` }))).CreateAccountStatus!.AccountId!;
    await inMotoAccount(new IAMClient({ region: REGION }), member).send(
      new CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MOTO_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] }) }),
    );
    const ec2 = inMotoAccount(new EC2Client({ region: REGION }), member);
    // An address that was there before the responder looked: learned, not reported.
    const old = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const [silent, reported] = await Promise.all(
      ['g5.12xlarge', 't3.micro'].map(async (type) => (await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1, InstanceType: type as never }))).Instances![0]!.InstanceId!),
    );

    const table = await createResponderTable();
    const ledger = new Ledger({ tableName: table, ledgerDays: 30, churnMinutes: 30, now: Date.now });
    // The scorer saw the t3.micro launched.
    const seen = trail('run-instances-success.json', { account: member, at: new Date(Date.now() - 600_000).toISOString(), response: { instancesSet: { items: [{ instanceId: reported, instanceType: 't3.micro' }] } } });
    await ledger.recordLaunch(seen, extractFacts(seen), 'rif-seen');

    const access = { ownAccount: MOTO_ACCOUNT, roleName: ROLE };
    const started: { name: string; input: WorkflowInput }[] = [];
    const sweep = makeSweep({
      now: Date.now,
      windowHours: 24,
      regions: [REGION],
      listAccounts: () => listActiveAccounts(org),
      ...awsSweepSources(access, ledger, REGION),
      score: (envelope) =>
        scoreEvent(envelope, {
          ledger,
          settings: withDefaults(),
          intel: () => Promise.resolve(emptyThreatIntel()),
          startExecution: (name, input) => Promise.resolve(Boolean(started.push({ name, input }))),
          recordGrowth: () => Promise.resolve(),
        }),
    });
    const result = await sweep();
    // The management account has no member role in moto: reported, the member is still swept.
    expect(result.errors.every((e) => e.startsWith(management))).toBe(true);
    expect(result.unreported.map((u) => [u.accountId, u.region, u.resourceId])).toEqual([[member, REGION, silent]]);
    expect(result.baselined).toContain(`${member} ${REGION}`);
    const finding = started.find((s) => s.input.finding.accountId === member)!.input.finding;
    expect(finding).toMatchObject({ principal: SWEEP_PRINCIPAL, escalate: true, tier: 2, resources: expect.objectContaining({ instanceIds: [silent], instanceTypes: ['g5.12xlarge'] }) as unknown });
    expect(finding.indicators.map((i) => i.id)).toEqual(expect.arrayContaining(['server-provisioned', 'accelerated-instance-type', 'unapproved-principal']));

    // Swept again: the same instance is now in the launch index and not scored twice.
    const again = await sweep();
    expect(again.unreported).toEqual([]);

    // Two new addresses: one the scorer saw allocated, one no event reported.
    const viaEvent = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const silentIp = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const allocation = trail('allocate-address.json', { account: member, at: new Date(Date.now() - 60_000).toISOString(), response: { allocationId: viaEvent.AllocationId, publicIp: viaEvent.PublicIp } });
    await ledger.recordLaunch(allocation, extractFacts(allocation), 'rif-alloc');
    const third = await sweep();
    expect(third.unreported.map((u) => u.resourceId)).toEqual([silentIp.AllocationId]);
    expect(third.unreported.map((u) => u.resourceId)).not.toContain(old.AllocationId);
    // Scored as an allocation by the same unknown principal: it joins the sweep's finding in that account.
    expect(third.unreported[0]!.result).toMatchObject({ status: 'scored', findingId: finding.findingId });
    expect((await sweep()).unreported).toEqual([]);
  });
});
