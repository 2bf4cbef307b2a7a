#!/usr/bin/env node
// Bundles the CLI (src/cli/process.ts) into dist/cli-bundle/: bin/mcp-lambda loads one file and the chunk
// of the command it runs, instead of resolving a tree of small modules. Commander is inlined (it is loaded
// on every start); every other dependency stays in node_modules and is loaded by the command that needs it.
import { readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli-bundle');

const { dependencies } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
const external = Object.keys(dependencies)
  .filter((name) => name !== 'commander')
  .flatMap((name) => [name, `${name}/*`]);

await rm(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { 'mcp-lambda': join(root, 'src', 'cli', 'process.ts') },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  // Commander is CommonJS: its require() of Node built-ins needs a require in an ESM file.
  banner: {
    js: "import { createRequire as __mcpLambdaRequire } from 'node:module'; const require = __mcpLambdaRequire(import.meta.url);",
  },
  minify: true,
  // Names kept: error classes are reported by name (exit codes, --verbose).
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
});
console.error('cli bundle: dist/cli-bundle/mcp-lambda.mjs');
