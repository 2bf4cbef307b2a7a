/**
 * Groups → tools: the Lambda enforces `MCP_TOOL_GROUPS` from the verified token's `cognito:groups`,
 * over real HTTP — through the stand-in of the deployed chain for dog facts (tokens signed by the fake
 * Cognito, checked by the template's authorizer), and through the handler for a server of one's own.
 */
import type { Client } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/v4';
import { type DevServer, startDevServer } from '../../src/cli/dev/server.js';
import { createApiGatewayHandler } from '../../src/lambda/edge/api-gateway.js';
import { ConfigError, parseToolGroups } from '../../src/lambda/services/config.js';
import type { RequestLogRecord } from '../../src/lambda/services/log.js';
import { createMcpHttpHandler } from '../../src/lambda/protocol/mcp-http.js';
import { connectClient, ERAS } from '../helpers/mcp-client.js';
import { type StandIn, startStandIn } from '../helpers/stand-in.js';

let chain: StandIn;
let custom: DevServer;

/**
 * The claims and the Authorization header API Gateway's Cognito authorizer passes on for a token of a
 * member of `groups` (unsigned: the authorizer checked the signature; the Lambda only decodes it): the
 * claim as the REST authorizer renders a list, and the token with the JSON array Cognito signed.
 */
function verified(groups: readonly string[] | undefined) {
  const payload = { token_use: 'access', client_id: 'c', sub: 'u', ...(groups !== undefined && { 'cognito:groups': groups }) };
  const token = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;
  const claims = { ...payload, scope: 's', ...(groups !== undefined && { 'cognito:groups': `[${groups.join(', ')}]` }) };
  return { claims, authorization: `Bearer ${token}` };
}

function ownServer(): McpServer {
  const server = new McpServer({ name: 'own', version: '1.0.0' });
  for (const name of ['open', 'deploy', 'audit']) {
    server.registerTool(name, { inputSchema: z.object({}) }, async () => ({ content: [{ type: 'text', text: `${name} ran` }] }));
  }
  return server;
}

beforeAll(async () => {
  // With the slow demo, so one tool is named for groups and one is not.
  chain = await startStandIn({ stack: { toolGroups: { getDogFacts: ['admins', 'team'] }, slowDemo: true } });
  const mcp = createMcpHttpHandler({
    factory: () => ownServer(),
    log: () => {},
    toolGroups: { deploy: ['ops'], audit: ['auditors'] },
  });
  const handler = createApiGatewayHandler(mcp);
  // Claims as the authorizer would pass them, chosen per request by a test header.
  custom = await startDevServer({
    host: '127.0.0.1',
    port: 0,
    handler: (event) => {
      // `x-test-groups: ops auditors` (space-separated names); the header is left out of the event.
      const { 'x-test-groups': groups, ...headers } = event.headers;
      const { claims, authorization } = verified(groups?.split(' '));
      return handler({
        ...event,
        headers: { ...headers, Authorization: authorization },
        requestContext: { ...event.requestContext, authorizer: { claims } },
      });
    },
  });
});
afterAll(async () => {
  await chain.close();
  await custom.close();
});

const token = (groups?: string[]) =>
  chain.cognito.accessToken({
    clientId: chain.outputs.McpOAuthClientId!,
    scope: chain.outputs.McpOAuthScope!,
    ...(groups && { groups }),
  });

async function withClient<T>(
  url: string,
  era: (typeof ERAS)[number],
  headers: Record<string, string>,
  work: (client: Client) => Promise<T>,
) {
  const client = await connectClient(url, era, headers);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

describe.each(ERAS)('dog facts through the stand-in (%s)', (era) => {
  it('shows and runs getDogFacts for a member of a group it names', async () => {
    await withClient(chain.mcpUrl, era, { Authorization: `Bearer ${token(['team'])}` }, async (client) => {
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['getDogFacts', 'getDogFactsSlowly']);
      const result = await client.callTool({ name: 'getDogFacts', arguments: { limit: 1 } });
      expect(result.isError).not.toBe(true);
    });
  });

  it('hides it from anyone else, and refuses the call naming the group it needs', async () => {
    await withClient(chain.mcpUrl, era, { Authorization: `Bearer ${token(['readers'])}` }, async (client) => {
      // Only the tool no group is named for.
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['getDogFactsSlowly']);
      await expect(client.callTool({ name: 'getDogFacts', arguments: {} })).rejects.toThrow(
        /Tool getDogFacts is for members of admins or team, and you are in only readers\. Ask the server's owner to add you \(mcp-lambda users groups add <your email> admins\)/,
      );
    });
    const refused = chain.logs.filter((record) => record.reason === 'tool_not_allowed');
    expect(refused.length).toBeGreaterThan(0);
  });

  it('does not take a member of a group named "contractors,admins" for a member of admins', async () => {
    await withClient(chain.mcpUrl, era, { Authorization: `Bearer ${token(['contractors,admins'])}` }, async (client) => {
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['getDogFactsSlowly']);
      await expect(client.callTool({ name: 'getDogFacts', arguments: {} })).rejects.toThrow(
        /Tool getDogFacts is for members of admins or team, and you are in no group\./,
      );
    });
  });
});

describe('a server of your own', () => {
  it('lists only the tools the caller may use; unnamed tools are for everyone', async () => {
    const names = (groups?: string) =>
      withClient(custom.url, '2026-07-28', groups === undefined ? {} : { 'x-test-groups': groups }, async (client) =>
        (await client.listTools()).tools.map((tool) => tool.name).sort(),
      );
    expect(await names()).toEqual(['open']);
    expect(await names('ops')).toEqual(['deploy', 'open']);
    expect(await names('ops auditors')).toEqual(['audit', 'deploy', 'open']);
    expect(await names('auditors')).toEqual(['audit', 'open']);
  });

  it('refuses a call hidden in a batch, too', async () => {
    const response = await fetch(custom.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-03-26',
      },
      body: JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'open', arguments: {} } },
        { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'deploy', arguments: {} } },
      ]),
    });
    const body = await response.json();
    expect(body).toMatchObject({
      id: 2,
      error: { code: -32602, message: expect.stringContaining('Tool deploy is for members of ops') },
    });
  });

  /** Posts a 2025-03-26 batch to the server of one's own as a member of `groups`. */
  const batch = async (groups: string, messages: unknown[]) => {
    const response = await fetch(custom.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-03-26',
        'x-test-groups': groups,
      },
      body: JSON.stringify(messages),
    });
    return (await response.json()) as Array<{ id: number; result?: { tools?: Array<{ name: string }> }; error?: unknown }>;
  };

  it('filters a tools/list that is not the first message of a batch', async () => {
    const answers = await batch('readers', [
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
    ]);
    expect(answers.find((answer) => answer.id === 1)).toMatchObject({ result: {} });
    expect(answers.find((answer) => answer.id === 2)?.result?.tools?.map((tool) => tool.name)).toEqual(['open']);
    // A member still sees the tools of the group, in the same kind of batch.
    const member = await batch('ops', [
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
    ]);
    expect(
      member
        .find((answer) => answer.id === 2)
        ?.result?.tools?.map((tool) => tool.name)
        .sort(),
    ).toEqual(['deploy', 'open']);
  });

  it('refuses a call behind a ping, and filters every tools/list of a batch', async () => {
    const call = await batch('readers', [
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'audit', arguments: {} } },
    ]);
    expect(call).toMatchObject({
      id: 2,
      error: { code: -32602, message: expect.stringContaining('Tool audit is for members of auditors') },
    });
    const lists = await batch('readers', [
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
    ]);
    expect(lists.map((answer) => answer.result?.tools?.map((tool) => tool.name))).toEqual([['open'], ['open']]);
  });
});

describe('tool names that Object.prototype also has', () => {
  const records: RequestLogRecord[] = [];
  const handlerWith = (toolGroups: Readonly<Record<string, readonly string[]>>) =>
    createApiGatewayHandler(
      createMcpHttpHandler({ factory: () => ownServer(), log: (record) => records.push(record), toolGroups }),
    );
  // Read as the Lambda reads MCP_TOOL_GROUPS (`constructor` and `__proto__` are tools like any other), and
  // as a plain object literal, whose prototype has them all.
  const configured = handlerWith(parseToolGroups('{"deploy":["ops"],"constructor":["ops"],"__proto__":["ops"]}')!);
  const literal = handlerWith({ deploy: ['ops'] });
  let calls = 0;
  const call = async (handler: typeof literal, name: string, groups: string) => {
    const requestId = `call-${(calls += 1)}`;
    const result = await handler({
      httpMethod: 'POST',
      path: '/mcp',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'mcp-protocol-version': '2025-11-25',
        Authorization: verified([groups]).authorization,
      },
      multiValueHeaders: {},
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name, arguments: {} } }),
      isBase64Encoded: false,
      requestContext: { requestId, authorizer: { claims: verified([groups]).claims } },
    } as unknown as APIGatewayProxyEvent);
    return { result, logged: records.filter((record) => record.requestId === requestId) };
  };

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
    'answers a call of %s with a JSON-RPC error, and logs it',
    async (name) => {
      for (const [handler, restricted] of [
        [configured, name === 'constructor' || name === '__proto__'],
        [literal, false],
      ] as const) {
        const { result, logged } = await call(handler, name, 'readers');
        expect(result.statusCode).toBe(200);
        const answer = JSON.parse(result.body);
        expect(answer).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32602 } });
        // A restricted one is refused for the group it needs; the others are unknown tools to the server.
        if (restricted) expect(answer.error.message).toContain(`Tool ${name} is for members of ops`);
        else expect(answer.error.message).not.toContain('is for members of');
        expect(logged).toMatchObject([{ msg: 'request', rpcMethod: 'tools/call', tool: name, status: 200 }]);
      }
    },
  );

  it('lets a member of the group through to the server', async () => {
    const { result } = await call(configured, 'constructor', 'ops');
    // Past the group check, the server itself answers (it has no such tool).
    expect(JSON.parse(result.body).error.message).not.toContain('is for members of');
  });
});

describe('reading the configuration and the claims', () => {
  it.each([
    ['not JSON', '{nope', /must be JSON like/],
    ['a list', '["admins"]', /must be a JSON object/],
    ['an empty group list', '{"deploy":[]}', /"deploy" must map to a non-empty list/],
    ['a group that is not a string', '{"deploy":[1]}', /non-empty list of group names/],
  ])('refuses MCP_TOOL_GROUPS that is %s', (_name, value, message) => {
    expect(() => parseToolGroups(value)).toThrow(ConfigError);
    expect(() => parseToolGroups(value)).toThrow(message);
  });

  it.each([
    [
      'a group name holding a comma',
      '{"deploy":["contractors,admins"]}',
      'group name "contractors,admins" of "deploy" is not valid: it has ","',
    ],
    ['a group name holding a bracket', '{"deploy":["[admins"]}', 'it has "["'],
    ['a group name holding a space', '{"deploy":["two words"]}', 'it has whitespace'],
  ])('refuses MCP_TOOL_GROUPS with %s', (_name, value, message) => {
    expect(() => parseToolGroups(value)).toThrow(ConfigError);
    expect(() => parseToolGroups(value)).toThrow(message);
  });

  it('keeps a tool named __proto__ or constructor as an entry of its own', () => {
    const groups = parseToolGroups('{"__proto__":["ops"],"constructor":["ops"]}')!;
    expect(Object.keys(groups)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(groups)).toBeNull();
  });
});

describe("the authorizer's rendering of cognito:groups alone grants nothing", () => {
  const handler = createApiGatewayHandler(
    createMcpHttpHandler({ factory: () => ownServer(), log: () => {}, toolGroups: { deploy: ['admins'] } }),
  );
  /** A tools/list with these claims and this Authorization header (none: null). */
  const list = async (claims: Record<string, unknown>, authorization: string | null) => {
    const result = await handler({
      httpMethod: 'POST',
      path: '/mcp',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'mcp-protocol-version': '2025-11-25',
        ...(authorization !== null && { Authorization: authorization }),
      },
      multiValueHeaders: {},
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      isBase64Encoded: false,
      requestContext: { requestId: 'r', authorizer: { claims } },
    } as unknown as APIGatewayProxyEvent);
    return (JSON.parse(result.body).result.tools as Array<{ name: string }>).map((tool) => tool.name).sort();
  };

  it('reads the groups of the token the authorizer verified, sent with or without "Bearer "', async () => {
    const { claims, authorization } = verified(['admins']);
    expect(await list(claims, authorization)).toEqual(['audit', 'deploy', 'open']);
    expect(await list(claims, authorization.slice('Bearer '.length))).toEqual(['audit', 'deploy', 'open']);
  });

  it.each([
    ['[admins, team]', null],
    ['admins,team', null],
    ['admins', 'Bearer not-a-jwt'],
    // The review's report: a member of "contractors,admins" sends the token without "Bearer ".
    ['contractors,admins', 'raw'],
    ['[contractors,admins]', 'raw'],
  ])('gives no group for the rendering %j when the token is not there to match (%s)', async (rendering, header) => {
    const { claims, authorization } = verified(['contractors,admins']);
    const sent = header === 'raw' ? authorization.slice('Bearer '.length) : header;
    expect(await list({ ...claims, 'cognito:groups': rendering }, sent)).toEqual(['audit', 'open']);
  });
});

describe('logging tool errors', () => {
  it('logs a tool result with isError, or a tool that throws, at error level with the tool name', async () => {
    const records: RequestLogRecord[] = [];
    const server = () => {
      const s = new McpServer({ name: 'e', version: '1' });
      s.registerTool('fails', { inputSchema: z.object({}) }, async () => ({
        content: [{ type: 'text', text: 'no' }],
        isError: true,
      }));
      s.registerTool('throws', { inputSchema: z.object({}) }, async () => {
        throw new Error('boom');
      });
      s.registerTool('works', { inputSchema: z.object({}) }, async () => ({ content: [{ type: 'text', text: 'ok' }] }));
      return s;
    };
    const handler = createApiGatewayHandler(createMcpHttpHandler({ factory: server, log: (r) => records.push(r) }));
    const dev = await startDevServer({ handler, host: '127.0.0.1', port: 0 });
    try {
      await withClient(dev.url, '2025-11-25', {}, async (client) => {
        for (const name of ['fails', 'throws', 'works']) await client.callTool({ name, arguments: {} });
      });
      const calls = records.filter((r) => r.rpcMethod === 'tools/call').map((r) => [r.tool, r.level, r.toolError ?? false]);
      expect(calls).toEqual([
        ['fails', 'error', true],
        ['throws', 'error', true],
        ['works', 'info', false],
      ]);
    } finally {
      await dev.close();
    }
  });
});
