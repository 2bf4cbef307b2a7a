/**
 * Several servers behind one API, user pool and sign-in (`deploy --entry notes=… --entry weather=…`),
 * against a local stand-in built from the synthesized template: the entries `write-config` writes connect
 * with the real Claude Code (pinned, run offline), each with a token bound to its own server; a client
 * that follows the 401 challenge (the official SDK's OAuth) gets one token every server takes; a token
 * for one server is refused by the other.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Client,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type StoredOAuthTokens,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveTokens } from '../../src/cli/auth/token-store.js';
import { saveStackRecord } from '../../src/cli/state/stack-state.js';
import { type ClaudeHome, claudeHome, runClaude, authenticateThroughMcpMenu } from '../helpers/claude-code.js';
import { runCli } from '../helpers/run-cli.js';
import { type StandIn, startStandIn } from '../helpers/stand-in.js';

const STACK = 'mcp-lambda-team';
// Not the default 31927, nor doctor.test.ts's range: the other Claude Code tests may hold those meanwhile.
const CALLBACK_PORT = 32100 + (process.pid % 800);
const REGION = 'eu-west-1';
let chain: StandIn;
let servers: { name: string; url: string; scope: string; metadataUrl: string }[];
const server = (name: string) => servers.find((candidate) => candidate.name === name)!;

beforeAll(async () => {
  chain = await startStandIn({
    stack: { serverName: 'team', callbackPort: CALLBACK_PORT, servers: [{ name: 'notes' }, { name: 'weather' }] },
  });
  servers = JSON.parse(chain.outputs.Servers!);
});
afterAll(async () => {
  await chain.close();
});

async function home(): Promise<ClaudeHome> {
  const where = claudeHome();
  await saveStackRecord(
    { HOME: where.home },
    { stackName: STACK, region: REGION, savedAt: new Date().toISOString(), outputs: chain.outputs },
  );
  return where;
}

const claudeJson = (where: ClaudeHome) => JSON.parse(readFileSync(join(where.configDir, '.claude.json'), 'utf8'));

async function connect(url: string, init: { token?: string; authProvider?: OAuthClientProvider } = {}): Promise<Client> {
  const client = new Client({ name: 'several-servers-test', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      ...(init.token !== undefined && { requestInit: { headers: { Authorization: `Bearer ${init.token}` } } }),
      ...(init.authProvider && { authProvider: init.authProvider }),
    }),
  );
  return client;
}

describe('Claude Code with the entries write-config writes', () => {
  it('writes one entry per server, each with its URL and the scope every server takes', async () => {
    const where = await home();
    const written = await runCli(
      ['write-config', '--name', 'team', '--yes'],
      { ...where.env, AWS_REGION: REGION },
      { cwd: where.home },
    );
    expect(written.code, written.stderr).toBe(0);
    const entries = claudeJson(where).mcpServers;
    expect(Object.keys(entries).sort()).toEqual(['notes', 'weather']);
    for (const name of ['notes', 'weather']) {
      expect(entries[name]).toMatchObject({
        type: 'http',
        url: server(name).url,
        // The API-wide scope: Claude Code's /mcp follows the 401 challenge to the API's document and sends
        // its resource, and Cognito grants only that resource's scope with it.
        oauth: { clientId: chain.outputs.McpOAuthClientId, scopes: chain.outputs.McpOAuthScope },
      });
    }
    // One of them, by --server; and --entry-name cannot name two entries.
    const one = await home();
    const weather = await runCli(['write-config', '--name', 'team', '--server', 'weather', '--yes'], {
      ...one.env,
      AWS_REGION: REGION,
    });
    expect(weather.code, weather.stderr).toBe(0);
    expect(Object.keys(claudeJson(one).mcpServers)).toEqual(['weather']);
    const named = await runCli(['write-config', '--name', 'team', '--entry-name', 'x', '--yes'], {
      ...one.env,
      AWS_REGION: REGION,
    });
    expect(named.code).toBe(2);
    expect(named.stderr).toContain('--entry-name names one entry');
    const unknown = await runCli(['write-config', '--name', 'team', '--server', 'mail', '--yes'], {
      ...one.env,
      AWS_REGION: REGION,
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('has no server named "mail"; it serves notes, weather');
  });

  it('signs in to each with `claude mcp login` and lists both connected', async () => {
    const where = await home();
    expect((await runCli(['write-config', '--name', 'team', '--yes'], { ...where.env, AWS_REGION: REGION })).code).toBe(0);
    const cognitoStart = chain.cognito.requests.length;
    for (const name of ['notes', 'weather']) {
      const login = await runClaude(['mcp', 'login', name], where, { tty: true });
      expect(login.stdout).toContain(`Authenticated with "${name}"`);
    }
    // `claude mcp login` with authServerMetadataUrl asks for the pinned scope and sends no resource.
    const authorizes = chain.cognito.requests.slice(cognitoStart).filter((r) => r.path === '/oauth2/authorize');
    expect(authorizes.map((r) => [r.params.scope, r.params.resource])).toEqual([
      [chain.outputs.McpOAuthScope, undefined],
      [chain.outputs.McpOAuthScope, undefined],
    ]);
    const gatewayStart = chain.requests.length;
    const list = await runClaude(['mcp', 'list'], where);
    expect(list.stdout).toMatch(/notes: .*\/prod\/notes\/mcp \(HTTP\) - ✔ Connected/);
    expect(list.stdout).toMatch(/weather: .*\/prod\/weather\/mcp \(HTTP\) - ✔ Connected/);
    const paths = chain.requests.slice(gatewayStart).filter((r) => r.status === 200 && r.method === 'POST');
    expect(new Set(paths.map((r) => r.path))).toEqual(new Set(['/prod/notes/mcp', '/prod/weather/mcp']));
  });

  it('connects through /mcp → Authenticate in the interactive UI, with a token bound to the API', async () => {
    const where = await home();
    expect(
      (await runCli(['write-config', '--name', 'team', '--server', 'weather', '--yes'], { ...where.env, AWS_REGION: REGION }))
        .code,
    ).toBe(0);
    const cognitoStart = chain.cognito.requests.length;
    await authenticateThroughMcpMenu(where, 'weather');
    // This path follows the 401 challenge to the API's metadata, so it asks for the API's resource.
    const oauth = chain.cognito.requests.slice(cognitoStart);
    const api = chain.outputs.OAuthMetadataUrl!.replace('/.well-known/oauth-protected-resource', '');
    expect(oauth.find((r) => r.path === '/oauth2/authorize')?.params).toMatchObject({
      scope: chain.outputs.McpOAuthScope,
      resource: api,
    });
    expect(oauth.find((r) => r.path === '/oauth2/token')?.params.resource).toBe(api);
  }, 60_000);
});

describe('tokens', () => {
  const clientId = () => chain.outputs.McpOAuthClientId!;

  it("takes a server's own token there and refuses it at the other server", async () => {
    const notes = chain.cognito.accessToken({ clientId: clientId(), scope: server('notes').scope, aud: server('notes').url });
    const client = await connect(server('notes').url, { token: notes });
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('getDogFacts');
    await client.close();
    const refused = await fetch(server('weather').url, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${notes}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(refused.status).toBe(401);
    // Even with the API-wide scope, a token bound to notes is notes' only (the function checks the audience).
    const bound = chain.cognito.accessToken({
      clientId: clientId(),
      scope: chain.outputs.McpOAuthScope!,
      aud: server('notes').url,
    });
    await expect(connect(server('weather').url, { token: bound })).rejects.toThrow();
  });

  it('gives a client that follows the 401 challenge (the official SDK) one token every server takes', async () => {
    let code: string | undefined;
    let stored: StoredOAuthTokens | undefined;
    let verifier = '';
    let discovery: OAuthDiscoveryState | undefined;
    const authorizeUrls: URL[] = [];
    const redirectUrl = `http://localhost:${chain.outputs.CallbackPort}/callback`;
    const provider: OAuthClientProvider = {
      redirectUrl,
      clientMetadata: { redirect_uris: [redirectUrl], client_name: 'test', token_endpoint_auth_method: 'none' },
      clientInformation: () => ({ client_id: clientId() }),
      tokens: () => stored,
      saveTokens: (tokens) => {
        stored = tokens;
      },
      // The person's browser: Cognito signs them in and sends the code back to the callback.
      redirectToAuthorization: async (url) => {
        authorizeUrls.push(url);
        const response = await fetch(url, { redirect: 'manual' });
        code = new URL(response.headers.get('location')!).searchParams.get('code') ?? undefined;
      },
      saveCodeVerifier: (value) => {
        verifier = value;
      },
      codeVerifier: () => verifier,
      saveDiscoveryState: (state) => {
        discovery = state;
      },
      discoveryState: () => discovery,
    };
    const first = new StreamableHTTPClientTransport(new URL(server('notes').url), { authProvider: provider });
    await expect(new Client({ name: 't', version: '1' }).connect(first)).rejects.toThrow(UnauthorizedError);
    // It followed the challenge to the API's document: the token is asked for the API, with its scope.
    expect(authorizeUrls[0]?.searchParams.get('resource')).toBe(
      chain.outputs.OAuthMetadataUrl!.replace('/.well-known/oauth-protected-resource', ''),
    );
    expect(authorizeUrls[0]?.searchParams.get('scope')).toBe(chain.outputs.McpOAuthScope);
    expect(code).toBeDefined();
    await first.finishAuth(code!);
    for (const name of ['notes', 'weather']) {
      const client = await connect(server(name).url, { authProvider: provider });
      const result = await client.callTool({ name: 'getDogFacts', arguments: { limit: 1 } });
      expect(result.isError).not.toBe(true);
      await client.close();
    }
  });

  it('lets `mcp-lambda call` pick a server with --server, using the one sign-in', async () => {
    const where = await home();
    const all = [chain.outputs.McpOAuthScope!, server('notes').scope, server('weather').scope].join(' ');
    await saveTokens(where.env, {
      stackName: STACK,
      region: REGION,
      serverName: 'team',
      mcpServerUrl: server('notes').url,
      clientId: clientId(),
      username: 'dev@example.com',
      // A password sign-in: no audience, and the trigger's scopes for every server.
      accessToken: chain.cognito.accessToken({ clientId: clientId(), scope: all }),
      expiresAt: Date.now() + 3_600_000,
      refreshToken: 'r',
      servers: servers.map(({ name, url }) => ({ name, url })),
    });
    const env = { ...where.env, AWS_REGION: REGION };
    const called = await runCli(['call', 'getDogFacts', '--name', 'team', '--server', 'weather', '--arg', 'limit=1'], env);
    expect(called.code, called.stderr).toBe(0);
    expect(called.stdout).toContain('Here is a dog fact:');
    const gateway = chain.requests.at(-1);
    expect(gateway?.path).toBe('/prod/weather/mcp');
    const unnamed = await runCli(['tools', '--name', 'team'], env);
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toContain('serves several servers (notes, weather)');
  });
});

describe('doctor', () => {
  it('walks the chain to one of the servers, through the API-wide challenge and the server’s own metadata', async () => {
    const where = await home();
    const env = { ...where.env, AWS_REGION: REGION };
    expect((await runCli(['write-config', '--name', 'team', '--yes'], env, { cwd: where.home })).code).toBe(0);
    const api = chain.outputs.OAuthMetadataUrl!.replace('/.well-known/oauth-protected-resource', '');
    await saveTokens(where.env, {
      stackName: STACK,
      region: REGION,
      serverName: 'team',
      mcpServerUrl: server('notes').url,
      clientId: chain.outputs.McpOAuthClientId!,
      username: 'dev@example.com',
      accessToken: chain.cognito.accessToken({
        clientId: chain.outputs.McpOAuthClientId!,
        scope: chain.outputs.McpOAuthScope!,
        aud: api,
      }),
      expiresAt: Date.now() + 3_600_000,
      refreshToken: 'r',
      servers: servers.map(({ name, url }) => ({ name, url })),
    });
    const result = await runCli(['doctor', '--name', 'team', '--server', 'weather'], env, { cwd: where.home });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(`resource ${api} (the API: every server takes its token)`);
    expect(result.stdout).toContain(`the server's own at ${server('weather').metadataUrl}`);
    expect(result.stdout).toContain('Every link Claude Code needs works.');
    const unnamed = await runCli(['doctor', '--name', 'team'], env, { cwd: where.home });
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toContain('serves several servers (notes, weather); doctor talks to one.');
  });
});
