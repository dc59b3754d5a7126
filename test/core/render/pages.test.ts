import { describe, expect, it } from 'vitest';
import { buildFinding } from '../../../lambdas/core/finding';
import type { Finding } from '../../../lambdas/core/model';
import {
  APPROVER_MAX_LENGTH,
  cleanApprover,
  confirmationPage,
  escapeHtml,
  recordedPage,
  refusalPage,
  summarize,
  type HtmlResponse,
  type LinkParams,
  type Refusal,
} from '../../../lambdas/core/render/pages';
import { context, group } from '../../support/groups';
import { launchTags, Principal, trail } from '../../support/fixtures';

const SCRIPT = '<script>alert(1)</script>';

/** A real finding from the engine, then attacker-chosen text where an attacker can put it. */
function hostileFinding(): Finding {
  const f = buildFinding(group([trail('run-instances-gpu-success.json', { as: Principal.backupUser, edit: launchTags({ Name: SCRIPT }) })]), context());
  if (!f) throw new Error('the fixture should produce a finding');
  return {
    ...f,
    principal: `arn:aws:sts::111122223333:assumed-role/ops"><img src=x onerror=alert(2)>/${SCRIPT}`,
    escalationReasons: [...f.escalationReasons, `tag Name=${SCRIPT} & 'quoted'`],
    account: { id: f.accountId, name: '</td><iframe src=//evil.example>', ouPath: ['Root'], tags: {} },
  };
}

const LINK: LinkParams = { a: 'apr-AAAAAAAAAAAAAAAAAAAAAA', f: 'rif-1818175dd2816c860e8f9b11', d: 'approve', e: '1741168800', s: 'x'.repeat(43) };

/** Text content a browser would show, roughly: tags dropped, entities decoded. */
function visibleText(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

function expectSafeHeaders(p: HtmlResponse): void {
  expect(p.headers).toMatchObject({
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
  });
}

/** Markup the pages may use: text, tables, a form. Every other tag came from a value that was not escaped. */
const ALLOWED_TAGS = new Set(['!doctype', 'html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'p', 'strong', 'table', 'tr', 'th', 'td', 'ul', 'li', 'form', 'label', 'input', 'div', 'button', 'h2', 'pre']);

/** Since values are escaped, every literal `<` is markup the page wrote: check each tag and its attributes. */
function expectSelfContained(html: string): void {
  const tags = [...html.matchAll(/<\/?([!a-z0-9]+)([^>]*)>/gi)];
  expect(tags.length).toBeGreaterThan(5);
  for (const [whole, name = '', attrs = ''] of tags) {
    expect(ALLOWED_TAGS.has(name.toLowerCase()), whole).toBe(true);
    expect(attrs, whole).not.toMatch(/\b(on\w+|src|href|action|formaction|srcdoc)\s*=/i);
  }
}

describe('the confirmation page', () => {
  const summary = summarize(hostileFinding());

  it.each(['approve', 'reject'] as const)('for %s shows the summary with every attacker-controlled value escaped', (decision) => {
    const p = confirmationPage({ decision, summary, link: { ...LINK, d: decision }, expiresAt: '2025-03-05T10:00:00.000Z' });
    expect(p.statusCode).toBe(200);
    expectSafeHeaders(p);
    expectSelfContained(p.body);
    expect(p.body).toContain(escapeHtml(SCRIPT));
    const text = visibleText(p.body);
    // The hostile values are shown as text, exactly.
    expect(text).toContain(summary.principal);
    expect(text).toContain(`tag Name=${SCRIPT} & 'quoted'`);
    expect(text).toContain('</td><iframe src=//evil.example>');
    for (const shown of [summary.findingId, summary.accountId, summary.region, summary.severity, `score ${summary.score}`, 'i-0f9e8d7c6b5a40011', '1:']) expect(text).toContain(shown);
    expect(text).toContain(decision === 'approve' ? 'Approve containment' : 'Reject containment');
  });

  it('is a POST form with a required name and the link in hidden fields', () => {
    const p = confirmationPage({ decision: 'approve', summary, link: { ...LINK, s: 'a"b<c' }, expiresAt: '2025-03-05T10:00:00.000Z' });
    expect(p.body).toMatch(/<form method="post">/);
    expect(p.body).not.toMatch(/<form[^>]*action=/);
    expect(p.body).toMatch(/<input type="text" id="approver" name="approver" required maxlength="120"/);
    for (const k of ['a', 'f', 'd', 'e'] as const) expect(p.body).toContain(`<input type="hidden" name="${k}" value="${LINK[k]}">`);
    expect(p.body).toContain('<input type="hidden" name="s" value="a&quot;b&lt;c">');
  });

  it('says why when it comes back without a name (400)', () => {
    const p = confirmationPage({ decision: 'reject', summary, link: LINK, expiresAt: '2025-03-05T10:00:00.000Z', error: 'Enter your name or e-mail.' });
    expect(p.statusCode).toBe(400);
    expect(visibleText(p.body)).toContain('Enter your name or e-mail.');
  });
});

describe('the receipt', () => {
  it('says what was recorded, by whom and when, escaped', () => {
    const p = recordedPage({ decision: 'approve', approver: `Mallory ${SCRIPT}`, decidedAt: '2025-03-04T11:00:00.000Z', findingId: LINK.f });
    expect(p.statusCode).toBe(200);
    expectSafeHeaders(p);
    expectSelfContained(p.body);
    expect(visibleText(p.body)).toContain(`Recorded: approve by Mallory ${SCRIPT} at 2025-03-04T11:00:00.000Z`);
  });
});

describe('refusal pages', () => {
  const cases: readonly [Refusal, number, RegExp][] = [
    [{ kind: 'malformed', message: 'The link is incomplete.' }, 400, /not valid.*The link is incomplete\./],
    [{ kind: 'forged', message: 'signature mismatch' }, 403, /not genuine.*signature mismatch.*Nothing was recorded/],
    [{ kind: 'tampered', message: 'its decision does not match its signature' }, 403, /altered.*its decision does not match its signature/],
    [{ kind: 'expired', message: 'The link expired at 2025-03-05T10:00:00.000Z.' }, 410, /expired.*2025-03-05T10:00:00\.000Z/],
    [{ kind: 'not-found' }, 404, /Unknown approval request.*No approval request matches/],
    [{ kind: 'not-ready' }, 409, /not started waiting.*Try again in a minute/],
    [{ kind: 'replay', decision: 'reject', approver: 'Dana', decidedAt: '2025-03-04T11:00:00.000Z' }, 409, /already decided: reject by Dana at 2025-03-04T11:00:00\.000Z/],
    [{ kind: 'timed-out', at: '2025-03-05T10:00:00.000Z', attempted: { decision: 'approve', approver: 'Lee', decidedAt: '2025-03-05T10:00:01.000Z' } }, 410, /stopped waiting.*approve by Lee at 2025-03-05T10:00:01\.000Z/],
    [{ kind: 'method', method: 'DELETE' }, 405, /not DELETE/],
    [{ kind: 'unavailable' }, 503, /could not be delivered.*nothing was recorded/],
    [{ kind: 'error', requestId: 'req-1' }, 500, /failed.*request req-1/],
  ];

  it.each(cases.map(([r, status, why]) => [r.kind, r, status, why] as const))('%s: status and the reason in words', (_kind, r, status, why) => {
    const p = refusalPage(r);
    expect(p.statusCode).toBe(status);
    expectSafeHeaders(p);
    expectSelfContained(p.body);
    expect(visibleText(p.body)).toMatch(why);
  });

  it('covers every kind of refusal', () => {
    const kinds = new Set(cases.map(([r]) => r.kind));
    expect([...kinds].sort()).toEqual(['error', 'expired', 'forged', 'malformed', 'method', 'not-found', 'not-ready', 'replay', 'tampered', 'timed-out', 'unavailable']);
  });

  it('escapes who decided earlier: the name was typed by whoever held the link', () => {
    const p = refusalPage({ kind: 'replay', decision: 'approve', approver: SCRIPT, decidedAt: '2025-03-04T11:00:00.000Z' });
    expectSelfContained(p.body);
    expect(p.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('names the allowed methods on 405', () => {
    expect(refusalPage({ kind: 'method', method: 'PUT' }).headers.Allow).toBe('GET, HEAD, POST');
  });
});

describe('the approver as recorded', () => {
  it.each([
    ['  Dana   Scully\t', 'Dana Scully'],
    ['ops\u202Eevil\u200B@example.com', 'ops evil @example.com'],
    ['line\nbreak\r\nname', 'line break name'],
    ['', ''],
    [' \u200B ', ''],
  ])('%j is recorded as %j', (raw, clean) => {
    expect(cleanApprover(raw)).toBe(clean);
  });

  it('is limited in length without splitting a character', () => {
    const long = cleanApprover('\u{1F600}'.repeat(APPROVER_MAX_LENGTH + 10));
    expect(Array.from(long)).toHaveLength(APPROVER_MAX_LENGTH);
    expect(long).toBe('\u{1F600}'.repeat(APPROVER_MAX_LENGTH));
  });
});

describe('the containment plan on the approve page', () => {
  const plan = ['i-1 (us-east-1):', '  eni-a (primary): sg-web -> allow-all (untrack, 60 s) -> isolation group of vpc-1', `  tag value ${SCRIPT}`];

  it('shows the dry run on the approve page only, each line escaped', () => {
    const s = summarize(hostileFinding(), plan);
    const approve = confirmationPage({ decision: 'approve', summary: s, link: LINK, expiresAt: 'x' });
    expectSelfContained(approve.body);
    const text = visibleText(approve.body);
    expect(text).toContain('What approving does');
    expect(text).toContain('eni-a (primary): sg-web -> allow-all (untrack, 60 s) -> isolation group of vpc-1');
    expect(text).toContain(`tag value ${SCRIPT}`);
    expect(approve.body).not.toContain(SCRIPT);
    expect(visibleText(confirmationPage({ decision: 'reject', summary: s, link: LINK, expiresAt: 'x' }).body)).not.toContain('What approving does');
  });

  it('keeps at most 60 lines in the stored summary and says how many more there are', () => {
    const long = Array.from({ length: 75 }, (_, i) => `line ${i}`);
    const s = summarize(hostileFinding(), long);
    expect(s.plan).toHaveLength(61);
    expect(s.plan!.at(-1)).toBe('... and 15 more lines in the approval message');
    expect(summarize(hostileFinding()).plan).toBeUndefined();
  });
});

describe('the summary kept for the confirmation page', () => {
  it('holds who, where, how bad and how many, and caps its lists', () => {
    const f = hostileFinding();
    const many = { ...f, resources: { ...f.resources, instanceIds: Array.from({ length: 25 }, (_, i) => `i-${String(i).padStart(17, '0')}`) } };
    const s = summarize(many);
    expect(s).toMatchObject({ findingId: f.findingId, principal: f.principal, accountId: '111122223333', accountName: '</td><iframe src=//evil.example>', region: 'us-east-1', severity: 'high', score: 70, instanceCount: 25 });
    expect(s.instanceIds).toHaveLength(20);
    expect(s.escalationReasons).toEqual(f.escalationReasons);
    expect(visibleText(confirmationPage({ decision: 'approve', summary: s, link: LINK, expiresAt: 'x' }).body)).toContain('and 5 more');
  });
});
