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

describe.skipIf(!supported)('the real Codex CLI with several servers behind one API', () => {
  let api: Server;
  let origin = '';
  let teamHome = '';
  const url = (name: string) => `${origin}/prod/${name}/mcp`;

  beforeAll(async () => {
    // As the stack answers: the 401 challenge names the API's own metadata, whose scope every server takes.
    api = createServer((req, res) => {
      const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url === '/prod/.well-known/oauth-protected-resource') {
        return json({
          resource: `${origin}/prod`,
          authorization_servers: [`${origin}/issuer`],
          scopes_supported: [`${origin}/prod/all-servers`],
        });
      }
      if (req.url?.startsWith('/.well-known/') || req.url?.startsWith('/issuer/.well-known/')) {
        return json({
          issuer: `${origin}/issuer`,
          authorization_endpoint: `${origin}/oauth2/authorize`,
          token_endpoint: `${origin}/oauth2/token`,
          response_types_supported: ['code'],
          code_challenge_methods_supported: ['S256'],
        });
      }
      res
        .writeHead(401, { 'www-authenticate': `Bearer resource_metadata="${origin}/prod/.well-known/oauth-protected-resource"` })
        .end();
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    teamHome = mkdtempSync(join(tmpdir(), 'mcp-lambda-codex-team-'));
    await saveStackRecord(
      { HOME: teamHome },
      {
        stackName: 'mcp-lambda-team',
        region: 'eu-west-1',
        savedAt: new Date().toISOString(),
        outputs: {
          ...OUTPUTS,
          ServerName: 'team',
          McpServerUrl: url('notes'),
          McpOAuthScope: `${origin}/prod/all-servers`,
          OAuthMetadataUrl: `${origin}/prod/.well-known/oauth-protected-resource`,
          Clients: 'claude-code,codex',
          Servers: JSON.stringify(
            ['notes', 'weather'].map((name) => ({
              name,
              url: url(name),
              scope: `${url(name)}/${name}`,
              metadataUrl: `${origin}/prod/.well-known/oauth-protected-resource/${name}/mcp`,
            })),
          ),
        },
      },
    );
    const written = await runCli(
      ['write-config', '--client', 'codex', '--name', 'team'],
      { HOME: teamHome, AWS_REGION: 'eu-west-1' },
      { cwd: teamHome },
    );
    expect(written.code, written.stderr).toBe(0);
  });

  afterAll(async () => {
    if (api) await new Promise((resolve) => api.close(resolve));
  });

  it('reads an entry per server, and signs in to each with a redirect URI deploy registers for that server', async () => {
    const env = { PATH: process.env.PATH, HOME: teamHome, CODEX_HOME: join(teamHome, '.codex') };
    const registered = resolveStackOptions({
      clients: ['codex'],
      servers: [{ name: 'notes' }, { name: 'weather' }],
      deployedMcpUrls: [url('notes'), url('weather')],
    }).callbackUrls;
    const redirects: string[] = [];
    for (const name of ['notes', 'weather']) {
      const { stdout } = await exec(codexBin, ['mcp', 'get', name, '--json'], { env, timeout: 30_000 });
      expect(JSON.parse(stdout.slice(stdout.indexOf('{'))).transport).toMatchObject({ type: 'streamable_http', url: url(name) });
      const opened = join(teamHome, `opened-${name}.txt`);
      const browser = join(teamHome, `browser-${name}.sh`);
      writeFileSync(browser, `#!/bin/sh\necho "$1" >> ${opened}\n`);
      chmodSync(browser, 0o755);
      const login = spawn(codexBin, ['mcp', 'login', name], { env: { ...env, BROWSER: browser }, stdio: 'ignore' });
      try {
        for (let i = 0; i < 100 && !existsSync(opened); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
        const authorize = new URL(readFileSync(opened, 'utf8').trim().split('\n')[0] ?? '');
        // It follows the challenge: the API's resource, with the API's scope (the pair Cognito binds).
        expect(authorize.searchParams.get('scope')).toBe(`${origin}/prod/all-servers`);
        expect(authorize.searchParams.get('resource')).toBe(`${origin}/prod`);
        expect(registered).toContain(authorize.searchParams.get('redirect_uri'));
        redirects.push(authorize.searchParams.get('redirect_uri') ?? '');
      } finally {
        login.kill('SIGTERM');
      }
    }
    // A different callback per server: the stack registers both.
    expect(new Set(redirects).size).toBe(2);
  }, 60_000);
});
