/**
 * What an SDK v1 server gets through `--entry`: the same factory context as a v2 server (era, caller,
 * request id, env), the caller in its handlers' `extra.authInfo` without the bearer token, and clear
 * errors for what cannot be served. And what tells a v1 server from a v2 one: never a v2 server taken
 * for v1.
 */
import { McpServer as V1McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { Server as V1LowLevelServer } from '@modelcontextprotocol/sdk/server/index.js';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpServer, Server } from '@modelcontextprotocol/server';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { checkModule, createLazyCustomApp, type ServerContext, type UserModule } from '../../../src/lambda/custom.js';
import { isV1Server } from '../../../src/lambda/sdk-v1/detect.js';

const PAYLOAD = { sub: 'user-1', token_use: 'access', client_id: 'client-1', username: 'user-1' };
const TOKEN = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(PAYLOAD)).toString('base64url')}.c2lnbmF0dXJl`;
const CLAIMS = { ...PAYLOAD, scope: 'openid https://api.example/mcp/own' };
const MODERN_META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'test', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** A v1 server recording what its factory and its tool handler see. */
function recording(exports: Omit<UserModule, 'default'> = {}) {
  const seen: { factory?: ServerContext; tool?: unknown } = {};
  const module: UserModule = {
    ...exports,
    default: (ctx: ServerContext) => {
      seen.factory = ctx;
      const server = new V1McpServer({ name: 'v1-own', version: '1.0.0' });
      server.registerTool('whoami', { description: 'who' }, async (extra) => {
        seen.tool = extra.authInfo;
        return { content: [{ type: 'text', text: 'ok' }] };
      });
      return server;
    },
  };
  return { module, seen };
}

async function call(module: UserModule, version: string, name = 'whoami', env: Record<string, string> = {}) {
  const app = createLazyCustomApp(async () => module, { env: { MCP_REQUIRE_CLAIMS: 'true', ...env }, log: () => {} });
  const modern = version === '2026-07-28';
  const answer = await app.handler({
    httpMethod: 'POST',
    path: '/mcp',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      'mcp-protocol-version': version,
      ...(modern && { 'mcp-method': 'tools/call', 'mcp-name': name }),
      Authorization: `Bearer ${TOKEN}`,
    },
    multiValueHeaders: {},
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name, arguments: {}, ...(modern && { _meta: MODERN_META }) },
    }),
    isBase64Encoded: false,
    requestContext: { requestId: 'req-42', authorizer: { claims: CLAIMS } },
  } as unknown as APIGatewayProxyEvent);
  return {
    status: answer.statusCode,
    body: JSON.parse(answer.body) as { result?: { content?: unknown[]; isError?: boolean }; error?: { message: string } },
  };
}

describe('the context of an SDK v1 server', () => {
  for (const [version, era] of [
    ['2025-11-25', 'legacy'],
    ['2026-07-28', 'modern'],
  ] as const) {
    it(`gives the factory era, caller, request id and env, and the handler the caller without the token (${version})`, async () => {
      const { module, seen } = recording({ receiveBearerToken: true });
      const { status, body } = await call(module, version);
      expect(status).toBe(200);
      expect(body.result?.content).toEqual([{ type: 'text', text: 'ok' }]);
      expect(seen.factory).toMatchObject({
        era,
        requestId: 'req-42',
        env: { MCP_REQUIRE_CLAIMS: 'true' },
        authInfo: { token: TOKEN, clientId: 'client-1', extra: { sub: 'user-1' } },
      });
      expect(seen.tool).toMatchObject({ token: '', clientId: 'client-1', extra: { sub: 'user-1' } });
    });
  }

  it('says so when the factory hands out one v1 server for every request: at the check, and on the second request', async () => {
    const shared = new V1McpServer({ name: 'shared', version: '1.0.0' });
    shared.registerTool('whoami', { description: 'who' }, async () => ({ content: [{ type: 'text', text: 'ok' }] }));
    const module: UserModule = { default: () => shared };
    await expect(checkModule(module, {})).rejects.toThrow(
      "The entry's factory returns the same SDK v1 server for every request. Return a new server from every call",
    );
    const app = createLazyCustomApp(async () => ({ default: () => shared }), { env: {}, log: () => {} });
    const event = (id: number) =>
      ({
        httpMethod: 'POST',
        path: '/mcp',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'mcp-protocol-version': '2025-11-25' },
        multiValueHeaders: {},
        body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
        isBase64Encoded: false,
        requestContext: { requestId: `r-${id}` },
      }) as unknown as APIGatewayProxyEvent;
    expect((await app.handler(event(1))).statusCode).toBe(200);
    expect((await app.handler(event(2))).statusCode).toBe(500);
  });

  it('gives a clear error for a v1 server the factory connected elsewhere', async () => {
    const { InMemoryTransport } = await import('@modelcontextprotocol/sdk/inMemory.js');
    const module: UserModule = {
      default: async () => {
        const held = new V1McpServer({ name: 'held', version: '1.0.0' });
        await held.connect(InMemoryTransport.createLinkedPair()[0]);
        return held;
      },
    };
    await expect(checkModule(module, {})).rejects.toThrow(
      "The entry's factory returned an SDK v1 server that could not be connected (Already connected to a transport.",
    );
  });

  it('answers a tool that asks the client for sampling with an error saying it is not available', async () => {
    const module: UserModule = {
      default: () => {
        const server = new V1McpServer({ name: 'asks', version: '1.0.0' });
        server.registerTool('ask', { description: 'asks the model' }, async () => {
          await server.server.createMessage({ messages: [], maxTokens: 10 });
          return { content: [{ type: 'text', text: 'answered' }] };
        });
        return server;
      },
    };
    const { status, body } = await call(module, '2025-11-25', 'ask');
    expect(status).toBe(200);
    expect(body.result?.isError).toBe(true);
    expect(JSON.stringify(body.result?.content)).toContain(
      'This tool asked for sampling (asking the client’s model), which is not available on this host',
    );
  });

  it('refuses a factory that returns something else, naming both SDKs', async () => {
    await expect(checkModule({ default: () => ({ name: 'not a server' }) }, {})).rejects.toThrow(
      "The entry's factory returned an object (name), not an McpServer (of @modelcontextprotocol/server, or of @modelcontextprotocol/sdk 1.x).",
    );
    await expect(checkModule({ default: async () => undefined }, {})).rejects.toThrow(
      "The entry's factory returned undefined, not an McpServer",
    );
  });
});

describe('telling an SDK v1 server from a v2 one', () => {
  it('takes v1 McpServer and Server for v1', () => {
    expect(isV1Server(new V1McpServer({ name: 'a', version: '1' }))).toBe(true);
    expect(isV1Server(new V1LowLevelServer({ name: 'a', version: '1' }, { capabilities: {} }))).toBe(true);
  });

  it('never takes a v2 server, a v1 client or a look-alike for v1', () => {
    const v2 = new McpServer({ name: 'a', version: '1' });
    expect(isV1Server(v2)).toBe(false);
    expect(isV1Server(v2.server)).toBe(false);
    expect(isV1Server(new Server({ name: 'a', version: '1' }, { capabilities: {} }))).toBe(false);
    expect(isV1Server(new V1Client({ name: 'a', version: '1' }))).toBe(false);
    for (const value of [undefined, null, 0, 'server', {}, { connect() {} }, { server: {}, connect() {}, tool() {} }]) {
      expect(isV1Server(value)).toBe(false);
    }
  });
});
