/**
 * The Streamable HTTP rules, over real HTTP: fetch → dev server → API Gateway event → adapter → handler.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../../../src/cli/dev/server.js';
import { createLambdaApp } from '../../../src/lambda/app.js';
import type { RequestLogRecord } from '../../../src/lambda/services/log.js';
import { type FakeDogApi, startFakeDogApi } from '../../helpers/fake-dog-api.js';

let dogApi: FakeDogApi;
let server: DevServer;
const logs: RequestLogRecord[] = [];

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const LEGACY_HEADERS = { ...JSON_HEADERS, 'mcp-protocol-version': '2025-11-25' };

beforeAll(async () => {
  dogApi = await startFakeDogApi();
  const app = createLambdaApp(
    {
      DOG_API_BASE_URL: dogApi.baseUrl,
      MCP_MAX_BODY_BYTES: '2048',
      MCP_ALLOWED_ORIGINS: 'https://app.example.com,http://localhost:*',
    },
    (r) => logs.push(r),
  );
  server = await startDevServer({ handler: app.handler, host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server.close();
  await dogApi.close();
});

async function post(body: string, headers: Record<string, string> = LEGACY_HEADERS) {
  const response = await fetch(server.url, { method: 'POST', headers, body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** A POST with exactly these headers (fetch would add Accept and Content-Type of its own). */
function rawPost(body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      server.url,
      { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function rpcError(text: string): { code: number; message: string } {
  return JSON.parse(text).error;
}

describe('Streamable HTTP rules', () => {
  it('answers initialize with JSON', async () => {
    const response = await post(JSON.stringify(INITIALIZE));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(JSON.parse(response.text).result.serverInfo.name).toBe('dog-facts');
  });

  it('answers a notification with 202 and no body', async () => {
    const response = await post(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    expect(response.status).toBe(202);
    expect(response.text).toBe('');
  });

  it.each(['GET', 'DELETE', 'PUT'])('answers %s with 405 and Allow', async (method) => {
    const response = await fetch(server.url, { method, headers: { accept: 'text/event-stream' } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST, OPTIONS');
    expect(rpcError(await response.text()).message).toContain(`Method not allowed: ${method}`);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['missing', undefined],
    ['form', 'application/x-www-form-urlencoded'],
  ])('answers a %s Content-Type with 415', async (_name, contentType) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (contentType) headers['content-type'] = contentType;
    const response = await rawPost(JSON.stringify(INITIALIZE), headers);
    expect(response.status).toBe(415);
    expect(rpcError(response.text).message).toContain('Content-Type must be application/json');
  });

  it('accepts application/json with a charset', async () => {
    const response = await post(JSON.stringify(INITIALIZE), {
      ...LEGACY_HEADERS,
      'content-type': 'application/json; charset=utf-8',
    });
    expect(response.status).toBe(200);
  });

  it.each([
    ['2025-11-25', 'application/json'],
    ['2025-06-18', 'application/json'],
    ['2025-11-25', '*/*'],
    ['2025-11-25', 'application/json; q=0.9'],
  ])('answers a %s client that accepts only %s with JSON', async (version, accept) => {
    const response = await rawPost(
      JSON.stringify({ ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion: version } }),
      {
        'content-type': 'application/json',
        accept,
        'mcp-protocol-version': version,
      },
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text).result.serverInfo.name).toBe('dog-facts');
  });

  it.each([
    ['missing', undefined],
    ['text/html only', 'text/html'],
  ])('answers a %s Accept with 406', async (_name, accept) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (accept) headers.accept = accept;
    const response = await rawPost(JSON.stringify(INITIALIZE), headers);
    expect(response.status).toBe(406);
    expect(rpcError(response.text).message).toContain('Accept must include application/json');
  });

  it.each([
    ['truncated JSON', '{"jsonrpc":"2.0","id":1,"method":'],
    ['not JSON', 'hello'],
    ['empty body', ''],
  ])('answers %s with 400 and a JSON-RPC parse error', async (_name, body) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(rpcError(response.text)).toEqual({ code: -32700, message: expect.stringMatching(/^Parse error/) });
  });

  it('answers a body over the configured cap with 413', async () => {
    const big = JSON.stringify({ ...INITIALIZE, params: { ...INITIALIZE.params, padding: 'x'.repeat(4096) } });
    const response = await post(big);
    expect(response.status).toBe(413);
    expect(rpcError(response.text).message).toContain('over 2048 bytes');
  });

  it('answers an unknown method with JSON-RPC -32601', async () => {
    const response = await post(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'dogs/bark' }));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toMatchObject({ id: 7, error: { code: -32601 } });
  });

  it('answers a JSON value that is not JSON-RPC with 400', async () => {
    const response = await post('{"hello":"world"}');
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text).error.code).toBeLessThan(0);
  });

  it('refuses a disallowed Origin with 403', async () => {
    const response = await post(JSON.stringify(INITIALIZE), { ...LEGACY_HEADERS, origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect(rpcError(response.text).message).toContain('origin https://evil.example is not allowed');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves an allowed Origin with CORS headers', async () => {
    const response = await post(JSON.stringify(INITIALIZE), { ...LEGACY_HEADERS, origin: 'https://app.example.com' });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('answers a CORS preflight from an allowed origin', async () => {
    const response = await fetch(server.url, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:6274', 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:6274');
    expect(response.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(response.headers.get('access-control-allow-headers')).toContain('Authorization');
    expect(response.headers.get('access-control-allow-headers')).toContain('MCP-Protocol-Version');
  });

  it('refuses a CORS preflight from another origin', async () => {
    const response = await fetch(server.url, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(response.status).toBe(403);
  });

  it('serves only /mcp', async () => {
    const response = await fetch(new URL('/other', server.url), { method: 'POST', headers: LEGACY_HEADERS, body: '{}' });
    expect(response.status).toBe(404);
  });

  it('refuses a batch over the limit with a JSON-RPC error, not a timeout', async () => {
    const ping = (id: number) => ({ jsonrpc: '2.0', id, method: 'ping' });
    const response = await post(JSON.stringify(Array.from({ length: 11 }, (_, i) => ping(i))), {
      ...JSON_HEADERS,
      'mcp-protocol-version': '2025-03-26',
    });
    expect(response.status).toBe(400);
    expect(rpcError(response.text)).toEqual({
      code: -32600,
      message: "Invalid Request: a batch of 11 messages is over this server's limit of 10.",
    });
  });

  it('refuses more tool calls in one request than the limit (each can fan out)', async () => {
    const call = (id: number) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'getDogFacts', arguments: { limit: 10 } },
    });
    const response = await post(JSON.stringify([call(1), call(2), call(3), call(4)]), {
      ...JSON_HEADERS,
      'mcp-protocol-version': '2025-03-26',
    });
    expect(response.status).toBe(400);
    expect(rpcError(response.text).message).toBe(
      "Invalid Request: 4 tool calls in one request is over this server's limit of 3; send them one at a time.",
    );
  });

  it('logs a reason for each rejection', () => {
    const reasons = new Set(logs.map((record) => record.reason).filter(Boolean));
    for (const reason of [
      'method_not_allowed',
      'unsupported_media_type',
      'not_acceptable',
      'parse_error',
      'body_too_large',
      'origin_not_allowed',
      'batch_too_large',
      'too_many_tool_calls',
    ]) {
      expect(reasons).toContain(reason);
    }
  });
});

describe('2025-era protocol findings (conformance)', () => {
  const ping = (id: number) => ({ jsonrpc: '2.0', id, method: 'ping' });

  it.each(['2025-06-18', '2025-11-25'])('refuses a JSON-RPC batch under %s, where batches no longer exist', async (version) => {
    const response = await post(JSON.stringify([ping(1), ping(2)]), { ...JSON_HEADERS, 'mcp-protocol-version': version });
    expect(response.status).toBe(400);
    expect(rpcError(response.text)).toEqual({
      code: -32600,
      message: `Invalid Request: protocol version ${version} has no JSON-RPC batches (they were removed in 2025-06-18); send one message per request.`,
    });
  });

  it('still serves a batch from a 2025-03-26 client, which may send them', async () => {
    const response = await post(JSON.stringify([ping(1), ping(2)]), { ...JSON_HEADERS, 'mcp-protocol-version': '2025-03-26' });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual([
      { jsonrpc: '2.0', id: 1, result: {} },
      { jsonrpc: '2.0', id: 2, result: {} },
    ]);
  });

  it.each([
    ['the same number', [ping(1), ping(1)]],
    [
      'the same string',
      [
        { ...ping(0), id: 'a' },
        { jsonrpc: '2.0', id: 'a', method: 'tools/list' },
      ],
    ],
    [
      'null twice',
      [
        { ...ping(0), id: null },
        { ...ping(0), id: null },
      ],
    ],
  ])('refuses a 2025-03-26 batch whose requests repeat an id (%s)', async (_name, batch) => {
    const response = await post(JSON.stringify(batch), { ...JSON_HEADERS, 'mcp-protocol-version': '2025-03-26' });
    expect(response.status).toBe(400);
    expect(rpcError(response.text)).toEqual({
      code: -32600,
      message: 'Invalid Request: two requests in this batch have the same id; give each request its own id.',
    });
    expect(logs.at(-1)?.reason).toBe('duplicate_request_id');
  });

  it('serves a batch whose ids differ only in type (1 and "1"), and notifications beside a request', async () => {
    const response = await post(
      JSON.stringify([ping(1), { ...ping(0), id: '1' }, { jsonrpc: '2.0', method: 'notifications/initialized' }]),
      { ...JSON_HEADERS, 'mcp-protocol-version': '2025-03-26' },
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual([
      { jsonrpc: '2.0', id: 1, result: {} },
      { jsonrpc: '2.0', id: '1', result: {} },
    ]);
  });

  it.each([
    [
      { jsonrpc: '2.0', id: 7, method: 'initialize' },
      'Invalid params: params: Invalid input: expected object, received undefined',
    ],
    [
      { jsonrpc: '2.0', id: 7, method: 'initialize', params: { protocolVersion: '2025-11-25' } },
      'Invalid params: params.capabilities: Invalid input: expected object, received undefined; params.clientInfo: Invalid input: expected object, received undefined',
    ],
  ])('answers initialize with bad params %j as -32602 with a readable message, not -32603', async (body, message) => {
    const response = await post(JSON.stringify(body), JSON_HEADERS);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ jsonrpc: '2.0', id: 7, error: { code: -32602, message } });
  });
});
