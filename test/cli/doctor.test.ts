/**
 * `mcp-lambda doctor` against the stand-in of the deployed chain (helpers/stand-in.ts) and against
 * `mcp-lambda dev`, then with each link broken in turn: by the real stand-ins where they can be broken
 * (a callback the pool does not know, an occupied port, a bad entry on disk, a token for another
 * resource), and by changing one answer on its way back where they cannot (a gateway that lost its
 * challenge, metadata naming another resource, a listen that never ends).
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveTokens } from '../../src/cli/auth/token-store.js';
import type { DoctorTarget } from '../../src/cli/doctor/chain.js';
import { parseChallenge } from '../../src/cli/doctor/challenge.js';
import { runDoctor } from '../../src/cli/doctor/checks.js';
import type { CheckId, CheckResult } from '../../src/cli/doctor/report.js';
import { saveStackRecord } from '../../src/cli/state/stack-state.js';
import { type ClaudeHome, claudeHome } from '../helpers/claude-code.js';
import { runCli, startCli } from '../helpers/run-cli.js';
import { type StandIn, startStandIn } from '../helpers/stand-in.js';

const STACK = 'mcp-lambda-dog-facts';
const REGION = 'eu-west-1';
// Not the default: the Claude Code end-to-end test may be holding 31927 for a sign-in at the same time.
const CALLBACK_PORT = 31000 + (process.pid % 900);
let chain: StandIn;
let where: ClaudeHome;
let token: string;

const scope = () => chain.outputs.McpOAuthScope!;
const clientId = () => chain.outputs.McpOAuthClientId!;

beforeAll(async () => {
  // Cursor's redirect URIs too (one is on cursor.com: registered only when --clients names it).
  chain = await startStandIn({ stack: { callbackPort: CALLBACK_PORT, clients: ['claude-code', 'cursor'] } });
  where = claudeHome();
  await saveStackRecord(
    { HOME: where.home },
    { stackName: STACK, region: REGION, savedAt: new Date().toISOString(), outputs: chain.outputs },
  );
  const written = await runCli(['write-config', '--yes'], { ...where.env, AWS_REGION: REGION }, { cwd: where.home });
  expect(written.code, written.stderr).toBe(0);
  token = chain.cognito.accessToken({ clientId: clientId(), scope: `openid email profile ${scope()}`, aud: chain.mcpUrl });
  await saveTokens(where.env, {
    stackName: STACK,
    region: REGION,
    serverName: 'dog-facts',
    mcpServerUrl: chain.mcpUrl,
    clientId: clientId(),
    username: 'dev@example.com',
    accessToken: token,
    expiresAt: Date.now() + 3_600_000,
    refreshToken: 'refresh',
  });
});

afterAll(async () => {
  await chain.close();
});

function target(overrides: Partial<DoctorTarget> = {}): DoctorTarget {
  return {
    mcpUrl: chain.mcpUrl,
    expected: { issuerUrl: chain.outputs.IssuerUrl!, clientId: clientId(), callbackPort: CALLBACK_PORT, scope: scope() },
    accessToken: token,
    command: (sub) => `mcp-lambda ${sub}`,
    ...overrides,
  };
}

/** fetch that answers `rule`'s Response for the requests it picks, and passes the rest through. */
function tamper(rule: (url: URL, init: RequestInit | undefined) => Response | undefined): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    return rule(url, init) ?? fetch(input, init);
  };
}

async function check(
  id: CheckId,
  options: {
    target?: Partial<DoctorTarget>;
    fetch?: typeof fetch;
    env?: Record<string, string>;
    cwd?: string;
    helperTimeoutMs?: number;
  } = {},
): Promise<CheckResult> {
  const results = await runDoctor(target(options.target), {
    fetch: options.fetch ?? fetch,
    env: { ...where.env, ...options.env },
    cwd: options.cwd ?? where.home,
    portFree: async () => true,
    // These helpers are the tests' own commands, not mcp-lambda's: agree to run them (helper.test.ts
    // shows what happens without that answer).
    confirmHelper: async () => true,
    ...(options.helperTimeoutMs !== undefined && { helperTimeoutMs: options.helperTimeoutMs }),
  });
  return results.find((result) => result.id === id)!;
}

describe('a healthy chain', () => {
  it('passes every link, exit 0', async () => {
    const result = await runCli(['doctor'], { ...where.env, AWS_REGION: REGION }, { cwd: where.home });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    for (const title of [
      '401 challenge',
      'protected-resource metadata',
      "issuer's discovery document",
      'authorize endpoint',
      'Claude Code entry',
      'MCP exchange',
      'access token',
      'callback port',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`✓ ${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s`));
    }
    expect(result.stdout).toMatch(/subscriptions\/listen answered in \d+ ms/);
    expect(result.stdout).toContain(`audience "${chain.mcpUrl}"`);
    expect(result.stdout).toContain('Every link Claude Code needs works.');
  });

  it('prints one JSON document with --json', async () => {
    const result = await runCli(['doctor', '--json'], { ...where.env, AWS_REGION: REGION }, { cwd: where.home });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ mcpUrl: chain.mcpUrl, stackName: STACK, ok: true });
    expect(report.checks.map((c: CheckResult) => [c.id, c.status])).toEqual([
      ['challenge', 'ok'],
      ['resource-metadata', 'ok'],
      ['issuer', 'ok'],
      ['authorize', 'ok'],
      ['claude-code', 'ok'],
      ['mcp', 'ok'],
      ['token', 'ok'],
      ['callback-port', 'ok'],
      // The stand-in's stack has neither alarms nor reserved concurrency: a warning, not a break.
      ['guard-rails', 'warn'],
    ]);
  });

  it('works against mcp-lambda dev (--url), where there is no OAuth to check', async () => {
    const dev = startCli(['dev', '--port', '0', '--json'], { DOG_API_BASE_URL: chain.dogApi.baseUrl });
    try {
      const { url } = JSON.parse(await dev.waitForStdout('}\n'));
      const home = claudeHome();
      // No entry yet: a next step, not a break; the fix names the server as it names itself.
      const missing = await runCli(['doctor', '--url', url], home.env, { cwd: home.home });
      expect(missing.code, missing.stderr).toBe(0);
      expect(missing.stdout).toMatch(/! Claude Code entry +no entry in Claude Code's configuration .* yet; add one/);
      expect(missing.stdout).toContain(`fix: claude mcp add --transport http dog-facts ${url}\n`);
      expect(missing.stdout).toContain('Every link Claude Code needs works.');

      writeFileSync(join(home.home, '.mcp.json'), JSON.stringify({ mcpServers: { dog: { type: 'http', url } } }));
      const result = await runCli(['doctor', '--url', url, '--json'], home.env, { cwd: home.home });
      expect(result.code, result.stderr).toBe(0);
      const statuses = Object.fromEntries(JSON.parse(result.stdout).checks.map((c: CheckResult) => [c.id, c.status]));
      expect(statuses).toEqual({
        challenge: 'skip',
        'resource-metadata': 'skip',
        issuer: 'skip',
        authorize: 'skip',
        'claude-code': 'ok',
        mcp: 'ok',
        token: 'skip',
        'callback-port': 'skip',
      });
    } finally {
      dev.interrupt();
      await dev.exit;
    }
  });
});

describe('--client: the chain as another client walks it', () => {
  it('says how to register a client the stack does not (one is registered only when named)', async () => {
    const env = { ...where.env, AWS_REGION: REGION };
    const result = await runCli(['doctor', '--client', 'vscode'], env, { cwd: where.home });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('no redirect URI of VS Code is registered yet.');
    expect(result.stdout).toContain('mcp-lambda deploy --clients claude-code,cursor,vscode');
  });

  it('checks Cursor’s three redirect URIs at the real authorize endpoint and its config on disk', async () => {
    const env = { ...where.env, AWS_REGION: REGION };
    const missing = await runCli(['doctor', '--client', 'cursor'], env, { cwd: where.home });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('no "dog-facts" entry in Cursor\'s project or user config.');
    expect(missing.stdout).toContain('mcp-lambda write-config --client cursor');
    expect(missing.stdout).toContain(
      'callback http://localhost:8787/callback, cursor://anysphere.cursor-mcp/oauth/callback, https://www.cursor.com/agents/mcp/oauth/callback',
    );

    expect((await runCli(['write-config', '--client', 'cursor'], env, { cwd: where.home })).code).toBe(0);
    const healthy = await runCli(['doctor', '--client', 'cursor'], env, { cwd: where.home });
    expect(healthy.code, healthy.stdout + healthy.stderr).toBe(0);
    expect(healthy.stdout).toMatch(/✓ Cursor config\s/);
    expect(healthy.stdout).toContain('Every link Cursor needs works.');
  });

  it('says a client the stack does not register is broken at the authorize endpoint, with the deploy that fixes it', async () => {
    const result = await runCli(['doctor', '--client', 'codex'], { ...where.env, AWS_REGION: REGION }, { cwd: where.home });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('no redirect URI of Codex is registered yet.');
    expect(result.stderr).toContain('The chain breaks at the authorize endpoint');
  });

  it('refuses --client with --url (a dev server has no client to check)', async () => {
    const result = await runCli(['doctor', '--client', 'vscode', '--url', 'http://127.0.0.1:9/mcp'], where.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--client needs a deployed stack');
  });
});

describe('bad input', () => {
  it.each([
    [['--url', 'not a url'], '--url "not a url" is not a URL.'],
    [['--url', 'ftp://x.example/mcp'], 'is not an http(s) URL'],
    [['--url', 'https://x.example/mcp', '--name', 'x'], 'either --url or --name'],
  ])('refuses %j', async (args, message) => {
    const result = await runCli(['doctor', ...args], where.env, { cwd: where.home });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('says nothing answers at a local URL, and that dev is not running there (--url)', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const url = `http://127.0.0.1:${port}/mcp`;
    const result = await runCli(['doctor', '--url', url], where.env, { cwd: where.home });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `Nothing answers at ${url} (nothing listens on 127.0.0.1:${port}): mcp-lambda dev is not running there.`,
    );
    expect(result.stderr).toContain(`mcp-lambda dev --port ${port}`);
    expect(result.stdout + result.stderr).not.toContain('fetch failed');
  });

  it('points at the local path when no AWS region is set (bare doctor)', async () => {
    const home = claudeHome();
    const result = await runCli(['doctor'], { ...home.env, AWS_CONFIG_FILE: join(home.home, 'none') }, { cwd: home.home });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No AWS region is set.');
    expect(result.stderr).toContain(
      'To check a local server instead (mcp-lambda dev): mcp-lambda doctor --url http://127.0.0.1:8765/mcp',
    );
  });

  it('says so when the endpoint cannot be reached', async () => {
    const result = await check('challenge', { target: { mcpUrl: 'https://127.0.0.1:1/prod/mcp' } });
    expect(result).toMatchObject({ status: 'fail', fix: 'mcp-lambda status' });
    expect(result.detail).toContain('could not be reached');
  });

  it.each([
    ['Bearer resource_metadata="https://x/m", scope="a b"', { resource_metadata: 'https://x/m', scope: 'a b' }, []],
    ['Bearer resource_metadata=https://x/m', { resource_metadata: 'https://x/m' }, ['resource_metadata']],
    ['Bearer', {}, []],
  ])('parses the challenge %s', (header, params, unquoted) => {
    expect(parseChallenge(header)).toEqual({ scheme: 'Bearer', params, unquoted });
  });
});

describe('each link broken', () => {
  const mcpPost = (url: URL, init?: RequestInit) => url.pathname.endsWith('/prod/mcp') && init?.method === 'POST';

  it.each([
    ['no WWW-Authenticate', new Headers(), /401 without a WWW-Authenticate header/],
    [
      "the Lambda's challenge, renamed by API Gateway",
      new Headers({ 'x-amzn-remapped-www-authenticate': 'Bearer error="invalid_token"' }),
      /renamed it x-amzn-remapped-www-authenticate/,
    ],
    ['an unquoted resource_metadata', new Headers({ 'www-authenticate': 'Bearer resource_metadata=https://x/m' }), /not quoted/],
    ['another scheme', new Headers({ 'www-authenticate': 'Basic realm="x"' }), /not a Bearer challenge/],
  ])('challenge: %s', async (_name, headers, message) => {
    const result = await check('challenge', {
      fetch: tamper((url, init) =>
        mcpPost(url, init) && !new Headers(init?.headers).has('authorization')
          ? new Response('{}', { status: 401, headers })
          : undefined,
      ),
    });
    expect(result).toMatchObject({ status: 'fail', fix: 'mcp-lambda deploy' });
    expect(result.detail).toMatch(message);
  });

  it('challenge: a stack answering without a token', async () => {
    const result = await check('challenge', {
      fetch: tamper((url, init) => (mcpPost(url, init) ? new Response('{}', { status: 200 }) : undefined)),
    });
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('HTTP 200, not 401');
  });

  it.each([
    [
      'another resource',
      (doc: Record<string, unknown>) => ({ ...doc, resource: `${doc.resource}/` }),
      /clients refuse metadata for another resource/,
    ],
    ['no authorization server', (doc: Record<string, unknown>) => ({ ...doc, authorization_servers: [] }), /names no https URL/],
    [
      'another issuer',
      (doc: Record<string, unknown>) => ({ ...doc, authorization_servers: ['https://cognito-idp.example/other'] }),
      /not the stack's issuer/,
    ],
    ['no MCP scope', (doc: Record<string, unknown>) => ({ ...doc, scopes_supported: ['openid'] }), /without https:/],
  ])('resource metadata: %s', async (_name, change, message) => {
    const result = await check('resource-metadata', {
      fetch: tamper((url) => {
        if (!url.pathname.endsWith('/.well-known/oauth-protected-resource/mcp')) return undefined;
        const doc = JSON.parse(
          chain.outputs.OAuthMetadataUrl
            ? JSON.stringify({
                resource: chain.mcpUrl,
                authorization_servers: [chain.outputs.IssuerUrl],
                scopes_supported: [scope()],
              })
            : '{}',
        );
        return Response.json(change(doc));
      }),
    });
    expect(result.status).toBe('fail');
    expect(result.detail).toMatch(message);
  });

  it('resource metadata: a 404', async () => {
    const result = await check('resource-metadata', {
      fetch: tamper((url) =>
        url.pathname.includes('oauth-protected-resource') ? new Response('nope', { status: 404 }) : undefined,
      ),
    });
    expect(result).toMatchObject({ status: 'fail', fix: 'mcp-lambda deploy' });
    expect(result.detail).toMatch(/answered HTTP 404 \(the body is not JSON\)/);
  });

  it.each([
    ['another issuer', { issuer: 'https://elsewhere.example/pool' }, /clients reject it/],
    ['no token endpoint', { token_endpoint: undefined }, /no usable token_endpoint/],
  ])("issuer's document: %s", async (_name, change, message) => {
    const result = await check('issuer', {
      fetch: tamper((url) => {
        if (!url.pathname.endsWith('/openid-configuration')) return undefined;
        return Response.json({
          issuer: chain.cognito.issuer,
          authorization_endpoint: `${chain.cognito.origin}/oauth2/authorize`,
          token_endpoint: `${chain.cognito.origin}/oauth2/token`,
          ...change,
        });
      }),
    });
    expect(result.status).toBe('fail');
    expect(result.detail).toMatch(message);
  });

  it('authorize: a callback port the pool does not know (the real stand-in answers redirect_mismatch)', async () => {
    const result = await check('authorize', { target: { expected: { ...target().expected!, callbackPort: CALLBACK_PORT + 1 } } });
    expect(result).toMatchObject({ status: 'fail', fix: 'mcp-lambda deploy' });
    expect(result.detail).toContain(
      `the callback http://localhost:${CALLBACK_PORT + 1}/callback is not registered on client ${clientId()}`,
    );
  });

  it('authorize: a scope the client may not ask for', async () => {
    const result = await check('authorize', {
      target: { expected: { ...target().expected!, scope: 'mcp-dog-facts/dog-facts' } },
    });
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('invalid_scope');
  });

  it('authorize: a pool that does not bind tokens to the MCP URL', async () => {
    const result = await check('authorize', {
      fetch: tamper((url) =>
        url.pathname === '/oauth2/authorize'
          ? new Response(null, {
              status: 302,
              headers: {
                location: `http://localhost:${CALLBACK_PORT}/callback?error=invalid_request&error_description=custom+scopes+requested+for+resource-binding+must+be+assigned+to+the+resource+being+requested`,
              },
            })
          : undefined,
      ),
    });
    expect(result.status).toBe('fail');
    expect(result.detail).toContain(`the pool does not bind tokens to ${chain.mcpUrl}`);
  });

  describe('Claude Code entry', () => {
    function homeWith(entry: Record<string, unknown>): ClaudeHome {
      const home = claudeHome();
      writeFileSync(
        join(home.home, '.mcp.json'),
        JSON.stringify({ mcpServers: { 'dog-facts': { type: 'http', url: chain.mcpUrl, ...entry } } }),
      );
      return home;
    }
    const oauth = () => ({
      clientId: clientId(),
      callbackPort: CALLBACK_PORT,
      scopes: scope(),
      authServerMetadataUrl: chain.cognito.discoveryUrl,
    });

    it.each([
      ['none at all', () => undefined, /no entry in Claude Code's configuration/, 'mcp-lambda write-config'],
      [
        'no authServerMetadataUrl (claude mcp login would fail)',
        () => ({ oauth: { ...oauth(), authServerMetadataUrl: undefined } }),
        /no oauth\.authServerMetadataUrl/,
        'claude mcp logout dog-facts',
      ],
      [
        'another client',
        () => ({ oauth: { ...oauth(), clientId: 'old-client' } }),
        /oauth\.clientId is "old-client"/,
        'write-config --scope project',
      ],
      ['no type (read as stdio)', () => ({ type: undefined }), /has type undefined/, 'write-config --scope project'],
      [
        'a fixed Authorization header',
        () => ({ headers: { Authorization: 'Bearer x' } }),
        /fixed Authorization header/,
        'write-config',
      ],
      [
        'a helper that fails',
        () => ({ headersHelper: 'echo "Not signed in" >&2; exit 1' }),
        /headersHelper failed: Not signed in/,
        'mcp-lambda login',
      ],
      [
        'a helper that prints no JSON',
        () => ({ headersHelper: 'echo token' }),
        /did not print a JSON object/,
        'mcp-lambda login',
      ],
      [
        'a helper without Authorization',
        () => ({ headersHelper: `echo '{"X-Other":"1"}'` }),
        /no "Authorization: Bearer …" header/,
        'mcp-lambda login',
      ],
    ])('%s', async (_name, entry, message, fix) => {
      const fields: Record<string, unknown> | undefined = entry();
      const home = fields === undefined ? claudeHome() : homeWith(fields);
      const result = await check('claude-code', { env: home.env, cwd: home.home });
      expect(result.status).toBe('fail');
      expect(result.detail).toMatch(message);
      expect(result.fix).toContain(fix);
    });

    it('a helper slower than Claude Code waits', async () => {
      const home = homeWith({ headersHelper: 'sleep 5' });
      const result = await check('claude-code', { env: home.env, cwd: home.home, helperTimeoutMs: 300 });
      expect(result.detail).toContain('did not finish within 0.3 s');
    });

    it('a config file that does not parse', async () => {
      const home = claudeHome();
      writeFileSync(join(home.home, '.mcp.json'), '{ nope');
      const result = await check('claude-code', { env: home.env, cwd: home.home });
      expect(result.status).toBe('fail');
      expect(result.detail).toContain('is not valid JSON');
    });

    it('a helper that works, and whose token the MCP check then uses', async () => {
      const home = homeWith({ headersHelper: `echo '{"Authorization":"Bearer ${token}"}'` });
      const results = await runDoctor(target({ accessToken: undefined }), {
        fetch,
        env: home.env,
        cwd: home.home,
        portFree: async () => true,
        confirmHelper: async () => true,
      });
      expect(results.find((r) => r.id === 'claude-code')?.detail).toContain('headersHelper returns a token');
      expect(results.find((r) => r.id === 'mcp')?.status).toBe('ok');
    });
  });

  it('MCP exchange: a server of 2025 only is a finding, not a break (clients fall back)', async () => {
    const result = await check('mcp', {
      fetch: tamper((url, init) =>
        mcpPost(url, init) && String(init?.body).includes('"server/discover"')
          ? Response.json({ jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'Method not found' } }, { status: 404 })
          : undefined,
      ),
    });
    expect(result.status).toBe('warn');
    expect(result.detail).toMatch(
      /server\/discover \(2026-07-28\) is not served .*; initialize \(2025-11-25\) \d+ ms and tools\/list \(1 tool\) work/,
    );
  });

  it('MCP exchange: a listen that is never answered', async () => {
    const result = await check('mcp', {
      fetch: tamper((url, init) =>
        mcpPost(url, init) && String(init?.body).includes('"subscriptions/listen"')
          ? new Response(new ReadableStream({ start() {} }), { status: 200, headers: { 'content-type': 'text/event-stream' } })
          : undefined,
      ),
    });
    expect(result.status).toBe('fail');
    expect(result.detail).toMatch(/subscriptions\/listen failed: was not answered within 1000 ms/);
  });

  it('MCP exchange and token: an expired sign-in', async () => {
    const expired = chain.cognito.accessToken({ clientId: clientId(), scope: scope(), expiresIn: -60 });
    const results = await runDoctor(target({ accessToken: expired }), {
      fetch,
      env: where.env,
      cwd: where.home,
      portFree: async () => true,
    });
    const mcp = results.find((r) => r.id === 'mcp')!;
    expect(mcp).toMatchObject({ status: 'fail', fix: 'mcp-lambda login' });
    expect(mcp.detail).toContain('was refused with the stored token');
    const tokenCheck = results.find((r) => r.id === 'token')!;
    expect(tokenCheck).toMatchObject({ status: 'fail', fix: 'mcp-lambda token' });
    expect(tokenCheck.detail).toMatch(/it expired \d+ min ago/);
  });

  it('token: one for another resource, refused by the Lambda', async () => {
    const other = chain.cognito.accessToken({ clientId: clientId(), scope: scope(), aud: 'https://other.example/prod/mcp' });
    const results = await runDoctor(target({ accessToken: other }), {
      fetch,
      env: where.env,
      cwd: where.home,
      portFree: async () => true,
    });
    expect(results.find((r) => r.id === 'mcp')?.status).toBe('fail');
    expect(results.find((r) => r.id === 'token')?.detail).toContain('its audience is "https://other.example/prod/mcp"');
  });

  it('token: one without the MCP scope', async () => {
    const result = await check('token', {
      target: { accessToken: chain.cognito.accessToken({ clientId: clientId(), scope: 'openid' }) },
    });
    expect(result).toMatchObject({ status: 'fail', fix: 'mcp-lambda login' });
    expect(result.detail).toContain(`it lacks the scope ${scope()} (it has: openid)`);
  });

  it('callback port: in use on this machine (a real listener holds it)', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(CALLBACK_PORT, '127.0.0.1', resolve));
    try {
      const results = await runDoctor(target(), { fetch, env: where.env, cwd: where.home });
      const result = results.find((r) => r.id === 'callback-port')!;
      expect(result.status).toBe('fail');
      expect(result.detail).toContain(`port ${CALLBACK_PORT} is in use`);
      expect(result.fix).toContain(`deploy --callback-port ${CALLBACK_PORT + 1}`);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });

  it('names the first broken link and its fix, exit 1', async () => {
    const home = claudeHome();
    await saveStackRecord(
      { HOME: home.home },
      { stackName: STACK, region: REGION, savedAt: new Date().toISOString(), outputs: chain.outputs },
    );
    const result = await runCli(['doctor'], { ...home.env, AWS_REGION: REGION }, { cwd: home.home });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ Claude Code entry\s+no entry/);
    expect(result.stdout).toMatch(/– MCP exchange\s+no stored sign-in/);
    expect(result.stderr).toContain('error: The chain breaks at the Claude Code entry');
    expect(result.stderr).toContain('hint: mcp-lambda write-config');
  });
});

describe('a stack in your VPC', () => {
  it('shows the attachment, in text and in JSON', async () => {
    const home = claudeHome();
    const vpc = {
      Vpc: '{"vpc":"vpc-0123456789abcdef0","subnets":["subnet-0aaaaaaaaaaaaaaaa"]}',
      VpcSecurityGroup: 'sg-0123456789abcdef0',
    };
    await saveStackRecord(
      { HOME: home.home },
      { stackName: STACK, region: REGION, savedAt: new Date().toISOString(), outputs: { ...chain.outputs, ...vpc } },
    );
    const result = await runCli(['doctor'], { ...home.env, AWS_REGION: REGION }, { cwd: home.home });
    expect(result.stderr).toContain(
      'The MCP functions run in your VPC: vpc-0123456789abcdef0, subnets subnet-0aaaaaaaaaaaaaaaa, a security group the stack made (sg-0123456789abcdef0): all egress, no ingress.',
    );
    const json = await runCli(['doctor', '--json'], { ...home.env, AWS_REGION: REGION }, { cwd: home.home });
    expect(JSON.parse(json.stdout).vpc).toEqual({
      vpcId: 'vpc-0123456789abcdef0',
      subnetIds: ['subnet-0aaaaaaaaaaaaaaaa'],
      securityGroup: 'sg-0123456789abcdef0',
    });
  });
});

describe('alarms and caps (a finding, not a link)', () => {
  const run = async (outputs: Record<string, string>, json = false) => {
    const home = claudeHome();
    await saveStackRecord(
      { HOME: home.home },
      { stackName: STACK, region: REGION, savedAt: new Date().toISOString(), outputs: { ...chain.outputs, ...outputs } },
    );
    return runCli(['doctor', ...(json ? ['--json'] : [])], { ...home.env, AWS_REGION: REGION }, { cwd: home.home });
  };

  // The healthy chain above exits 0 with this warning in it (the stand-in's stack has neither).
  it('warns about a stack with neither alarms nor reserved concurrency, with the fix', async () => {
    const result = await run({});
    expect(result.stdout).toMatch(
      /! alarms and caps\s+neither alarms nor reserved concurrency: nobody is told when the server fails/,
    );
    expect(result.stdout).toContain(
      'fix: mcp-lambda deploy --alarms you@example.com (about $0.10 per alarm a month), or cap it with --reserved-concurrency <n>',
    );
    // "none" is a choice recorded, not a cap.
    const none = JSON.parse((await run({ ReservedConcurrency: 'none' }, true)).stdout);
    expect(none.checks.at(-1)).toMatchObject({ id: 'guard-rails', status: 'warn' });
    expect(none.firstBroken).not.toBe('guard-rails');
  });

  it('is satisfied by alarms or by reserved concurrency', async () => {
    const alarms = JSON.parse((await run({ Alarms: '{"email":"ops@example.com","latencyMs":5000}' }, true)).stdout);
    expect(alarms.checks.at(-1)).toEqual({
      id: 'guard-rails',
      title: 'alarms and caps',
      status: 'ok',
      detail: 'alarms mail ops@example.com (p95 latency over 5000 ms)',
    });
    const reserved = JSON.parse((await run({ ReservedConcurrency: '20' }, true)).stdout);
    expect(reserved.checks.at(-1)).toMatchObject({ status: 'ok', detail: 'reserved concurrency 20 per function' });
  });
});
