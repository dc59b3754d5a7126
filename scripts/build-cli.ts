/**
 * Bundles the `rogue-infra` command into dist/cli (run by `npm ci` through
 * the `prepare` script, so `npm install -g .` or `npm link` gives a working
 * binary): the CLI and its reader thread as two self-contained ES modules
 * with no runtime dependencies.
 */
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { ESM_REQUIRE_BANNER, MAIN_FIELDS } from '../lib/constructs/shared/bundling';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** How the CLI and its reader thread are bundled; the benchmark builds its children the same way. */
export function cliBuildOptions(outdir: string, entries: Readonly<Record<string, string>>): BuildOptions {
  return {
    // The reader thread goes beside every bundle: lib/hunt/pool.ts looks for it there.
    entryPoints: { ...entries, 'hunt-worker': path.join(root, 'lib/hunt/worker.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    // The operator verbs (and their AWS SDK clients) load as a chunk of their own, only when used.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    target: 'node20',
    mainFields: MAIN_FIELDS,
    banner: { js: ESM_REQUIRE_BANNER },
    legalComments: 'none',
    logLevel: 'warning',
  };
}

export async function buildCli(outdir = path.join(root, 'dist/cli')): Promise<string> {
  await build(cliBuildOptions(outdir, { 'rogue-infra': path.join(root, 'bin/rogue-infra.ts') }));
  const bin = path.join(outdir, 'rogue-infra.mjs');
  chmodSync(bin, 0o755);
  return bin;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  await buildCli(out ? path.resolve(out) : undefined);
}
