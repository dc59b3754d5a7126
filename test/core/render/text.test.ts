import { beforeAll, describe, expect, it } from 'vitest';
import { SUBJECT_MAX, renderEmail, trimCause } from '../../../lambdas/core/render/text';
import type { Finding } from '../../../lambdas/core/model';
import type { Notification } from '../../../lambdas/core/workflow';
import { LAMBDA_CAUSE, approvalFor, everyNotification, hostile, huge, sampleFindings, type NotificationCase, type SampleFindings } from '../../fixtures/notifications/build';

/**
 * The e-mail: a subject SNS accepts (ASCII, one line, under 100
 * characters) that says tier, severity, what, who and where, and a body a
 * person can act on without opening the console.
 */

let s: SampleFindings;
let cases: NotificationCase[];
beforeAll(async () => {
  s = await sampleFindings();
  cases = everyNotification(s);
});

const subjectOf = (n: Notification): string => renderEmail(n).subject;
const bodyOf = (n: Notification): string => renderEmail(n).body;
const byName = (name: string): Notification => {
  const c = cases.find((x) => x.name === name);
  if (!c) throw new Error(`no case ${name}`);
  return c.notification;
};

describe('every notification kind', () => {
  it('has a subject SNS accepts and a plain-text body naming the finding', () => {
    expect(cases).toHaveLength(16);
    for (const { name, notification } of cases) {
      const { subject, body } = renderEmail(notification);
      expect(subject.length, name).toBeLessThanOrEqual(SUBJECT_MAX);
      expect(subject, name).toMatch(/^\[[ -~]+$/);
      expect(body, name).not.toMatch(/^\s*[{[]/);
      const id = notification.kind === 'failure' ? notification.findingId : notification.finding.findingId;
      expect(body, name).toContain(`Finding id: ${id ?? 'unknown'}`);
    }
  });

  const subjects: [string, RegExp][] = [
    ['Tier 2 finding, approval follows (enriched)', /^\[Tier 2 ESCALATION\] critical: 30 GPU instances by svc-reporting in (dev-data )?222222222222 ap-southeast-3/],
    ['Tier 2 finding, notify-only', /^\[Tier 2 ESCALATION\] high: 2 .*instances by dev-sandbox-access in 333333333333 /],
    ['Tier 1 finding', /^\[Tier 1 informational\] low: .+ by \S+ in \d{12} /],
    ['Tier 1 service finding', /^\[Tier 1 informational\] \d+ instances? by autoscaling in 111111111111 [\w-]+$/],
    ['approval request', /^\[Tier 2 APPROVAL NEEDED\] critical: contain 30 GPU instances/],
    ['outcome contained', /^\[Tier 2 CONTAINED\] critical: .*, contained$/],
    ['outcome released', /^\[RELEASED\] critical: .*released from containment$/],
    ['outcome dry run', /^\[Tier 2 DRY RUN\] critical: .*not contained \(dry run\)$/],
    ['outcome rejected', /^\[Tier 2 REJECTED\] critical: .*not contained$/],
    ['outcome no decision', /^\[Tier 2 NO DECISION\] critical: .*not contained$/],
    ['outcome not escalated', /^\[Tier 1 not escalated\] low: /],
    ['outcome notify-only', /^\[Tier 2 notify-only\] high: .*not contained$/],
    ['failure with a finding', /^\[WORKFLOW FAILED\] Tag resources: AccessDeniedException, (finding )?rif-\w+, not contained$/],
    ['failure before a finding', /^\[WORKFLOW FAILED\] Enrich finding: States\.Timeout, not contained$/],
  ];
  it.each(subjects)('subject of %s', (name, pattern) => {
    expect(subjectOf(byName(name))).toMatch(pattern);
  });
});

describe('a Tier 2 finding', () => {
  it('says what, who, where and when', () => {
    const body = bodyOf(byName('Tier 2 finding, approval follows (enriched)'));
    const f = s.critical;
    for (const fact of [
      'Tier 2 ESCALATION: critical (score 100)',
      '30 GPU instances and 4 Elastic IPs by svc-reporting',
      `Principal:  ${f.principal}`,
      'Access key: AKIAT4EXAMPLEKEY7Q2M',
      'Source IPs: 203.0.113.47',
      'Account:      222222222222 (dev-data)',
      'OU:           Root / Workloads / Dev',
      'ap-southeast-3 (most activity), us-east-1',
      'First seen: 2025-05-15 02:09:50 UTC',
      'Last seen:  2025-05-15 03:10:15 UTC',
      `${f.eventCount} events over`,
    ]) {
      expect(body).toContain(fact);
    }
  });

  it('lists every indicator with its evidence, and the four questions with answers, evidence and needs', () => {
    const body = bodyOf(byName('Tier 2 finding, approval follows (enriched)'));
    for (const i of s.critical.indicators) {
      expect(body).toContain(`- ${i.title} [${i.id}, +${i.weight}]`);
      expect(body).toContain(i.evidence.summary.slice(0, 60));
    }
    const q = s.critical.answers;
    for (const a of [q.recentAcquisition, q.legitimateUse, q.billing, q.threatIntel]) {
      expect(body).toContain(a.question);
      expect(body).toContain(`${a.answer.toUpperCase()}: ${a.summary}`);
    }
    expect(body).toContain(`Needs: ${q.billing.needs}`);
    expect(body).toContain(`- ${q.legitimateUse.evidence[0]}`);
  });

  it('cuts resource lists with counts, explains the escalation and what comes next', () => {
    const body = bodyOf(byName('Tier 2 finding, approval follows (enriched)'));
    expect(body).toMatch(/Instances \(30\): +i-\w+(, i-\w+){9} and 20 more/);
    expect(body).toContain('Elastic IPs (4):');
    expect(body).toContain(`- ${s.critical.escalationReasons[0]}`);
    expect(body).toContain('An approval request follows');
    expect(body).toContain(s.critical.nextSteps[0]);
  });

  it('shows the instances as enrichment found them, with the tag warning and what could not be checked', () => {
    const body = bodyOf(byName('Tier 2 finding, approval follows (enriched)'));
    expect(body).toMatch(/i-\w+ \(ap-southeast-3\): running, g4dn\.12xlarge, launched 2025-05-15 02:31:07 UTC, public 108\.136\.41\.17, tags Name=reporting-batch/);
    expect(body).toContain('not found (terminated or not visible)');
    expect(body).toContain('evidence, never approval');
    expect(body).toContain('Could not check: DescribeInstances in us-east-1: AccessDenied');
  });

  it('says notify-only when no approval follows', () => {
    const body = bodyOf(byName('Tier 2 finding, notify-only'));
    expect(body).toContain('Notify-only: this deployment does not contain automatically');
    expect(body).not.toContain('approval request follows');
  });
});

describe('a Tier 1 finding', () => {
  it('asks for review and says it did not escalate', () => {
    const body = bodyOf(byName('Tier 1 finding'));
    expect(body).toMatch(/^Tier 1 informational: low/);
    expect(body).toContain('Tier 1: nothing is done automatically. Review');
    expect(body).toContain('Not escalated: no unexplained acquisition');
    expect(body).not.toContain('Tier 2');
  });

  it('names the service that launched on a principal’s behalf', () => {
    expect(bodyOf(byName('Tier 1 service finding'))).toContain('Invoked by: autoscaling.amazonaws.com');
  });
});

describe('an approval request', () => {
  it('carries both links, the expiry and the single-use warning', () => {
    const n = byName('approval request');
    const a = approvalFor(s.critical);
    const body = bodyOf(n);
    expect(body).toContain(`Approve: ${a.approveUrl}`);
    expect(body).toContain(`Reject:  ${a.rejectUrl}`);
    expect(body).toContain('expire at 2025-05-15 15:10:15 UTC');
    expect(body).toMatch(/works once/);
    expect(body).toMatch(/your name, the time and your IP address are recorded/);
    expect(body).toContain('Nothing is terminated');
    expect(body).toContain(`Approval id: ${a.approvalId}`);
  });
});

describe('outcomes', () => {
  it('contained: by whom, when, from where, and what was done per ENI, the snapshots and the manifest', () => {
    const body = bodyOf(byName('outcome contained'));
    expect(body).toMatch(/^Contained: approved by dana\.lee@example\.com at 2025-05-15 03:41:52 UTC from 198\.51\.100\.23, then quarantined\./);
    expect(body).toContain('Contained 2 instance(s)');
    expect(body).toContain('CONTAINMENT');
    expect(body).toMatch(/Manifest: +rogue-infra-state FINDING#\S+ CONTAINMENT/);
    expect(body).toMatch(/eni-0aa200000000000002 \(i-\w+\): isolated \[sg-0iso000000000001\]/);
    expect(body).toMatch(/snapshot snap-0cc00000000000001 of vol-0bb10000000000001 \(kept\)/);
    expect(body).toMatch(/skipped i-0dead00000000beef/);
    expect(body).not.toContain('NEXT STEPS (BY HAND)');
  });

  it('released: by whom, and back on which groups', () => {
    const body = bodyOf(byName('outcome released'));
    expect(body).toMatch(/^Released from containment by sam\.ops@example\.com: the instances are back on their recorded security groups and settings\./);
    expect(body).toMatch(/eni-0aa100000000000002 \(i-\w+\): original \[sg-0web000000000001, sg-0db0000000000001\]/);
  });

  it('the approval request shows the dry-run plan: which groups on which ENIs, which volumes', () => {
    const body = bodyOf(byName('approval request with the plan'));
    expect(body).toContain('WHAT APPROVING DOES (DRY RUN, NOTHING CHANGED YET)');
    expect(body).toMatch(/eni-0aa100000000000002: sg-0web000000000001, sg-0db0000000000001 -> allow-all \(untrack, 60 s\) -> isolation group of vpc-0c0ffee0000000001/);
    expect(body).toMatch(/snapshot vol-0bb10000000000001 \(\/dev\/xvda\)/);
    expect(body).toMatch(/Auto Scaling group gpu-workers: put in standby/);
    expect(body).toMatch(/i-0dead00000000beef .*skipped, terminated/);
    expect(bodyOf(byName('approval request'))).not.toContain('DRY RUN');
  });

  it('rejected: not contained, with the steps left to do by hand', () => {
    const body = bodyOf(byName('outcome rejected'));
    expect(body).toMatch(/^Containment rejected by dana\.lee@example\.com at 2025-05-15 03:41:52 UTC from 198\.51\.100\.23: the finding is not contained\./);
    expect(body).toContain('Browser:');
    expect(body).toContain('NEXT STEPS (BY HAND)');
  });

  it('no decision, not escalated, notify-only', () => {
    expect(bodyOf(byName('outcome no decision'))).toMatch(/^Not contained: no decision was made before the approval request expired\.\nThe approval request expired unanswered\./);
    expect(bodyOf(byName('outcome not escalated'))).toMatch(/^Not escalated: Tier 1/);
    expect(bodyOf(byName('outcome notify-only'))).toMatch(/^Notify-only: .*not contained/);
  });
});

describe('failures', () => {
  it('a containment failure gives each ENI\'s state and how to run it again', () => {
    const body = bodyOf(byName('containment failure'));
    expect(body).toMatch(/eni-0aa100000000000001 \(i-1\): isolated \[sg-0iso000000000001\]; eni-0aa200000000000002 \(i-1\): untracked/);
    expect(body).toContain('rogue-infra contain FINDING_ID');
    expect(body).toContain('{"action":"contain","findingId":"FINDING_ID"}');
  });

  it('names the state, the error and the cause without the stack, and says nothing is contained', () => {
    const body = bodyOf(byName('failure with a finding'));
    expect(body).toContain('WORKFLOW FAILED at "Tag resources". The workflow stopped; the finding is not contained.');
    expect(body).toContain('Error:   AccessDeniedException');
    expect(body).toContain('Cause:   AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/responder-tag/tag is not authorized to perform: ec2:CreateTags');
    expect(body).not.toContain('/var/task');
    expect(body).toContain(`Finding: ${s.critical.findingId}`);
  });

  it('trims causes: JSON to type and message, plain text without stack frames, long text cut', () => {
    expect(trimCause(LAMBDA_CAUSE)).toBe('AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/responder-tag/tag is not authorized to perform: ec2:CreateTags');
    expect(trimCause('Error: boom\n    at f (/x.js:1:1)\n    at g (/y.js:2:2)')).toBe('Error: boom');
    expect(trimCause('x'.repeat(2000))).toHaveLength(500);
    expect(bodyOf(byName('failure before a finding'))).toContain('Finding: unknown');
  });
});

describe('hostile and huge findings', () => {
  it('keeps attacker text on its line: a newline in a key name cannot forge a line', () => {
    const { finding, enrichment } = hostile(s.critical);
    const { subject, body } = renderEmail({ kind: 'finding', finding, enrichment, approvalFollows: true });
    expect(body.split('\n').filter((l) => l.startsWith('Finding id:'))).toEqual([`Finding id: ${finding.findingId}`]);
    expect(subject).toMatch(/^[ -~]+$/);
  });

  it('keeps a subject on one line when an account name carries line breaks', () => {
    const finding: Finding = { ...s.tier1, account: { id: s.tier1.accountId, name: 'ops\r\n<!channel>', ouPath: [], tags: {} } };
    expect(subjectOf({ kind: 'finding', finding, approvalFollows: false })).toMatch(/^\[Tier 1 informational\] low: .+ in ops <!channel> \d{12} [\w-]+$/);
  });

  it('stays within SNS limits with 500 instances, and says how many it left out', () => {
    const { finding, enrichment } = huge(s.critical);
    for (const n of [
      { kind: 'finding', finding, enrichment, approvalFollows: true },
      { kind: 'approval', finding, approval: approvalFor(finding) },
      { kind: 'outcome', finding, outcome: { kind: 'rejected', summary: 'x'.repeat(10_000) } },
    ] as Notification[]) {
      const { subject, body } = renderEmail(n);
      expect(subject.length).toBeLessThanOrEqual(SUBJECT_MAX);
      expect(subject).toMatch(/^[ -~]+$/);
      expect(Buffer.byteLength(body)).toBeLessThan(256 * 1024);
      expect(body).toContain('Instances (500):');
      expect(body).toContain('and 490 more');
    }
    const body = renderEmail({ kind: 'finding', finding, enrichment, approvalFollows: true }).body;
    expect(body).toContain('and 490 more instances');
  });

  it('makes a subject fit however long the names, and never a non-ASCII one', () => {
    const f: Finding = { ...s.critical, principal: `arn:aws:iam::222222222222:user/${'ü'.repeat(200)}`, account: { id: '222222222222', name: 'Produktion – Zahlungsverkehr', ouPath: [], tags: {} } };
    const subject = subjectOf({ kind: 'finding', finding: f, approvalFollows: true });
    expect(subject.length).toBeLessThanOrEqual(SUBJECT_MAX);
    expect(subject).toMatch(/^\[Tier 2 ESCALATION\] critical: 30 GPU instances by u+/);
    expect(subject).toMatch(/^[ -~]+$/);
  });
});
