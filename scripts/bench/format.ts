/** Plain-text output shared by the benchmark's sections. */

const MB = 1e6;
const MIB = 1024 * 1024;

export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function fixed(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Decimal megabytes, as throughput is usually quoted. */
export function mb(bytes: number): string {
  return `${fixed(bytes / MB)} MB`;
}

export function mib(bytes: number): string {
  return `${fixed(bytes / MIB)} MiB`;
}

export function seconds(ms: number): string {
  return `${fixed(ms / 1000, 2)} s`;
}

export function section(title: string): void {
  console.log(`\n== ${title} ${'='.repeat(Math.max(0, 72 - title.length))}`);
}

/** A table whose first column is left-aligned and the others right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
