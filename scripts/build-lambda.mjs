#!/usr/bin/env node
// Bundles src/lambda into the single file the stack ships: dist/lambda-bundle/index.mjs (Node 24, ARM64).
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

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
 * Bundles the Lambda into `outdir/index.mjs` and writes esbuild's metafile beside it.
 * @param {{ outdir: string, replaceSdkShims?: boolean }} options `replaceSdkShims: false` keeps the
 *   SDK as-is (the benchmark's baseline).
 * @returns {Promise<number>} the bundle's size in bytes
 */
export async function bundleLambda({ outdir, replaceSdkShims = true }) {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints: [join(root, 'src', 'lambda', 'index.ts')],
    outfile: join(outdir, 'index.mjs'),
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    legalComments: 'none',
    // The Node.js 24 runtime ships the AWS SDK v3; it is loaded only to read secrets (src/lambda/secrets.ts).
    external: ['@aws-sdk/*'],
    metafile: true,
    plugins: replaceSdkShims ? [sdkShims] : [],
    logLevel: 'warning',
  });
  await writeFile(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
  return (await stat(join(outdir, 'index.mjs'))).size;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const size = await bundleLambda({ outdir: join(root, 'dist', 'lambda-bundle') });
  console.error(`lambda bundle: dist/lambda-bundle/index.mjs ${(size / 1024).toFixed(1)} KiB`);
}
