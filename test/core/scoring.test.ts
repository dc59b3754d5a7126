import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TrailEvent } from '../../lambdas/core/cloudtrail/types';
import { INDICATOR_IDS, IndicatorId } from '../../lambdas/core/constants';
import { analyze } from '../../lambdas/core/engine';
import { buildFinding, findingIdFor } from '../../lambdas/core/finding';
import type { Finding, IndicatorContext, IndicatorResult, Severity } from '../../lambdas/core/model';
import { decideEscalation, score, severityFor, type Results } from '../../lambdas/core/scoring';
import { DEFAULT_SETTINGS, DEFAULT_WEIGHTS, withDefaults } from '../../lambdas/core/settings';
import { ACCOUNT, Principal, trail, type FixtureName } from '../support/fixtures';
import { FEEDS, context, correlate, group, intelFrom } from '../support/groups';

const ORDER: readonly Severity[] = ['informational', 'low', 'medium', 'high', 'critical'];
const rank = (s: Severity): number => ORDER.indexOf(s);

type Status = IndicatorResult['status'];
const resultOf = (status: Status): IndicatorResult =>
  status === 'fired' ? { status, evidence: { summary: 'test', eventIds: [] } } : status === 'quiet' ? { status } : { status, reason: 'test' };

/** Every indicator present: the ones listed fired, the rest quiet. */
function results(fired: readonly IndicatorId[], others: Status = 'quiet'): Results {
  return new Map(INDICATOR_IDS.map((id) => [id, resultOf(fired.includes(id) ? 'fired' : others)]));
}

const finding = (events: readonly TrailEvent[], ctx: IndicatorContext = context()): Finding | undefined => buildFinding(group(events, ctx.settings), ctx);
const mustFind = (events: readonly TrailEvent[], ctx?: IndicatorContext): Finding => {
  const f = finding(events, ctx);
  if (!f) throw new Error('expected a finding');
  return f;
};

describe('score', () => {
  it.each([
    ['nothing fired', 0, []],
    ['a launch', 10, [IndicatorId.SERVER_PROVISIONED]],
    ['a launch by an unapproved principal', 25, [IndicatorId.SERVER_PROVISIONED, IndicatorId.UNAPPROVED_PRINCIPAL]],
    ['a threat-intel match', 40, [IndicatorId.THREAT_INTEL_MATCH]],
    [
      'a GPU burst in a new region by an unapproved principal',
      90,
      [IndicatorId.SERVER_PROVISIONED, IndicatorId.ACCELERATED_INSTANCE_TYPE, IndicatorId.UNAPPROVED_PRINCIPAL, IndicatorId.UNUSUAL_REGION, IndicatorId.PROVISIONING_BURST],
    ],
    ['everything (capped)', 100, INDICATOR_IDS],
  ] as const)('%s -> %i', (_name, expected, fired) => {
    expect(score(results(fired), DEFAULT_WEIGHTS)).toBe(expected);
    expect(score(results(fired, 'not-applicable'), DEFAULT_WEIGHTS)).toBe(expected);
  });

  it('ignores negative weights and rounds fractional ones', () => {
    const weights = { ...DEFAULT_WEIGHTS, [IndicatorId.SERVER_PROVISIONED]: -50, [IndicatorId.IP_ALLOCATED]: 2.4, [IndicatorId.NEW_KEY_PAIR]: 2.4 };
    expect(score(results([IndicatorId.SERVER_PROVISIONED, IndicatorId.IP_ALLOCATED, IndicatorId.NEW_KEY_PAIR]), weights)).toBe(5);
  });
});

describe('severityFor', () => {
  const t = DEFAULT_SETTINGS.severity;
  it.each([
    [0, false, 'informational'],
    [19, false, 'informational'],
    [20, false, 'low'],
    [39, false, 'low'],
    [40, false, 'medium'],
    [69, false, 'medium'],
    [70, false, 'high'],
    [89, false, 'high'],
    [90, false, 'critical'],
    [100, false, 'critical'],
    [0, true, 'high'],
    [45, true, 'high'],
    [75, true, 'high'],
    [95, true, 'critical'],
  ] as const)('score %i, escalate %s -> %s', (value, escalate, severity) => {
    expect(severityFor(value, escalate, t)).toBe(severity);
  });
});

interface DecisionCase {
  readonly name: string;
  readonly events: () => TrailEvent[];
  readonly ctx?: () => IndicatorContext;
  readonly escalate: boolean;
  readonly reasons: readonly string[];
}

const CI_APPROVED = { approvedPrincipals: [`arn:aws:iam::${ACCOUNT}:role/ci-*`] };
const gpuRisks = 'provisioning-burst, accelerated-instance-type';

const DECISIONS: readonly DecisionCase[] = [
  {
    name: 'a threat-intel hit escalates on its own, even for an approved caller',
    events: () => [trail('run-instances-success.json', { as: Principal.ci, sourceIp: '198.51.100.23' })],
    ctx: () => context(CI_APPROVED, intelFrom(FEEDS)),
    escalate: true,
    reasons: ['threat-intel match'],
  },
  {
    name: 'unapproved principal + acquisition + risk (GPU) escalates',
    events: () => [trail('run-instances-gpu-success.json', { as: Principal.ops })],
    escalate: true,
    reasons: [`unexplained acquisition (unapproved principal) with ${gpuRisks}`],
  },
  {
    name: 'unapproved principal + address in an unapproved region escalates',
    events: () => [trail('allocate-address.json', { region: 'ap-southeast-3' })],
    ctx: () => context({ approvedRegions: ['us-east-1'] }),
    escalate: true,
    reasons: ['unexplained acquisition (unapproved principal) with unusual-region'],
  },
  {
    name: 'unapproved launch then SSH opened to the world escalates',
    events: () => [trail('run-instances-success.json', { at: 0 }), trail('authorize-sg-ingress-world-22.json', { at: 3 })],
    escalate: true,
    reasons: ['unexplained acquisition (unapproved principal) with security-group-opened'],
  },
  {
    name: 'an approved principal with the same GPU launch does not escalate',
    events: () => [trail('run-instances-gpu-success.json', { as: Principal.ci })],
    ctx: () => context(CI_APPROVED),
    escalate: false,
    reasons: [],
  },
  {
    name: 'an approved principal missing the required tags is unexplained too',
    events: () => [trail('run-instances-gpu-success.json', { as: Principal.ci })],
    ctx: () => context({ ...CI_APPROVED, requiredTags: ['CostCenter'] }),
    escalate: true,
    reasons: [`unexplained acquisition (missing business tags) with ${gpuRisks}`],
  },
  {
    name: 'an acquisition without any risk indicator does not escalate',
    events: () => [trail('run-instances-success.json'), trail('allocate-address.json', { at: 1 })],
    escalate: false,
    reasons: [],
  },
  {
    name: 'a failed-only GPU attempt by an unapproved principal escalates',
    events: () => [trail('run-instances-gpu-denied.json')],
    escalate: true,
    reasons: ['unexplained acquisition attempt (unapproved principal) with accelerated-instance-type'],
  },
  {
    name: 'a failed-only attempt whose only risk is the failure itself does not escalate',
    events: () => [trail('run-instances-success.json', { error: 'Client.InstanceLimitExceeded', request: { instanceType: 'm5.large' } })],
    escalate: false,
    reasons: [],
  },
  {
    name: 'failures before a real acquisition are a risk',
    events: () => [trail('run-instances-success.json', { id: 'denied', at: 0, error: 'Client.UnauthorizedOperation' }), trail('run-instances-success.json', { id: 'run', at: 2 })],
    escalate: true,
    reasons: ['unexplained acquisition (unapproved principal) with failed-provisioning'],
  },
  {
    name: 'a lone DryRun for GPUs does not escalate',
    events: () => [trail('run-instances-dry-run.json')],
    escalate: false,
    reasons: [],
  },
  {
    name: 'an Auto Scaling launch of GPU instances does not escalate',
    events: () => [
      trail('run-instances-autoscaling.json', {
        edit: (r) => {
          const items = (r.responseElements!.instancesSet as { items: Record<string, unknown>[] }).items;
          items[0]!.instanceType = 'g4dn.12xlarge';
        },
      }),
    ],
    escalate: false,
    reasons: [],
  },
  {
    name: 'a world-open HTTPS rule is no threat-intel hit: an approved caller does not escalate',
    events: () => [trail('run-instances-success.json', { as: Principal.ci, at: 0 }), trail('authorize-sg-ingress-443.json', { as: Principal.ci, at: 1 })],
    ctx: () => context(CI_APPROVED, intelFrom(FEEDS)),
    escalate: false,
    reasons: [],
  },
];

describe('decision for escalation', () => {
  it.each(DECISIONS.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const f = mustFind(c.events(), c.ctx?.());
    expect({ escalate: f.escalate, reasons: f.escalationReasons, tier: f.tier }).toEqual({ escalate: c.escalate, reasons: c.reasons, tier: c.escalate ? 2 : 1 });
    if (c.escalate) expect(rank(f.severity)).toBeGreaterThanOrEqual(rank('high'));
  });
});

describe('scoring properties', () => {
  const status = fc.constantFrom<Status>('fired', 'quiet', 'not-applicable');
  const statuses = fc.array(status, { minLength: INDICATOR_IDS.length, maxLength: INDICATOR_IDS.length });
  const toResults = (s: readonly Status[]): Map<IndicatorId, IndicatorResult> => new Map(INDICATOR_IDS.map((id, i) => [id, resultOf(s[i]!)]));
  const weights = fc.oneof(
    fc.constant(DEFAULT_WEIGHTS),
    fc.array(fc.integer({ min: -20, max: 80 }), { minLength: INDICATOR_IDS.length, maxLength: INDICATOR_IDS.length }).map(
      (w) => Object.fromEntries(INDICATOR_IDS.map((id, i) => [id, w[i]!])) as Record<IndicatorId, number>,
    ),
  );
  const thresholds = fc
    .uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 4, maxLength: 4 })
    .map((xs) => [...xs].sort((a, b) => a - b))
    .map(([low, medium, high, critical]) => ({ low: low!, medium: medium!, high: high!, critical: critical! }));

  it('score is an integer in [0, 100]', () => {
    fc.assert(
      fc.property(statuses, weights, (s, w) => {
        const v = score(toResults(s), w);
        expect(Number.isInteger(v) && v >= 0 && v <= 100).toBe(true);
      }),
    );
  });

  it('an indicator firing never lowers the score', () => {
    fc.assert(
      fc.property(statuses, weights, fc.nat({ max: INDICATOR_IDS.length - 1 }), (s, w, i) => {
        const before = score(toResults(s), w);
        const more = [...s];
        more[i] = 'fired';
        expect(score(toResults(more), w)).toBeGreaterThanOrEqual(before);
      }),
    );
  });

  it('score does not depend on the order of the indicators', () => {
    fc.assert(
      fc.property(
        statuses.chain((s) => fc.tuple(fc.constant(s), fc.shuffledSubarray([...toResults(s)], { minLength: INDICATOR_IDS.length, maxLength: INDICATOR_IDS.length }))),
        weights,
        ([s, shuffled], w) => {
          expect(score(new Map(shuffled), w)).toBe(score(toResults(s), w));
        },
      ),
    );
  });

  it('severity is monotonic in the score', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), fc.boolean(), thresholds, (a, b, escalate, t) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(rank(severityFor(lo, escalate, t))).toBeLessThanOrEqual(rank(severityFor(hi, escalate, t)));
      }),
    );
  });

  it('an escalated finding is at least high, and never below its score severity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), thresholds, (v, t) => {
        const escalated = severityFor(v, true, t);
        expect(rank(escalated)).toBeGreaterThanOrEqual(rank('high'));
        expect(rank(escalated)).toBeGreaterThanOrEqual(rank(severityFor(v, false, t)));
      }),
    );
  });

  it('the decision rule: a threat-intel hit always escalates; without one, nothing unexplained never does', () => {
    const g = group([trail('run-instances-gpu-success.json', { as: Principal.ops })]);
    fc.assert(
      fc.property(statuses, (s) => {
        const r = toResults(s);
        const d = decideEscalation(r, g, DEFAULT_SETTINGS);
        const on = (id: IndicatorId) => r.get(id)?.status === 'fired';
        if (on(IndicatorId.THREAT_INTEL_MATCH)) expect(d.escalate).toBe(true);
        if (!on(IndicatorId.THREAT_INTEL_MATCH) && !on(IndicatorId.UNAPPROVED_PRINCIPAL) && !on(IndicatorId.MISSING_BUSINESS_TAGS)) expect(d).toEqual({ escalate: false, reasons: [] });
        expect(d.escalate).toBe(d.reasons.length > 0);
      }),
    );
  });

  it('every finding the engine builds from any mix of fixtures is consistent', () => {
    const fixtures: readonly FixtureName[] = [
      'run-instances-success.json',
      'run-instances-gpu-success.json',
      'run-instances-gpu-denied.json',
      'run-instances-dry-run.json',
      'vcpu-limit-exceeded.json',
      'allocate-address.json',
      'associate-address.json',
      'release-address.json',
      'terminate-instances.json',
      'create-key-pair.json',
      'authorize-sg-ingress-world-22.json',
      'authorize-sg-ingress-443.json',
      'modify-instance-attribute-userdata.json',
      'service-quotas-increase.json',
      'request-spot-instances.json',
    ];
    const who = [Principal.ops, Principal.ci, Principal.backupUser, Principal.root];
    const event = fc.record({
      fixture: fc.constantFrom(...fixtures),
      at: fc.integer({ min: 0, max: 6 * 60 }),
      who: fc.nat({ max: who.length - 1 }),
      region: fc.constantFrom('us-east-1', 'eu-west-1', 'ap-southeast-3'),
    });
    const settings = fc.constantFrom(
      withDefaults(),
      withDefaults({ approvedPrincipals: [`arn:aws:iam::${ACCOUNT}:role/ci-*`], approvedRegions: ['us-east-1'], requiredTags: ['CostCenter'] }),
    );
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 12 }), settings, fc.boolean(), (picked, s, withFeeds) => {
        const events = picked.map((p, i) => trail(p.fixture, { id: `e${i}`, at: p.at, as: who[p.who]!, region: p.region }));
        const { findings } = analyze(events, { settings: s, intel: withFeeds ? intelFrom(FEEDS) : intelFrom({}) });
        for (const f of findings) {
          expect(f.score).toBeGreaterThanOrEqual(0);
          expect(f.score).toBeLessThanOrEqual(100);
          expect(f.severity).toBe(severityFor(f.score, f.escalate, s.severity));
          if (f.escalate) expect(rank(f.severity)).toBeGreaterThanOrEqual(rank('high'));
          expect(f.tier).toBe(f.escalate ? 2 : 1);
          expect(f.escalate).toBe(f.escalationReasons.length > 0);
          expect(f.indicators.reduce((n, i) => n + Math.max(0, i.weight), 0)).toBeGreaterThanOrEqual(f.score);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('buildFinding', () => {
  const run = () => trail('run-instances-success.json', { id: 'run', at: 0 });
  const alloc = () => trail('allocate-address.json', { id: 'alloc', at: 5 });
  const assoc = () => trail('associate-address.json', { id: 'assoc', at: 6 });

  it('has a deterministic id, safe as an execution name', () => {
    const a = mustFind([run(), alloc()]);
    const b = mustFind([run(), alloc()]);
    expect(a.findingId).toMatch(/^rif-[0-9a-f]{24}$/);
    expect(b.findingId).toBe(a.findingId);
  });

  it('keeps its id when more events join the same group', () => {
    const small = mustFind([run()]);
    const grown = mustFind([run(), alloc(), assoc()]);
    expect(grown.eventIds).toEqual(['run', 'alloc', 'assoc']);
    expect(grown.findingId).toBe(small.findingId);
  });

  it('gets another id for another first event, principal or account', () => {
    const base = mustFind([run()]).findingId;
    expect(mustFind([trail('run-instances-success.json', { id: 'other' })]).findingId).not.toBe(base);
    expect(mustFind([trail('run-instances-success.json', { id: 'run', as: Principal.backupUser })]).findingId).not.toBe(base);
    expect(mustFind([trail('run-instances-success.json', { id: 'run', account: '444455556666' })]).findingId).not.toBe(base);
    const g = group([run()]);
    expect(findingIdFor(g, 'run')).toBe(base);
  });

  it('a group where no activity indicator fired makes no finding', () => {
    expect(finding([trail('terminate-instances.json')])).toBeUndefined();
    expect(finding([trail('authorize-sg-ingress-443.json')])).toBeUndefined();
  });

  it('splits activity 70 minutes apart into two findings with their own ids', () => {
    const groups = correlate([run(), trail('allocate-address.json', { id: 'later', at: 70 })]);
    const ids = groups.map((g) => buildFinding(g, context())?.findingId);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });

  it('describes the caller, where and when', () => {
    const f = mustFind([run(), trail('allocate-address.json', { id: 'alloc', at: 5, region: 'eu-west-1' }), trail('create-key-pair.json', { id: 'key', at: 7, region: 'eu-west-1' })]);
    expect(f).toMatchObject({
      accountId: ACCOUNT,
      region: 'eu-west-1',
      regions: ['eu-west-1', 'us-east-1'],
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/ops-admin/jordan`,
      principalType: 'AssumedRole',
      principalRole: `arn:aws:iam::${ACCOUNT}:role/ops-admin`,
      accessKeyId: 'ASIAXMPLOPS4SESSION1',
      sourceIps: ['203.0.113.10'],
      firstSeen: '2025-03-04T10:00:00.000Z',
      lastSeen: '2025-03-04T10:07:00.000Z',
      eventCount: 3,
    });
    expect(f.resources).toMatchObject({ instanceIds: ['i-0a1b2c3d4e5f60001', 'i-0a1b2c3d4e5f60002'], allocationIds: ['eipalloc-0f1e2d3c4b5a69788'], keyPairs: ['ops-2025'] });
    expect(f.indicators.map((i) => i.id)).toEqual([IndicatorId.SERVER_PROVISIONED, IndicatorId.IP_ALLOCATED, IndicatorId.UNAPPROVED_PRINCIPAL, IndicatorId.NEW_KEY_PAIR]);
    expect(f.score).toBe(10 + 10 + 15 + 5);
  });

  it('marks service-invoked findings', () => {
    const f = mustFind([trail('run-instances-autoscaling.json')]);
    expect(f.invokedBy).toBe('autoscaling.amazonaws.com');
    expect(f.answers.legitimateUse).toMatchObject({ answer: 'yes', summary: "Made by autoscaling.amazonaws.com on the account's behalf." });
  });
});

describe('the four questions', () => {
  it('billing is unknown to a CloudTrail-only hunt, says what would answer it, and states the exposure', () => {
    const { billing } = mustFind([trail('run-instances-success.json')]).answers;
    expect(billing.answer).toBe('unknown');
    expect(billing.needs).toMatch(/Cost Explorer|Cost Anomaly Detection/);
    expect(billing.evidence).toEqual(['exposure: 8 vCPUs started in this activity']);
  });

  it('threat intel: unknown without feeds', () => {
    const { threatIntel } = mustFind([trail('run-instances-success.json')]).answers;
    expect(threatIntel.answer).toBe('unknown');
    expect(threatIntel.needs).toMatch(/threatIntel\.ipFeeds/);
  });

  it('threat intel: no, with feeds and no hit', () => {
    const { threatIntel } = mustFind([trail('run-instances-success.json')], context({}, intelFrom(FEEDS))).answers;
    expect(threatIntel).toMatchObject({ answer: 'no', evidence: ['checked against abuse-ips, c2-domains'] });
    expect(threatIntel.needs).toBeUndefined();
  });

  it('threat intel: yes, with a hit, citing it', () => {
    const { threatIntel } = mustFind([trail('run-instances-success.json', { sourceIp: '198.51.100.23' })], context({}, intelFrom(FEEDS))).answers;
    expect(threatIntel).toMatchObject({ answer: 'yes', evidence: ['caller IP 198.51.100.23 (listed as 198.51.100.0/24 in abuse-ips:2)'] });
  });

  it.each([
    ['an unapproved launch', 'yes', [() => trail('run-instances-success.json')], CI_APPROVED],
    ['an approved, tagged launch', 'no', [() => trail('run-instances-success.json', { as: Principal.ci })], { ...CI_APPROVED, requiredTags: ['CostCenter'] }],
    ['a denied attempt only', 'attempted', [() => trail('run-instances-gpu-denied.json')], CI_APPROVED],
    ['a key pair only', 'no', [() => trail('create-key-pair.json')], CI_APPROVED],
  ] as const)('recent acquisition: %s -> %s', (_name, answer, events, settings) => {
    expect(mustFind(events.map((e) => e()), context(settings)).answers.recentAcquisition.answer).toBe(answer);
  });

  it('legitimate use: no for an unapproved caller, yes for an approved one', () => {
    expect(mustFind([trail('run-instances-success.json')], context(CI_APPROVED)).answers.legitimateUse.answer).toBe('no');
    const approved = mustFind([trail('run-instances-success.json', { as: Principal.ci })], context({ ...CI_APPROVED, requiredTags: ['CostCenter'] })).answers.legitimateUse;
    expect(approved.answer).toBe('yes');
    expect(approved.evidence).toContain(`arn:aws:iam::${ACCOUNT}:role/ci-deployer matches approved pattern arn:aws:iam::${ACCOUNT}:role/ci-*`);
  });

  it('legitimate use: unknown when nothing is configured to judge business need by', () => {
    const { legitimateUse } = mustFind([trail('run-instances-success.json')]).answers;
    expect(legitimateUse.answer).toBe('unknown');
    expect(legitimateUse.needs).toMatch(/approvedPrincipals/);
  });
});
