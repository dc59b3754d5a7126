/**
 * Keeps the README's reference sections true: the indicator catalogue and
 * the configuration reference are rendered from the code (the indicator
 * definitions, the config schema and its defaults) between markers.
 * `npm run docs` rewrites them; a test fails when they are stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { INDICATORS } from '../lambdas/core/indicators/catalogue';
import { INDICATOR_DOCS } from '../lambdas/core/indicators/docs';
import { DEFAULT_SETTINGS } from '../lambdas/core/settings';
import { configSchema } from '../lib/config/schema';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const README = path.join(root, 'README.md');

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderIndicators(): string {
  const rows = INDICATORS.map(
    (i) => `| \`${i.id}\` | ${i.kind} | ${cell(INDICATOR_DOCS[i.id].description)} | ${cell(i.threshold(DEFAULT_SETTINGS))} | ${DEFAULT_SETTINGS.weights[i.id]} | ${cell(INDICATOR_DOCS[i.id].why)} |`,
  );
  return ['| id | kind | what it means | default threshold | weight | why it matters |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

type Def = { def?: { shape?: Record<string, z.ZodType>; innerType?: z.ZodType; in?: z.ZodType } };

function unwrap(schema: z.ZodType): { shape?: Record<string, z.ZodType> } {
  let s: z.ZodType | undefined = schema;
  for (let i = 0; i < 6 && s; i++) {
    const d: Def['def'] = (s as unknown as Def).def;
    if (d?.shape) return { shape: d.shape };
    s = d?.innerType ?? d?.in;
  }
  return {};
}

function show(value: unknown): string {
  if (Array.isArray(value)) return value.length ? `\`${JSON.stringify(value)}\`` : '`[]`';
  return `\`${JSON.stringify(value)}\``;
}

export function renderConfig(): string {
  const defaults = configSchema.parse({}) as Record<string, unknown>;
  const rows: string[] = [];
  const walk = (shape: Record<string, z.ZodType>, prefix: string, values: Record<string, unknown>): void => {
    for (const [key, schema] of Object.entries(shape)) {
      const name = prefix ? `${prefix}.${key}` : key;
      const inner = unwrap(schema);
      if (inner.shape && key !== 'weights') {
        walk(inner.shape, name, (values[key] ?? {}) as Record<string, unknown>);
        continue;
      }
      const value = key === 'weights' ? 'per indicator (catalogue)' : show(values[key]);
      rows.push(`| \`${name}\` | ${value} | ${cell(schema.description ?? '')} |`);
    }
  };
  walk(unwrap(configSchema).shape!, '', defaults);
  return ['| key | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

const SECTIONS: Record<string, () => string> = { indicators: renderIndicators, config: renderConfig };

export function renderReadme(text: string): string {
  let out = text;
  for (const [name, render] of Object.entries(SECTIONS)) {
    const start = `<!-- ${name}:start -->`;
    const end = `<!-- ${name}:end -->`;
    const a = out.indexOf(start);
    const b = out.indexOf(end);
    if (a < 0 || b < a) throw new Error(`README.md has no ${start} ... ${end} section`);
    out = `${out.slice(0, a + start.length)}\n${render()}\n${out.slice(b)}`;
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(README, renderReadme(readFileSync(README, 'utf8')));
}
