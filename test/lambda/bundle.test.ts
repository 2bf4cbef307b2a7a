/**
 * The artifact the stack ships: dist/lambda-bundle/index.mjs (built by `npm run build`, which
 * `npm test` runs first). Served through the dev server and called with the official client.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../../src/cli/dev/server.js';
import type { ApiGatewayHandler } from '../../src/lambda/api-gateway.js';
import { type FakeDogApi, startFakeDogApi } from '../helpers/fake-dog-api.js';
import { connectClient, ERAS } from '../helpers/mcp-client.js';

const bundleDir = join(import.meta.dirname, '..', '..', 'dist', 'lambda-bundle');
const bundle = join(bundleDir, 'index.mjs');

let dogApi: FakeDogApi;
let server: DevServer;

beforeAll(async () => {
  if (!existsSync(bundle)) throw new Error('dist/lambda-bundle/index.mjs is missing: run `npm run build` first.');
  dogApi = await startFakeDogApi();
  process.env.DOG_API_BASE_URL = dogApi.baseUrl;
  const { handler } = (await import(pathToFileURL(bundle).href)) as { handler: ApiGatewayHandler };
  server = await startDevServer({ handler, host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server?.close();
  await dogApi?.close();
});

describe('the Lambda bundle', () => {
  it('is one self-contained ESM file: only node: built-ins, and the runtime’s AWS SDK for secrets, are imported', async () => {
    const meta = JSON.parse(await readFile(join(bundleDir, 'meta.json'), 'utf8')) as {
      outputs: Record<string, { imports: Array<{ path: string; external?: boolean }> }>;
    };
    const outputs = Object.entries(meta.outputs).filter(([name]) => name.endsWith('.mjs'));
    expect(outputs).toHaveLength(1);
    const externals = outputs[0]?.[1].imports.filter((entry) => entry.external).map((entry) => entry.path) ?? [];
    for (const path of externals) {
      expect(path).toMatch(
        /^node:|^(crypto|http|https|stream|url|util|buffer|events|process)$|^@aws-sdk\/client-(ssm|secrets-manager)$/,
      );
    }
    // The AWS SDK is loaded only to read secrets (a dynamic import), never at start.
    const sdk = outputs[0]?.[1].imports.filter((entry) => entry.path.startsWith('@aws-sdk/')) ?? [];
    expect(sdk.map((entry) => (entry as { kind?: string }).kind)).toEqual(['dynamic-import', 'dynamic-import']);
  });

  it('does not carry the AJV validator (the SDK shim is replaced)', async () => {
    const meta = await readFile(join(bundleDir, 'meta.json'), 'utf8');
    expect(meta).not.toContain('ajvProvider');
    expect(meta).toContain('sdk-shims.ts');
  });

  it.each(ERAS)('serves tools/list and tools/call in protocol %s', async (era) => {
    const client = await connectClient(server.url, era);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['getDogFacts']);
    const result = await client.callTool({ name: 'getDogFacts', arguments: { limit: 2 } });
    expect(result.structuredContent).toEqual({ facts: ['Dog fact number 1.', 'Dog fact number 2.'] });
    await client.close();
  });
});
