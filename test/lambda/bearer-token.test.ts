/**
 * The caller's raw bearer token is a Cognito token of the person: no server code gets it unless it asks.
 * A server of one's own (`--entry`) gets the claims in `ctx.authInfo` with an empty `token`, and the
 * token only when its module exports `receiveBearerToken = true`; the SDK (and with it every tool
 * handler's `ctx.http.authInfo`) never gets it. Run through the deployed handler, with the authorizer's
 * claims and the Authorization header as API Gateway passes them.
 */
import type { AuthInfo } from '@modelcontextprotocol/server';
import { McpServer } from '@modelcontextprotocol/server';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/v4';
import { checkModule, createLazyCustomApp, type UserModule } from '../../src/lambda/custom.js';
import type { RequestLogRecord } from '../../src/lambda/services/log.js';

const TOKEN = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from('{"sub":"user-1"}').toString('base64url')}.c2lnbmF0dXJl`;
const CLAIMS = {
  sub: 'user-1',
  token_use: 'access',
  client_id: 'client-1',
  scope: 'openid https://api.example/mcp/own',
  username: 'user-1',
  'cognito:groups': '[team]',
};

/** A server that records what its factory and its tool see of the caller. */
function recording(exports: Omit<UserModule, 'default'> = {}) {
  const seen: { factory?: AuthInfo; tool?: AuthInfo } = {};
  const module: UserModule = {
    ...exports,
    default: (ctx: { authInfo?: AuthInfo }) => {
      seen.factory = ctx.authInfo;
      const server = new McpServer({ name: 'own', version: '1.0.0' });
      server.registerTool('whoami', { inputSchema: z.object({}) }, async (_args, handlerCtx) => {
        seen.tool = handlerCtx.http?.authInfo;
        return { content: [{ type: 'text', text: 'ok' }] };
      });
      return server;
    },
  };
  return { module, seen };
}

async function callTool(module: UserModule, logs: RequestLogRecord[] = []) {
  const app = createLazyCustomApp(async () => module, { env: { MCP_REQUIRE_CLAIMS: 'true' }, log: (r) => logs.push(r) });
  return app.handler({
    httpMethod: 'POST',
    path: '/mcp',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      'mcp-protocol-version': '2025-11-25',
      Authorization: `Bearer ${TOKEN}`,
    },
    multiValueHeaders: {},
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
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
