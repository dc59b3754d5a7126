import type { Decision } from '../approval';
import type { Finding, Severity } from '../model';

/**
 * The approval endpoint's pages: the confirmation form a link opens, the
 * receipt after a decision, and one page per reason a request is refused.
 * Pure and self-contained (no scripts, no external assets, no clock): the
 * values shown come from the finding, which quotes what an attacker wrote
 * (principal names, tag values, session names), so every value is escaped.
 */

/** An HTTP response in the shape of API Gateway v2 / Lambda function URL results. */
export interface HtmlResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What the person deciding sees about the finding; stored with the approval request. */
export interface ApprovalSummary {
  readonly findingId: string;
  readonly principal: string;
  readonly principalType: string;
  readonly accountId: string;
  readonly accountName?: string;
  readonly region: string;
  readonly regions: readonly string[];
  readonly severity: Severity;
  readonly score: number;
  readonly escalationReasons: readonly string[];
  readonly instanceCount: number;
  /** The first few; `instanceCount` says how many there are. */
  readonly instanceIds: readonly string[];
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** The containment dry run in sentences (lambdas/core/containment.ts describePlan), when one was made. */
  readonly plan?: readonly string[];
}

/** How many plan lines the summary keeps (the full plan is in the approval message). */
const PLAN_LINE_LIMIT = 60;

/** How many instance ids and reasons the summary keeps: enough to recognise, small enough for one item. */
const SUMMARY_LIST_LIMIT = 20;

export function summarize(finding: Finding, plan?: readonly string[]): ApprovalSummary {
  const base = {
    findingId: finding.findingId,
    principal: finding.principal,
    principalType: finding.principalType,
    accountId: finding.accountId,
    region: finding.region,
    regions: finding.regions.slice(0, SUMMARY_LIST_LIMIT),
    severity: finding.severity,
    score: finding.score,
    escalationReasons: finding.escalationReasons.slice(0, SUMMARY_LIST_LIMIT),
    instanceCount: finding.resources.instanceIds.length,
    instanceIds: finding.resources.instanceIds.slice(0, SUMMARY_LIST_LIMIT),
    firstSeen: finding.firstSeen,
    lastSeen: finding.lastSeen,
  };
  const withPlan = plan?.length
    ? { ...base, plan: plan.length > PLAN_LINE_LIMIT ? [...plan.slice(0, PLAN_LINE_LIMIT), `... and ${plan.length - PLAN_LINE_LIMIT} more lines in the approval message`] : [...plan] }
    : base;
  return finding.account?.name ? { ...withPlan, accountName: finding.account.name } : withPlan;
}

/** The longest approver name kept, in characters. */
export const APPROVER_MAX_LENGTH = 120;

/**
 * The name typed on the confirmation page, as it is recorded: control and
 * format characters (bidirectional overrides, zero-width joiners) become
 * spaces so a record cannot be made to read as someone else, whitespace is
 * collapsed, and the length is limited. Empty means no name was given.
 */
export function cleanApprover(raw: string | undefined): string {
  if (!raw) return '';
  const flat = raw.normalize('NFC').replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ').replace(/\s+/g, ' ').trim();
  return Array.from(flat).slice(0, APPROVER_MAX_LENGTH).join('').trim();
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and double- or single-quoted attributes. */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * Headers on every page. The link in the address bar is a credential:
 * no caching anywhere, no Referer to other sites, no framing (a framed
 * confirmation page could be clickjacked into a decision), and a policy
 * that allows nothing but the inline style and posting back to this origin.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Robots-Tag': 'noindex, nofollow',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

const STYLE = [
  'body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.45}',
  'h1{font-size:1.4rem}table{border-collapse:collapse;margin:1rem 0}th,td{text-align:left;vertical-align:top;padding:.25rem .75rem .25rem 0}',
  'th{font-weight:600;white-space:nowrap}td{word-break:break-all}.why{padding:.75rem 1rem;background:#f4f4f4;border-left:4px solid #888}',
  '.error{border-left-color:#b00020}label{display:block;margin:1rem 0 .25rem;font-weight:600}input[type=text]{width:100%;max-width:28rem;padding:.4rem}',
  'button{margin-top:1rem;padding:.5rem 1.25rem;font-size:1rem}h2{font-size:1.1rem}',
  'pre{background:#f4f4f4;padding:.75rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all;font-size:.85rem}',
].join('');

function page(statusCode: number, title: string, content: string, extraHeaders: Readonly<Record<string, string>> = {}): HtmlResponse {
  const body = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex, nofollow">',
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>`,
    `<body><h1>${escapeHtml(title)}</h1>${content}</body></html>`,
  ].join('\n');
  return { statusCode, headers: { ...PAGE_HEADERS, ...extraHeaders }, body };
}

const para = (text: string): string => `<p>${escapeHtml(text)}</p>`;
const why = (text: string, error = false): string => `<p class="why${error ? ' error' : ''}">${escapeHtml(text)}</p>`;

function summaryTable(s: ApprovalSummary): string {
  const more = s.instanceCount > s.instanceIds.length ? ` and ${s.instanceCount - s.instanceIds.length} more` : '';
  const rows: [string, string][] = [
    ['Finding', s.findingId],
    ['Principal', `${s.principal} (${s.principalType})`],
    ['Account', s.accountName ? `${s.accountId} (${s.accountName})` : s.accountId],
    ['Region', s.regions.length > 1 ? `${s.region} (all: ${s.regions.join(', ')})` : s.region],
    ['Severity', `${s.severity}, score ${s.score}`],
    ['Instances', s.instanceCount === 0 ? 'none recorded' : `${s.instanceCount}: ${s.instanceIds.join(', ')}${more}`],
    ['Activity', `${s.firstSeen} to ${s.lastSeen}`],
  ];
  const reasons = s.escalationReasons.length
    ? `<tr><th>Escalated because</th><td><ul>${s.escalationReasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul></td></tr>`
    : '';
  return `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}${reasons}</table>`;
}

/** The signed link's parameters, carried through the form unchanged. */
export interface LinkParams {
  readonly a: string;
  readonly f: string;
  readonly d: string;
  readonly e: string;
  readonly s: string;
}

const MEANING: Readonly<Record<Decision, { readonly title: string; readonly effect: string; readonly button: string }>> = {
  approve: {
    title: 'Approve containment?',
    effect: 'Approving lets the workflow contain the instances below: isolate their network access and preserve evidence. Nothing is terminated.',
    button: 'Approve containment',
  },
  reject: {
    title: 'Reject containment?',
    effect: 'Rejecting ends the workflow without containment: the instances below keep running as they are.',
    button: 'Reject containment',
  },
};

export interface ConfirmationInput {
  readonly decision: Decision;
  readonly summary: ApprovalSummary;
  readonly link: LinkParams;
  /** ISO 8601: when the link stops working. */
  readonly expiresAt: string;
  /** Shown above the form when a submission was refused (no name given). */
  readonly error?: string;
}

/**
 * The page a link opens. Opening it decides nothing (mail scanners and link
 * previewers fetch links); the decision is the form's POST, which carries
 * the link's parameters back and the name of the person deciding. The form
 * has no action: it posts to the address it was opened from.
 */
export function confirmationPage(input: ConfirmationInput): HtmlResponse {
  const m = MEANING[input.decision];
  const hidden = (['a', 'f', 'd', 'e', 's'] as const)
    .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(input.link[k])}">`)
    .join('');
  const form = [
    '<form method="post">',
    hidden,
    '<label for="approver">Your name or e-mail</label>',
    `<input type="text" id="approver" name="approver" required maxlength="${APPROVER_MAX_LENGTH}" autocomplete="email">`,
    `<div><button type="submit">${escapeHtml(m.button)}</button></div>`,
    '</form>',
  ].join('');
  return page(
    input.error ? 400 : 200,
    m.title,
    [
      input.error ? why(input.error, true) : '',
      para(m.effect),
      input.decision === 'approve' && input.summary.plan?.length
        ? `<h2>What approving does</h2>${para('The dry run made before this request (nothing has changed yet):')}<pre>${input.summary.plan.map(escapeHtml).join('\n')}</pre>`
        : '',
      summaryTable(input.summary),
      para(`Your name, the time, your address and your browser are recorded with the decision. This link works once and until ${input.expiresAt}.`),
      form,
    ].join(''),
  );
}

export interface Recorded {
  readonly decision: Decision;
  readonly approver: string;
  /** ISO 8601. */
  readonly decidedAt: string;
  readonly findingId: string;
}

/** The receipt after a decision reached the waiting workflow. */
export function recordedPage(r: Recorded): HtmlResponse {
  return page(
    200,
    'Decision recorded',
    [
      `<p class="why">Recorded: <strong>${escapeHtml(r.decision)}</strong> by <strong>${escapeHtml(r.approver)}</strong> at ${escapeHtml(r.decidedAt)}.</p>`,
      para(`The workflow for finding ${r.findingId} has been told and continues; its outcome is sent where the finding was sent.`),
    ].join(''),
  );
}

/** Every reason the endpoint refuses a request; each page says which and what to do. */
export type Refusal =
  | { readonly kind: 'malformed'; readonly message: string }
  | { readonly kind: 'forged'; readonly message: string }
  | { readonly kind: 'tampered'; readonly message: string }
  | { readonly kind: 'expired'; readonly message: string }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'not-ready' }
  | { readonly kind: 'replay'; readonly decision: Decision; readonly approver: string; readonly decidedAt: string }
  | { readonly kind: 'timed-out'; readonly at: string; readonly attempted?: { readonly decision: Decision; readonly approver: string; readonly decidedAt: string } }
  | { readonly kind: 'method'; readonly method: string }
  | { readonly kind: 'unavailable' }
  | { readonly kind: 'error'; readonly requestId?: string };

export function refusalPage(r: Refusal): HtmlResponse {
  switch (r.kind) {
    case 'malformed':
      return page(400, 'This link is not valid', why(r.message) + para('Open the link exactly as it arrived in the notification, without editing it.'));
    case 'forged':
      return page(403, 'This link is not genuine', why(r.message) + para('Nothing was recorded. If you did not edit the link, report it to the security team.'));
    case 'tampered':
      return page(403, 'This link was altered', why(r.message) + para('Nothing was recorded. Use the approve or the reject link from the notification as it was sent.'));
    case 'expired':
      return page(410, 'This link has expired', why(r.message) + para('Nothing was recorded. The workflow stops waiting for a decision after the link expires.'));
    case 'not-found':
      return page(404, 'Unknown approval request', why('No approval request matches this link. It may be older than the records are kept.'));
    case 'not-ready':
      return page(409, 'Not ready for a decision yet', why('The workflow has not started waiting for this decision yet, so it cannot receive it.') + para('Nothing was recorded. Try again in a minute.'));
    case 'replay':
      return page(
        409,
        'Already decided',
        why(`This request was already decided: ${r.decision} by ${r.approver} at ${r.decidedAt}. Each approval request is decided once.`) +
          para('Nothing was changed. If that decision was not made by a colleague, report it to the security team.'),
      );
    case 'timed-out':
      return page(
        410,
        'The workflow stopped waiting',
        why(`The workflow stopped waiting for this decision (it timed out or was stopped) at or before ${r.at}.`) +
          (r.attempted ? para(`The decision that arrived too late: ${r.attempted.decision} by ${r.attempted.approver} at ${r.attempted.decidedAt}. It changed nothing.`) : '') +
          para('The finding’s outcome notification says what happened.'),
      );
    case 'method':
      return page(405, 'Method not allowed', why(`This address answers GET (open a link) and POST (the confirmation form), not ${r.method}.`), { Allow: 'GET, HEAD, POST' });
    case 'unavailable':
      return page(503, 'Could not reach the workflow', why('The decision could not be delivered to the workflow just now, so nothing was recorded.') + para('Go back and submit the form again in a minute.'), { 'Retry-After': '60' });
    case 'error':
      return page(
        500,
        'Something went wrong',
        why('The responder failed while handling this request.') +
          para(`Try again in a minute; if it keeps failing, tell the security team${r.requestId ? ` (request ${r.requestId})` : ''}.`),
      );
  }
}
