/**
 * This package's root folder, found by walking up from the running file to the `package.json` named
 * mcp-lambda: the same answer from `src/` (tests), `dist/` (the compiled library) and the bundled CLI in
 * `dist/cli-bundle/` (whose chunks sit at another depth).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === 'mcp-lambda') {
        return (root = dir);
      }
    } catch {
      // No package.json here (or not JSON): keep going up.
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`mcp-lambda's package.json was not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** Whether this code runs from its TypeScript sources (the tests) rather than from `dist/`. */
export const runningFromSources = import.meta.url.endsWith('.ts');
