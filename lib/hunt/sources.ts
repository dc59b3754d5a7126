import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Expands the hunt's PATH arguments: files as given, directories walked
 * recursively (sorted, so runs are reproducible), `-` for stdin. Inside
 * directories only files that look like logs are read; the others are
 * listed in the summary rather than parsed as garbage.
 */

export interface Source {
  /** How reports name it: the path as the user wrote it, or "-". */
  readonly label: string;
  /** Absolute path, or "-" for stdin. */
  readonly path: string;
  readonly bytes: number;
}

export interface Expanded {
  readonly sources: Source[];
  /** Files inside directories that do not look like CloudTrail logs. */
  readonly ignored: string[];
  /** Arguments that could not be read at all. */
  readonly missing: { label: string; reason: string }[];
}

const LOG_FILE = /\.(json|jsonl|ndjson|log)(\.gz)?$|\.gz$/i;
const HIDDEN = /^\./;

export function expandSources(args: readonly string[]): Expanded {
  const sources: Source[] = [];
  const ignored: string[] = [];
  const missing: { label: string; reason: string }[] = [];
  const walk = (dir: string, label: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    } catch (err) {
      missing.push({ label, reason: (err as Error).message });
      return;
    }
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      const lbl = path.join(label, e.name);
      if (e.isDirectory()) {
        if (!e.name.startsWith('.') && e.name !== 'node_modules') walk(abs, lbl);
      } else if (e.isFile()) {
        if (LOG_FILE.test(e.name) && !HIDDEN.test(e.name)) sources.push({ label: lbl, path: abs, bytes: statSync(abs).size });
        else ignored.push(lbl);
      }
    }
  };
  for (const arg of args) {
    if (arg === '-') {
      sources.push({ label: '-', path: '-', bytes: 0 });
      continue;
    }
    let st;
    try {
      st = statSync(arg);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      missing.push({ label: arg, reason: code === 'ENOENT' ? 'no such file or directory' : (err as Error).message });
      continue;
    }
    if (st.isDirectory()) walk(path.resolve(arg), arg);
    else sources.push({ label: arg, path: path.resolve(arg), bytes: st.size });
  }
  return { sources, ignored, missing };
}
