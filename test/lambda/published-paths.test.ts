/**
 * The Lambda runtime's modules moved into edge/, protocol/ and services/; code outside this package may
 * still import the paths they had under dist/lambda/ (the package published them). Each old path must
 * import and give exactly the moved module's exports.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MOVED_LAMBDA_MODULES } from '../../scripts/lambda-published-paths.mjs';

const dist = join(import.meta.dirname, '..', '..', 'dist', 'lambda');
const load = (path: string): Promise<Record<string, unknown>> => import(pathToFileURL(join(dist, `${path}.js`)).href);

describe('published dist/lambda paths', () => {
  it.each(Object.entries(MOVED_LAMBDA_MODULES))('dist/lambda/%s.js re-exports dist/lambda/%s.js', async (old, now) => {
    if (!existsSync(join(dist, `${old}.js`))) throw new Error(`dist/lambda/${old}.js is missing: run \`npm run build\` first.`);
    // One after the other: vitest's module runner may instantiate a module twice when two loads race.
    const after = await load(now);
    const before = await load(old);
    expect(Object.keys(after).length).toBeGreaterThan(0);
    expect(Object.keys(before).sort()).toEqual(Object.keys(after).sort());
    for (const name of Object.keys(after)) expect(before[name]).toBe(after[name]);
    expect(existsSync(join(dist, `${old}.d.ts`))).toBe(true);
  });

  it('no moved path is also a module of its own in src/lambda', () => {
    for (const old of Object.keys(MOVED_LAMBDA_MODULES)) {
      expect(existsSync(join(import.meta.dirname, '..', '..', 'src', 'lambda', `${old}.ts`))).toBe(false);
    }
  });
});
