import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../lambdas/core/settings';
import { lambdaBuildOptions } from '../../lib/constructs/shared/bundling';

/**
 * Every handler, bundled as ResponderFunction bundles it (minified, the
 * SDK partly bundled, partly external), must load under plain node and
 * export its handler. The infrastructure tests skip bundling to stay fast,
 * and the handler tests run the sources, so this is what catches a bundle
 * that only breaks once minified or with a module left external.
 */

const root = path.resolve(__dirname, '../..');
// Inside node_modules so the externals resolve as they do from the runtime.
const outdir = path.join(root, 'node_modules/.cache/rogue-infra-responder/bundles');
const handlers = readdirSync(path.join(root, 'lambdas/handlers'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''));

describe('Lambda bundles', () => {
  it('bundles and loads every handler', async () => {
    rmSync(outdir, { recursive: true, force: true });
    await build({
      ...lambdaBuildOptions(DEFAULT_SETTINGS),
      entryPoints: Object.fromEntries(handlers.map((h) => [h, path.join(root, 'lambdas/handlers', `${h}.ts`)])),
      outdir,
      logLevel: 'error',
    });
    const probe = `
      const out = {};
      for (const h of ${JSON.stringify(handlers)}) {
        try {
          const m = await import(${JSON.stringify(pathToFileURL(outdir).href)} + '/' + h + '.mjs');
          out[h] = typeof m.handler;
        } catch (err) {
          out[h] = String(err);
        }
      }
      process.stdout.write('\\n' + JSON.stringify(out));`;
    const stdout = execFileSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', probe], {
      encoding: 'utf8',
      env: { ...process.env, POWERTOOLS_DEV: 'false' },
    });
    const loaded = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, string>;
    expect(loaded).toEqual(Object.fromEntries(handlers.map((h) => [h, 'function'])));
  }, 120_000);
});
