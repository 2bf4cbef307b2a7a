/**
 * The product's promise, shown with the real Claude Code (pinned in package.json, run offline): against
 * a local stand-in of the deployed chain built from the synthesized template (see helpers/stand-in.ts),
 * the entry `mcp-lambda write-config` writes connects by every path — `claude mcp login`, `/mcp` →
 * Authenticate in the interactive UI, and the headersHelper entry — and no path waits on a stream.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveTokens } from '../../src/cli/auth/token-store.js';
import { saveStackRecord } from '../../src/cli/state/stack-state.js';
import { type ClaudeHome, claudeHome, runClaude, authenticateThroughMcpMenu } from '../helpers/claude-code.js';
import { runCli, startCli } from '../helpers/run-cli.js';
import { type StandIn, startStandIn } from '../helpers/stand-in.js';

const STACK = 'mcp-lambda-dog-facts';
const REGION = 'eu-west-1';
let chain: StandIn;

beforeAll(async () => {
  chain = await startStandIn();
});
afterAll(async () => {
  await chain.close();
});

/** A fresh HOME where `mcp-lambda write-config` wrote its entry from the stand-in's outputs. */
async function configured(auth: 'oauth' | 'helper'): Promise<ClaudeHome> {
  const where = claudeHome();
  await saveStackRecord(
    { HOME: where.home },
    { stackName: STACK, region: REGION, savedAt: new Date().toISOString(), outputs: chain.outputs },
  );
  const written = await runCli(
    ['write-config', '--auth', auth, '--yes'],
    { ...where.env, AWS_REGION: REGION },
    { cwd: where.home },
  );
  expect(written.code, written.stderr).toBe(0);
  return where;
}

const claudeJson = (where: ClaudeHome) => JSON.parse(readFileSync(join(where.configDir, '.claude.json'), 'utf8'));
const since = <T>(list: T[], start: number) => list.slice(start);

describe('the OAuth entry', () => {
  it('connects with `claude mcp login` on the first try, through authServerMetadataUrl', async () => {
    const where = await configured('oauth');
    expect(claudeJson(where).mcpServers['dog-facts'].oauth.authServerMetadataUrl).toBe(chain.cognito.discoveryUrl);
    const [cognitoStart, gatewayStart, logStart] = [chain.cognito.requests.length, chain.requests.length, chain.logs.length];

    const login = await runClaude(['mcp', 'login', 'dog-facts'], where, { tty: true });
    expect(login.stdout).toContain('Authenticated with "dog-facts"');
    expect(login.code).toBe(0);

    const oauth = since(chain.cognito.requests, cognitoStart);
    const authorize = oauth.find((r) => r.path === '/oauth2/authorize');
    expect(authorize?.params).toMatchObject({
      client_id: chain.outputs.McpOAuthClientId,
      redirect_uri: `http://localhost:${chain.outputs.CallbackPort}/callback`,
      scope: chain.outputs.McpOAuthScope,
      code_challenge_method: 'S256',
    });
    const token = oauth.find((r) => r.path === '/oauth2/token');
    expect(token).toMatchObject({
      contentType: 'application/x-www-form-urlencoded',
      params: { grant_type: 'authorization_code', code_verifier: expect.any(String) },
    });

    const list = await runClaude(['mcp', 'list'], where);
    expect(list.stdout).toMatch(/dog-facts: .*\/prod\/mcp \(HTTP\) - ✔ Connected/);
    expect(since(chain.requests, gatewayStart)).toContainEqual({ method: 'POST', path: '/prod/mcp', status: 200 });
    // The server advertises lists that never change, so Claude Code opens no listen stream.
    const methods = since(chain.logs, logStart).map((record) => record.rpcMethod);
    expect(methods).toContain('tools/list');
    expect(methods).not.toContain('subscriptions/listen');
  });

  it('without authServerMetadataUrl, `claude mcp login` is sent to <origin>/authorize and gets 403 (why the entry has it)', async () => {
    const where = await configured('oauth');
    const config = claudeJson(where);
    delete config.mcpServers['dog-facts'].oauth.authServerMetadataUrl;
    (await import('node:fs')).writeFileSync(join(where.configDir, '.claude.json'), JSON.stringify(config));

    const login = await runClaude(['mcp', 'login', 'dog-facts'], where, { tty: true, timeoutMs: 6000 });
    expect(login.stdout).not.toContain('Authenticated');
    const browser = readFileSync(where.browserLog, 'utf8');
    expect(browser).toContain(`403 ${chain.gatewayOrigin}/authorize`);
  });

  it('connects through /mcp → Authenticate in the interactive UI, with the token bound to the MCP URL', async () => {
    const where = await configured('oauth');
    const cognitoStart = chain.cognito.requests.length;
    await authenticateThroughMcpMenu(where, 'dog-facts');
    // This path reads the protected-resource metadata, so it sends resource= (RFC 8707); the pool binds
    // the token to the resource server named by the MCP URL, and the Lambda accepts that audience.
    const oauth = since(chain.cognito.requests, cognitoStart);
    expect(oauth.find((r) => r.path === '/oauth2/authorize')?.params.resource).toBe(chain.mcpUrl);
    expect(oauth.find((r) => r.path === '/oauth2/token')?.params.resource).toBe(chain.mcpUrl);
  });
});

describe('the headersHelper entry', () => {
  it('reports Connected with `claude mcp list`, using the stored sign-in', async () => {
    const where = await configured('helper');
    const scope = `openid email profile ${chain.outputs.McpOAuthScope}`;
    await saveTokens(where.env, {
      stackName: STACK,
      region: REGION,
      serverName: 'dog-facts',
      mcpServerUrl: chain.mcpUrl,
      clientId: chain.outputs.McpOAuthClientId!,
      username: 'dev@example.com',
      accessToken: chain.cognito.accessToken({ clientId: chain.outputs.McpOAuthClientId!, scope }),
      expiresAt: Date.now() + 3_600_000,
      refreshToken: 'unused-refresh-token',
    });
    const list = await runClaude(['mcp', 'list'], where);
    expect(list.stdout).toMatch(/dog-facts: .*\/prod\/mcp \(HTTP\) - ✔ Connected/);
  });
});

describe('against mcp-lambda dev', () => {
  it('connects without waiting on a listen stream', async () => {
    const dev = startCli(['dev', '--port', '0', '--json'], { DOG_API_BASE_URL: chain.dogApi.baseUrl });
    try {
      const { url } = JSON.parse(await dev.waitForStdout('}\n'));
      const where = claudeHome();
      expect((await runClaude(['mcp', 'add', '--transport', 'http', '--scope', 'user', 'dog', url], where)).code).toBe(0);
      const list = await runClaude(['mcp', 'list'], where);
      expect(list.stdout).toContain('dog: ');
      expect(list.stdout).toContain('✔ Connected');
      const logged = dev
        .output()
        .stderr.split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line).rpcMethod);
      expect(logged).toContain('tools/list');
      expect(logged).not.toContain('subscriptions/listen');
    } finally {
      dev.interrupt();
      await dev.exit;
    }
  });
});
