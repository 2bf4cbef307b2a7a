#!/usr/bin/env node
// Bundles the CLI into dist/cli-bundle/: bin/mcp-lambda loads mcp-lambda.mjs (src/cli/process.ts, one file),
// then program.mjs (src/cli/main.ts: commander, inlined, and every command's options) and the chunk of the
// command it runs, instead of resolving a tree of small modules; `token` loads token.mjs instead. Every other
// dependency stays in node_modules and is loaded by the command that needs it.
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

/**
 * `mcp-lambda token` (Claude Code runs it on every connect) is a bundle of its own, `token.mjs`: one file
 * instead of the dozen small chunks it shares with the program (~0.5 ms each to load). Its copies of those
 * modules hand nothing to the program's (it returns undefined and the program starts afresh). The modules
 * it loads only to refresh a token stay the program's own, from files with fixed names: they import the
 * AWS SDK, which a bundle without splitting would load on every start.
 */
const SHARED = { 'lazy/cognito-auth': 'src/cli/auth/cognito-auth.ts', 'lazy/endpoints': 'src/cli/aws/endpoints.ts' };
/** Resolves the given dynamic imports to files outside this build. */
const externalImports = (map) => ({
  name: 'external-imports',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const found = Object.entries(map).find(([suffix]) => args.path.endsWith(suffix));
      return found ? { path: found[1], external: true } : undefined;
    });
  },
});

await rm(outdir, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: {
    program: join(root, 'src', 'cli', 'main.ts'),
    ...Object.fromEntries(Object.entries(SHARED).map(([name, file]) => [name, join(root, file)])),
  },
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
// The entry every start loads: one file that imports nothing until it knows the command (program.mjs, the
// program and its chunks; token.mjs; or, for --version, nothing more).
await build({
  ...common,
  entryPoints: { 'mcp-lambda': join(root, 'src', 'cli', 'process.ts') },
  outdir,
  outExtension: { '.js': '.mjs' },
  plugins: [externalImports({ '/main.js': './program.mjs', '/token-fast.js': './token.mjs' })],
});
await build({
  ...common,
  entryPoints: { token: join(root, 'src', 'cli', 'token-fast.ts') },
  outdir,
  outExtension: { '.js': '.mjs' },
  plugins: [
    externalImports(
      Object.fromEntries(
        Object.entries(SHARED).map(([name, file]) => [file.replace(/^src\/cli/, '').replace(/\.ts$/, '.js'), `./${name}.mjs`]),
      ),
    ),
  ],
});
console.error('cli bundle: dist/cli-bundle/mcp-lambda.mjs (program.mjs and its chunks; token.mjs for `token`)');
