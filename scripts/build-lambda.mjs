#!/usr/bin/env node
// Bundles src/lambda into the single file the stack ships: dist/lambda-bundle/index.mjs (Node 24, ARM64).
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { builtinModulesPlugin } from '../dist/cli/entry/builtin-modules.js';
import { webLitePlugin } from '../dist/cli/entry/web-lite-plugin.js';
import { writeMovedModuleRedirects } from './lambda-published-paths.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Points the SDK's runtime shim at src/lambda/sdk-shims.ts (see that file for why). */
const sdkShims = {
  name: 'mcp-sdk-shims',
  setup(b) {
    b.onResolve({ filter: /^@modelcontextprotocol\/server\/_shims$/ }, () => ({
      path: join(root, 'src', 'lambda', 'sdk-shims.ts'),
    }));
  },
};

/**
 * Records each built-in server's answers from the MCP SDK itself (src/lambda/protocol/manifest.ts), from the
 * compiled code in dist/ (`tsc` runs first in `npm run build`).
 * @returns {Promise<Record<string, unknown>>} server name → manifest
 */
async function recordManifests() {
  const { SERVERS } = await import('../dist/lambda/servers/index.js');
  const { createSdkLeg } = await import('../dist/lambda/protocol/sdk-leg.js');
  const { deriveManifest } = await import('../dist/lambda/protocol/manifest.js');
  const { realClock } = await import('../dist/lambda/services/clock.js');
  const manifests = {};
  for (const [name, server] of Object.entries(SERVERS)) {
    // Recorded with no settings, and once for each setting that changes what the server lists (dog-facts'
    // MCP_SLOW_DEMO): the function picks the one its configuration names (ServerSetup.manifestKey).
    for (const env of [{}, ...(server.listVariants ?? [])]) {
      const setup = server.configure(env, { clock: realClock, timeoutSeconds: 29 });
      const key = setup.manifestKey ?? name;
      if (key in manifests) throw new Error(`Two configurations of ${name} record the manifest ${key}.`);
      manifests[key] = await deriveManifest(createSdkLeg({ factory: await setup.loadFactory(), maxBodyBytes: 1024 * 1024 }));
    }
  }
  return manifests;
}

/**
 * Bundles the Lambda into `outdir/index.mjs` (and the chunks it loads on first need) and writes
 * esbuild's metafile beside it.
 * @param {{ outdir: string, replaceSdkShims?: boolean }} options `replaceSdkShims: false` keeps the
 *   SDK as-is and sends every request to it (the benchmark's baseline).
 * @returns {Promise<number>} the size in bytes of what a cold start loads (the entry and its static imports)
 */
export async function bundleLambda({ outdir, replaceSdkShims = true }) {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints: { index: join(root, 'src', 'lambda', 'index.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    // The SDK and the servers' SDK definitions are dynamic imports: chunks loaded on first need.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    define: { MCP_LAMBDA_MANIFESTS: replaceSdkShims ? JSON.stringify(await recordManifests()) : 'false' },
    absWorkingDir: root,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    legalComments: 'none',
    // The Node.js 24 runtime ships the AWS SDK v3; it is loaded only to read secrets (src/lambda/services/secrets.ts).
    external: ['@aws-sdk/*'],
    metafile: true,
    // Node built-ins through process.getBuiltinModule, not ESM imports (see src/cli/entry/builtin-modules.ts).
    plugins: replaceSdkShims
      ? [sdkShims, builtinModulesPlugin(), webLitePlugin(join(root, 'src', 'lambda', 'edge', 'web-lite.ts'))]
      : [],
    logLevel: 'warning',
  });
  await writeFile(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
  const entry = Object.entries(result.metafile.outputs).find(([, output]) => output.entryPoint !== undefined);
  const eager = [entry[0], ...entry[1].imports.filter((i) => i.kind === 'import-statement' && !i.external).map((i) => i.path)];
  const sizes = await Promise.all(eager.map(async (path) => (await stat(join(root, path))).size));
  return sizes.reduce((a, b) => a + b, 0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeMovedModuleRedirects(join(root, 'dist', 'lambda'));
  const size = await bundleLambda({ outdir: join(root, 'dist', 'lambda-bundle') });
  console.error(`lambda bundle: dist/lambda-bundle/index.mjs ${(size / 1024).toFixed(1)} KiB`);
}
