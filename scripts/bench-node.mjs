// The Node.js the Lambda runs (Node.js 24), for `npm run bench`: the registry's `node-<platform>-<arch>`
// package (Node's own build, packaged on npm) installed once into a cache folder, the way
// test/e2e/conformance.test.ts installs Node 22. BENCH_NODE24 names a node binary to use instead.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Pinned: the newest 24.x on the registry when the bench was written; Lambda's nodejs24.x follows 24.x. */
export const NODE24_VERSION = '24.22.3';
const cache = join(root, 'node_modules', '.cache', 'mcp-lambda-node24');

/**
 * The path of a Node 24 binary, installed on first use; or undefined, with the reason, when there is none
 * for this platform (the bench then runs every figure on the node it runs on, and says so).
 * @returns {Promise<{ node: string } | { missing: string }>}
 */
export async function node24() {
  if (process.env.BENCH_NODE24) return { node: process.env.BENCH_NODE24 };
  if (process.versions.node.startsWith('24.')) return { node: process.execPath };
  const pkg = `node-${process.platform}-${process.arch}`;
  const binary = join(cache, 'node_modules', pkg, 'bin', 'node');
  if (existsSync(binary)) return { node: binary };
  mkdirSync(cache, { recursive: true });
  writeFileSync(join(cache, 'package.json'), '{ "private": true }\n');
  try {
    await promisify(execFile)(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', `${pkg}@${NODE24_VERSION}`],
      { cwd: cache, timeout: 240_000 },
    );
  } catch (error) {
    return { missing: `${pkg}@${NODE24_VERSION} could not be installed (${String(error.message).split('\n')[0]})` };
  }
  return existsSync(binary) ? { node: binary } : { missing: `${pkg}@${NODE24_VERSION} has no bin/node` };
}
