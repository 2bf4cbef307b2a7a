/**
 * A Lambda's lists never change and no instance can hold a stream: every server advertises
 * `listChanged: false`, and `subscriptions/listen` is answered at once with the spec's acknowledgement
 * of an empty filter and a graceful completion — over real HTTP, with the official client where it can.
 */
import { McpServer } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/v4';
import { type DevServer, startDevServer } from '../../src/cli/dev/server.js';
import { createApiGatewayHandler } from '../../src/lambda/edge/api-gateway.js';
import { createLambdaApp } from '../../src/lambda/app.js';
import type { RequestLogRecord } from '../../src/lambda/services/log.js';
import { createMcpHttpHandler } from '../../src/lambda/protocol/mcp-http.js';
import { type FakeDogApi, startFakeDogApi } from '../helpers/fake-dog-api.js';
import { connectClient, ERAS } from '../helpers/mcp-client.js';

let dogApi: FakeDogApi;
let dogFacts: DevServer;
let custom: DevServer;
const logs: RequestLogRecord[] = [];

/** A server that asks for everything a Lambda cannot deliver. */
function greedyServer(): McpServer {
  const server = new McpServer(
    { name: 'greedy', version: '1.0.0' },
    { capabilities: { tools: { listChanged: true }, resources: { listChanged: true, subscribe: true } } },
  );
  server.registerTool('echo', { inputSchema: z.object({ text: z.string() }) }, async ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  server.registerResource('note', 'note://one', {}, async () => ({ contents: [{ uri: 'note://one', text: 'hi' }] }));
  server.registerPrompt('hello', {}, async () => ({ messages: [] }));
  return server;
}

beforeAll(async () => {
  dogApi = await startFakeDogApi();
  const app = createLambdaApp({ DOG_API_BASE_URL: dogApi.baseUrl }, (record) => logs.push(record));
  dogFacts = await startDevServer({ handler: app.handler, host: '127.0.0.1', port: 0 });
  const mcp = createMcpHttpHandler({ factory: () => greedyServer(), log: (record) => logs.push(record) });
  custom = await startDevServer({ handler: createApiGatewayHandler(mcp), host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await dogFacts.close();
  await custom.close();
  await dogApi.close();
});

function listenRequest(id: number, notifications: Record<string, unknown>) {
  return {
    jsonrpc: '2.0',
    id,
    method: 'subscriptions/listen',
    params: {
      _meta: {
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
        'io.modelcontextprotocol/clientCapabilities': {},
      },
      notifications,
    },
  };
}

/** SSE `data:` payloads of a finished response. */
function events(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice('data: '.length)) as Record<string, unknown>);
}

async function listen(url: string, id: number, notifications: Record<string, unknown>) {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'subscriptions/listen',
    },
    body: JSON.stringify(listenRequest(id, notifications)),
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  return { status: response.status, text, ms: performance.now() - started };
}

describe.each([
  ['dog-facts', () => dogFacts.url],
  ['a server that sets listChanged and subscribe itself', () => custom.url],
])('%s', (_name, url) => {
  it.each(ERAS)('advertises lists that never change (%s)', async (era) => {
    const client = await connectClient(url(), era);
    try {
      const capabilities = client.getServerCapabilities();
      expect(capabilities?.tools).toEqual({ listChanged: false });
      if (capabilities?.resources) expect(capabilities.resources).toEqual({ listChanged: false, subscribe: false });
      if (capabilities?.prompts) expect(capabilities.prompts).toEqual({ listChanged: false });
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });

  it('acknowledges a listen for every change type with an empty filter and completes it at once', async () => {
    const answer = await listen(url(), 41, {
      toolsListChanged: true,
      promptsListChanged: true,
      resourcesListChanged: true,
      resourceSubscriptions: ['note://one'],
    });
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeLessThan(1000);
    const [ack, done, ...rest] = events(answer.text);
    expect(ack).toMatchObject({
      method: 'notifications/subscriptions/acknowledged',
      params: { notifications: {}, _meta: { 'io.modelcontextprotocol/subscriptionId': 41 } },
    });
    expect(done).toMatchObject({ id: 41, result: { resultType: 'complete' } });
    expect(rest).toEqual([]);
  });

  it('keeps nothing per listen: 1,100 in one process (past the SDK’s 1,024-subscription table) are all answered', async () => {
    for (let id = 1; id <= 1100; id += 1) {
      const answer = await listen(url(), id, { toolsListChanged: true });
      if (answer.status !== 200 || !answer.text.includes('"resultType":"complete"')) {
        throw new Error(`listen ${id} answered ${answer.status}: ${answer.text.slice(0, 200)}`);
      }
    }
  }, 60_000);

  it('the official 2026-07-28 client gets its listen acknowledged with nothing honoured', async () => {
    const client = await connectClient(url(), '2026-07-28');
    try {
      const started = performance.now();
      const subscription = await client.listen({ toolsListChanged: true });
      expect(performance.now() - started).toBeLessThan(1000);
      expect(subscription.honoredFilter).toEqual({});
      expect(await subscription.closed).toBe('graceful');
      await subscription.close();
    } finally {
      await client.close();
    }
  });
});

it('logs a listen with the size and duration of what was really sent', async () => {
  logs.length = 0;
  const answer = await listen(dogFacts.url, 7, { toolsListChanged: true });
  const record = logs.find((r) => r.rpcMethod === 'subscriptions/listen');
  expect(record).toMatchObject({ status: 200, era: 'modern', responseBytes: Buffer.byteLength(answer.text) });
  expect(record?.durationMs).toBeLessThan(1000);
});
