import { spawn } from 'node:child_process';
import path from 'node:path';
import { build } from 'esbuild';
import { cliBuildOptions } from '../build-cli';

/**
 * Running measured code the way it ships. Children are bundled with the
 * same esbuild settings as the CLI (scripts/build-cli.ts) and run by plain
 * node: under a TypeScript loader every process and reader thread would
 * also carry the loader (about 40 MiB of RSS and a transpile on start),
 * which the installed command does not.
 */

/**
 * Bundles `entries` (output name -> source) into `outdir`. The hunt's reader
 * thread is always included as hunt-worker.mjs, where lib/hunt/pool.ts
 * looks for it next to a bundle.
 */
export async function bundle(outdir: string, entries: Readonly<Record<string, string>>): Promise<void> {
  await build(cliBuildOptions(outdir, entries));
}

/** Runs `node script ...args` and returns the JSON of the last line it printed. */
export function runJson<T>(script: string, args: readonly string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`${path.basename(script)} ${args.join(' ')} exited with ${signal ?? `code ${code}`}`));
        return;
      }
      const last = Buffer.concat(out).toString('utf8').trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${path.basename(script)} printed no JSON result: ${JSON.stringify(last.slice(0, 200))}`));
      }
    });
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) throw new Error('median of nothing');
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
