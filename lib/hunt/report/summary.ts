import type { HuntSummary } from '../hunt';
import type { Finding } from '../../../lambdas/core/model';

const n = (x: number): string => x.toLocaleString('en-US');

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** The end-of-run account of everything read: nothing is dropped without being counted here. */
export function formatSummary(summary: HuntSummary, findings: readonly Finding[]): string {
  const s = summary.stats;
  const ignored = Object.values(s.ignored).reduce((a, b) => a + b, 0);
  const skipped = Object.values(s.skipped).reduce((a, b) => a + (b ?? 0), 0);
  const lines: string[] = [];
  lines.push(
    `read ${n(summary.files)} file${summary.files === 1 ? '' : 's'}${summary.compressedFiles ? ` (${n(summary.compressedFiles)} gzip)` : ''}, ` +
      `${formatBytes(summary.bytes)}, ${n(s.records)} records: ${n(s.relevant)} acquisition-related, ${n(s.notRelevant)} not relevant` +
      `${ignored ? `, ${n(ignored)} ignored` : ''}, ${n(skipped)} skipped`,
  );
  if (ignored) lines.push(`  ignored (EventBridge events that are not CloudTrail): ${Object.entries(s.ignored).map(([t, c]) => `${n(c)} "${t}"`).join(', ')}`);
  if (skipped) {
    lines.push(
      `  skipped: ${Object.entries(s.skipped)
        .filter(([, c]) => (c ?? 0) > 0)
        .map(([r, c]) => `${n(c ?? 0)} ${r}`)
        .join(', ')}`,
    );
  }
  if (s.streamProblems) lines.push(`  ${n(s.streamProblems)} file-level problem${s.streamProblems === 1 ? '' : 's'} (see messages above)`);
  if (summary.filesWithProblems) lines.push(`  ${n(summary.filesWithProblems)} file${summary.filesWithProblems === 1 ? '' : 's'} with damaged records`);
  if (summary.missing.length) lines.push(`  not found: ${summary.missing.map((m) => m.label).join(', ')}`);
  if (summary.ignoredFiles.length) {
    const shown = summary.ignoredFiles.slice(0, 5).join(', ');
    lines.push(`  not read (in directories, not log files): ${shown}${summary.ignoredFiles.length > 5 ? ` and ${summary.ignoredFiles.length - 5} more` : ''}`);
  }
  const escalated = findings.filter((f) => f.escalate).length;
  lines.push(`findings: ${n(findings.length)} (${n(escalated)} escalated to Tier 2, ${n(findings.length - escalated)} Tier 1)`);
  return lines.join('\n');
}
