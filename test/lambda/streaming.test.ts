/**
 * A streaming deployment (`--timeout` over 29 s) over real HTTP: the dev server serves the Lambda's
 * streaming handler, as API Gateway's STREAM integration does. A 60-second tool runs on a clock a hundred
 * times faster than real time; its progress must reach the client while it runs, before its result.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer, startNodeResponse } from '../../src/cli/dev/server.js';
import { createLambdaApp } from '../../src/lambda/app.js';
import { scaledClock } from '../../src/lambda/services/clock.js';
import type { RequestLogRecord } from '../../src/lambda/services/log.js';
import { type FakeDogApi, startFakeDogApi } from '../helpers/fake-dog-api.js';
import { connectClient, ERAS } from '../helpers/mcp-client.js';

/** Virtual seconds per real second. */
const SPEED = 100;

let dogApi: FakeDogApi;
let streamed: DevServer;
let buffered: DevServer;
const logs: RequestLogRecord[] = [];

beforeAll(async () => {
  dogApi = await startFakeDogApi();
  const clock = scaledClock(SPEED);
  // getDogFactsSlowly is there only when the deployment asks for it (deploy --slow-demo sets MCP_SLOW_DEMO).
  const app = createLambdaApp(
    { DOG_API_BASE_URL: dogApi.baseUrl, MCP_TIMEOUT_SECONDS: '90', MCP_SLOW_DEMO: '1' },
    (r) => logs.push(r),
    {
      clock,
    },
  );
  streamed = await startDevServer({
    handler: app.handler,
    streamingHandler: app.streamingHandler(startNodeResponse),
    host: '127.0.0.1',
    port: 0,
  });
  const short = createLambdaApp({ DOG_API_BASE_URL: dogApi.baseUrl, MCP_SLOW_DEMO: '1' }, () => {}, { clock });
  buffered = await startDevServer({ handler: short.handler, host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await streamed.close();
  await buffered.close();
  await dogApi.close();
});

interface Arrival {
  readonly at: number;
  readonly text: string;
  /** Requests the Dog API had received when the chunk arrived (the tool asks it only after its wait). */
  readonly dogApiRequests: number;
}

/** POSTs a body and records each chunk of the answer with the time it arrived. */
function post(
  url: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; type?: string; chunks: Arrival[] }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const started = performance.now();
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'content-length': Buffer.byteLength(text),
          ...headers,
        },
      },
      (res) => {
        const chunks: Arrival[] = [];
        res.setEncoding('utf8');
        res.on('data', (chunk: string) =>
          chunks.push({ at: performance.now() - started, text: chunk, dogApiRequests: dogApi.requests.length }),
        );
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            ...(res.headers['content-type'] && { type: res.headers['content-type'] }),
            chunks,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

/** The JSON-RPC messages of an event stream, each with the time its data line arrived. */
function events(
  chunks: readonly Arrival[],
): Array<{ at: number; dogApiRequests: number; message: { method?: string; params?: any; result?: any } }> {
  const found: Array<{ at: number; dogApiRequests: number; message: any }> = [];
  let pending = '';
  for (const chunk of chunks) {
    pending += chunk.text;
    let end: number;
    while ((end = pending.indexOf('\n\n')) !== -1) {
      const event = pending.slice(0, end);
      pending = pending.slice(end + 2);
      const data = event
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n');
      if (data !== '') found.push({ at: chunk.at, dogApiRequests: chunk.dogApiRequests, message: JSON.parse(data) });
    }
  }
  return found;
}

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'streaming-test', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

const slowCall = (seconds: number, meta: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id: 7,
  method: 'tools/call',
  params: { name: 'getDogFactsSlowly', arguments: { seconds, limit: 2 }, _meta: meta },
});

describe('a streaming deployment (--timeout 90)', () => {
  it.each([
    ['2025-11-25', { 'mcp-protocol-version': '2025-11-25' }, {}],
    [
      '2026-07-28',
      { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'getDogFactsSlowly' },
      ENVELOPE,
    ],
  ])('writes a 60 s tool call’s progress as it happens, then its result (%s)', async (_era, headers, envelope) => {
    const before = dogApi.requests.length;
    const answer = await post(streamed.url, slowCall(60, { ...envelope, progressToken: 'p1' }), headers);
    expect(answer.status).toBe(200);
    expect(answer.type).toContain('text/event-stream');
    const messages = events(answer.chunks);
    const progress = messages.filter((event) => event.message.method === 'notifications/progress');
    const result = messages.find((event) => event.message.result !== undefined);
    // Every 5 s of the 60: twelve progress events, counting up to the total.
    expect(progress.map((event) => event.message.params.progress)).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60]);
    expect(progress[0]?.message.params).toMatchObject({ progressToken: 'p1', total: 60, message: 'Waited 5 of 60 s' });
    expect(result?.message.result.structuredContent).toEqual({ facts: ['Dog fact number 1.', 'Dog fact number 2.'] });
    // They arrived during the wait, not all at the end: when the first came, the tool had not yet asked
    // the Dog API for its facts (it does so only after waiting).
    expect(progress[0]!.dogApiRequests).toBe(before);
    expect(result!.dogApiRequests).toBe(before + 1);
    // Logged once, when the stream ended, with what was sent.
    const record = logs.findLast((entry) => entry.tool === 'getDogFactsSlowly');
    expect(record).toMatchObject({ status: 200, rpcMethod: 'tools/call' });
    expect(record?.responseBytes).toBe(Buffer.byteLength(answer.chunks.map((chunk) => chunk.text).join('')));
    expect(record?.durationMs).toBeGreaterThan(500);
  });

  it('keeps a silent stream open with keep-alive comments between events', async () => {
    // No progress token: nothing to say for 60 s, so the stream carries comments (every 15 s).
    const answer = await post(streamed.url, slowCall(60), { 'mcp-protocol-version': '2025-11-25' });
    const text = answer.chunks.map((chunk) => chunk.text).join('');
    expect(text.match(/^: keep-alive$/gm)?.length ?? 0).toBeGreaterThanOrEqual(2);
    // Comments never split an event: every data line is whole JSON, and the result is last.
    const messages = events(answer.chunks);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.message.result.structuredContent.facts).toHaveLength(2);
  });

  it.each(ERAS)('the official SDK client gets the progress before the result (%s)', async (era) => {
    const client = await connectClient(streamed.url, era);
    try {
      const seen: number[] = [];
      const result = await client.callTool(
        { name: 'getDogFactsSlowly', arguments: { seconds: 20, limit: 1 } },
        { onprogress: (progress) => seen.push(progress.progress), resetTimeoutOnProgress: true },
      );
      expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(result.structuredContent).toEqual({ facts: ['Dog fact number 1.'] });
    } finally {
      await client.close();
    }
  });

  it('answers everything else as before: one JSON body', async () => {
    const answer = await post(
      streamed.url,
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { 'mcp-protocol-version': '2025-11-25' },
    );
    expect(answer.type).toContain('application/json');
    expect(JSON.parse(answer.chunks.map((chunk) => chunk.text).join('')).result.tools).toHaveLength(2);
  });

  it('refuses a wait longer than the deployment allows, saying what to change', async () => {
    const answer = await post(streamed.url, slowCall(120), { 'mcp-protocol-version': '2025-11-25', accept: 'application/json' });
    const message = JSON.parse(answer.chunks.map((chunk) => chunk.text).join(''));
    expect(message.result.isError).toBe(true);
    expect(message.result.content[0].text).toBe(
      'This deployment ends a request after 90 s, so it can wait at most 86 s. Deploy with a longer --timeout (up to 900 s) for longer tools.',
    );
  });
});

describe('a buffered deployment (the default 29 s)', () => {
  it('still answers a short slow call, its progress and result together at the end', async () => {
    const answer = await post(buffered.url, slowCall(3, { progressToken: 'p' }), { 'mcp-protocol-version': '2025-11-25' });
    const messages = events(answer.chunks);
    expect(messages.filter((event) => event.message.method === 'notifications/progress')).toHaveLength(3);
    expect(answer.chunks).toHaveLength(1);
  });

  it('refuses a 60 s wait: it cannot finish within 29 s', async () => {
    const answer = await post(buffered.url, slowCall(60), { 'mcp-protocol-version': '2025-11-25', accept: 'application/json' });
    expect(JSON.parse(answer.chunks[0]!.text).result.content[0].text).toContain('can wait at most 25 s');
  });
});

describe('the streaming handler and bad events', () => {
  it.each([
    ['not a proxy event', { hello: 'world' }, 400, -32600],
    ['a method it does not serve', { httpMethod: 'TRACE', path: '/mcp', headers: {}, body: null }, 405, -32000],
    [
      'a body that is not base64',
      { httpMethod: 'POST', path: '/mcp', headers: {}, body: 'x!', isBase64Encoded: true },
      400,
      -32700,
    ],
  ])('answers %s with its status and a JSON-RPC error, then ends the stream', async (_name, event, status, code) => {
    const app = createLambdaApp({ DOG_API_BASE_URL: dogApi.baseUrl, MCP_TIMEOUT_SECONDS: '90' }, () => {});
    const written: string[] = [];
    let metadata: { statusCode: number; headers: Record<string, string> } | undefined;
    let ended = false;
    const handler = app.streamingHandler<null>((_stream, head) => {
      metadata = head;
      return { write: (chunk) => written.push(chunk), end: () => (ended = true) };
    });
    await handler(event as never, null);
    expect(metadata?.statusCode).toBe(status);
    expect(JSON.parse(written.join('')).error.code).toBe(code);
    expect(ended).toBe(true);
  });
});
