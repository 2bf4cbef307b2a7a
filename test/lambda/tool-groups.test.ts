/**
 * Groups → tools: the Lambda enforces `MCP_TOOL_GROUPS` from the verified token's `cognito:groups`,
 * over real HTTP — through the stand-in of the deployed chain for dog facts (tokens signed by the fake
 * Cognito, checked by the template's authorizer), and through the handler for a server of one's own.
 */
import type { Client } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/v4';
import { type DevServer, startDevServer } from '../../src/cli/dev/server.js';
import { createApiGatewayHandler } from '../../src/lambda/api-gateway.js';
import { groupsOf } from '../../src/lambda/auth.js';
import { ConfigError, parseToolGroups } from '../../src/lambda/config.js';
import type { RequestLogRecord } from '../../src/lambda/log.js';
import { createMcpHttpHandler } from '../../src/lambda/mcp-http.js';
import { connectClient, ERAS } from '../helpers/mcp-client.js';
import { type StandIn, startStandIn } from '../helpers/stand-in.js';

let chain: StandIn;
let custom: DevServer;

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
      const groups = event.headers['x-test-groups'];
      const claims = {
        token_use: 'access',
        client_id: 'c',
        scope: 's',
        sub: 'u',
        ...(groups !== undefined && { 'cognito:groups': groups }),
      };
      return handler({ ...event, requestContext: { ...event.requestContext, authorizer: { claims } } });
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
});

describe('a server of your own', () => {
  it('lists only the tools the caller may use; unnamed tools are for everyone', async () => {
    const names = (groups?: string) =>
      withClient(custom.url, '2026-07-28', groups === undefined ? {} : { 'x-test-groups': groups }, async (client) =>
        (await client.listTools()).tools.map((tool) => tool.name).sort(),
      );
    expect(await names()).toEqual(['open']);
    expect(await names('[ops]')).toEqual(['deploy', 'open']);
    expect(await names('[ops, auditors]')).toEqual(['audit', 'deploy', 'open']);
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
    [{ 'cognito:groups': '[admins, team]' }, ['admins', 'team']],
    [{ 'cognito:groups': 'admins' }, ['admins']],
    [{ 'cognito:groups': ['a', 'b'] }, ['a', 'b']],
    [{ 'cognito:groups': '' }, []],
    [{}, []],
  ])('reads the groups in %j', (claims, groups) => {
    expect(groupsOf(claims)).toEqual(groups);
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
