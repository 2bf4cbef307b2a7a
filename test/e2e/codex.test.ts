/**
 * The real Codex CLI (@openai/codex, pinned, installed from the npm registry into node_modules/.cache on
 * first run; offline, temp CODEX_HOME, BROWSER = a script) reads the config `write-config --client codex`
 * writes, and the redirect URI it sends at sign-in is exactly the one `deploy --clients codex` registers.
 * The MCP server is a local stand-in that answers like the deployed one (401 with resource_metadata, RFC
 * 9728 and 8414 metadata). Linux x64 only (CI's platform); elsewhere skipped.
 */
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveStackRecord } from '../../src/cli/state/stack-state.js';
import { resolveStackOptions } from '../../src/stack/props.js';
import { OUTPUTS } from '../helpers/fake-engine.js';
import { runCli } from '../helpers/run-cli.js';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const CODEX = '@openai/codex@0.169.0';
const cache = join(root, 'node_modules', '.cache', 'mcp-lambda-codex');
const codexBin = join(cache, 'node_modules', '.bin', 'codex');
const supported = process.platform === 'linux' && process.arch === 'x64';

let server: Server;
let base = '';
let home = '';

beforeAll(async () => {
  if (!supported) return;
  if (!existsSync(codexBin)) {
    mkdirSync(cache, { recursive: true });
    writeFileSync(join(cache, 'package.json'), '{ "private": true }\n');
    await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', CODEX], {
      cwd: cache,
      timeout: 300_000,
    });
  }
  // The deployed chain as Codex sees it before sign-in.
  server = createServer((req, res) => {
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/.well-known/oauth-protected-resource/prod/mcp') {
      return json({
        resource: `${base}/prod/mcp`,
        authorization_servers: [`${base}/issuer`],
        scopes_supported: [`${base}/prod/mcp/dog-facts`],
      });
    }
    if (req.url?.startsWith('/.well-known/') || req.url?.startsWith('/issuer/.well-known/')) {
      return json({
        issuer: `${base}/issuer`,
        authorization_endpoint: `${base}/oauth2/authorize`,
        token_endpoint: `${base}/oauth2/token`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    res
      .writeHead(401, { 'www-authenticate': `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/prod/mcp"` })
      .end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  home = mkdtempSync(join(tmpdir(), 'mcp-lambda-codex-'));
  await saveStackRecord(
    { HOME: home },
    {
      stackName: 'mcp-lambda-dog-facts',
      region: 'eu-west-1',
      savedAt: new Date().toISOString(),
      outputs: {
        ...OUTPUTS,
        McpServerUrl: `${base}/prod/mcp`,
        McpOAuthScope: `${base}/prod/mcp/dog-facts`,
        Clients: 'claude-code,codex',
      },
    },
  );
  const written = await runCli(['write-config', '--client', 'codex'], { HOME: home, AWS_REGION: 'eu-west-1' }, { cwd: home });
  expect(written.code, written.stderr).toBe(0);
}, 360_000);

afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
});

const codexEnv = () => ({ PATH: process.env.PATH, HOME: home, CODEX_HOME: join(home, '.codex') });

describe.skipIf(!supported)('the real Codex CLI (0.169.0)', () => {
  it('reads the entry write-config wrote', async () => {
    const { stdout } = await exec(codexBin, ['mcp', 'get', 'dog-facts', '--json'], { env: codexEnv(), timeout: 30_000 });
    const entry = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { enabled: boolean; transport: { type: string; url: string } };
    expect(entry.enabled).toBe(true);
    expect(entry.transport).toMatchObject({ type: 'streamable_http', url: `${base}/prod/mcp` });
  });

  it('signs in with the pinned client, the MCP scope and exactly the redirect URI deploy registers', async () => {
    const opened = join(home, 'opened.txt');
    const browser = join(home, 'browser.sh');
    writeFileSync(browser, `#!/bin/sh\necho "$1" >> ${opened}\n`);
    chmodSync(browser, 0o755);
    const login = spawn(codexBin, ['mcp', 'login', 'dog-facts'], { env: { ...codexEnv(), BROWSER: browser }, stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !existsSync(opened); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
      const authorize = new URL(readFileSync(opened, 'utf8').trim().split('\n')[0] ?? '');
      expect(authorize.origin + authorize.pathname).toBe(`${base}/oauth2/authorize`);
      expect(authorize.searchParams.get('client_id')).toBe('client123');
      expect(authorize.searchParams.get('scope')).toBe(`${base}/prod/mcp/dog-facts`);
      const registered = resolveStackOptions({ clients: ['codex'], deployedMcpUrls: [`${base}/prod/mcp`] }).callbackUrls;
      expect(registered).toContain(authorize.searchParams.get('redirect_uri'));
      expect(authorize.searchParams.get('redirect_uri')).toMatch(/^http:\/\/localhost:31928\/callback\/[A-Za-z0-9_-]{12}$/);
    } finally {
      login.kill('SIGTERM');
    }
  }, 30_000);
});
