import type { CloudTrailRecord } from '../../lambdas/core/cloudtrail/types';
import { IndicatorId, LAUNCH_EVENTS, isIn } from '../../lambdas/core/constants';
import { describePorts, isWorld, type EventFacts, type PortRange } from '../../lambdas/core/facts';
import type { Finding } from '../../lambdas/core/model';
import { DEFAULT_SETTINGS } from '../../lambdas/core/settings';

/**
 * How the peers' expected outcomes translate into ours.
 *
 * A peer's `expected` is its verdict for its own rule, not a verdict on
 * T1583.004. So each acquisition-related rule gets the engine predicate that
 * asks the same question, and, where the two rules mean different things,
 * an `explain` function that recognises the cases where they must disagree
 * and says why. `explain` looks at the event, never at the test name, so a
 * disagreement it does not recognise is reported as unexplained: that is
 * either an engine bug or a difference nobody has written down yet.
 */

/** What one test case looks like to a predicate or an explanation. */
export interface CaseView {
  readonly rule: string;
  readonly name: string;
  readonly expected: boolean;
  /** The CloudTrail record the test carries (undefined if it has none). */
  readonly record: CloudTrailRecord | undefined;
  /** The engine's reading of that record, also for records it does not score (undefined if it cannot be normalised). */
  readonly facts: EventFacts | undefined;
  /** Findings of a fresh engine run on this test's event alone. */
  readonly findings: readonly Finding[];
}

/**
 * - `same`: both rules ask the same question of the event.
 * - `broader`: the peer alerts on a superset; the acquisition-related part is ours.
 * - `different`: the peer asks something else of the same events; only the overlap is compared.
 */
export type Relation = 'same' | 'broader' | 'different';

export interface RuleMapping {
  readonly suite: SuiteId;
  readonly rule: string;
  readonly relation: Relation;
  /** Our predicate: the indicators that must fire, in words (printed in the report and in docs/evaluation.md). */
  readonly predicate: string;
  /** True when the engine says what the peer's `expected: true` says. */
  readonly holds: (c: CaseView) => boolean;
  /** One line: why this predicate corresponds to the peer's rule. */
  readonly rationale: string;
  /** Limits the comparison to the peer's cases the predicate can speak to. */
  readonly scope?: { readonly describe: string; readonly includes: (c: CaseView) => boolean };
  /** The reason a disagreement on this case is expected, or undefined if it is not. */
  readonly explain?: (c: CaseView, ours: boolean) => string | undefined;
}

export type SuiteId = 'panther' | 'streamalert';

export interface SuiteSpec {
  readonly id: SuiteId;
  readonly title: string;
  /** Relative to the datasets folder. */
  readonly file: string;
}

export const SUITES: readonly SuiteSpec[] = [
  { id: 'panther', title: 'Panther rule tests', file: 'panther-analysis/all_cloudtrail_rule_tests.jsonl' },
  { id: 'streamalert', title: 'StreamAlert rule tests', file: 'streamalert/cloudtrail_rule_tests.jsonl' },
];

// ---------------------------------------------------------------------------
// Predicates and the facts explanations are built from.

const fired =
  (id: IndicatorId) =>
  (c: CaseView): boolean =>
    c.findings.some((f) => f.indicators.some((i) => i.id === id));

/** A successful launch (or churn) attributed to the caller itself, not to a capacity service. */
const acquiredByCaller = (c: CaseView): boolean =>
  c.findings.some((f) => f.invokedBy === undefined && f.indicators.some((i) => i.id === IndicatorId.SERVER_PROVISIONED || i.id === IndicatorId.RAPID_CHURN));

const eventName = (c: CaseView): string => (typeof c.record?.eventName === 'string' ? c.record.eventName : '(no eventName)');
const failed = (c: CaseView): boolean => c.facts !== undefined && c.facts.outcome !== 'succeeded';
const isLaunch = (c: CaseView): boolean => isIn(LAUNCH_EVENTS, String(c.record?.eventSource ?? ''), eventName(c));

const WEB_PORTS = DEFAULT_SETTINGS.securityGroups.worldOpenAllowedPorts;

/** The documented policy: ICMP and ranges made only of the allowed web ports may be open to the world. */
function onlyWebPorts(perms: readonly PortRange[]): boolean {
  return (
    perms.length > 0 &&
    perms.every((p) => {
      if (p.protocol.toLowerCase() === 'icmp' || p.protocol === '1') return true;
      if (p.protocol === '-1' || p.protocol === 'all' || p.from === undefined) return false;
      for (let port = p.from; port <= (p.to ?? p.from); port++) if (!WEB_PORTS.includes(port)) return false;
      return true;
    })
  );
}

/**
 * Why a security-group event is not "opened to the world" by our definition,
 * or undefined when it is (then a missing security-group-opened is a bug).
 */
function notWorldOpen(c: CaseView): string | undefined {
  const name = eventName(c);
  if (name !== 'AuthorizeSecurityGroupIngress') return `${name} is not an ingress rule; we flag only ingress opened to the internet`;
  const ingress = c.facts?.ingress;
  if (!ingress) return undefined;
  if (failed(c)) return `the call failed (${c.facts?.failure?.code ?? 'error'}): nothing was opened`;
  if (!ingress.worldOpen) return `${describePorts(ingress.permissions)} from ${ingress.cidrs.join(', ') || 'no CIDR'} only, not from 0.0.0.0/0 or ::/0`;
  if (onlyWebPorts(ingress.permissions)) return `only ${describePorts(ingress.permissions)} opened to the world: web ports (${WEB_PORTS.join(', ')}) are allowed by default`;
  return undefined;
}

/** Panther's exemption in AWS.EC2.ManualSecurityGroupChange: Terraform run by one of these roles. */
const TERRAFORM = /HashiCorp\/\d\.0 Terraform\//;
const ALLOWED_ROLES = ['Operator', 'ContinousDeployment'];

// ---------------------------------------------------------------------------
// The mapping table.

export const RULE_MAPPINGS: readonly RuleMapping[] = [
  {
    suite: 'panther',
    rule: 'AWS.EC2.LaunchUnusualEC2Instances',
    relation: 'same',
    predicate: 'accelerated-instance-type',
    holds: fired(IndicatorId.ACCELERATED_INSTANCE_TYPE),
    rationale: 'Both flag a RunInstances asking for a GPU type, successful or not (theirs: a site list, p2.xlarge; ours: GPU/accelerator families or >= 64 vCPUs).',
    explain: (c, ours) => {
      const type = c.facts?.launch?.instanceTypes.join(', ');
      if (!c.expected && ours && type && type !== 'p2.xlarge') return `Panther's list holds only p2.xlarge; ${type} is an accelerated or very large type for us`;
      return undefined;
    },
  },
  {
    suite: 'panther',
    rule: 'AWS.EC2.Startup.Script.Change',
    relation: 'same',
    predicate: 'user-data-modified',
    holds: fired(IndicatorId.USER_DATA_MODIFIED),
    rationale: 'Both flag ModifyInstanceAttribute replacing userData, the code an instance runs as root at boot.',
    explain: (c, ours) => (c.expected && !ours && failed(c) ? 'Panther ignores errorCode; a failed ModifyInstanceAttribute changes nothing' : undefined),
  },
  {
    suite: 'panther',
    rule: 'AWS.EC2.SecurityGroupModified',
    relation: 'broader',
    predicate: 'security-group-opened',
    holds: fired(IndicatorId.SECURITY_GROUP_OPENED),
    rationale: 'Panther alerts on every successful security-group change; the part that matters for acquired servers is ingress opened to the internet.',
    explain: (c, ours) => {
      if (!c.expected || ours) return undefined;
      const why = notWorldOpen(c);
      return why ? `Panther alerts on any security-group change; ${why}` : undefined;
    },
  },
  {
    suite: 'panther',
    rule: 'AWS.EC2.ManualSecurityGroupChange',
    relation: 'broader',
    predicate: 'security-group-opened',
    holds: fired(IndicatorId.SECURITY_GROUP_OPENED),
    rationale: 'Panther alerts on security-group changes in its production accounts not made by Terraform with an allowed role; the acquisition part is ingress opened to the internet.',
    explain: (c, ours) => {
      if (c.expected && !ours) {
        const why = notWorldOpen(c);
        return why ? `Panther alerts on any manual security-group change; ${why}` : undefined;
      }
      if (!c.expected && ours) {
        const account = String(c.record?.recipientAccountId ?? '');
        if (!['11111111111111', '112233445566'].includes(account)) return `Panther watches only its configured production accounts; ${account} is not one, and we watch every account`;
        const arn = String(c.record?.userIdentity?.arn ?? '');
        if (TERRAFORM.test(String(c.record?.userAgent ?? '')) && ALLOWED_ROLES.some((r) => arn.includes(r))) return 'Panther exempts Terraform runs by allowed roles; we do not exempt callers by user agent, which the caller writes itself';
      }
      return undefined;
    },
  },
  {
    suite: 'panther',
    rule: 'AWS.Modify.Cloud.Compute.Infrastructure',
    relation: 'broader',
    predicate: 'server-provisioned or rapid-churn, not by a service',
    holds: acquiredByCaller,
    rationale: 'Panther alerts on any instance lifecycle call (run, start, stop, modify, terminate) not made by an AWS service, except dry runs; the acquisition part is a successful launch by the caller itself.',
    explain: (c, ours) => {
      if (c.expected && !ours) {
        if (!isLaunch(c)) return `Panther alerts on ${eventName(c)} too; it acquires nothing (a lone TerminateInstances counts only as rapid-churn of a launch seen in the same data)`;
        if (failed(c)) return 'Panther alerts on failed launches too; a failed launch acquires nothing (it is failed-provisioning, not server-provisioned)';
      }
      if (!c.expected && ours) {
        const internal = String(c.record?.sourceIPAddress ?? '') === 'AWS Internal' || String(c.record?.userIdentity?.invokedBy ?? '') === 'AWS Internal';
        if (internal) return 'Panther drops calls recorded as "AWS Internal"; we judge them as the recorded principal (console sessions appear that way)';
      }
      return undefined;
    },
  },
  {
    suite: 'panther',
    rule: 'AWS.EC2.Monitoring',
    relation: 'different',
    predicate: 'server-provisioned',
    holds: fired(IndicatorId.SERVER_PROVISIONED),
    rationale: 'Panther watches AMI actions (CreateImage, CopyImage, ...) and uses RunInstances as negatives; on those we check that a real launch is server-provisioned and a dry run is not.',
    scope: {
      describe: 'RunInstances cases only: image actions are not acquisition and the engine does not read them',
      includes: (c) => eventName(c) === 'RunInstances',
    },
    explain: (c, ours) =>
      !c.expected && ours && !failed(c)
        ? 'Panther\'s rule covers image actions only, so any RunInstances is a negative for it; a successful launch is server-provisioned for us'
        : undefined,
  },
  {
    suite: 'panther',
    rule: 'AWS.EC2.Vulnerable.XZ.Image.Launched',
    relation: 'different',
    predicate: 'server-provisioned',
    holds: fired(IndicatorId.SERVER_PROVISIONED),
    rationale: 'Panther flags launches of AMIs with the backdoored XZ Utils; we do not judge images, but every successful launch must be server-provisioned.',
    explain: (c, ours) =>
      !c.expected && ours && !failed(c) ? 'Panther\'s negative is a launch of a clean AMI; we flag every successful launch, whatever the image' : undefined,
  },
  {
    suite: 'streamalert',
    rule: 'cloudtrail_security_group_ingress_anywhere',
    relation: 'same',
    predicate: 'security-group-opened',
    holds: fired(IndicatorId.SECURITY_GROUP_OPENED),
    rationale: 'Both flag AuthorizeSecurityGroupIngress from 0.0.0.0/0 or ::/0 (we leave out ports 80 and 443, and failed calls).',
    explain: (c, ours) => {
      if (!c.expected || ours) return undefined;
      const ingress = c.facts?.ingress;
      if (ingress && ingress.cidrs.some(isWorld)) {
        const why = notWorldOpen(c);
        return why ? `StreamAlert checks only the CIDR; ${why}` : undefined;
      }
      return undefined;
    },
  },
];

/**
 * The peers' EC2 rules that are not about acquiring servers, with the
 * reason. Rules of the suites that are neither here nor in RULE_MAPPINGS
 * are about other services (IAM, S3, CloudTrail, ...).
 */
export const UNMAPPED_RULES: ReadonlyMap<string, string> = new Map([
  ['AWS.EC2.StopInstances', 'stopping an instance acquires nothing; in the user-data technique it is caught at ModifyInstanceAttribute'],
  ['AWS.EC2.DownloadInstanceUserData', 'discovery (reading user data), not acquisition'],
  ['AWS.EC2.ManyPasswordReadAttempts', 'credential access (GetPasswordData)'],
  ['AWS.EC2.MultiInstanceConnect', 'lateral movement (EC2 Instance Connect)'],
  ['AWS.EC2.Traffic.Mirroring', 'collection (traffic mirroring)'],
  ['AWS.EC2.EBS.Encryption.Disabled', 'defense evasion (EBS default encryption)'],
  ['AWS.EC2.VPCModified', 'network configuration (VPC), not servers'],
  ['AWS.EC2.RouteTableModified', 'network configuration (routes), not servers'],
  ['AWS.EC2.GatewayModified', 'network configuration (gateways), not servers'],
  ['AWS.EC2.NetworkACLModified', 'network ACLs are subnet-wide and allow everything by default; we read security groups'],
  ['AWS.CloudTrail.NetworkACLPermissiveEntry', 'network ACLs are subnet-wide and allow everything by default; we read security groups'],
  ['AWS.CloudTrail.AMIModifiedForPublicAccess', 'exfiltration (AMI shared), not acquisition'],
  ['AWS.CloudTrail.SnapshotMadePublic', 'exfiltration (snapshot shared), not acquisition'],
  ['AWS.CloudTrail.IMDSCredentialExfiltration', 'credential access (instance credentials used outside)'],
  ['AWS.Software.Discovery', 'discovery (Describe* calls)'],
  ['AWS.VPCFlow.LogsDeleted', 'defense evasion (flow logs deleted)'],
  ['cloudtrail_network_acl_ingress_anywhere', 'network ACLs are subnet-wide and allow everything by default; we read security groups'],
  ['cloudtrail_snapshot_or_ami_made_public', 'exfiltration (AMI or snapshot shared), not acquisition'],
  ['cloudtrail_ec2_image_creation', 'AMI hygiene (unencrypted or public images), not acquisition'],
  ['cloudtrail_critical_api_calls', 'deletions and logging changes (DeleteVpc, DeleteFlowLogs, StopLogging, ...), not acquisition'],
]);

export const OTHER_SERVICE_REASON = 'not about EC2 compute (IAM, S3, CloudTrail, KMS, ...)';

// ---------------------------------------------------------------------------
// Stratus Red Team and the negative controls.

export interface StratusExpectation {
  readonly technique: string;
  /** A finding must carry all of these. */
  readonly indicators: readonly IndicatorId[];
  /** That finding must also be escalated to Tier 2. */
  readonly escalated: boolean;
  readonly why: string;
}

export const STRATUS_DIR = 'stratus-red-team/detonation-logs';

export const STRATUS_ACQUISITION: readonly StratusExpectation[] = [
  {
    technique: 'aws.execution.ec2-launch-unusual-instances',
    indicators: [IndicatorId.ACCELERATED_INSTANCE_TYPE, IndicatorId.FAILED_PROVISIONING],
    escalated: true,
    why: 'p2.xlarge RunInstances denied (UnauthorizedOperation): an acquisition attempt with a GPU type',
  },
  {
    technique: 'aws.execution.ec2-user-data',
    indicators: [IndicatorId.USER_DATA_MODIFIED],
    escalated: false,
    why: 'stop, replace userData, start: the attacker\'s code runs at boot on an existing server',
  },
  {
    technique: 'aws.exfiltration.ec2-security-group-open-port-22-ingress',
    indicators: [IndicatorId.SECURITY_GROUP_OPENED],
    escalated: false,
    why: 'tcp/22 opened to 0.0.0.0/0',
  },
];

export type ControlExpectation = 'no-findings' | 'no-escalation' | 'all-ignored';

export interface NegativeControl {
  readonly name: string;
  /** Folder or file, relative to the datasets folder. */
  readonly path: string;
  readonly expect: ControlExpectation;
  readonly why: string;
}

/** Data the datasets README calls benign or out of scope. */
export const NEGATIVE_CONTROLS: readonly NegativeControl[] = [
  {
    name: 'OTRF console browsing and S3 exfiltration',
    path: 'otrf-security-datasets',
    expect: 'no-findings',
    why: 'Describe* browsing and S3 reads with stolen keys: no resource is created',
  },
  {
    name: 'Cloud Custodian RunInstances by Auto Scaling',
    path: 'cloud-custodian/cloudtrail-records/event-cloud-trail-run-instances.json',
    expect: 'no-escalation',
    why: 'a launch made by autoscaling.amazonaws.com: capacity a service manages',
  },
  {
    name: 'Cloud Custodian EventBridge, other detail-types',
    path: 'cloud-custodian/eventbridge-other-detail-types',
    expect: 'all-ignored',
    why: 'instance state changes, GuardDuty findings, scheduled events: not CloudTrail',
  },
  {
    name: 'trailscraper fixtures',
    path: 'trailscraper',
    expect: 'no-findings',
    why: 'DescribeLaunchConfigurations, AssumeRole, GetResource: benign',
  },
];
