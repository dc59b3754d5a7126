import { beforeAll, describe, expect, it } from 'vitest';
import { SLACK_LIMITS, escapeMrkdwn, renderSlack, type SlackMessage } from '../../../lambdas/core/render/slack';
import type { Notification } from '../../../lambdas/core/workflow';
import { HOSTILE, approvalFor, decision, everyNotification, hostile, huge, sampleFindings, type NotificationCase, type SampleFindings } from '../../fixtures/notifications/build';

/**
 * The Slack message: Block Kit within Slack's limits (a message over any
 * limit is rejected whole), Tier 2 unmistakable from Tier 1, and nothing an
 * attacker wrote into CloudTrail able to mention, link or format as mrkdwn.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const textOf = (v: unknown): string => (isObj(v) && typeof v.text === 'string' ? v.text : '');

/** Every way the message breaks Slack's documented Block Kit limits, as readable strings. */
function limitViolations(m: SlackMessage): string[] {
  const out: string[] = [];
  if (m.blocks.length > SLACK_LIMITS.blocks) out.push(`${m.blocks.length} blocks`);
  if (m.text.length > SLACK_LIMITS.text) out.push(`text of ${m.text.length}`);
  m.blocks.forEach((b, i) => {
    if (!isObj(b)) return void out.push(`block ${i} is not an object`);
    switch (b.type) {
      case 'header':
        if (!isObj(b.text) || b.text.type !== 'plain_text') out.push(`header ${i} is not plain_text`);
        if (textOf(b.text).length > 150) out.push(`header ${i}: ${textOf(b.text).length}`);
        break;
      case 'section': {
        if (b.text !== undefined && textOf(b.text).length > 3000) out.push(`section ${i}: ${textOf(b.text).length}`);
        const fields = Array.isArray(b.fields) ? b.fields : [];
        if (fields.length > 10) out.push(`section ${i}: ${fields.length} fields`);
        fields.forEach((f, j) => textOf(f).length > 2000 && out.push(`section ${i} field ${j}: ${textOf(f).length}`));
        if (b.text === undefined && fields.length === 0) out.push(`section ${i} is empty`);
        break;
      }
      case 'context': {
        const elements = Array.isArray(b.elements) ? b.elements : [];
        if (elements.length === 0 || elements.length > 10) out.push(`context ${i}: ${elements.length} elements`);
        break;
      }
      case 'actions': {
        const elements = Array.isArray(b.elements) ? b.elements : [];
        for (const e of elements) {
          if (!isObj(e) || textOf(e.text).length > 75) out.push(`actions ${i}: button text`);
          if (!isObj(e) || typeof e.url !== 'string' || e.url.length > 3000) out.push(`actions ${i}: button url`);
        }
        break;
      }
      case 'divider':
        break;
      default:
        out.push(`block ${i}: unexpected type ${String(b.type)}`);
    }
  });
  return out;
}

/** Every text Slack parses (header, sections, fields, context, button labels), not button URLs. */
function texts(m: SlackMessage): string[] {
  const out = [m.text];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!isObj(v)) return;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'text' && typeof x === 'string') out.push(x);
      else if (k !== 'url') walk(x);
    }
  };
  walk(m.blocks);
  return out;
}

const blocksOfType = (m: SlackMessage, type: string): Obj[] => m.blocks.filter((b): b is Obj => isObj(b) && b.type === type);
const header = (m: SlackMessage): string => textOf(blocksOfType(m, 'header')[0]?.text);
const all = (m: SlackMessage): string => texts(m).join('\n');

let s: SampleFindings;
let cases: NotificationCase[];
beforeAll(async () => {
  s = await sampleFindings();
  cases = everyNotification(s);
});
const byName = (name: string): Notification => {
  const c = cases.find((x) => x.name === name);
  if (!c) throw new Error(`no case ${name}`);
  return c.notification;
};

describe('every notification kind', () => {
  it('renders within the limits, with a header first and a context last', () => {
    expect(cases).toHaveLength(16);
    for (const { name, notification } of cases) {
      const m = renderSlack(notification);
      expect(limitViolations(m), name).toEqual([]);
      expect(isObj(m.blocks[0]) && m.blocks[0].type, name).toBe('header');
      expect(isObj(m.blocks.at(-1)) && (m.blocks.at(-1) as Obj).type, name).toBe('context');
      expect(m.text.length, name).toBeGreaterThan(20);
    }
  });

  const headers: [string, RegExp][] = [
    ['Tier 2 finding, approval follows (enriched)', /^:rotating_light: TIER 2 ESCALATION · critical$/],
    ['Tier 2 finding, notify-only', /^:rotating_light: TIER 2 ESCALATION · high$/],
    ['Tier 1 finding', /^:information_source: Tier 1 informational · low$/],
    ['approval request', /^:raised_hand: TIER 2 APPROVAL NEEDED · critical$/],
    ['outcome contained', /^:lock: TIER 2 CONTAINED/],
    ['outcome released', /^:unlock: RELEASED from containment/],
    ['outcome dry run', /^:memo: TIER 2 DRY RUN: not contained/],
    ['outcome rejected', /^:no_entry_sign: TIER 2 containment REJECTED/],
    ['outcome no decision', /^:warning: TIER 2 NO DECISION: not contained/],
    ['outcome not escalated', /^:information_source: Tier 1: not escalated/],
    ['outcome notify-only', /^:rotating_light: TIER 2 notify-only: not contained/],
    ['failure with a finding', /^:x: Workflow FAILED: finding not contained$/],
  ];
  it.each(headers)('header of %s', (name, pattern) => {
    expect(header(renderSlack(byName(name)))).toMatch(pattern);
  });
});

describe('a Tier 2 finding', () => {
  it('puts who, where and when in fields, then the evidence, the questions, the resources and what comes next', () => {
    const m = renderSlack(byName('Tier 2 finding, approval follows (enriched)'));
    const fields = blocksOfType(m, 'section').flatMap((b) => (Array.isArray(b.fields) ? b.fields.map(textOf) : []));
    expect(fields).toEqual(
      expect.arrayContaining([
        `*Principal*\n\`${s.critical.principal}\``,
        '*Access key*\n`AKIAT4EXAMPLEKEY7Q2M`',
        '*Source IPs*\n`203.0.113.47`',
        '*Account*\n`222222222222` dev-data',
        '*OU*\nRoot / Workloads / Dev',
        '*First seen*\n2025-05-15 02:09:50 UTC',
      ]),
    );
    const text = all(m);
    expect(text).toContain('*30 GPU instances and 4 Elastic IPs* by `svc-reporting`');
    expect(text).toContain(`*Indicators* (${s.critical.indicators.length})`);
    for (const i of s.critical.indicators) expect(text).toContain(`*${escapeMrkdwn(i.title)}* \`+${i.weight}\``);
    expect(text).toMatch(/\*Recent acquisition\?\* YES/);
    expect(text).toMatch(/\*Billing anomaly\?\* UNKNOWN[^\n]*\n[^\n]*\n\s*Needs: Cost Explorer/);
    expect(text).toMatch(/Instances \(30\): (`i-\w+`, ){5}`i-\w+` and 24 more/);
    expect(text).toContain('*What happens next:* An approval request follows');
    expect(text).toContain(`Finding \`${s.critical.findingId}\``);
    expect(blocksOfType(m, 'actions')).toEqual([]);
  });
});

describe('an approval request', () => {
  it('has Approve (primary) and Reject (danger) link buttons to the signed links, the expiry and the warning', () => {
    const a = approvalFor(s.critical);
    const m = renderSlack(byName('approval request'));
    const [actions] = blocksOfType(m, 'actions');
    expect(actions?.elements).toEqual([
      expect.objectContaining({ type: 'button', style: 'primary', url: a.approveUrl, text: expect.objectContaining({ type: 'plain_text', text: 'Approve containment' }) }),
      expect.objectContaining({ type: 'button', style: 'danger', url: a.rejectUrl, text: expect.objectContaining({ type: 'plain_text', text: 'Reject' }) }),
    ]);
    const text = all(m);
    expect(text).toContain('Expires 2025-05-15 15:10:15 UTC');
    expect(text).toContain('works once');
    expect(text).toContain('your IP address are recorded');
  });
});

describe('outcomes and failures', () => {
  it('show who decided, when and from where', () => {
    const text = all(renderSlack(byName('outcome rejected')));
    expect(text).toContain('*By*\n`dana.lee@example.com`');
    expect(text).toContain('*At*\n2025-05-15 03:41:52 UTC');
    expect(text).toContain('*From*\n`198.51.100.23`');
    expect(text).toContain('*Next steps (by hand)*');
  });

  it('show the failed state, the error and the trimmed cause', () => {
    const text = all(renderSlack(byName('failure with a finding')));
    expect(text).toContain('*State*\nTag resources');
    expect(text).toContain('*Error*\n`AccessDeniedException`');
    expect(text).toContain('not authorized to perform: ec2:CreateTags');
    expect(text).not.toContain('/var/task');
    expect(text).toContain('The workflow stopped; the finding is not contained.');
  });
});

describe('attacker-controlled text', () => {
  const noMarkup = (m: SlackMessage): string[] => texts(m).filter((t) => /[<>]/.test(t));

  it('cannot mention, link or break out in any block', () => {
    const { finding, enrichment } = hostile(s.critical);
    const messages = [
      renderSlack({ kind: 'finding', finding, enrichment, approvalFollows: true }),
      renderSlack({ kind: 'approval', finding, approval: approvalFor(finding) }),
      renderSlack({ kind: 'outcome', finding, outcome: { kind: 'contained', summary: `done ${HOSTILE[0]}`, decision: decision('approve', `${HOSTILE[1]} <!here>`) } }),
      renderSlack({ kind: 'failure', findingId: finding.findingId, failure: { state: HOSTILE[0], error: HOSTILE[1], cause: `${HOSTILE[0]} & more` } }),
    ];
    for (const m of messages) {
      // No mrkdwn is ever generated with < or >, so any left came from input.
      expect(noMarkup(m)).toEqual([]);
      const json = JSON.stringify(m);
      for (const h of [...HOSTILE, '<!here>']) expect(json).not.toContain(h);
      expect(limitViolations(m)).toEqual([]);
    }
    const text = all(messages[0]!);
    expect(text).toContain('`&lt;!channel&gt;`');
    expect(text).toContain('&lt;https://evil|click&gt;');
    expect(text).toContain('Name=&lt;!channel&gt;');
    expect(text).toContain('&amp; co');
    // The newline in a key name does not start a new mrkdwn line.
    expect(text).toContain('`line Finding id: rif-forged`');
  });

  it('escapes exactly the three characters Slack asks for', () => {
    expect(escapeMrkdwn('a & b <c> *d* _e_')).toBe('a &amp; b &lt;c&gt; *d* _e_');
  });
});

describe('a finding of 500 instances', () => {
  it('stays within every limit for every kind, and says what it left out', () => {
    const { finding, enrichment } = huge(s.critical);
    const ms = [
      renderSlack({ kind: 'finding', finding, enrichment, approvalFollows: true }),
      renderSlack({ kind: 'approval', finding, approval: approvalFor(finding) }),
      renderSlack({ kind: 'outcome', finding, outcome: { kind: 'rejected', summary: '&'.repeat(10_000), decision: decision('reject', '<'.repeat(5000)) } }),
      renderSlack({ kind: 'failure', findingId: finding.findingId, failure: { state: 'x'.repeat(5000), error: '>'.repeat(5000), cause: '<'.repeat(50_000) } }),
    ];
    for (const m of ms) {
      expect(limitViolations(m)).toEqual([]);
      // Cutting never leaves half an entity behind.
      for (const t of texts(m)) expect(t).not.toMatch(/&[a-z]*…/);
    }
    const text = all(ms[0]!);
    expect(text).toContain('Instances (500):');
    expect(text).toContain('and 494 more');
    expect(text).toMatch(/…and \d+ more indicators \(see the e-mail\)/);
    expect(text).toMatch(/…and 49\d more instances \(see the e-mail\)/);
    expect(text).toMatch(/…and 495 more problems/);
  });
});
