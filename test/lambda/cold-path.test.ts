/**
 * What a cold start loads, on the Node.js the function runs (24, from the registry as `npm run bench`
 * installs it; this node where there is none) and on this one: a fresh process imports the built bundle,
 * answers a client's requests, and reports Node's own list of the built-in modules it loaded.
 *
 * - Connecting (initialize + tools/list) loads neither the MCP SDK nor undici (Node's fetch and Web
 *   `Request`/`Response`), for dog facts and for a user's `--entry` server with its recorded manifest —
 *   nor, for the latter, node:crypto (needed only to mint requestState).
 * - Dog facts' first tool call, answered on the fast path with node:http, loads no undici either: on
 *   Node 22/24 an ESM `import('node:http')` would (its namespace reads `http.WebSocket`), ~70 ms on 24.
 * - A user's server's first tool call, served by the SDK, loads no undici: the SDK's Web classes are
 *   src/lambda/edge/web-lite.ts in the bundle (undici's load cost about one bare node start on Node 24);
 *   nor Web Crypto, which the SDK's `crypto.randomUUID()` for a stream's name loaded.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { node24 } from '../../scripts/bench-node.mjs';
import { bundleEntry, checkAndRecord } from '../../src/cli/entry/bundle.js';
import { type FakeDogApi, startFakeDogApi } from '../helpers/fake-dog-api.js';

const root = join(import.meta.dirname, '..', '..');
const dogFactsBundle = join(root, 'dist', 'lambda-bundle', 'index.mjs');

/** Imports a bundle in a fresh `node`, sends the requests, prints the built-ins loaded and the answers. */
const PROBE = `
const [bundle, requests] = [process.argv[1], JSON.parse(process.argv[2])];
const { handler } = await import(bundle);
const headers = { host: 'probe', 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' };
const answers = [];
for (const body of requests) {
  const result = await handler({ httpMethod: 'POST', path: '/mcp', headers, multiValueHeaders: {}, body: JSON.stringify(body), isBase64Encoded: false, requestContext: { requestId: 'probe' } });
  answers.push(result.statusCode + ' ' + result.body);
}
process.stderr.write(JSON.stringify({ loaded: process.moduleLoadList, answers }));
`;

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'probe', version: '1' } },
};
const TOOLS_LIST = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
const callOf = (name: string, args: object) => ({
  jsonrpc: '2.0',
  id: 3,
  method: 'tools/call',
  params: { name, arguments: args },
});

async function probe(
  node: string,
  bundle: string,
  requests: readonly object[],
  env: Record<string, string> = {},
): Promise<{ loaded: string[]; answers: string[] }> {
  const { stderr } = await promisify(execFile)(
    node,
    ['--input-type=module', '-e', PROBE, pathToFileURL(bundle).href, JSON.stringify(requests)],
    { env: { ...process.env, ...env }, timeout: 60_000 },
  );
  return JSON.parse(stderr.slice(stderr.lastIndexOf('{"loaded"'))) as { loaded: string[]; answers: string[] };
}

const UNDICI = 'NativeModule internal/deps/undici/undici';
const CRYPTO = 'NativeModule crypto';
const WEB_CRYPTO = 'NativeModule internal/crypto/webcrypto';

let dogApi: FakeDogApi;
let customBundle = '';
const nodes: Array<[string, string]> = [];

beforeAll(async () => {
  if (!existsSync(dogFactsBundle)) throw new Error('dist/lambda-bundle/index.mjs is missing: run `npm run build` first.');
  dogApi = await startFakeDogApi();
  const found = await node24();
  nodes.push(['this node', process.execPath]);
  if (found.node !== undefined && found.node !== process.execPath) nodes.push(['Node 24', found.node]);
  const { file } = await bundleEntry({
    entry: join(root, 'test', 'fixtures', 'entries', 'lazy', 'server.ts'),
    outdir: mkdtempSync(join(tmpdir(), 'mcp-lambda-cold-path-')),
    cwd: root,
  });
  expect((await checkAndRecord(file)).manifest).toBe('recorded');
  customBundle = file;
}, 300_000);

afterAll(async () => {
  await dogApi?.close();
});

describe('what a cold start loads', () => {
  it('runs on Node 24 where the registry has it (linux x64)', () => {
    if (process.platform === 'linux' && process.arch === 'x64') expect(nodes.map(([name]) => name)).toContain('Node 24');
  });

  it('dog facts: connect and the first getDogFacts call load no undici', async () => {
    for (const [name, node] of nodes) {
      const { loaded, answers } = await probe(
        node,
        dogFactsBundle,
        [INITIALIZE, TOOLS_LIST, callOf('getDogFacts', { limit: 2 })],
        {
          DOG_API_BASE_URL: dogApi.baseUrl,
        },
      );
      expect(
        answers.map((answer) => answer.slice(0, 3)),
        name,
      ).toEqual(['200', '200', '200']);
      expect(answers[2], name).toContain('Dog fact number 2.');
      expect(loaded.includes(UNDICI), `${name} loaded undici`).toBe(false);
      expect(loaded, name).toContain('NativeModule http');
    }
  });

  it('a user’s server with its manifest: connect loads neither undici nor node:crypto; its first tool call loads neither undici nor Web Crypto', async () => {
    for (const [name, node] of nodes) {
      const connect = await probe(node, customBundle, [INITIALIZE, TOOLS_LIST]);
      expect(
        connect.answers.map((answer) => answer.slice(0, 3)),
        name,
      ).toEqual(['200', '200']);
      expect(
        connect.loaded.filter((module) => module === UNDICI || module === CRYPTO),
        name,
      ).toEqual([]);
      // The SDK serves the call, with the bundle's Web classes.
      const called = await probe(node, customBundle, [INITIALIZE, TOOLS_LIST, callOf('echo', { text: 'hi' })]);
      expect(called.answers[2], name).toContain('"text":"hi"');
      expect(called.loaded.includes(UNDICI), `${name} loaded undici`).toBe(false);
      // The SDK names the response stream with the bundle's counter, not crypto.randomUUID().
      expect(called.loaded.includes(WEB_CRYPTO), `${name} loaded Web Crypto`).toBe(false);
    }
  });
});
