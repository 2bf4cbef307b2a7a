/**
 * The artifact the stack ships: dist/lambda-bundle/index.mjs and the chunks it loads on first need
 * (built by `npm run build`, which `npm test` runs first). Served through the dev server and called with
 * the official client.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../../src/cli/dev/server.js';
import type { ApiGatewayHandler } from '../../src/lambda/edge/api-gateway.js';
import { type FakeDogApi, startFakeDogApi } from '../helpers/fake-dog-api.js';
import { connectClient, ERAS } from '../helpers/mcp-client.js';

const bundleDir = join(import.meta.dirname, '..', '..', 'dist', 'lambda-bundle');
const bundle = join(bundleDir, 'index.mjs');

interface Meta {
  outputs: Record<
    string,
    {
      entryPoint?: string;
      inputs?: Record<string, unknown>;
      imports: Array<{ path: string; kind: string; external?: boolean }>;
    }
  >;
}

/** The bundle's metafile, and the outputs a cold start loads: the entry and what it imports statically. */
async function eagerOutputs(): Promise<{ meta: Meta; eager: Set<string> }> {
  const meta = JSON.parse(await readFile(join(bundleDir, 'meta.json'), 'utf8')) as Meta;
  const [entryName] = Object.entries(meta.outputs).find(([, output]) => output.entryPoint !== undefined) ?? [];
  expect(entryName).toBe('dist/lambda-bundle/index.mjs');
  const eager = new Set<string>();
  const visit = (name: string) => {
    if (eager.has(name)) return;
    eager.add(name);
    for (const entry of meta.outputs[name]?.imports ?? [])
      if (!entry.external && entry.kind === 'import-statement') visit(entry.path);
  };
  visit(entryName ?? '');
  return { meta, eager };
}

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
  it('is self-contained ESM: only node: built-ins, and the runtime’s AWS SDK for secrets, are imported', async () => {
    const meta = JSON.parse(await readFile(join(bundleDir, 'meta.json'), 'utf8')) as Meta;
    for (const output of Object.values(meta.outputs)) {
      for (const entry of output.imports.filter((i) => i.external)) {
        expect(entry.path).toMatch(
          /^node:|^(crypto|http|https|stream|url|util|buffer|events|process)$|^@aws-sdk\/client-(ssm|secrets-manager)$/,
        );
        // The AWS SDK is loaded only to read secrets (a dynamic import), never at start.
        if (entry.path.startsWith('@aws-sdk/')) expect(entry.kind).toBe('dynamic-import');
      }
    }
  });

  it('loads the MCP SDK and zod only on first need: none of what a cold start imports holds them', async () => {
    const { meta, eager } = await eagerOutputs();
    const inputs = [...eager].flatMap((name) => Object.keys(meta.outputs[name]?.inputs ?? {}));
    expect(inputs.filter((input) => /node_modules\/(@modelcontextprotocol|zod)\//.test(input))).toEqual([]);
    expect(inputs).toContain('src/lambda/protocol/fast-path.ts');
    // …and the SDK is in the bundle, behind a dynamic import.
    const all = Object.values(meta.outputs).flatMap((output) => Object.keys(output.inputs ?? {}));
    expect(all.some((input) => input.includes('node_modules/@modelcontextprotocol/server/'))).toBe(true);
  });

  it('embeds the manifest the build recorded from the SDK', async () => {
    const { eager } = await eagerOutputs();
    const entry = (await Promise.all([...eager].map((name) => readFile(join(bundleDir, '..', '..', name), 'utf8')))).join('\n');
    // (esbuild writes the JSON as an object literal: keys unquoted.)
    expect(entry).toMatch(/"?supportedVersions"?:\["2026-07-28"\]/);
    expect(entry).toMatch(/"?name"?:"getDogFacts"/);
    // And the slow demo's own, for a deployment with --slow-demo.
    expect(entry).toContain('"dog-facts+slow-demo"');
    expect(entry).toMatch(/"?name"?:"getDogFactsSlowly"/);
  });

  it('lists the slow demo, from its recorded manifest, only with MCP_SLOW_DEMO=1', async () => {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.env.MCP_SLOW_DEMO = '1';
    // A second instance of the entry module (another URL), configured at import as a cold start is.
    process.stdout.write = ((chunk: string) => lines.push(String(chunk)) > 0) as typeof process.stdout.write;
    let slow: DevServer | undefined;
    try {
      const { handler } = (await import(`${pathToFileURL(bundle).href}?slow-demo`)) as { handler: ApiGatewayHandler };
      slow = await startDevServer({ handler, host: '127.0.0.1', port: 0 });
      const client = await connectClient(slow.url, '2026-07-28');
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['getDogFacts', 'getDogFactsSlowly']);
      await client.close();
    } finally {
      process.stdout.write = write;
      delete process.env.MCP_SLOW_DEMO;
      await slow?.close();
    }
    const records = lines.flatMap((line) => line.split('\n')).filter((line) => line.startsWith('{'));
    const list = records
      .map((line) => JSON.parse(line) as { rpcMethod?: string; path?: string })
      .find((r) => r.rpcMethod === 'tools/list');
    expect(list?.path).toBe('fast');
  });

  it('does not carry the AJV validator (the SDK shim is replaced)', async () => {
    const meta = await readFile(join(bundleDir, 'meta.json'), 'utf8');
    expect(meta).not.toContain('ajvProvider');
    expect(meta).toContain('sdk-shims.ts');
  });

  it.each(ERAS)('serves tools/list and tools/call in protocol %s', async (era) => {
    const client = await connectClient(server.url, era);
    const { tools } = await client.listTools();
    // getDogFactsSlowly only with MCP_SLOW_DEMO (deploy --slow-demo).
    expect(tools.map((tool) => tool.name)).toEqual(['getDogFacts']);
    const result = await client.callTool({ name: 'getDogFacts', arguments: { limit: 2 } });
    expect(result.structuredContent).toEqual({ facts: ['Dog fact number 1.', 'Dog fact number 2.'] });
    await client.close();
  });
});
