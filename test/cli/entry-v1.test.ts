/**
 * `--entry` with a server written with the v1 SDK (@modelcontextprotocol/sdk 1.x): bundled with the
 * user's own copy (never ours, never v2), run in a fresh process in both eras, through dev, synth and
 * deploy; an old v1 SDK and a module mixing both SDKs are refused with what to do.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleEntry, checkAndRecord, EntryError } from '../../src/cli/entry/bundle.js';
import { FakeCloud, scriptedPrompter } from '../helpers/fake-engine.js';
import { connectClient } from '../helpers/mcp-client.js';
import { runCli, startCli } from '../helpers/run-cli.js';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'entries');
const scratch = mkdtempSync(join(tmpdir(), 'mcp-lambda-entry-v1-'));
/** Projects inside the repository, so their other imports (zod, the SDK's own dependencies) resolve. */
const projects: string[] = [];
afterAll(() => {
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

function project(fixture: string): string {
  const dir = mkdtempSync(join(root, '.test-entry-v1-'));
  projects.push(dir);
  cpSync(join(fixtures, fixture), dir, { recursive: true });
  return dir;
}

function bundleText(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.mjs'))
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('\n');
}

async function failure(work: Promise<unknown>): Promise<EntryError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EntryError);
  return error as EntryError;
}

const bundle = (entry: string) => bundleEntry({ entry, outdir: mkdtempSync(join(scratch, 'b-')), cwd: root });

/**
 * Loads a bundle in a fresh node with its recorded manifest (as Lambda does) and sends it messages: the
 * answers' bodies, in order.
 */
async function runBundle(file: string, requests: Array<{ body: unknown; headers: Record<string, string> }>) {
  const script = `
    const bundle = await import(${JSON.stringify(pathToFileURL(file).href)});
    const requests = ${JSON.stringify(requests)};
    const answers = [];
    for (const [i, request] of requests.entries()) {
      const result = await bundle.handler({ httpMethod: 'POST', path: '/mcp', headers: { host: 'h', 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...request.headers }, multiValueHeaders: {}, body: JSON.stringify(request.body), isBase64Encoded: false, requestContext: { requestId: 'r' + i } });
      answers.push({ status: result.statusCode, body: result.body });
    }
    process.stderr.write('\\n' + JSON.stringify(answers));
  `;
  // Its request log lines go to stdout, as in Lambda; the answers to stderr's last line.
  const { stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH },
    timeout: 30_000,
  });
  return JSON.parse(stderr.trim().split('\n').at(-1) ?? '') as Array<{ status: number; body: string }>;
}

/** The JSON-RPC message in an answer's body (JSON, or the last event of an event stream). */
function message(body: string): { result?: Record<string, unknown>; error?: unknown } {
  const data = body.trimStart().startsWith('{')
    ? body
    : (body
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .at(-1)
        ?.slice(6) ?? '');
  return JSON.parse(data) as { result?: Record<string, unknown> };
}

const LEGACY = { 'mcp-protocol-version': '2025-11-25' };
const envelope = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 't', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};
const MODERN_CALL = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'add' };

describe('bundling an SDK v1 server', () => {
  it('bundles the v1 SDK the project resolves, records the manifest, and serves both eras in a fresh process', async () => {
    const { file } = await bundle(join(fixtures, 'v1-mcp', 'server.ts'));
    // v1's McpServer (its deprecated task polling exists only there) and no second copy of v2's.
    const code = bundleText(join(file, '..'));
    expect(code).toContain('handleAutomaticTaskPolling');
    expect(code.split('still serving another request').length - 1).toBe(1);
    expect(await checkAndRecord(file)).toEqual({ tools: ['add', 'slow_echo', 'whoami'], manifest: 'recorded' });
    const manifest = JSON.parse(readFileSync(join(file, '..', 'manifest.json'), 'utf8')) as { tools: string[] };
    expect(manifest.tools).toEqual(['add', 'slow_echo', 'whoami']);

    const [init, list, legacyCall, modernCall] = await runBundle(file, [
      {
        body: {
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
        },
        headers: {},
      },
      { body: { jsonrpc: '2.0', id: 2, method: 'tools/list' }, headers: LEGACY },
      {
        body: { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } },
        headers: LEGACY,
      },
      {
        body: {
          jsonrpc: '2.0',
          id: 4,
          method: 'tools/call',
          params: { name: 'add', arguments: { a: 20, b: 22 }, _meta: envelope },
        },
        headers: MODERN_CALL,
      },
    ]);
    expect(message(init?.body ?? '').result?.serverInfo).toMatchObject({ name: 'fixture-v1', version: '1.2.3' });
    expect((message(list?.body ?? '').result?.tools as Array<{ name: string }>).map((tool) => tool.name)).toEqual([
      'add',
      'slow_echo',
      'whoami',
    ]);
    expect(message(legacyCall?.body ?? '').result?.content).toEqual([{ type: 'text', text: '3' }]);
    expect(modernCall?.status).toBe(200);
    expect(message(modernCall?.body ?? '').result?.content).toEqual([{ type: 'text', text: '42' }]);
  });

  it('holds what serves a v1 server only when the code holds the v1 SDK', async () => {
    const v1 = bundleText(join((await bundle(join(fixtures, 'v1-low-level', 'server.ts'))).file, '..'));
    const v2 = bundleText(join((await bundle(join(fixtures, 'lazy', 'server.ts'))).file, '..'));
    const serving = 'returned an SDK v1 server that could not be connected';
    const absent = 'was not part of the entry when it was bundled';
    expect(v1).toContain(serving);
    expect(v1).not.toContain(absent);
    expect(v2).toContain(absent);
    expect(v2).not.toContain(serving);
  });

  it('bundles a low-level v1 Server', async () => {
    const { file } = await bundle(join(fixtures, 'v1-low-level', 'server.ts'));
    expect(await checkAndRecord(file)).toEqual({ tools: ['shout'], manifest: 'recorded' });
  });

  it("uses the project's own copy of the v1 SDK, not the one beside mcp-lambda", async () => {
    const dir = project('v1-low-level');
    const sdk = join(dir, 'node_modules', '@modelcontextprotocol', 'sdk');
    cpSync(join(root, 'node_modules', '@modelcontextprotocol', 'sdk'), sdk, { recursive: true });
    // A mark only this copy holds.
    const server = join(sdk, 'dist', 'esm', 'server', 'index.js');
    writeFileSync(server, `${readFileSync(server, 'utf8')}\nglobalThis.projectCopyOfSdkV1 = 'the project copy';\n`);
    const { file } = await bundle(join(dir, 'server.ts'));
    expect(bundleText(join(file, '..'))).toContain('the project copy');
    expect(await checkAndRecord(file)).toEqual({ tools: ['shout'], manifest: 'recorded' });
  });

  it.each(['1.24.3', '1.0.0', '0.6.1'])('refuses v1 SDK %s with the version found and the fix', async (version) => {
    const dir = project('v1-mcp');
    const sdk = join(dir, 'node_modules', '@modelcontextprotocol', 'sdk');
    mkdirSync(sdk, { recursive: true });
    writeFileSync(join(sdk, 'package.json'), JSON.stringify({ name: '@modelcontextprotocol/sdk', version }));
    const error = await failure(bundle(join(dir, 'server.ts')));
    const at = join(dir, 'node_modules', '@modelcontextprotocol', 'sdk').slice(root.length + 1);
    expect(error.message).toBe(
      `${join(dir, 'server.ts').slice(root.length + 1)}:3:27: The entry uses @modelcontextprotocol/sdk ${version} (${at}); mcp-lambda serves SDK v1 servers from 1.25 on. Update it: npm install @modelcontextprotocol/sdk@^1.25`,
    );
  });

  it('judges the v1 SDK only when it builds the server: a v2 server using an old one’s types is bundled as before', async () => {
    const dir = project('v2-with-v1-types');
    const sdk = join(dir, 'node_modules', '@modelcontextprotocol', 'sdk');
    cpSync(join(root, 'node_modules', '@modelcontextprotocol', 'sdk'), sdk, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(sdk, 'package.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(sdk, 'package.json'), JSON.stringify({ ...manifest, version: '1.10.2' }));
    const { file } = await bundle(join(dir, 'server.ts'));
    expect(await checkAndRecord(file)).toEqual({ tools: ['v1_protocol'], manifest: 'recorded' });
    // The same copy building a server is refused.
    cpSync(join(fixtures, 'v1-low-level', 'server.ts'), join(dir, 'server.ts'));
    expect((await failure(bundle(join(dir, 'server.ts')))).message).toContain('The entry uses @modelcontextprotocol/sdk 1.10.2');
  });

  it('says when the v1 SDK installed has no version it can read', async () => {
    const dir = project('v1-mcp');
    const sdk = join(dir, 'node_modules', '@modelcontextprotocol', 'sdk');
    mkdirSync(sdk, { recursive: true });
    writeFileSync(join(sdk, 'package.json'), '{"name": "@modelcontextprotocol/sdk", "version": "latest"}');
    expect((await failure(bundle(join(dir, 'server.ts')))).message).toContain(
      'has no version mcp-lambda can read ("latest"): reinstall it with npm install @modelcontextprotocol/sdk@^1.25',
    );
    writeFileSync(join(sdk, 'package.json'), '{ not json');
    expect((await failure(bundle(join(dir, 'server.ts')))).message).toMatch(
      /sdk\/package\.json cannot be read \(.+\): reinstall it with npm install @modelcontextprotocol\/sdk@\^1\.25$/,
    );
  });

  it('refuses a module that builds its server with both SDKs, naming both imports', async () => {
    const error = await failure(bundle(join(fixtures, 'v1-mixed', 'server.ts')));
    expect(error.message).toContain(
      'The entry imports the server parts of both MCP SDKs: v1 (@modelcontextprotocol/sdk/server/mcp.js in test/fixtures/entries/v1-mixed/server.ts) and v2 (@modelcontextprotocol/server in test/fixtures/entries/v1-mixed/server.ts).',
    );
    expect(error.message).toContain('Build the server with one');
  });
});

describe('synth, deploy and dev --entry with an SDK v1 server', () => {
  it('synth bundles it and records its answers', async () => {
    const out = join(mkdtempSync(join(scratch, 's-')), 'cdk.out');
    const result = await runCli(['synth', '--entry', join(fixtures, 'v1-mcp', 'server.ts'), '--name', 'v1-tools', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Bundled .*server\.ts: [\d.]+ KiB; it starts and lists 3 tools \(add, slow_echo, whoami\)\./);
    expect(result.stderr).toContain('Recorded its initialize and tools/list answers');
    const shipped = readdirSync(out)
      .filter((name) => name.startsWith('asset.'))
      .map((name) => join(out, name))
      .filter((dir) => existsSync(join(dir, 'manifest.json')));
    expect(shipped).toHaveLength(1);
    expect(bundleText(shipped[0] ?? '')).toContain('fixture-v1');
  });

  it('synth refuses an old v1 SDK before building anything', async () => {
    const dir = project('v1-mcp');
    const sdk = join(dir, 'node_modules', '@modelcontextprotocol', 'sdk');
    mkdirSync(sdk, { recursive: true });
    writeFileSync(join(sdk, 'package.json'), JSON.stringify({ name: '@modelcontextprotocol/sdk', version: '1.20.0' }));
    const out = join(mkdtempSync(join(scratch, 's-')), 'cdk.out');
    const result = await runCli(['synth', '--entry', join(dir, 'server.ts'), '--name', 'old', '--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('The entry uses @modelcontextprotocol/sdk 1.20.0');
    expect(result.stderr).toContain('npm install @modelcontextprotocol/sdk@^1.25');
    expect(existsSync(out)).toBe(false);
  });

  it('deploy bundles it as the stack’s server', async () => {
    const cloud = new FakeCloud();
    const result = await runCli(
      ['deploy', '--entry', join(fixtures, 'v1-low-level', 'server.ts'), '--name', 'shouter', '--signup', 'invite'],
      { HOME: mkdtempSync(join(scratch, 'h-')) },
      { deployEngine: cloud.factory(), prompter: scriptedPrompter({}) },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('it starts and lists 1 tool (shout)');
    const dir = (cloud.lastRequest?.stack as { lambdaBundleDir?: string }).lambdaBundleDir ?? '';
    expect(bundleText(dir)).toContain('fixture-v1-low-level');
    expect(existsSync(join(dir, 'manifest.json'))).toBe(true);
  });

  it('dev refuses an old v1 SDK with the version found and the fix', async () => {
    const dir = project('v1-mcp');
    const sdk = join(dir, 'node_modules', '@modelcontextprotocol', 'sdk');
    mkdirSync(sdk, { recursive: true });
    writeFileSync(join(sdk, 'package.json'), JSON.stringify({ name: '@modelcontextprotocol/sdk', version: '1.17.5' }));
    const result = await runCli(['dev', '--port', '0', '--entry', join(dir, 'server.ts')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('The entry uses @modelcontextprotocol/sdk 1.17.5');
    expect(result.stderr).toContain('Update it: npm install @modelcontextprotocol/sdk@^1.25');
  });

  it('dev serves it to the v2 client (2026-07-28) and the v1 client (2025-11-25)', async () => {
    const dev = startCli(['dev', '--port', '0', '--json', '--entry', join(fixtures, 'v1-mcp', 'server.ts')], {
      FIXTURE_GREETING: 'from dev',
    });
    try {
      const url = JSON.parse(await dev.waitForStdout('}\n', 20_000)).url as string;
      const modern = await connectClient(url, '2026-07-28');
      const called = await modern.callTool({ name: 'whoami', arguments: {} });
      expect((called.content as Array<{ text: string }>)[0]?.text).toBe('anonymous modern from dev');
      await modern.close();
      const legacy = new V1Client({ name: 'v1-test', version: '1.0.0' });
      await legacy.connect(new V1Transport(new URL(url)));
      const sum = await legacy.callTool({ name: 'add', arguments: { a: 2, b: 2 } });
      expect((sum.content as Array<{ text: string }>)[0]?.text).toBe('4');
      await legacy.close();
    } finally {
      dev.interrupt();
      expect(await dev.exit).toBe(0);
    }
  }, 60_000);
});
