// The Lambda runtime's modules moved into folders (edge/, protocol/, services/); the paths they had under
// dist/lambda/ were published in the package, so the build writes a module at each old path that
// re-exports the new one. Nothing of ours imports these: they exist for code outside this package.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Old path under dist/lambda (no extension) → where the module lives now. */
export const MOVED_LAMBDA_MODULES = {
  'api-gateway': 'edge/api-gateway',
  http: 'edge/http',
  runtime: 'edge/runtime',
  'request-context': 'edge/request-context',
  'mcp-http': 'protocol/mcp-http',
  'fast-path': 'protocol/fast-path',
  manifest: 'protocol/manifest',
  'sdk-leg': 'protocol/sdk-leg',
  'request-state': 'protocol/request-state',
  auth: 'services/auth',
  config: 'services/config',
  log: 'services/log',
  clock: 'services/clock',
  secrets: 'services/secrets',
};

/**
 * Writes `<old>.js` and `<old>.d.ts` under `lambdaDist` (dist/lambda), each re-exporting the moved module.
 * @param {string} lambdaDist
 */
export async function writeMovedModuleRedirects(lambdaDist) {
  await mkdir(lambdaDist, { recursive: true });
  for (const [old, now] of Object.entries(MOVED_LAMBDA_MODULES)) {
    const line = `// Moved to ./${now}.js; this path is kept for code that imported it.\nexport * from './${now}.js';\n`;
    await mkdir(dirname(join(lambdaDist, old)), { recursive: true });
    await writeFile(join(lambdaDist, `${old}.js`), line);
    await writeFile(join(lambdaDist, `${old}.d.ts`), line);
  }
}
