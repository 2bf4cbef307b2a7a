/**
 * The caller's raw bearer token is a Cognito token of the person: no server code gets it unless it asks.
 * A server of one's own (`--entry`) gets the claims in `ctx.authInfo` with an empty `token`, and the
 * token only when its module exports `receiveBearerToken = true`; the SDK (and with it every tool
 * handler's `ctx.http.authInfo`) never gets it, nor the Authorization or Cookie header of the request it
 * hands each tool handler (`ctx.http.req`), in either protocol era. Run through the deployed handler, with the authorizer's
 * claims and the Authorization header as API Gateway passes them.
 */
import type { AuthInfo } from '@modelcontextprotocol/server';
import { McpServer } from '@modelcontextprotocol/server';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/v4';
import { checkModule, createLazyCustomApp, type UserModule } from '../../src/lambda/custom.js';
import type { RequestLogRecord } from '../../src/lambda/services/log.js';

/** The token the authorizer verified (unsigned here: the Lambda only decodes it), and its claims as passed on. */
const PAYLOAD = { sub: 'user-1', token_use: 'access', client_id: 'client-1', username: 'user-1', 'cognito:groups': ['team'] };
const TOKEN = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(PAYLOAD)).toString('base64url')}.c2lnbmF0dXJl`;
const CLAIMS = { ...PAYLOAD, scope: 'openid https://api.example/mcp/own', 'cognito:groups': '[team]' };

/** A server that records what its factory and its tool see of the caller. */
function recording(exports: Omit<UserModule, 'default'> = {}) {
  const seen: { factory?: AuthInfo; tool?: AuthInfo; authorization?: string | null; cookie?: string | null } = {};
  const module: UserModule = {
    ...exports,
    default: (ctx: { authInfo?: AuthInfo }) => {
      seen.factory = ctx.authInfo;
      const server = new McpServer({ name: 'own', version: '1.0.0' });
      server.registerTool('whoami', { inputSchema: z.object({}) }, async (_args, handlerCtx) => {
        seen.tool = handlerCtx.http?.authInfo;
        const req = (handlerCtx.http as { req?: Request } | undefined)?.req;
        seen.authorization = req?.headers.get('authorization');
        seen.cookie = req?.headers.get('cookie');
        return { content: [{ type: 'text', text: 'ok' }] };
      });
      return server;
    },
  };
  return { module, seen };
}

const MODERN_META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'test', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

async function callTool(module: UserModule, logs: RequestLogRecord[] = [], version = '2025-11-25') {
  const app = createLazyCustomApp(async () => module, { env: { MCP_REQUIRE_CLAIMS: 'true' }, log: (r) => logs.push(r) });
  const modern = version === '2026-07-28';
  return app.handler({
    httpMethod: 'POST',
    path: '/mcp',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': version,
      ...(modern && { 'mcp-method': 'tools/call', 'mcp-name': 'whoami' }),
      Authorization: `Bearer ${TOKEN}`,
      Cookie: `session=${TOKEN}`,
    },
    multiValueHeaders: {},
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'whoami', arguments: {}, ...(modern && { _meta: MODERN_META }) },
    }),
    isBase64Encoded: false,
    requestContext: { requestId: 'r-1', authorizer: { claims: CLAIMS } },
  } as unknown as APIGatewayProxyEvent);
}

describe('the bearer token and a server of your own', () => {
  it('gives the factory the claims and no token by default, and the SDK no token', async () => {
    const { module, seen } = recording();
    const logs: RequestLogRecord[] = [];
    expect((await callTool(module, logs)).statusCode).toBe(200);
    expect(seen.factory).toMatchObject({
      token: '',
      clientId: 'client-1',
      scopes: ['openid', 'https://api.example/mcp/own'],
      extra: { sub: 'user-1', username: 'user-1', groups: ['team'] },
    });
    expect(seen.tool).toMatchObject({ token: '', clientId: 'client-1', extra: { sub: 'user-1' } });
    expect(JSON.stringify(logs)).not.toContain(TOKEN);
  });

  it('gives the factory the token when the module exports receiveBearerToken = true; the SDK still gets none', async () => {
    const { module, seen } = recording({ receiveBearerToken: true });
    expect((await callTool(module)).statusCode).toBe(200);
    expect(seen.factory).toMatchObject({ token: TOKEN, clientId: 'client-1', extra: { sub: 'user-1', groups: ['team'] } });
    expect(seen.tool?.token).toBe('');
  });

  for (const version of ['2025-11-25', '2026-07-28']) {
    it(`hands a tool handler a request without the Authorization or Cookie header (${version})`, async () => {
      const { module, seen } = recording();
      const answer = await callTool(module, [], version);
      expect(answer.statusCode).toBe(200);
      expect(answer.body).toContain('"ok"');
      expect(seen.authorization).toBeNull();
      expect(seen.cookie).toBeNull();
    });

    it(`hands a tool handler no Authorization header when the module asked for the token either (${version})`, async () => {
      // The opted-in module gets the token in its factory's ctx.authInfo.token, and only there.
      const { module, seen } = recording({ receiveBearerToken: true });
      expect((await callTool(module, [], version)).statusCode).toBe(200);
      expect(seen.factory?.token).toBe(TOKEN);
      expect(seen.authorization).toBeNull();
      expect(seen.cookie).toBeNull();
      expect(seen.tool?.token).toBe('');
    });
  }

  it('gives none with receiveBearerToken = false', async () => {
    const { module, seen } = recording({ receiveBearerToken: false });
    expect((await callTool(module)).statusCode).toBe(200);
    expect(seen.factory?.token).toBe('');
  });

  it('refuses a receiveBearerToken that is not a boolean, when the module is checked at deploy and when it loads', async () => {
    const { module } = recording({ receiveBearerToken: 'yes' });
    await expect(checkModule(module, {})).rejects.toThrow(
      "The entry exports receiveBearerToken as string: export true to get the caller's bearer token in ctx.authInfo.token, or leave it out.",
    );
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      expect((await callTool(module)).statusCode).toBe(500);
    } finally {
      process.stdout.write = write;
    }
    expect(lines.join('')).toContain('receiveBearerToken as string');
  });
});
