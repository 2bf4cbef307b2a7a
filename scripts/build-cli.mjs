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

const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  legalComments: 'none',
  logLevel: 'warning',
  // Our error classes name themselves (`name = '…'`), so minified class names lose nothing.
  minify: true,
};

await rm(outdir, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { 'mcp-lambda': join(root, 'src', 'cli', 'process.ts') },
  outdir,
  outExtension: { '.js': '.mjs' },
  // Without splitting, a command's static imports (aws-cdk-lib, the AWS SDK) would load on every start.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // Commander is CommonJS: its require() of Node built-ins needs a require in an ESM file (made on first
  // call). It requires node:child_process at load, for executable subcommands this CLI never has; loading
  // that module costs ~4.5 ms of every start, so it is loaded only if something is read from it.
  banner: {
    js: [
      "import { createRequire as __mcpLambdaRequire } from 'node:module';",
      'const require = (id) => {',
      '  const load = () => __mcpLambdaRequire(import.meta.url)(id);',
      "  return id === 'node:child_process' ? new Proxy({}, { get: (_, key) => load()[key] }) : load();",
      '};',
    ].join(' '),
  },
});
console.error('cli bundle: dist/cli-bundle/mcp-lambda.mjs');
