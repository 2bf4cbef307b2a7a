/**
 * A stdio server from the package registry (server-memory, pinned) deployed as `--stdio` builds it: the
 * bundle synth makes (installed for linux-arm64, with the bridge and its recorded answers) served in a
 * process of its own behind a local stand-in of the deployed chain built from the synthesized template.
 * The real Claude Code (pinned, offline) signs in and reports it Connected — answered from the recorded
 * manifest, before the child is started — and the official clients of both eras call its tools through
 * the same chain: the child keeps its graph across requests.
 *
 * A tool call by Claude Code itself needs a model, which does not run offline: the calls are made with the
 * official SDK clients (v2 at 2026-07-28, v1 at 2025-11-25) holding a token the stand-in's Cognito issued.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleStdio, recordStdio } from '../../src/cli/stdio/bundle.js';
import { saveStackRecord } from '../../src/cli/state/stack-state.js';
import { claudeHome, runClaude } from '../helpers/claude-code.js';
import { runCli } from '../helpers/run-cli.js';
import { type StandIn, startStandIn } from '../helpers/stand-in.js';

const MEMORY = { kind: 'package', name: '@modelcontextprotocol/server-memory', version: '2026.8.31', args: [] } as const;
const STACK = 'mcp-lambda-memory';
const REGION = 'eu-west-1';
// Not the default 31927 nor the other Claude Code tests' ranges: they may run meanwhile.
const CALLBACK_PORT = 33000 + (process.pid % 800);
let chain: StandIn;
let tools: readonly string[];

beforeAll(async () => {
  const work = mkdtempSync(join(tmpdir(), 'mcp-lambda-stdio-e2e-'));
  const environment = { MEMORY_FILE_PATH: join(work, 'memory.jsonl') };
  const bundle = await bundleStdio(MEMORY, 'memory', join(work, 'bundle'));
  ({ tools } = await recordStdio(bundle.dir, environment));
  chain = await startStandIn({
    stack: {
      serverName: 'memory',
      callbackPort: CALLBACK_PORT,
      lambdaBundleDir: bundle.dir,
      packages: { '': `${MEMORY.name}@${MEMORY.version}` },
      environment,
    },
    bundleProcess: true,
  });
}, 300_000);
afterAll(async () => {
  await chain?.close();
});

function token(): string {
  const scope = `openid email profile ${chain.outputs.McpOAuthScope}`;
  return chain.cognito.accessToken({ clientId: chain.outputs.McpOAuthClientId!, scope });
}

describe('a registry stdio server behind the deployed chain', () => {
  it('connects with the real Claude Code from the entry write-config writes, answered from the manifest', async () => {
    const where = claudeHome();
    await saveStackRecord(
      { HOME: where.home },
      { stackName: STACK, region: REGION, savedAt: new Date().toISOString(), outputs: chain.outputs },
    );
    const written = await runCli(['write-config', '--name', 'memory', '--yes'], { ...where.env, AWS_REGION: REGION });
    expect(written.code, written.stderr).toBe(0);
    const login = await runClaude(['mcp', 'login', 'memory'], where, { tty: true });
    expect(login.stdout).toContain('Authenticated with "memory"');
    const logStart = chain.logs.length;
    const list = await runClaude(['mcp', 'list'], where);
    expect(list.stdout).toMatch(/memory: .*\/prod\/mcp \(HTTP\) - ✔ Connected/);
    // Claude Code 2.1.328 connects in the 2026-07-28 era (server/discover, then tools/list): both are
    // answered from the recorded manifest, and the child is not started for them.
    const connect = chain.logs.slice(logStart);
    expect(connect.map((record) => record.rpcMethod)).toEqual(expect.arrayContaining(['server/discover', 'tools/list']));
    expect(connect.every((record) => record.status === 200 && record.path === 'fast' && record.child === undefined)).toBe(true);
    const claude = JSON.parse(readFileSync(join(where.configDir, '.claude.json'), 'utf8'));
    expect(claude.mcpServers.memory).toMatchObject({ type: 'http', url: chain.mcpUrl });
  });

  it('lists the recorded tools and calls them from both protocol eras, one child keeping the graph', async () => {
    const headers = { Authorization: `Bearer ${token()}` };
    const v2 = new Client({ name: 'stdio-e2e', version: '1' });
    await v2.connect(new StreamableHTTPClientTransport(new URL(chain.mcpUrl), { requestInit: { headers } }));
    expect(v2.getServerVersion()?.name).toBe('memory-server');
    expect((await v2.listTools()).tools.map((tool) => tool.name)).toEqual(tools);
    const logStart = chain.logs.length;
    const created = await v2.callTool({
      name: 'create_entities',
      arguments: { entities: [{ name: 'Rex', entityType: 'dog', observations: ['likes walks'] }] },
    });
    expect(created.isError).toBeFalsy();
    // The first call starts the child (its log line says so); the next ones reuse it.
    expect(chain.logs.slice(logStart).find((record) => record.rpcMethod === 'tools/call')?.child).toBe('started');
    await v2.close();

    const v1 = new V1Client({ name: 'stdio-e2e-v1', version: '1' });
    await v1.connect(new V1Transport(new URL(chain.mcpUrl), { requestInit: { headers } }));
    expect(v1.getServerVersion()?.name).toBe('memory-server');
    const read = await v1.callTool({ name: 'read_graph', arguments: {} });
    expect(JSON.stringify(read.content)).toContain('likes walks');
    await v1.close();
    expect(chain.logs.filter((record) => record.child !== undefined).length).toBe(1);
  });

  it('refuses a call without a token at the gateway, with the challenge that names the metadata', async () => {
    const response = await fetch(chain.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('resource_metadata=');
  });
});
