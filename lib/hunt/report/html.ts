import type { Answer, Finding } from '../../../lambdas/core/model';
import type { HuntSummary } from '../hunt';
import { formatSummary } from './summary';

/**
 * A self-contained HTML report (no scripts, no external assets) an analyst
 * can attach to a ticket or forward. Every value from the logs is escaped:
 * CloudTrail fields are attacker-controlled (tags, key names, user agents).
 */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const e = escapeHtml;

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1d2330}
h1{font-size:1.4rem;margin:0 0 .25rem} h2{font-size:1.1rem;margin:2rem 0 .5rem}
.meta{color:#5b6475;white-space:pre-wrap;font:12px/1.4 ui-monospace,monospace;background:#f5f6f8;padding:.75rem;border-radius:6px}
.card{border:1px solid #d8dce3;border-left:6px solid #8a93a6;border-radius:6px;padding:.75rem 1rem;margin:1rem 0}
.card.tier2{border-left-color:#c62828}.sev{font-weight:600;text-transform:uppercase;font-size:12px;padding:.1rem .4rem;border-radius:4px;color:#fff;background:#8a93a6}
.sev.critical{background:#b71c1c}.sev.high{background:#d84315}.sev.medium{background:#f9a825;color:#222}.sev.low{background:#0277bd}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border-top:1px solid #e6e8ec;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{font-weight:600;color:#5b6475;width:11rem} code{font:12px ui-monospace,monospace;word-break:break-all}
.ans{font-weight:700}.ans.yes{color:#c62828}.ans.no{color:#2e7d32}.ans.unknown{color:#5b6475}.ans.attempted{color:#d84315}
ol{margin:.25rem 0 .25rem 1.25rem;padding:0}
`;

function answerRow(label: string, a: Answer): string {
  const needs = a.answer === 'unknown' && a.needs ? `<br><small>Needs: ${e(a.needs)}</small>` : '';
  const ev = a.evidence.length ? `<br><small>${a.evidence.map(e).join('<br>')}</small>` : '';
  return `<tr><th>${e(label)}</th><td><span class="ans ${e(a.answer)}">${e(a.answer.toUpperCase())}</span> ${e(a.summary)}${needs}${ev}</td></tr>`;
}

function card(f: Finding): string {
  const r = f.resources;
  const res = [
    ['Instances', r.instanceIds],
    ['Allocations', r.allocationIds],
    ['Public IPs', r.publicIps],
    ['Spot/fleet requests', r.requestIds],
    ['Key pairs', r.keyPairs],
    ['Security groups', r.securityGroups],
    ['Instance types', r.instanceTypes],
  ] as const;
  return `<section class="card tier${f.tier}">
<div><span class="sev ${e(f.severity)}">${e(f.severity)}</span> <strong>Tier ${f.tier}</strong> &middot; score ${f.score} &middot; <code>${e(f.findingId)}</code></div>
<table>
<tr><th>Principal</th><td><code>${e(f.principal)}</code>${f.invokedBy ? ` via ${e(f.invokedBy)}` : ''}</td></tr>
<tr><th>Account / regions</th><td>${e(f.accountId)} &middot; ${f.regions.map(e).join(', ')}</td></tr>
<tr><th>When</th><td>${e(f.firstSeen)} &rarr; ${e(f.lastSeen)} (${f.eventCount} events)</td></tr>
${f.sourceIps.length ? `<tr><th>Caller IPs</th><td>${f.sourceIps.map(e).join(', ')}</td></tr>` : ''}
${f.escalationReasons.length ? `<tr><th>Escalated because</th><td>${f.escalationReasons.map(e).join('<br>')}</td></tr>` : ''}
</table>
<table><tr><th>Indicator</th><td><strong>Evidence</strong></td></tr>
${f.indicators.map((i) => `<tr><th><code>${e(i.id)}</code> +${i.weight}</th><td>${e(i.evidence.summary)}</td></tr>`).join('\n')}
</table>
<table>
${answerRow('Recent acquisition?', f.answers.recentAcquisition)}
${answerRow('Legitimate use?', f.answers.legitimateUse)}
${answerRow('Billing anomaly?', f.answers.billing)}
${answerRow('Known-malicious?', f.answers.threatIntel)}
</table>
<table>${res
    .filter(([, v]) => v.length > 0)
    .map(([k, v]) => `<tr><th>${e(k)}</th><td><code>${v.map(e).join(', ')}</code></td></tr>`)
    .join('')}</table>
<strong>Next steps</strong><ol>${f.nextSteps.map((s) => `<li>${e(s)}</li>`).join('')}</ol>
</section>`;
}

export function formatHtml(findings: readonly Finding[], summary: HuntSummary, generatedAt: string): string {
  const escalated = findings.filter((f) => f.escalate);
  const rest = findings.filter((f) => !f.escalate);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Unauthorized server acquisition hunt: ${findings.length} findings, ${escalated.length} escalated</title>
<style>${CSS}</style></head><body>
<h1>Unauthorized server acquisition (T1583.004) hunt</h1>
<p>${findings.length} findings: <strong>${escalated.length} escalated to Tier 2</strong>, ${rest.length} Tier 1. Generated ${e(generatedAt)}.</p>
<div class="meta">${e(formatSummary(summary, findings))}</div>
${escalated.length ? `<h2>Tier 2: escalated</h2>\n${escalated.map(card).join('\n')}` : ''}
${rest.length ? `<h2>Tier 1: review</h2>\n${rest.map(card).join('\n')}` : ''}
${findings.length === 0 ? '<p>No acquisition activity worth a finding in this input.</p>' : ''}
</body></html>
`;
}
