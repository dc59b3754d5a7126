import { IndicatorId } from '../constants';
import type { Answer, Answers, Finding } from '../model';
import type { AccountContext, ApprovalRequest, Enrichment, InstanceContext, Notification, Outcome, TaskFailure } from '../workflow';
import { describePlan, type ContainmentPlan, type ContainmentReport } from '../containment';

/**
 * The e-mail rendering of a notification (SNS delivers it as a plain-text
 * mail), and the wording the Slack rendering shares with it. Pure: every
 * fact comes from the notification, including times.
 *
 * Much of a finding is written by whoever made the API calls (tags, key
 * names, session names), so every value is flattened to one line before it
 * is placed, and lists are cut to a few items with a count: a message must
 * stay readable, and within the channel's limits, however large the finding.
 */

/** SNS rejects subjects of 100 characters or more (and any line break or non-ASCII character). */
export const SUBJECT_MAX = 99;
/** SNS messages are at most 256 KB; a cut at this many characters stays under it even in 3-byte UTF-8. */
export const BODY_MAX = 60_000;

export const TIER_LABEL = {
  2: 'Tier 2 ESCALATION',
  1: 'Tier 1 informational',
} as const;

export const ANSWER_LABEL: Record<Answer['answer'], string> = { yes: 'YES', no: 'NO', attempted: 'ATTEMPTED', unknown: 'UNKNOWN' };

/** Short names of the four Questions for Analysis, in the playbook's order. */
export const QUESTION_ORDER: readonly { readonly key: keyof Answers; readonly short: string }[] = [
  { key: 'recentAcquisition', short: 'Recent acquisition?' },
  { key: 'legitimateUse', short: 'Legitimate use?' },
  { key: 'billing', short: 'Billing anomaly?' },
  { key: 'threatIntel', short: 'Known-malicious connections?' },
];

// ---------------------------------------------------------------------------
// Small text helpers, shared with the Slack rendering.

/** One line: control characters (newlines included) become spaces, runs of spaces collapse. */
export function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/ {2,}/g, ' ').trim();
}

/** Cut to `max` characters with an ellipsis, never splitting a surrogate pair. */
export function clip(value: string, max: number, ellipsis = '...'): string {
  if (value.length <= max) return value;
  let cut = value.slice(0, Math.max(0, max - ellipsis.length));
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return cut + ellipsis;
}

/** "a, b, c and 27 more" */
export function few(values: readonly string[], max: number, itemMax = 80): string {
  const shown = values.slice(0, max).map((v) => clip(oneLine(v), itemMax));
  return values.length > max ? `${shown.join(', ')} and ${values.length - max} more` : shown.join(', ');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "2025-05-15 02:09:50 UTC" from an ISO 8601 time; anything else as given. */
export function formatTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return oneLine(iso);
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "61 min", "3.5 h", "2 d" between two ISO times. */
export function duration(fromIso: string, toIso: string): string | undefined {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 2 * 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 2 * 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

// ---------------------------------------------------------------------------
// What a finding is about, in a few words.

/**
 * A short name for the caller: the IAM user, the role (or, for SSO and
 * other human sessions, the person), or root.
 */
export function shortPrincipal(f: Pick<Finding, 'principal' | 'invokedBy' | 'principalType'>): string {
  // A service-linked role acts for the service that invoked it (Auto Scaling
  // launching for a group); any other principal is the one to name, even when
  // a service such as CloudFormation made the call for it.
  if (f.invokedBy && (f.principalType === 'AWSService' || /:assumed-role\/AWSServiceRoleFor/.test(f.principal))) return oneLine(f.invokedBy);
  const arn = oneLine(f.principal);
  if (/:root$/.test(arn)) return 'root';
  const assumed = /:assumed-role\/([^/]+)\/(.+)$/.exec(arn);
  if (assumed) {
    const [, role = '', session = ''] = assumed;
    // A human session name (alice@example.com) says more than the SSO permission-set role.
    return session.includes('@') ? session : role;
  }
  const named = /:(?:user|role|federated-user)\/(?:.*\/)?([^/]+)$/.exec(arn);
  return named?.[1] ?? arn;
}

const isGpuFamily = (type: string): boolean => /^(p|g)\d/i.test(type);

/** "GPU " when a GPU family was asked for, "accelerated " for other accelerator or very large types. */
function capacityAdjective(f: Finding): string {
  const accelerated = f.indicators.find((i) => i.id === IndicatorId.ACCELERATED_INSTANCE_TYPE);
  if (!accelerated) return '';
  const detailTypes = accelerated.evidence.details?.instanceTypes;
  const types = Array.isArray(detailTypes) ? detailTypes.filter((t): t is string => typeof t === 'string') : f.resources.instanceTypes;
  return types.some(isGpuFamily) ? 'GPU ' : 'accelerated ';
}

/**
 * What was acquired, biggest part first: ["30 GPU instances", "4 Elastic
 * IPs"]. Denied attempts and other activity when nothing was acquired.
 */
export function acquisitionParts(f: Finding): string[] {
  const r = f.resources;
  const adjective = capacityAdjective(f);
  const parts: string[] = [];
  if (r.instanceIds.length) parts.push(plural(r.instanceIds.length, `${adjective}instance`));
  else if (r.requestIds.length) parts.push(plural(r.requestIds.length, `${adjective}capacity request`));
  const addresses = Math.max(r.allocationIds.length, r.publicIps.length);
  if (addresses) parts.push(plural(addresses, 'Elastic IP'));
  if (parts.length) return parts;
  if (f.indicators.some((i) => i.id === IndicatorId.FAILED_PROVISIONING)) return [`denied ${adjective}provisioning attempts`];
  const first = f.indicators[0];
  return [first ? first.title.toLowerCase() : plural(f.eventCount, 'event')];
}

/** "30 GPU instances and 4 Elastic IPs" */
export function acquisitionSummary(f: Finding): string {
  return acquisitionParts(f).join(' and ');
}

function accountLabel(f: Finding, enrichment?: Enrichment): { id: string; name?: string; ouPath?: readonly string[]; tags?: Readonly<Record<string, string>> } {
  const account: AccountContext | undefined = f.account ?? enrichment?.account;
  if (!account) return { id: f.accountId };
  return { id: f.accountId, ...(account.name ? { name: oneLine(account.name) } : {}), ouPath: account.ouPath, tags: account.tags };
}

function regionLabel(f: Finding): string {
  const others = f.regions.filter((r) => r !== f.region).length;
  return others ? `${f.region} +${others}` : f.region;
}

// ---------------------------------------------------------------------------
// Subjects.

/** Printable ASCII on one line: what SNS accepts in a subject. */
export function asciiLine(value: string): string {
  return oneLine(value.normalize('NFKD').replace(/[\u0300-\u036f]/g, '')).replace(/[^\x20-\x7e]/g, '?');
}

/** The first candidate that fits, else the last one cut to size. */
function fit(candidates: readonly string[], max = SUBJECT_MAX): string {
  const clean = candidates.map(asciiLine);
  return clean.find((c) => c.length <= max) ?? clip(clean[clean.length - 1] ?? '', max);
}

/** Subjects for a finding, richest first: "<tag> <severity>: <what> by <who> in <account> <region>". */
function findingSubjects(tag: string, f: Finding, verb = '', suffix = ''): string[] {
  const parts = acquisitionParts(f);
  const whatFull = `${verb}${parts.join(' and ')}`;
  const whatShort = `${verb}${parts[0] ?? ''}`;
  // "autoscaling" says as much as "autoscaling.amazonaws.com" in 14 fewer characters.
  const who = shortPrincipal(f).replace(/\.amazonaws\.com$/, '');
  const name = f.account?.name ? `${oneLine(f.account.name)} ` : '';
  const where = `${f.accountId} ${regionLabel(f)}`;
  // "[Tier 1 informational] informational:" would spend 15 characters on nothing.
  const head = tag.endsWith(f.severity) ? `[${tag}]` : `[${tag}] ${f.severity}:`;
  return [
    `${head} ${whatFull} by ${who} in ${name}${where}${suffix}`,
    `${head} ${whatShort} by ${who} in ${name}${where}${suffix}`,
    `${head} ${whatShort} by ${who} in ${where}${suffix}`,
    `${head} ${whatShort} by ${clip(who, 20)} in ${f.accountId}${suffix}`,
    `${head} ${whatShort} in ${f.accountId} ${f.region}${suffix}`,
  ];
}

const OUTCOME_TAG: Record<Outcome['kind'], string> = {
  contained: 'Tier 2 CONTAINED',
  released: 'RELEASED',
  'dry-run': 'Tier 2 DRY RUN',
  rejected: 'Tier 2 REJECTED',
  'no-decision': 'Tier 2 NO DECISION',
  'not-escalated': 'Tier 1 not escalated',
  'notify-only': 'Tier 2 notify-only',
};

const OUTCOME_SUFFIX: Record<Outcome['kind'], string> = {
  contained: ', contained',
  released: ', released from containment',
  'dry-run': ', not contained (dry run)',
  rejected: ', not contained',
  'no-decision': ', not contained',
  'not-escalated': '',
  'notify-only': ', not contained',
};

export function subjectFor(n: Notification): string {
  switch (n.kind) {
    case 'finding':
      return fit(findingSubjects(TIER_LABEL[n.finding.tier], n.finding));
    case 'approval':
      return fit(findingSubjects('Tier 2 APPROVAL NEEDED', n.finding, 'contain '));
    case 'outcome':
      return fit(findingSubjects(OUTCOME_TAG[n.outcome.kind], n.finding, '', OUTCOME_SUFFIX[n.outcome.kind]));
    case 'failure': {
      const id = n.findingId ? `, finding ${n.findingId}` : '';
      const shortId = n.findingId ? `, ${n.findingId}` : '';
      return fit([
        `[WORKFLOW FAILED] ${n.failure.state}: ${n.failure.error}${id}, not contained`,
        `[WORKFLOW FAILED] ${n.failure.state}: ${n.failure.error}${shortId}, not contained`,
        `[WORKFLOW FAILED] ${clip(n.failure.state, 30)}: ${clip(n.failure.error, 30)}${shortId}`,
        `[WORKFLOW FAILED] ${clip(n.failure.state, 30)}${shortId}`,
      ]);
    }
  }
}

// ---------------------------------------------------------------------------
// Failures.

/**
 * A Step Functions `Cause` is often the Lambda's error as JSON, stack trace
 * included: keep the type and message, drop the trace, cut the rest.
 */
export function trimCause(cause: string, max = 500): string {
  let text = cause;
  try {
    const parsed: unknown = JSON.parse(cause);
    if (parsed && typeof parsed === 'object') {
      const o = parsed as Record<string, unknown>;
      const message = typeof o.errorMessage === 'string' ? o.errorMessage : typeof o.message === 'string' ? o.message : undefined;
      const type = typeof o.errorType === 'string' ? o.errorType : undefined;
      if (message !== undefined) text = type ? `${type}: ${message}` : message;
    }
  } catch {
    // Not JSON: a plain message.
  }
  // Stack frames ("    at handler (/var/task/index.mjs:1:2)") help nobody reading an alert.
  text = text.split(/\n\s*at\s/)[0] ?? text;
  return clip(oneLine(text), max);
}

export const NOT_CONTAINED = 'The workflow stopped; the finding is not contained.';

// ---------------------------------------------------------------------------
// What happens next.

export function nextForFinding(f: Finding, approvalFollows: boolean): string {
  if (f.tier === 2 && approvalFollows) {
    return 'An approval request follows in a separate message. Nothing is contained until someone approves it.';
  }
  if (f.tier === 2) {
    return 'Notify-only: this deployment does not contain automatically. Act on the next steps by hand.';
  }
  return 'Tier 1: nothing is done automatically. Review the activity and the answers; if it is not explained, escalate by hand.';
}

export const APPROVAL_WARNING =
  'Each link works once and expires. The page it opens asks you to confirm; your name, the time and your IP address are recorded with the decision. Do not forward this message.';

export const APPROVE_MEANS = 'Approve to contain: volumes are snapshotted first, then the instances are isolated per network interface. Nothing is terminated, so the evidence stays.';
export const REJECT_MEANS = 'Reject to leave everything running (for example, when the owner confirms the activity).';

/** Outcomes after which nothing is left to do by hand. */
export const SETTLED: ReadonlySet<Outcome['kind']> = new Set(['contained', 'released', 'not-escalated']);

/** One sentence for an outcome, with who decided, when and from where. */
export function outcomeLine(o: Outcome): string {
  const d = o.decision;
  const by = d ? ` by ${oneLine(d.approver)} at ${formatTime(d.decidedAt)}${d.sourceIp ? ` from ${oneLine(d.sourceIp)}` : ''}` : '';
  switch (o.kind) {
    case 'contained':
      if (!d && o.policyRule) return `Contained automatically, as the containment policy says for this account (${oneLine(o.policyRule)}).`;
      return d || !o.requestedBy ? `Contained: approved${by}, then quarantined.` : `Contained: quarantine run by ${oneLine(o.requestedBy)}.`;
    case 'dry-run':
      return `Dry run: nothing was changed; below is what containment would have done${o.policyRule ? ` (${oneLine(o.policyRule)})` : ''}.`;
    case 'released':
      return `Released from containment${o.requestedBy ? ` by ${oneLine(o.requestedBy)}` : ''}: the instances are back on their recorded security groups and settings.`;
    case 'rejected':
      return `Containment rejected${by}: the finding is not contained.`;
    case 'no-decision':
      return o.expiresAt
        ? `Not contained: no decision by ${formatTime(o.expiresAt)}, when the approval request expired.`
        : 'Not contained: no decision was made before the approval request expired.';
    case 'not-escalated':
      return 'Not escalated: Tier 1, nothing was contained.';
    case 'notify-only':
      return o.policyRule
        ? `Not contained: the containment policy says never for this account (${oneLine(o.policyRule)}).`
        : 'Notify-only: this deployment does not contain automatically; the finding is not contained.';
  }
}

// ---------------------------------------------------------------------------
// The e-mail body.

const INDENT = '  ';
const LIST_MAX = 10;

function section(title: string, lines: readonly string[]): string[] {
  return lines.length ? ['', title.toUpperCase(), ...lines.map((l) => (l ? INDENT + l : l))] : [];
}

function kv(pairs: readonly (readonly [string, string | undefined])[]): string[] {
  const present = pairs.filter((p): p is readonly [string, string] => p[1] !== undefined && p[1] !== '');
  const width = Math.max(0, ...present.map(([k]) => k.length)) + 2;
  return present.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`);
}

function headline(f: Finding): string {
  return `${acquisitionSummary(f)} by ${shortPrincipal(f)} in ${f.accountId} (${f.regions.join(', ') || f.region})`;
}

function whoLines(f: Finding): string[] {
  return kv([
    ['Principal', oneLine(f.principal)],
    ['Type', oneLine(f.principalType)],
    ['Role', f.principalRole && oneLine(f.principalRole)],
    ['Invoked by', f.invokedBy && oneLine(f.invokedBy)],
    ['Access key', f.accessKeyId && oneLine(f.accessKeyId)],
    ['Source IPs', f.sourceIps.length ? few(f.sourceIps, LIST_MAX) : 'none recorded'],
  ]);
}

function whereLines(f: Finding, enrichment?: Enrichment): string[] {
  const a = accountLabel(f, enrichment);
  const tags = a.tags ? Object.entries(a.tags) : [];
  return kv([
    ['Account', a.name ? `${a.id} (${a.name})` : a.id],
    ['OU', a.ouPath?.length ? a.ouPath.map(oneLine).join(' / ') : undefined],
    ['Account tags', tags.length ? few(tags.map(([k, v]) => `${k}=${v}`), 8) : undefined],
    ['Regions', f.regions.length > 1 ? `${f.region} (most activity), ${f.regions.filter((r) => r !== f.region).join(', ')}` : f.region],
  ]);
}

function whenLines(f: Finding): string[] {
  const span = duration(f.firstSeen, f.lastSeen);
  return kv([
    ['First seen', formatTime(f.firstSeen)],
    ['Last seen', formatTime(f.lastSeen)],
    ['Activity', `${plural(f.eventCount, 'event')}${span ? ` over ${span}` : ''}`],
  ]);
}

function indicatorLines(f: Finding): string[] {
  return f.indicators.flatMap((i) => [
    `- ${i.title} [${i.id}, +${i.weight}]`,
    `    ${clip(oneLine(i.evidence.summary), 600)}`,
    ...(i.evidence.eventIds.length ? [`    events: ${few(i.evidence.eventIds, 3)}`] : []),
  ]);
}

function answerLines(answers: Answers): string[] {
  return QUESTION_ORDER.flatMap(({ key }, index) => {
    const a = answers[key];
    return [
      `${index + 1}. ${oneLine(a.question)}`,
      `   ${ANSWER_LABEL[a.answer]}: ${clip(oneLine(a.summary), 600)}`,
      ...a.evidence.slice(0, 6).map((e) => `   - ${clip(oneLine(e), 400)}`),
      ...(a.evidence.length > 6 ? [`   - and ${a.evidence.length - 6} more`] : []),
      ...(a.needs ? [`   Needs: ${oneLine(a.needs)}`] : []),
    ];
  });
}

function resourceLines(f: Finding): string[] {
  const r = f.resources;
  const rows: [string, readonly string[]][] = [
    ['Instances', r.instanceIds],
    ['Instance types', r.instanceTypes],
    ['Capacity requests', r.requestIds],
    ['Elastic IPs', r.allocationIds],
    ['Public IPs', r.publicIps],
    ['Key pairs', r.keyPairs],
    ['Security groups', r.securityGroups],
  ];
  return kv(rows.map(([k, v]) => [`${k} (${v.length})`, v.length ? few(v, LIST_MAX) : undefined] as const));
}

function instanceLine(i: InstanceContext): string {
  if (!i.found) return `${i.instanceId} (${i.region}): not found (terminated or not visible)`;
  const tags = Object.entries(i.tags);
  const bits = [
    i.state,
    i.instanceType,
    i.launchTime ? `launched ${formatTime(i.launchTime)}` : undefined,
    i.publicIps.length ? `public ${few(i.publicIps, 3)}` : undefined,
    i.spot ? 'spot' : undefined,
    i.autoScalingGroup ? `Auto Scaling group ${oneLine(i.autoScalingGroup)}` : undefined,
    tags.length ? `tags ${few(tags.map(([k, v]) => `${clip(k, 40)}=${clip(v, 60)}`), 5, 110)}` : 'no tags',
  ].filter((b): b is string => Boolean(b));
  return `${i.instanceId} (${i.region}): ${bits.map(oneLine).join(', ')}`;
}

function enrichmentLines(e: Enrichment): string[] {
  const lines = e.instances.slice(0, LIST_MAX).map(instanceLine);
  if (e.instances.length > LIST_MAX) lines.push(`and ${e.instances.length - LIST_MAX} more instances`);
  if (e.instances.length) lines.push('(Instance tags are written by whoever launched the instance: evidence, never approval.)');
  const intel = e.threatIntel;
  lines.push(`Threat intel: ${plural(intel.entries, 'entry', 'entries')} from ${intel.feeds.length ? few(intel.feeds, 5) : 'no feeds'}${intel.loadedAt ? `, loaded ${formatTime(intel.loadedAt)}` : ''}`);
  for (const err of e.errors.slice(0, 5)) lines.push(`Could not check: ${clip(oneLine(err), 300)}`);
  if (e.errors.length > 5) lines.push(`and ${e.errors.length - 5} more problems`);
  return lines;
}

function severityLine(f: Finding): string {
  return `${TIER_LABEL[f.tier]}: ${f.severity} (score ${f.score})`;
}

function findingBody(f: Finding, enrichment: Enrichment | undefined, approvalFollows: boolean): string[] {
  return [
    severityLine(f),
    headline(f),
    ...section('What happened', [`${plural(f.indicators.length, 'indicator')} fired; score ${f.score}, severity ${f.severity}.`, ...indicatorLines(f)]),
    ...section('Who', whoLines(f)),
    ...section('Where', whereLines(f, enrichment)),
    ...section('When', whenLines(f)),
    ...section('Questions for analysis', answerLines(f.answers)),
    ...section('Resources', resourceLines(f)),
    ...(enrichment ? section('As they are now', enrichmentLines(enrichment)) : []),
    ...(f.escalate
      ? section('Why it escalated', f.escalationReasons.map((r) => `- ${clip(oneLine(r), 600)}`))
      : section('Escalation', ['Not escalated: no unexplained acquisition, atypical traffic or threat-intel hit.'])),
    ...section('Next steps', f.nextSteps.map((s) => `- ${clip(oneLine(s), 600)}`)),
    ...section('What happens next', [nextForFinding(f, approvalFollows)]),
  ];
}

/** Enough of the finding to decide on, for approval and outcome messages. */
function recap(f: Finding): string[] {
  return [
    ...section('The finding', [
      severityLine(f),
      headline(f),
      ...kv([
        ['Principal', oneLine(f.principal)],
        ['Access key', f.accessKeyId && oneLine(f.accessKeyId)],
        ['Source IPs', f.sourceIps.length ? few(f.sourceIps, LIST_MAX) : undefined],
        ['Account', f.account?.name ? `${f.accountId} (${oneLine(f.account.name)})` : f.accountId],
        ['Regions', f.regions.join(', ')],
        ['When', `${formatTime(f.firstSeen)} to ${formatTime(f.lastSeen)}`],
      ]),
    ]),
    ...section('Why it escalated', f.escalationReasons.map((r) => `- ${clip(oneLine(r), 600)}`)),
    ...section('Resources', resourceLines(f)),
  ];
}

/** What a quarantine or release did, for the outcome message: per ENI, the snapshots, the manifest. */
export function containmentLines(r: ContainmentReport): string[] {
  return [
    ...kv([
      ['Manifest', r.manifest],
      ['Phase', r.phase],
    ]),
    ...r.enis.map((e) => `${e.networkInterfaceId} (${e.instanceId}): ${e.state} [${e.groups.join(', ')}]`),
    ...r.snapshots.map((s) => `snapshot ${s.snapshotId} of ${s.volumeId} (kept)`),
    ...r.skipped.map((s) => `skipped ${s.instanceId} (${s.region}): ${oneLine(s.reason)}`),
    ...r.notes.map((n) => `note: ${clip(oneLine(n), 400)}`),
    ...r.errors.map((e) => `ERROR: ${clip(oneLine(e), 400)}`),
  ];
}

export const RERUN_CONTAINMENT =
  'Containment stopped part way; the manifest and the snapshots taken so far are kept. Fix the cause, then run it again: it continues where it stopped (rogue-infra contain FINDING_ID --table TABLE, or invoke the Contain function with {"action":"contain","findingId":"FINDING_ID"}).';

function approvalBody(f: Finding, a: ApprovalRequest, plan?: ContainmentPlan): string[] {
  return [
    'APPROVAL NEEDED: contain this Tier 2 finding?',
    headline(f),
    '',
    APPROVE_MEANS,
    `Approve: ${a.approveUrl}`,
    '',
    REJECT_MEANS,
    `Reject:  ${a.rejectUrl}`,
    '',
    `The links expire at ${formatTime(a.expiresAt)}. ${APPROVAL_WARNING}`,
    ...(plan ? section('What approving does (dry run, nothing changed yet)', describePlan(plan).map((l) => clip(oneLine(l), 600))) : []),
    ...recap(f),
    ...section('Next steps', f.nextSteps.map((s) => `- ${clip(oneLine(s), 600)}`)),
    '',
    `Approval id: ${a.approvalId}`,
  ];
}

function outcomeBody(f: Finding, o: Outcome): string[] {
  const d = o.decision;
  const decision = d
    ? section(
        'Decision',
        kv([
          ['Decision', d.decision],
          ['By', oneLine(d.approver)],
          ['At', formatTime(d.decidedAt)],
          ['From', d.sourceIp && oneLine(d.sourceIp)],
          ['Browser', d.userAgent && clip(oneLine(d.userAgent), 200)],
          ['Approval id', d.approvalId],
        ]),
      )
    : [];
  const open = !SETTLED.has(o.kind);
  return [
    outcomeLine(o),
    clip(oneLine(o.summary), 2000),
    ...decision,
    ...(o.containment ? section('Containment', containmentLines(o.containment)) : []),
    ...(o.plan ? section('What containment would do (dry run)', describePlan(o.plan).map((l) => clip(oneLine(l), 600))) : []),
    ...recap(f),
    ...(open ? section('Next steps (by hand)', f.nextSteps.map((s) => `- ${clip(oneLine(s), 600)}`)) : []),
  ];
}

function failureBody(findingId: string | undefined, failure: TaskFailure): string[] {
  return [
    `WORKFLOW FAILED at "${oneLine(failure.state)}". ${NOT_CONTAINED}`,
    '',
    ...kv([
      ['State', oneLine(failure.state)],
      ['Error', oneLine(failure.error)],
      ['Cause', trimCause(failure.cause)],
      ['Finding', findingId ?? 'unknown'],
    ]),
    '',
    failure.error === 'ContainmentError' ? RERUN_CONTAINMENT : 'Look at the execution in the Step Functions console, fix the cause, and handle the finding by hand or start the workflow again.',
  ];
}

export function renderEmail(n: Notification): { subject: string; body: string } {
  let lines: string[];
  let findingId: string | undefined;
  switch (n.kind) {
    case 'finding':
      lines = findingBody(n.finding, n.enrichment, n.approvalFollows);
      findingId = n.finding.findingId;
      break;
    case 'approval':
      lines = approvalBody(n.finding, n.approval, n.plan);
      findingId = n.finding.findingId;
      break;
    case 'outcome':
      lines = outcomeBody(n.finding, n.outcome);
      findingId = n.finding.findingId;
      break;
    case 'failure':
      lines = failureBody(n.findingId, n.failure);
      findingId = n.findingId;
      break;
  }
  const footer = ['', '--', `Finding id: ${findingId ?? 'unknown'}`, 'Sent by rogue-infra-responder (MITRE ATT&CK T1583.004, Acquire Infrastructure: Server).'];
  const body = clip(lines.join('\n'), BODY_MAX - 400, '\n[cut: the message was too long]') + '\n' + footer.join('\n');
  return { subject: subjectFor(n), body };
}
