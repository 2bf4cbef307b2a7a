/**
 * A server written with the v1 SDK (@modelcontextprotocol/sdk 1.x), served by the `--entry` handler over
 * real HTTP on 127.0.0.1: the official v2 client in the 2026-07-28 era and the v1 client in 2025-11-25
 * connect, list, call, and get the progress and log notifications a call sends; the manifest is recorded
 * from it and a cold handler answers connect without loading the module.
 */
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer, startNodeResponse } from '../../../src/cli/dev/server.js';
import { createLazyCustomApp, recordManifest, type UserModule } from '../../../src/lambda/custom.js';
import type { Manifest } from '../../../src/lambda/protocol/fast-path.js';
import type { RequestLogRecord } from '../../../src/lambda/services/log.js';
import { connectClient } from '../../helpers/mcp-client.js';

/** Imports a fixture, counting the imports asked for (the module system caches the module itself). */
let loads = 0;
const load = (fixture: string) => () => {
  loads += 1;
  return import(`../../fixtures/entries/${fixture}/server.ts`) as Promise<UserModule>;
};

let served: DevServer | undefined;
const clients: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await served?.close();
  served = undefined;
});

async function serve(fixture: string, manifest: Manifest | 'derive' = 'derive', logs: RequestLogRecord[] = []) {
  const app = createLazyCustomApp(load(fixture), {
    env: { FIXTURE_GREETING: 'hello' },
    log: (record) => logs.push(record),
    manifest,
  });
  served = await startDevServer({ handler: app.handler, host: '127.0.0.1', port: 0 });
  return served.url;
}

async function v1Client(url: string): Promise<V1Client> {
  const client = new V1Client({ name: 'v1-test', version: '1.0.0' });
  await client.connect(new V1Transport(new URL(url)));
  clients.push(client);
  return client;
}

async function v2Client(url: string): Promise<Client> {
  const client = await connectClient(url, '2026-07-28');
  clients.push(client);
  return client;
}

const text = (result: object) => ((result as { content?: Array<{ text?: string }> }).content ?? [])[0]?.text;

describe('an SDK v1 McpServer through --entry', () => {
  it('serves the 2026-07-28 v2 client: connect, list, call, progress and log notifications', async () => {
    const client = await v2Client(await serve('v1-mcp'));
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect(client.getServerVersion()).toMatchObject({ name: 'fixture-v1', version: '1.2.3' });
    expect(client.getInstructions()).toBe('Adds and echoes (SDK v1).');
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['add', 'slow_echo', 'whoami']);
    expect(tools[0]?.inputSchema).toMatchObject({ type: 'object', required: ['a', 'b'] });
    expect(text(await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }))).toBe('5');
    expect(text(await client.callTool({ name: 'whoami', arguments: {} }))).toBe('anonymous modern hello');

    const progress: unknown[] = [];
    const messages: unknown[] = [];
    client.setNotificationHandler('notifications/message', (notification) => {
      messages.push(notification.params.data);
    });
    // A 2026-07-28 request gets log messages only when its envelope asks for them (logLevel).
    await client.callTool({ name: 'slow_echo', arguments: { text: 'unasked' } });
    expect(messages).toEqual([]);
    const echoed = await client.callTool(
      { name: 'slow_echo', arguments: { text: 'hi' }, _meta: { 'io.modelcontextprotocol/logLevel': 'info' } },
      { onprogress: (update) => progress.push(update) },
    );
    expect(text(echoed)).toBe('hi');
    expect(progress).toEqual([{ progress: 1, total: 2, message: 'halfway' }]);
    expect(messages).toEqual(['echoing hi']);
  });

  it('serves the v1 client in 2025-11-25: connect, list, call, progress and log notifications', async () => {
    const client = await v1Client(await serve('v1-mcp'));
    expect(client.getServerVersion()).toMatchObject({ name: 'fixture-v1', version: '1.2.3' });
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['add', 'slow_echo', 'whoami']);
    expect(text(await client.callTool({ name: 'add', arguments: { a: 40, b: 2 } }))).toBe('42');
    expect(text(await client.callTool({ name: 'whoami', arguments: {} }))).toBe('anonymous legacy hello');
    const progress: unknown[] = [];
    const messages: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      messages.push(notification.params.data);
    });
    const echoed = await client.callTool({ name: 'slow_echo', arguments: { text: 'yo' } }, undefined, {
      onprogress: (update) => progress.push(update),
    });
    expect(text(echoed)).toBe('yo');
    expect(progress).toEqual([{ progress: 1, total: 2, message: 'halfway' }]);
    expect(messages).toEqual(['echoing yo']);
  });

  it('answers a tool error and an unknown tool as the v1 server does', async () => {
    const client = await v1Client(await serve('v1-mcp'));
    const wrong = await client.callTool({ name: 'add', arguments: { a: 'two', b: 3 } });
    expect(wrong.isError).toBe(true);
    expect(text(wrong)).toMatch(/Input validation error/);
    const unknown = await client.callTool({ name: 'nope', arguments: {} });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/Tool nope not found/);
  });

  it('records the manifest from it, and a cold handler answers connect and tools/list without loading the module', async () => {
    const recorded = await recordManifest(load('v1-mcp'), {});
    expect('manifest' in recorded).toBe(true);
    const { manifest } = recorded as { manifest: Manifest };
    expect(manifest.tools).toEqual(['add', 'slow_echo', 'whoami']);
    loads = 0;
    const logs: RequestLogRecord[] = [];
    const url = await serve('v1-mcp', manifest, logs);
    const modern = await v2Client(url);
    expect((await modern.listTools()).tools.map((tool) => tool.name)).toEqual(['add', 'slow_echo', 'whoami']);
    const legacy = await v1Client(url);
    expect(legacy.getServerVersion()?.name).toBe('fixture-v1');
    expect(legacy.getInstructions()).toBe('Adds and echoes (SDK v1).');
    expect(loads).toBe(0);
    expect(logs.every((record) => record.path === 'fast')).toBe(true);
    expect(text(await legacy.callTool({ name: 'add', arguments: { a: 1, b: 1 } }))).toBe('2');
    expect(loads).toBe(1);
  });
});

describe('an SDK v1 server in a streaming deployment (--timeout over 29 s)', () => {
  it('passes progress and the result through the event stream, in both eras', async () => {
    const app = createLazyCustomApp(load('v1-mcp'), { env: { MCP_TIMEOUT_SECONDS: '90' }, log: () => {}, manifest: 'derive' });
    served = await startDevServer({
      handler: app.handler,
      streamingHandler: app.streamingHandler(startNodeResponse),
      host: '127.0.0.1',
      port: 0,
    });
    const progress: unknown[] = [];
    const modern = await v2Client(served.url);
    const first = await modern.callTool(
      { name: 'slow_echo', arguments: { text: 'streamed' } },
      { onprogress: (update) => progress.push(update) },
    );
    const legacy = await v1Client(served.url);
    const second = await legacy.callTool({ name: 'slow_echo', arguments: { text: 'again' } }, undefined, {
      onprogress: (update) => progress.push(update),
    });
    expect([text(first), text(second)]).toEqual(['streamed', 'again']);
    expect(progress).toEqual([
      { progress: 1, total: 2, message: 'halfway' },
      { progress: 1, total: 2, message: 'halfway' },
    ]);
  });
});

describe('an SDK v1 low-level Server through --entry', () => {
  it('serves both eras', async () => {
    const url = await serve('v1-low-level');
    for (const client of [await v2Client(url), await v1Client(url)]) {
      expect(client.getServerVersion()?.name).toBe('fixture-v1-low-level');
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['shout']);
      expect(text(await client.callTool({ name: 'shout', arguments: { text: 'hey' } }))).toBe('HEY!');
    }
  });
});
