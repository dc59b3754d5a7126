import type { Answers, Finding } from '../model';
import type { ApprovalRequest, Enrichment, Notification, Outcome, TaskFailure } from '../workflow';
import { describePlan, type ContainmentPlan } from '../containment';
import {
  ANSWER_LABEL,
  APPROVAL_WARNING,
  APPROVE_MEANS,
  NOT_CONTAINED,
  QUESTION_ORDER,
  REJECT_MEANS,
  RERUN_CONTAINMENT,
  SETTLED,
  TIER_LABEL,
  containmentLines,
  acquisitionSummary,
  clip,
  duration,
  formatTime,
  nextForFinding,
  oneLine,
  outcomeLine,
  plural,
  shortPrincipal,
  subjectFor,
  trimCause,
} from './text';

/**
 * The Slack rendering of a notification: Block Kit for an incoming webhook.
 * Pure.
 *
 * Two things shape it. Slack's limits (a header of 150 characters, a section
 * of 3000, ten fields of 2000 each, 50 blocks): a message over any of them is
 * rejected whole, so every text is cut here rather than trusted to be short.
 * And the values are attacker-controlled (tags, key names and session names
 * come straight from CloudTrail): `&`, `<` and `>` are escaped everywhere, so
 * `<!channel>` or `<https://evil|click>` in a tag shows as text instead of
 * pinging the channel or hiding a link, and tag and key values are set in
 * code spans, where Slack neither formats nor links.
 */

export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  blocks: 50,
  contextElements: 10,
  buttonText: 75,
  /** Slack's cap on the top-level `text` (the notification and fallback) is far larger; a short one reads better. */
  text: 3000,
} as const;

export interface SlackMessage {
  /** The notification text and the fallback for clients that cannot show blocks. */
  readonly text: string;
  readonly blocks: unknown[];
}

// ---------------------------------------------------------------------------
// Escaping and cutting.

/** Slack's three control characters, as its formatting reference asks. */
export function escapeMrkdwn(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cut escaped text without leaving half an entity (`&am`) at the end. */
function cut(escaped: string, max: number): string {
  if (escaped.length <= max) return escaped;
  return clip(escaped, max - 1, '').replace(/&[a-z]*$/, '') + '…';
}

/** Untrusted text on one line, escaped. */
const t = (value: string): string => escapeMrkdwn(oneLine(value));

/** Untrusted text as an inline code span: no formatting, no links, no mentions. */
function code(value: string, max = 120): string {
  // A backtick would close the span early; U+02CB looks the same and cannot.
  return `\`${escapeMrkdwn(clip(oneLine(value), max).replace(/`/g, '\u02cb'))}\``;
}

/** Untrusted lines as a preformatted block (each line flattened and escaped), cut to `max` characters. */
function codeBlock(lines: readonly string[], max: number): string {
  const body = lines.map((l) => escapeMrkdwn(oneLine(l)).replace(/`/g, '\u02cb')).join('\n');
  return `\`\`\`\n${clip(body, max)}\n\`\`\``;
}

function codes(values: readonly string[], max: number): string {
  const shown = values.slice(0, max).map((v) => code(v, 80));
  return values.length > max ? `${shown.join(', ')} and ${values.length - max} more` : shown.join(', ');
}

// ---------------------------------------------------------------------------
// Blocks.

type Block = Record<string, unknown>;

function header(text: string): Block {
  // plain_text: no mrkdwn is parsed here, but Slack still decodes the three
  // entities, so the header is escaped like the rest.
  return { type: 'header', text: { type: 'plain_text', text: cut(escapeMrkdwn(oneLine(text)), SLACK_LIMITS.headerText), emoji: true } };
}

function section(mrkdwn: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: cut(mrkdwn, SLACK_LIMITS.sectionText) } };
}

function fields(pairs: readonly (readonly [string, string | undefined])[]): Block {
  const present = pairs.filter((p): p is readonly [string, string] => p[1] !== undefined && p[1] !== '').slice(0, SLACK_LIMITS.fields);
  return {
    type: 'section',
    fields: present.map(([k, v]) => ({ type: 'mrkdwn', text: cut(`*${k}*\n${v}`, SLACK_LIMITS.fieldText) })),
  };
}

function context(texts: readonly string[]): Block {
  return {
    type: 'context',
    elements: texts.slice(0, SLACK_LIMITS.contextElements).map((text) => ({ type: 'mrkdwn', text: cut(text, SLACK_LIMITS.sectionText) })),
  };
}

const divider: Block = { type: 'divider' };

/**
 * Bullet lines under a title, as many as fit in one section, then a count
 * of the rest: a long list must not push the message over the limit.
 */
function listSection(title: string, lines: readonly string[], noun = '', total = lines.length): Block {
  const out: string[] = [title];
  // Room for the closing "…and N more" line.
  const budget = SLACK_LIMITS.sectionText - 60;
  let length = title.length;
  let shown = 0;
  for (const line of lines) {
    if (length + 1 + line.length > budget) break;
    out.push(line);
    length += 1 + line.length;
    shown++;
  }
  if (shown < total) out.push(`_…and ${total - shown} more${noun ? ` ${noun}` : ''} (see the e-mail)_`);
  return section(out.join('\n'));
}

// ---------------------------------------------------------------------------
// Parts of a finding.

const TIER_BADGE = {
  2: ':rotating_light: TIER 2 ESCALATION',
  1: ':information_source: Tier 1 informational',
} as const;

function summaryLine(f: Finding): string {
  const span = duration(f.firstSeen, f.lastSeen);
  return (
    `*${t(acquisitionSummary(f))}* by ${code(shortPrincipal(f), 80)} in account ${code(f.accountId)}` +
    `${f.account?.name ? ` (${t(f.account.name)})` : ''}, ${t(f.regions.join(', ') || f.region)}\n` +
    `Score ${f.score} · ${plural(f.eventCount, 'event')}${span ? ` over ${span}` : ''}`
  );
}

function findingFields(f: Finding, enrichment?: Enrichment): Block {
  const account = f.account ?? enrichment?.account;
  return fields([
    ['Severity', `${TIER_LABEL[f.tier]}: *${t(f.severity)}* (score ${f.score})`],
    ['Principal', code(f.principal, 200)],
    ['Access key', f.accessKeyId ? code(f.accessKeyId) : undefined],
    ['Source IPs', f.sourceIps.length ? codes(f.sourceIps, 10) : 'none recorded'],
    ['Account', `${code(f.accountId)}${account?.name ? ` ${t(account.name)}` : ''}`],
    ['OU', account?.ouPath.length ? t(account.ouPath.join(' / ')) : undefined],
    ['Regions', t(f.regions.join(', ') || f.region)],
    ['First seen', formatTime(f.firstSeen)],
    ['Last seen', formatTime(f.lastSeen)],
    ['Role', f.principalRole ? code(f.principalRole, 200) : f.invokedBy ? `invoked by ${code(f.invokedBy)}` : undefined],
  ]);
}

function indicatorBlock(f: Finding): Block {
  const lines = f.indicators.map((i) => `• *${t(i.title)}* \`+${i.weight}\`: ${t(clip(i.evidence.summary, 400))}`);
  return listSection(`*Indicators* (${f.indicators.length})`, lines, 'indicators');
}

function questionsBlock(answers: Answers): Block {
  const lines = QUESTION_ORDER.map(({ key, short }) => {
    const a = answers[key];
    const evidence = a.evidence.length ? `\n      Evidence: ${t(clip(a.evidence[0] ?? '', 300))}${a.evidence.length > 1 ? ` (+${a.evidence.length - 1} more)` : ''}` : '';
    const needs = a.needs ? `\n      Needs: ${t(a.needs)}` : '';
    return `• *${short}* ${ANSWER_LABEL[a.answer]}: ${t(clip(a.summary, 400))}${evidence}${needs}`;
  });
  return listSection('*Questions for analysis*', lines);
}

function resourcesBlock(f: Finding): Block | undefined {
  const r = f.resources;
  const rows: [string, readonly string[]][] = [
    ['Instances', r.instanceIds],
    ['Types', r.instanceTypes],
    ['Capacity requests', r.requestIds],
    ['Elastic IPs', r.allocationIds],
    ['Public IPs', r.publicIps],
    ['Key pairs', r.keyPairs],
    ['Security groups', r.securityGroups],
  ];
  const lines = rows.filter(([, v]) => v.length).map(([k, v]) => `• ${k} (${v.length}): ${codes(v, 6)}`);
  return lines.length ? listSection('*Resources*', lines) : undefined;
}

function enrichmentBlocks(e: Enrichment): Block[] {
  const lines = e.instances.slice(0, 8).map((i) => {
    if (!i.found) return `• ${code(i.instanceId)} not found`;
    const tags = Object.entries(i.tags);
    const tagText = tags.length ? ` tags ${codes(tags.map(([k, v]) => `${clip(k, 40)}=${clip(v, 60)}`), 4)}` : ' no tags';
    return `• ${code(i.instanceId)} ${t(i.state ?? '?')} ${t(i.instanceType ?? '')}${i.publicIps.length ? ` public ${codes(i.publicIps, 2)}` : ''}${tagText}`;
  });
  const blocks: Block[] = [];
  if (lines.length) {
    blocks.push(listSection('*As they are now* (tags are written by whoever launched the instance: evidence, never approval)', lines, 'instances', e.instances.length));
  }
  if (e.errors.length) {
    blocks.push(listSection(':warning: *Could not check*', e.errors.slice(0, 5).map((err) => `• ${t(clip(err, 300))}`), 'problems', e.errors.length));
  }
  return blocks;
}

function whyBlock(f: Finding): Block {
  return f.escalate
    ? listSection('*Why it escalated*', f.escalationReasons.map((r) => `• ${t(clip(r, 600))}`))
    : section('*Not escalated*: no unexplained acquisition, atypical traffic or threat-intel hit.');
}

function nextStepsBlock(f: Finding, title = '*Next steps*'): Block | undefined {
  return f.nextSteps.length ? listSection(title, f.nextSteps.map((s) => `• ${t(clip(s, 500))}`), 'steps') : undefined;
}

function footer(findingId: string | undefined, extra: readonly string[] = []): Block {
  return context([`Finding ${findingId ? code(findingId) : 'unknown'}`, ...extra, 'rogue-infra-responder · T1583.004']);
}

// ---------------------------------------------------------------------------
// One layout per kind.

function findingBlocks(f: Finding, enrichment: Enrichment | undefined, approvalFollows: boolean): (Block | undefined)[] {
  return [
    header(`${TIER_BADGE[f.tier]} · ${f.severity}`),
    section(summaryLine(f)),
    findingFields(f, enrichment),
    divider,
    whyBlock(f),
    indicatorBlock(f),
    questionsBlock(f.answers),
    resourcesBlock(f),
    ...(enrichment ? enrichmentBlocks(enrichment) : []),
    nextStepsBlock(f),
    divider,
    section(`*What happens next:* ${t(nextForFinding(f, approvalFollows))}`),
    footer(f.findingId),
  ];
}

function approvalBlocks(f: Finding, a: ApprovalRequest, plan?: ContainmentPlan): (Block | undefined)[] {
  return [
    header(`:raised_hand: TIER 2 APPROVAL NEEDED · ${f.severity}`),
    section(`*Contain this finding?*\n${summaryLine(f)}`),
    findingFields(f),
    whyBlock(f),
    resourcesBlock(f),
    plan ? section(`*What approving does* (dry run, nothing changed yet)\n${codeBlock(describePlan(plan), 2500)}`) : undefined,
    divider,
    section(`${t(APPROVE_MEANS)}\n${t(REJECT_MEANS)}`),
    {
      type: 'actions',
      block_id: 'approval',
      elements: [
        // Link buttons: Slack opens the URL, the confirmation page does the
        // rest, so no interactive Slack app is needed to decide.
        { type: 'button', action_id: 'approve', style: 'primary', text: { type: 'plain_text', text: 'Approve containment', emoji: true }, url: a.approveUrl },
        { type: 'button', action_id: 'reject', style: 'danger', text: { type: 'plain_text', text: 'Reject', emoji: true }, url: a.rejectUrl },
      ],
    },
    context([`:hourglass: Expires ${formatTime(a.expiresAt)}`, `:lock: ${t(APPROVAL_WARNING)}`]),
    footer(f.findingId, [`Approval ${code(a.approvalId)}`]),
  ];
}

const OUTCOME_BADGE: Record<Outcome['kind'], string> = {
  contained: ':lock: TIER 2 CONTAINED',
  'dry-run': ':memo: TIER 2 DRY RUN: not contained',
  released: ':unlock: RELEASED from containment',
  rejected: ':no_entry_sign: TIER 2 containment REJECTED',
  'no-decision': ':warning: TIER 2 NO DECISION: not contained',
  'not-escalated': ':information_source: Tier 1: not escalated',
  'notify-only': ':rotating_light: TIER 2 notify-only: not contained',
};

function outcomeBlocks(f: Finding, o: Outcome): (Block | undefined)[] {
  const d = o.decision;
  const open = !SETTLED.has(o.kind);
  return [
    header(`${OUTCOME_BADGE[o.kind]} · ${f.severity}`),
    section(`*${t(outcomeLine(o))}*\n${t(clip(o.summary, 1500))}`),
    d
      ? fields([
          ['Decision', t(d.decision)],
          ['By', code(d.approver, 200)],
          ['At', formatTime(d.decidedAt)],
          ['From', d.sourceIp ? code(d.sourceIp) : undefined],
          ['Browser', d.userAgent ? t(clip(d.userAgent, 200)) : undefined],
        ])
      : undefined,
    o.containment ? section(`*Containment*\n${codeBlock(containmentLines(o.containment), 2500)}`) : undefined,
    o.plan ? section(`*What containment would do* (dry run)\n${codeBlock(describePlan(o.plan), 2500)}`) : undefined,
    divider,
    section(summaryLine(f)),
    findingFields(f),
    open ? nextStepsBlock(f, '*Next steps (by hand)*') : undefined,
    footer(f.findingId),
  ];
}

function failureBlocks(findingId: string | undefined, failure: TaskFailure): (Block | undefined)[] {
  return [
    header(':x: Workflow FAILED: finding not contained'),
    section(`*${t(NOT_CONTAINED)}*`),
    fields([
      ['State', t(failure.state)],
      ['Error', code(failure.error)],
      ['Finding', findingId ? code(findingId) : 'unknown'],
    ]),
    section(`*Cause*\n${code(trimCause(failure.cause), 1000)}`),
    section(
      failure.error === 'ContainmentError'
        ? t(RERUN_CONTAINMENT)
        : 'Look at the execution in the Step Functions console, fix the cause, and handle the finding by hand or start the workflow again.',
    ),
    footer(findingId),
  ];
}

export function renderSlack(n: Notification): SlackMessage {
  let blocks: (Block | undefined)[];
  let badge: string;
  switch (n.kind) {
    case 'finding':
      blocks = findingBlocks(n.finding, n.enrichment, n.approvalFollows);
      badge = n.finding.tier === 2 ? ':rotating_light: ' : ':information_source: ';
      break;
    case 'approval':
      blocks = approvalBlocks(n.finding, n.approval, n.plan);
      badge = ':raised_hand: ';
      break;
    case 'outcome':
      blocks = outcomeBlocks(n.finding, n.outcome);
      badge = n.outcome.kind === 'contained' ? ':lock: ' : n.outcome.kind === 'released' ? ':unlock: ' : n.outcome.kind === 'not-escalated' ? ':information_source: ' : ':warning: ';
      break;
    case 'failure':
      blocks = failureBlocks(n.findingId, n.failure);
      badge = ':x: ';
      break;
  }
  return {
    // The e-mail subject is already short, ASCII and says tier, severity and what.
    text: cut(badge + escapeMrkdwn(subjectFor(n)), SLACK_LIMITS.text),
    blocks: blocks.filter((b): b is Block => b !== undefined).slice(0, SLACK_LIMITS.blocks),
  };
}
