import { INDICATOR_BY_ID } from '../../../lambdas/core/indicators/catalogue';
import type { Answer, Finding } from '../../../lambdas/core/model';

/**
 * The report for people: escalations first, each with why it escalated,
 * the evidence per indicator, the four answers and what to do next; Tier 1
 * findings after, one line each.
 */

export interface TableOptions {
  readonly color?: boolean;
  /** Width to wrap at (default 110). */
  readonly width?: number;
}

type Paint = (code: string, text: string) => string;

const SEVERITY_COLOR: Record<string, string> = { critical: '1;31', high: '31', medium: '33', low: '36', informational: '2' };

function answerWord(a: Answer): string {
  return a.answer.toUpperCase();
}

function wrap(text: string, width: number, indent: string): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > width - indent.length) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : indent + l)).join('\n');
}

function span(f: Finding): string {
  if (f.firstSeen === f.lastSeen) return f.firstSeen;
  const sameDay = f.firstSeen.slice(0, 10) === f.lastSeen.slice(0, 10);
  return `${f.firstSeen} -> ${sameDay ? f.lastSeen.slice(11) : f.lastSeen}`;
}

/** The first few, and how many more: the full lists are in the jsonl and html reports. */
function few(values: readonly string[], max = 6): string {
  return values.length <= max ? values.join(', ') : `${values.slice(0, max).join(', ')} and ${values.length - max} more`;
}

function resourcesLine(f: Finding): string {
  const r = f.resources;
  const parts = [
    r.instanceIds.length ? `${r.instanceIds.length} instances: ${few(r.instanceIds)}` : '',
    r.allocationIds.length ? `addresses ${few(r.allocationIds)}` : '',
    r.publicIps.length ? `public IPs ${few(r.publicIps)}` : '',
    r.requestIds.length ? `requests ${few(r.requestIds)}` : '',
    r.keyPairs.length ? `key pairs ${few(r.keyPairs)}` : '',
    r.securityGroups.length ? `security groups ${few(r.securityGroups)}` : '',
  ].filter(Boolean);
  return parts.join('; ');
}

function detailed(f: Finding, paint: Paint, width: number): string {
  const out: string[] = [];
  const sev = paint(SEVERITY_COLOR[f.severity] ?? '0', f.severity.toUpperCase());
  out.push(`${paint('1', `TIER ${f.tier}`)}  ${sev}  score ${f.score}  ${f.findingId}`);
  out.push(`  account    ${f.accountId}   region ${f.regions.join(', ')}`);
  out.push(`  principal  ${f.principal}${f.invokedBy ? `  (via ${f.invokedBy})` : ''}`);
  if (f.sourceIps.length) out.push(`  from       ${f.sourceIps.slice(0, 6).join(', ')}${f.sourceIps.length > 6 ? ' ...' : ''}`);
  out.push(`  when       ${span(f)}  (${f.eventCount} event${f.eventCount === 1 ? '' : 's'})`);
  if (f.escalationReasons.length) out.push(`  why        ${wrap(f.escalationReasons.join('; '), width, '             ')}`);
  out.push('  indicators');
  const idWidth = Math.max(...f.indicators.map((i) => i.id.length));
  for (const i of f.indicators) {
    const head = `    ${i.id.padEnd(idWidth)} +${String(i.weight).padEnd(3)} `;
    out.push(head + wrap(i.evidence.summary, width, ' '.repeat(head.length)));
  }
  out.push('  questions for analysis');
  const a = f.answers;
  const rows: [string, Answer][] = [
    ['recent acquisition?', a.recentAcquisition],
    ['legitimate use?', a.legitimateUse],
    ['billing anomaly?', a.billing],
    ['known-malicious?', a.threatIntel],
  ];
  for (const [q, ans] of rows) {
    const head = `    ${q.padEnd(20)}${answerWord(ans).padEnd(10)}`;
    const text = ans.answer === 'unknown' && ans.needs ? `${ans.summary} Needs: ${ans.needs}.` : ans.summary;
    out.push(head + wrap(text, width, ' '.repeat(head.length)));
  }
  const res = resourcesLine(f);
  if (res) out.push(`  resources  ${wrap(res, width, '             ')}`);
  out.push('  next steps');
  f.nextSteps.forEach((s, i) => out.push(`    ${i + 1}. ${wrap(s, width, '       ')}`));
  return out.join('\n');
}

function brief(f: Finding, paint: Paint): string {
  const sev = paint(SEVERITY_COLOR[f.severity] ?? '0', f.severity.padEnd(13));
  const what = f.indicators.map((i) => i.id).join(', ');
  // Lead with what happened, not with who did it.
  const lead = (f.indicators.find((i) => INDICATOR_BY_ID.get(i.id)?.kind === 'activity') ?? f.indicators[0])?.evidence.summary ?? '';
  return `  ${sev} ${String(f.score).padStart(3)}  ${f.findingId}  ${f.accountId} ${f.region}  ${f.principal}\n${' '.repeat(22)}${what}: ${lead}`;
}

export function formatTable(findings: readonly Finding[], options: TableOptions = {}): string {
  const paint: Paint = options.color ? (code, text) => `\u001b[${code}m${text}\u001b[0m` : (_c, text) => text;
  const width = options.width ?? 110;
  const escalated = findings.filter((f) => f.escalate);
  const rest = findings.filter((f) => !f.escalate);
  const out: string[] = [];
  out.push(
    paint('1', `${findings.length} finding${findings.length === 1 ? '' : 's'}: ${escalated.length} escalated to Tier 2, ${rest.length} Tier 1`),
  );
  if (findings.length === 0) {
    out.push('No acquisition activity worth a finding in this input.');
    return out.join('\n') + '\n';
  }
  for (const f of escalated) out.push('', detailed(f, paint, width));
  const review = rest.filter((f) => f.severity !== 'informational');
  const info = rest.filter((f) => f.severity === 'informational');
  if (review.length) {
    out.push('', paint('1', 'Tier 1 (review; no escalation rule matched)'));
    for (const f of review) out.push(brief(f, paint));
  }
  if (info.length) {
    // Approved pipelines and capacity services: counted by who, not listed.
    const byWho = new Map<string, number>();
    for (const f of info) {
      const who = f.principalRole ?? f.principal;
      byWho.set(who, (byWho.get(who) ?? 0) + 1);
    }
    out.push('', paint('1', `${info.length} informational finding${info.length === 1 ? '' : 's'} (expected activity; every finding is in --format jsonl/json/html)`));
    for (const [who, n] of [...byWho].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) out.push(`  ${String(n).padStart(4)}  ${who}`);
  }
  return out.join('\n') + '\n';
}
