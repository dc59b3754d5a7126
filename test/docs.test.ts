import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README, renderReadme } from '../scripts/docs';

describe('README reference tables', () => {
  it('match the code (run `npm run docs` after changing indicators or the config schema)', () => {
    const text = readFileSync(README, 'utf8');
    expect(renderReadme(text)).toBe(text);
  });
});
