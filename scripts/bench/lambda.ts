import { spawn } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';
import { lambdaBuildOptions } from '../../lib/constructs/shared/bundling';
import { loadConfig } from '../../lib/config/load';
import { fixed, int, section, table } from './format';
import { median, runJson } from './measure';

/**
 * The scoring Lambda, as it ships: bundled with the deployed function's
 * esbuild settings (lib/constructs/shared/bundling.ts), then
 *
 *  - its size (the code Lambda loads; the source map is listed apart),
 *  - a cold-start proxy: a node process that imports the bundle against a
 *    bare node process, interleaved, medians. Lambda's own init adds the
 *    runtime bootstrap on top, the same for every function, so the
 *    difference is the part this project controls;
 *    The same figures for a build with the Powertools Tracer swapped for a
 *    no-op, and for the bundle loaded without source maps, show what the
 *    X-Ray SDK and readable stack traces cost;
 *  - warm time per event through the real handler with AWS calls answered
 *    from memory (scripts/bench/lambda-warm.ts).
 */

export interface LambdaBenchOptions {
  readonly root: string;
  /** Process pairs for the cold-start proxy. */
  readonly coldRuns: number;
  /** Events through the warm handler. */
  readonly events: number;
}

const TARGET = { bundleKB: 500, importMs: 100, warmMs: 5 };

interface Warm {
  readonly events: number;
  readonly batches: number;
  readonly p50: number;
  readonly p95: number;
  readonly mean: number;
  readonly failures: number;
  readonly started: number;
  readonly grown: number;
}

/** Swaps the Powertools Tracer for a no-op, for the comparison build. */
const withoutTracer: Plugin = {
  name: 'without-tracer',
  setup(b) {
    b.onResolve({ filter: /^@aws-lambda-powertools\/tracer(\/middleware)?$/ }, (args) => ({ path: args.path, namespace: 'no-tracer' }));
    b.onLoad({ filter: /.*/, namespace: 'no-tracer' }, (args) => ({
      contents: args.path.endsWith('/middleware')
        ? 'export const captureLambdaHandler = () => ({ before: () => {} });'
        : 'export class Tracer { captureAWSv3Client(client) { return client; } }',
      loader: 'js',
    }));
  },
};

/** The packages (and this project's code) that make up most of a bundle, by minified bytes. */
function largestParts(metafile: Metafile, count: number): string {
  const bytes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? 'rogue-infra-responder';
      bytes.set(pkg, (bytes.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([pkg, n]) => `${pkg} ${fixed(n / 1000)} KB`)
    .join(', ');
}

function wallMs(args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) reject(new Error(`node ${args.join(' ')} exited with code ${code}`));
      else resolve(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  });
}

export async function lambdaBench(options: LambdaBenchOptions): Promise<boolean> {
  const { root } = options;
  section('scoring Lambda (lambdas/handlers/score.ts)');
  // Under the project so the externals (@aws-sdk/*) resolve from
  // node_modules, as they resolve from the runtime on Lambda.
  const outdir = path.join(root, '.bench/lambda');
  mkdirSync(outdir, { recursive: true });
  const { settings } = loadConfig(path.join(root, 'samples/config.yaml'));
  const common = lambdaBuildOptions(settings);

  const handler = path.join(root, 'lambdas/handlers/score.ts');
  const { metafile } = await build({ ...common, entryPoints: { score: handler }, outdir, metafile: true });
  // The same handler with the Powertools Tracer replaced by a no-op: what
  // the X-Ray SDK under it costs, for whoever weighs traces against cold starts.
  await build({ ...common, entryPoints: { 'score-untraced': handler }, outdir, plugins: [withoutTracer] });
  await build({ ...common, entryPoints: { 'score-warm': path.join(root, 'scripts/bench/lambda-warm.ts') }, outdir });
  const size = (name: string): number => statSync(path.join(outdir, name)).size / 1000;

  // The flags the function runs with (NODE_OPTIONS in ResponderFunction).
  const flags = ['--enable-source-maps', '--input-type=module', '-e'];
  const importer = (file: string): string => `await import(${JSON.stringify(pathToFileURL(path.join(outdir, file)).href)});`;
  const cold = { bare: [] as number[], traced: [] as number[], untraced: [] as number[], bareNoMaps: [] as number[], noMaps: [] as number[] };
  const noMaps = flags.slice(1);
  await wallMs([...flags, importer('score.mjs')]); // page cache
  await wallMs([...flags, importer('score-untraced.mjs')]);
  for (let i = 0; i < options.coldRuns; i++) {
    cold.bare.push(await wallMs([...flags, '']));
    cold.traced.push(await wallMs([...flags, importer('score.mjs')]));
    cold.untraced.push(await wallMs([...flags, importer('score-untraced.mjs')]));
    cold.bareNoMaps.push(await wallMs([...noMaps, '']));
    cold.noMaps.push(await wallMs([...noMaps, importer('score.mjs')]));
  }
  const overhead = median(cold.traced) - median(cold.bare);
  const untracedOverhead = median(cold.untraced) - median(cold.bare);
  const noMapsOverhead = median(cold.noMaps) - median(cold.bareNoMaps);

  const warm = await runJson<Warm>(path.join(outdir, 'score-warm.mjs'), [String(options.events)]);

  const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  const kb = size('score.mjs');
  console.log(
    table(
      ['measure', 'value', 'target', ''],
      [
        ['bundle (score.mjs)', `${fixed(kb)} KB`, `<= ${TARGET.bundleKB} KB`, verdict(kb <= TARGET.bundleKB)],
        ['  source map, shipped beside it', `${fixed(size('score.mjs.map'))} KB`, '', ''],
        [`bare node (median of ${options.coldRuns})`, `${fixed(median(cold.bare))} ms`, '', ''],
        ['node importing the bundle', `${fixed(median(cold.traced))} ms`, '', ''],
        ['import overhead (cold-start proxy)', `${fixed(overhead)} ms`, `<= ${TARGET.importMs} ms`, verdict(overhead <= TARGET.importMs)],
        ['  without the Powertools Tracer: bundle', `${fixed(size('score-untraced.mjs'))} KB`, '', ''],
        ['  without the Powertools Tracer: overhead', `${fixed(untracedOverhead)} ms`, '', ''],
        ['  without --enable-source-maps: overhead', `${fixed(noMapsOverhead)} ms`, '', ''],
        [`warm, per event (p50 of ${int(warm.batches)} batches of 10)`, `${fixed(warm.p50, 2)} ms`, `<= ${TARGET.warmMs} ms`, verdict(warm.p50 <= TARGET.warmMs)],
        ['warm, per event (p95)', `${fixed(warm.p95, 2)} ms`, '', ''],
      ],
    ),
  );
  console.log(
    `warm run: ${int(warm.events)} provisioning events, ${int(warm.started)} workflows started, ${int(warm.grown)} findings grew in place, ${int(warm.failures)} batch item failures; AWS calls answered from memory`,
  );
  console.log(`largest parts of the bundle: ${largestParts(metafile, 6)}`);
  if (warm.failures > 0) console.log('warning: the warm run had failures, its timing is not of the normal path');
  return kb <= TARGET.bundleKB && overhead <= TARGET.importMs && warm.p50 <= TARGET.warmMs && warm.failures === 0;
}
