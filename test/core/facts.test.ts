import { describe, expect, it } from 'vitest';
import { classifyFailure, describePorts, extractFacts, isWorld, type EventFacts, type FailureKind } from '../../lambdas/core/facts';
import {
  ACCOUNT,
  ALLOCATION_ID,
  FLEET_ID,
  GPU_INSTANCE,
  Principal,
  SPOT_FLEET_ID,
  SPOT_REQUESTS,
  WEB_INSTANCES,
  launch,
  trail,
  type FixtureName,
  type Tweak,
} from '../support/fixtures';

const WEB_TAGS = { Name: 'web-01', CostCenter: 'cc-1042', Owner: 'platform' };

interface FactsCase {
  readonly name: string;
  readonly fixture: FixtureName;
  readonly tweak?: Tweak;
  /** Compared with toEqual: the whole of what extractFacts returns (toMatchObject when `partial`). */
  /** Observables are tested on their own below. */
  readonly facts: Omit<EventFacts, 'observables'>;
  /** Ingress rows: a port range may carry more than protocol and ports (its own CIDRs, say). */
  readonly partial?: true;
}

const launchFacts = (overrides: Partial<NonNullable<EventFacts['launch']>>): NonNullable<EventFacts['launch']> => ({
  instanceIds: [],
  count: 1,
  instanceTypes: [],
  requestedTypes: overrides.requestedTypes ?? overrides.instanceTypes ?? [],
  vcpus: 0,
  imageIds: [],
  tags: {},
  tagsComplete: true,
  spot: false,
  requestIds: [],
  terminationProtection: false,
  ...overrides,
});

const CASES: readonly FactsCase[] = [
  {
    name: 'RunInstances: ids, tags, key, vCPUs exact from cpuOptions',
    fixture: 'run-instances-success.json',
    facts: {
      outcome: 'succeeded',
      launch: launchFacts({
        instanceIds: [...WEB_INSTANCES],
        count: 2,
        instanceTypes: ['m5.xlarge'],
        vcpus: 8,
        imageIds: ['ami-0c1f5e2d3b4a59687'],
        tags: WEB_TAGS,
        keyName: 'ops-2025',
      }),
    },
  },
  {
    name: 'RunInstances with one core per instance: cpuOptions win over the type estimate',
    fixture: 'run-instances-success.json',
    tweak: { edit: launch(2, 'm5.xlarge', { idPrefix: 'i-0c000000000000', cpu: { cores: 1, threads: 1 } }) },
    facts: {
      outcome: 'succeeded',
      launch: launchFacts({
        instanceIds: ['i-0c00000000000001', 'i-0c00000000000002'],
        count: 2,
        instanceTypes: ['m5.xlarge'],
        vcpus: 2,
        imageIds: ['ami-0c1f5e2d3b4a59687'],
        tags: WEB_TAGS,
        keyName: 'ops-2025',
      }),
    },
  },
  {
    name: 'RunInstances without cpuOptions: vCPUs estimated from the type',
    fixture: 'run-instances-success.json',
    tweak: { edit: launch(3, 'c5.2xlarge', { idPrefix: 'i-0c000000000000', cpu: false }) },
    facts: {
      outcome: 'succeeded',
      launch: launchFacts({
        instanceIds: ['i-0c00000000000001', 'i-0c00000000000002', 'i-0c00000000000003'],
        count: 3,
        instanceTypes: ['c5.2xlarge'],
        vcpus: 24,
        imageIds: ['ami-0c1f5e2d3b4a59687'],
        tags: WEB_TAGS,
        keyName: 'ops-2025',
      }),
    },
  },
  {
    name: 'RunInstances where one instance lacks cpuOptions: all estimated, nothing half-exact',
    fixture: 'run-instances-success.json',
    tweak: {
      edit: (r) => {
        launch(2, 'm5.xlarge', { idPrefix: 'i-0c000000000000', cpu: { cores: 1, threads: 1 } })(r);
        const items = (r.responseElements!.instancesSet as { items: Record<string, unknown>[] }).items;
        delete items[1]!.cpuOptions;
      },
    },
    facts: {
      outcome: 'succeeded',
      launch: launchFacts({
        instanceIds: ['i-0c00000000000001', 'i-0c00000000000002'],
        count: 2,
        instanceTypes: ['m5.xlarge'],
        vcpus: 8,
        imageIds: ['ami-0c1f5e2d3b4a59687'],
        tags: WEB_TAGS,
        keyName: 'ops-2025',
      }),
    },
  },
  {
    name: 'RunInstances with termination protection at launch',
    fixture: 'run-instances-gpu-success.json',
    tweak: { request: { disableApiTermination: true } },
    facts: {
      outcome: 'succeeded',
      launch: launchFacts({ instanceIds: [GPU_INSTANCE], instanceTypes: ['p3.16xlarge'], vcpus: 64, imageIds: ['ami-0f7e6d5c4b3a29180'], keyName: 'x', terminationProtection: true }),
    },
  },
  {
    name: 'denied: counts what was asked for (maxCount), vCPUs estimated',
    fixture: 'run-instances-gpu-denied.json',
    facts: {
      outcome: 'failed',
      failure: { code: 'Client.UnauthorizedOperation', kind: 'denied' },
      launch: launchFacts({ count: 4, instanceTypes: ['p4d.24xlarge'], vcpus: 384, imageIds: ['ami-0f7e6d5c4b3a29180'] }),
    },
  },
  {
    name: 'DryRun: an outcome of its own, not a failure',
    fixture: 'run-instances-dry-run.json',
    facts: { outcome: 'dry-run', launch: launchFacts({ count: 2, instanceTypes: ['g5.12xlarge'], vcpus: 96, imageIds: ['ami-0f7e6d5c4b3a29180'] }) },
  },
  {
    name: 'over the vCPU limit',
    fixture: 'vcpu-limit-exceeded.json',
    facts: {
      outcome: 'failed',
      failure: { code: 'Client.VcpuLimitExceeded', kind: 'limit' },
      launch: launchFacts({ count: 8, instanceTypes: ['c5.24xlarge'], vcpus: 768, imageIds: ['ami-0c1f5e2d3b4a59687'] }),
    },
  },
  {
    name: 'AWS out of capacity',
    fixture: 'run-instances-insufficient-capacity.json',
    facts: {
      outcome: 'failed',
      failure: { code: 'Server.InsufficientInstanceCapacity', kind: 'capacity' },
      launch: launchFacts({ count: 1, instanceTypes: ['c5.9xlarge'], vcpus: 36, imageIds: ['ami-0c1f5e2d3b4a59687'] }),
    },
  },
  {
    name: 'Auto Scaling: service-invoked, type from the response, tags known from the request',
    fixture: 'run-instances-autoscaling.json',
    facts: {
      outcome: 'succeeded',
      serviceInvoked: 'autoscaling.amazonaws.com',
      // The group's launch template names the type; the response shows the instance's tags, so they are complete.
      launch: launchFacts({ instanceIds: ['i-0c5d6e7f8a9b00021'], instanceTypes: ['c5.large'], requestedTypes: [], vcpus: 2, tags: { 'aws:autoscaling:groupName': 'web-asg' } }),
    },
  },
  {
    name: 'launch template without tags in the record: tags unknown',
    fixture: 'run-instances-launch-template.json',
    facts: {
      outcome: 'succeeded',
      launch: launchFacts({ instanceIds: ['i-0d6e7f8a9b0c10031'], instanceTypes: ['g4dn.2xlarge'], requestedTypes: [], vcpus: 8, tags: {}, tagsComplete: false }),
    },
  },
  {
    name: 'RequestSpotInstances: request ids, the count asked for, spot',
    fixture: 'request-spot-instances.json',
    facts: {
      outcome: 'succeeded',
      launch: launchFacts({
        count: 3,
        instanceTypes: ['c5.4xlarge'],
        vcpus: 48,
        imageIds: ['ami-0c1f5e2d3b4a59687'],
        keyName: 'ops-2025',
        spot: true,
        requestIds: [...SPOT_REQUESTS],
      }),
    },
  },
  {
    name: 'RequestSpotFleet: target capacity, every type, the largest type for vCPUs',
    fixture: 'request-spot-fleet.json',
    facts: {
      outcome: 'succeeded',
      launch: launchFacts({
        count: 20,
        instanceTypes: ['c5.2xlarge', 'c5.4xlarge'],
        vcpus: 320,
        imageIds: ['ami-0c1f5e2d3b4a59687'],
        keyName: 'ops-2025',
        spot: true,
        requestIds: [SPOT_FLEET_ID],
      }),
    },
  },
  {
    name: 'CreateFleet (PascalCase, "tag" index markers): instances, fleet id, overrides, tags',
    fixture: 'create-fleet.json',
    facts: {
      outcome: 'succeeded',
      launch: launchFacts({
        instanceIds: ['i-0e7f8a9b0c1d20041', 'i-0e7f8a9b0c1d20042'],
        count: 2,
        // Launched (the response) vs asked for (the overrides).
        instanceTypes: ['g4dn.xlarge'],
        requestedTypes: ['g4dn.xlarge', 'g5.xlarge'],
        vcpus: 8,
        spot: true,
        requestIds: [FLEET_ID],
        tags: { Name: 'render-farm', CostCenter: 'cc-2001' },
        // A launch template may add tags the record does not show.
        tagsComplete: false,
      }),
    },
  },
  {
    name: 'Lightsail CreateInstances: names as ids, bundle as type',
    fixture: 'lightsail-create-instances.json',
    facts: {
      outcome: 'succeeded',
      launch: launchFacts({ instanceIds: ['relay-1', 'relay-2'], count: 2, instanceTypes: ['lightsail:medium_3_0'], imageIds: ['ubuntu_22_04'], tags: { Owner: 'growth' } }),
    },
  },
  {
    name: 'AllocateAddress',
    fixture: 'allocate-address.json',
    facts: { outcome: 'succeeded', address: { allocationIds: [ALLOCATION_ID], publicIps: ['192.0.2.44'], associatedInstanceIds: [] } },
  },
  {
    name: 'AssociateAddress',
    fixture: 'associate-address.json',
    facts: { outcome: 'succeeded', address: { allocationIds: [ALLOCATION_ID], publicIps: [], associatedInstanceIds: [WEB_INSTANCES[0]] } },
  },
  {
    name: 'ReleaseAddress',
    fixture: 'release-address.json',
    facts: { outcome: 'succeeded', release: { instanceIds: [], allocationIds: [ALLOCATION_ID], publicIps: [], requestIds: [] } },
  },
  {
    name: 'TerminateInstances',
    fixture: 'terminate-instances.json',
    facts: { outcome: 'succeeded', release: { instanceIds: [...WEB_INSTANCES], allocationIds: [], publicIps: [], requestIds: [] } },
  },
  {
    name: 'CancelSpotInstanceRequests',
    fixture: 'cancel-spot-instance-requests.json',
    facts: { outcome: 'succeeded', release: { instanceIds: [], allocationIds: [], publicIps: [], requestIds: [...SPOT_REQUESTS] } },
  },
  {
    name: 'DeleteFleets (PascalCase, FleetId as {content, tag})',
    fixture: 'delete-fleets.json',
    facts: { outcome: 'succeeded', release: { instanceIds: [], allocationIds: [], publicIps: [], requestIds: [FLEET_ID] } },
  },
  {
    name: 'ModifyInstanceAttribute userData (redacted)',
    fixture: 'modify-instance-attribute-userdata.json',
    facts: { outcome: 'succeeded', modify: { instanceId: WEB_INSTANCES[0], userData: true } },
  },
  {
    name: 'ModifyInstanceAttribute disableApiTermination {value: true}',
    fixture: 'modify-instance-attribute-termination.json',
    facts: { outcome: 'succeeded', modify: { instanceId: WEB_INSTANCES[0], userData: false, terminationProtection: true } },
  },
  {
    name: 'ModifyInstanceAttribute instanceType {value}',
    fixture: 'modify-instance-attribute-type.json',
    facts: { outcome: 'succeeded', modify: { instanceId: WEB_INSTANCES[1], userData: false, instanceType: 'p3.8xlarge' } },
  },
  {
    name: 'CreateKeyPair',
    fixture: 'create-key-pair.json',
    facts: { outcome: 'succeeded', keyPair: { name: 'ops-2025', imported: false } },
  },
  {
    name: 'ImportKeyPair',
    fixture: 'import-key-pair.json',
    facts: { outcome: 'succeeded', keyPair: { name: 'laptop-ed25519', imported: true } },
  },
  {
    name: 'ingress, ipPermissions items form: SSH from the world',
    partial: true,
    fixture: 'authorize-sg-ingress-world-22.json',
    facts: { outcome: 'succeeded', ingress: { groupId: 'sg-0d1e2f3a4b5c6d7e8', cidrs: ['0.0.0.0/0'], worldOpen: true, permissions: [{ protocol: 'tcp', from: 22, to: 22, cidrs: ['0.0.0.0/0'] }] } },
  },
  {
    name: 'ingress: HTTPS from IPv4 and IPv6 world',
    partial: true,
    fixture: 'authorize-sg-ingress-443.json',
    facts: { outcome: 'succeeded', ingress: { groupId: 'sg-0e2f3a4b5c6d7e8f9', cidrs: ['0.0.0.0/0', '::/0'], worldOpen: true, permissions: [{ protocol: 'tcp', from: 443, to: 443, cidrs: ['0.0.0.0/0', '::/0'] }] } },
  },
  {
    name: 'ingress: a private range is not world-open',
    partial: true,
    fixture: 'authorize-sg-ingress-private.json',
    facts: { outcome: 'succeeded', ingress: { groupId: 'sg-0d1e2f3a4b5c6d7e8', cidrs: ['10.0.0.0/8'], worldOpen: false, permissions: [{ protocol: 'tcp', from: 22, to: 22, cidrs: ['10.0.0.0/8'] }] } },
  },
  {
    name: 'ingress, flat legacy form with a non-zero /0 address',
    partial: true,
    fixture: 'authorize-sg-ingress-odd-zero.json',
    facts: { outcome: 'succeeded', ingress: { groupId: 'sg-0d1e2f3a4b5c6d7e8', cidrs: ['203.0.113.99/0'], worldOpen: true, permissions: [{ protocol: 'tcp', from: 3389, to: 3389, cidrs: ['203.0.113.99/0'] }] } },
  },
  {
    name: 'ingress: every protocol from ::/0 has no ports',
    partial: true,
    fixture: 'authorize-sg-ingress-all-ipv6.json',
    facts: { outcome: 'succeeded', ingress: { groupId: 'sg-0a4b5c6d7e8f9a0b1', cidrs: ['::/0'], worldOpen: true, permissions: [{ protocol: '-1', cidrs: ['::/0'] }] } },
  },
  {
    name: 'GetServiceQuota',
    fixture: 'service-quotas-get.json',
    facts: { outcome: 'succeeded', quota: { serviceCode: 'ec2', quotaCode: 'L-1216C47A', increase: false } },
  },
  {
    name: 'ListServiceQuotas',
    fixture: 'service-quotas-list.json',
    facts: { outcome: 'succeeded', quota: { serviceCode: 'ec2', increase: false } },
  },
  {
    name: 'RequestServiceQuotaIncrease',
    fixture: 'service-quotas-increase.json',
    facts: { outcome: 'succeeded', quota: { serviceCode: 'ec2', quotaCode: 'L-DB2E81BA', increase: true, desiredValue: 256 } },
  },
];

describe('extractFacts on each fixture', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { observables: _observables, ...facts } = extractFacts(trail(c.fixture, c.tweak));
    if (c.partial) expect(facts).toMatchObject(c.facts);
    else expect(facts).toEqual(c.facts);
  });

  it.each([
    ['caller IP, and the public IP an allocation returns', 'allocate-address.json', ['caller IP', 'public IP']],
    ['an ingress source, but never a /0 block', 'authorize-sg-ingress-private.json', ['caller IP', 'ingress source']],
    ['no /0 block even when the rule is world-open', 'authorize-sg-ingress-world-22.json', ['caller IP']],
  ] as const)('observables: %s', (_name, fixture, whats) => {
    const { observables } = extractFacts(trail(fixture));
    expect(observables.map((o) => o.what)).toEqual(whats);
    expect(observables.every((o) => !o.value.endsWith('/0'))).toBe(true);
  });

  it('leaves the observables out when asked to (a hunt with no threat-intel feed), and nothing else', () => {
    const event = trail('allocate-address.json');
    const { observables, ...rest } = extractFacts(event);
    expect(observables.length).toBeGreaterThan(0);
    expect(extractFacts(event, { observables: false })).toEqual({ ...rest, observables: [] });
  });

  it('takes instance types in the request for what they are, not for domains', () => {
    const event = trail('run-instances-success.json', {
      request: { instanceType: 'm5.large', description: 'fallback p4d.24xlarge or mac2-m2pro.metal via c2.bad-domain.example' },
    });
    const domains = extractFacts(event).observables.filter((o) => o.kind === 'domain').map((o) => o.value);
    expect(domains).toEqual(['c2.bad-domain.example']);
  });
});

describe('who made the call', () => {
  it.each([
    ['invokedBy a capacity service', trail('run-instances-autoscaling.json'), 'autoscaling.amazonaws.com'],
    ['a service host name as sourceIPAddress', trail('run-instances-success.json', { sourceIp: 'spotfleet.amazonaws.com' }), 'spotfleet.amazonaws.com'],
    [
      'a service-linked role without invokedBy',
      trail('run-instances-autoscaling.json', {
        sourceIp: '10.0.0.1',
        edit: (r) => {
          delete r.userIdentity!.invokedBy;
        },
      }),
      `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    ],
    ['a person', trail('run-instances-success.json'), undefined],
    ['CloudFormation acts for whoever made the stack', trail('run-instances-success.json', { as: { ...Principal.ops, invokedBy: 'cloudformation.amazonaws.com' } }), undefined],
    ['a console session', trail('run-instances-success.json', { as: { ...Principal.consoleUser, invokedBy: 'signin.amazonaws.com' } }), undefined],
  ] as const)('%s', (_name, event, service) => {
    expect(extractFacts(event).serviceInvoked).toBe(service);
  });
});

describe('classifyFailure', () => {
  it.each([
    ['Client.DryRunOperation', 'dry-run'],
    ['Client.UnauthorizedOperation', 'denied'],
    ['AccessDenied', 'denied'],
    ['AccessDeniedException', 'denied'],
    ['Client.AuthFailure', 'denied'],
    ['Client.OptInRequired', 'denied'],
    ['Client.VcpuLimitExceeded', 'limit'],
    ['Client.InstanceLimitExceeded', 'limit'],
    ['Client.MaxSpotInstanceCountExceeded', 'limit'],
    ['Client.AddressLimitExceeded', 'limit'],
    ['ServiceQuotaExceededException', 'limit'],
    ['Client.PendingVerification', 'account'],
    ['Blocked', 'account'],
    ['Server.InsufficientInstanceCapacity', 'capacity'],
    ['Server.InsufficientHostCapacity', 'capacity'],
    ['Client.InvalidAMIID.NotFound', 'other'],
    ['Client.InvalidParameterValue', 'other'],
  ] as const satisfies readonly (readonly [string, FailureKind | 'dry-run'])[])('%s is %s', (code, kind) => {
    const f = classifyFailure(code);
    expect(f === 'dry-run' ? f : f.kind).toBe(kind);
    if (f !== 'dry-run') expect(f.code).toBe(code);
  });
});

describe('isWorld', () => {
  it.each([
    ['0.0.0.0/0', true],
    ['::/0', true],
    ['208.236.235.254/0', true],
    ['2001:db8::/0', true],
    [' 10.0.0.0/00 ', true],
    ['0.0.0.0/1', false],
    ['10.0.0.0/10', false],
    ['0.0.0.0/8', false],
    ['0.0.0.0', false],
    ['::/128', false],
  ] as const)('%s -> %s', (cidr, world) => {
    expect(isWorld(cidr)).toBe(world);
  });
});

describe('describePorts', () => {
  it.each([
    [[], 'unspecified ports'],
    [[{ protocol: '-1', cidrs: [] }], 'all traffic'],
    [[{ protocol: 'tcp', from: 22, to: 22, cidrs: [] }], 'tcp/22'],
    [[{ protocol: 'tcp', from: 8000, to: 8999, cidrs: [] }], 'tcp/8000-8999'],
    [[{ protocol: 'udp', cidrs: [] }], 'udp/all'],
    [[{ protocol: 'tcp', from: 22, to: 22, cidrs: [] }, { protocol: 'tcp', from: 3389, to: 3389, cidrs: [] }], 'tcp/22, tcp/3389'],
  ] as const)('%j -> %s', (perms, text) => {
    expect(describePorts(perms)).toBe(text);
  });
});
