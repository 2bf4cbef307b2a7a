/**
 * The handler never throws: property-based fuzzing (fast-check) of the API Gateway handler with events of
 * every shape — odd methods, bodies that are not strings or not base64, headers and query strings of the
 * wrong types, missing or junk request contexts — each of which must get a well-formed HTTP answer below
 * 500 that leaks no token. Seeded: a failure prints the seed and the shrunk event (`FUZZ_SEED=<n>` replays).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiGatewayHandler } from '../../src/lambda/edge/api-gateway.js';
import { createLambdaApp } from '../../src/lambda/app.js';
import type { RequestLogRecord } from '../../src/lambda/services/log.js';
import { emfProblems } from '../helpers/emf.js';
import { refusedBaseUrl } from '../helpers/fake-dog-api.js';

const SECRET = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2Vu.c2ln';
/** What a log line must never hold either: a tool's argument, a caller's email. */
const ARGUMENT = 'argument-value-7f3a';
const EMAIL = 'ann.fuzz@example.com';
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = process.env.FUZZ_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED);

let handler: ApiGatewayHandler;
const logs: RequestLogRecord[] = [];

beforeAll(async () => {
  handler = createLambdaApp(
    { DOG_API_BASE_URL: await refusedBaseUrl(), DOG_API_TIMEOUT_MS: '200', MCP_MAX_BODY_BYTES: '4096' },
    (record) => logs.push(record),
  ).handler;
});
afterAll(() => {
  logs.length = 0;
});

const junk = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.integer(),
  fc.boolean(),
  fc.object({ maxDepth: 1 }),
  fc.string(),
);
const method = fc.oneof(
  fc.constantFrom('POST', 'GET', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'CONNECT', 'TRACK', 'post', '', ' '),
  fc.string({ maxLength: 12 }),
  junk,
);
const rpc = fc.oneof(
  fc.constant('{"jsonrpc":"2.0","id":1,"method":"tools/list"}'),
  fc.constant(
    '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"f","version":"1"}}}',
  ),
  fc.constant('{"jsonrpc":"2.0","method":"notifications/initialized"}'),
  fc.constant(
    `{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"getDogFacts","arguments":{"limit":2,"note":"${ARGUMENT}"}}}`,
  ),
  fc.constant('[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"ping"}]'),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 200 }),
  fc.string({ maxLength: 20 }).map((s) => `{"jsonrpc":"2.0","id":1,"method":${JSON.stringify(s)}}`),
);
const body = fc.oneof(
  rpc,
  rpc.map((text) => Buffer.from(text).toString('base64')),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('base64')),
  fc.string({ maxLength: 40 }),
  fc.constant('x'.repeat(5000)),
  junk,
);
const headerName = fc.oneof(
  fc.constantFrom(
    'Content-Type',
    'content-type',
    'Accept',
    'Authorization',
    'Origin',
    'MCP-Protocol-Version',
    'Mcp-Method',
    'Host',
  ),
  fc.string({ maxLength: 10 }),
);
const headerValue = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json, text/event-stream',
    'text/plain',
    '2025-11-25',
    '2026-07-28',
    '2025-06-18',
    `Bearer ${SECRET}`,
    'http://localhost:6274',
    'https://evil.example',
    '*/*',
  ),
  fc.string({ maxLength: 30 }),
  junk,
);
const headers = fc.oneof(fc.dictionary(headerName, headerValue, { maxKeys: 6 }), junk);
const multiValueHeaders = fc.oneof(
  fc.dictionary(headerName, fc.oneof(fc.array(headerValue, { maxLength: 3 }), junk), { maxKeys: 4 }),
  junk,
);
const query = fc.oneof(
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 6 }), junk), { maxKeys: 3 }),
  junk,
);
const multiQuery = fc.oneof(
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.array(fc.string({ maxLength: 6 }), { maxLength: 2 }), junk), {
    maxKeys: 3,
  }),
  junk,
);
const claims = fc.oneof(
  fc.constant({ token_use: 'access', client_id: 'c', scope: 's', sub: 'u', email: EMAIL }),
  fc.dictionary(
    fc.constantFrom('token_use', 'client_id', 'scope', 'exp', 'aud', 'cognito:groups', 'sub'),
    fc.oneof(fc.string({ maxLength: 12 }), junk),
  ),
  junk,
);
const requestContext = fc.oneof(
  fc.record(
    { requestId: fc.oneof(fc.string({ maxLength: 8 }), junk), authorizer: fc.oneof(fc.record({ claims }), junk) },
    { requiredKeys: [] },
  ),
  junk,
);
const event = fc.record(
  {
    httpMethod: method,
    path: fc.oneof(fc.constantFrom('/mcp', '/', '//x', '/mcp?x=1', ''), fc.string({ maxLength: 12 }), junk),
    headers,
    multiValueHeaders,
    queryStringParameters: query,
    multiValueQueryStringParameters: multiQuery,
    body,
    isBase64Encoded: fc.oneof(fc.boolean(), junk),
    requestContext,
  },
  { requiredKeys: [] },
);

describe('the Lambda handler, fuzzed', () => {
  it(`answers every event with a well-formed response below 500 and no token in it (${RUNS} events, seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(event, async (generated) => {
        const before = logs.length;
        const result = await handler(generated as never);
        // Every request the handler answers has its line, a valid metric record with no token in it.
        for (const line of logs.slice(before)) {
          expect(emfProblems(line)).toEqual([]);
          expect(typeof line.coldStart).toBe('boolean');
          expect(line.server).toBe('dog-facts');
        }
        expect(Number.isInteger(result.statusCode)).toBe(true);
        expect(result.statusCode).toBeGreaterThanOrEqual(200);
        expect(result.statusCode).toBeLessThan(500);
        expect(typeof result.body).toBe('string');
        expect(typeof result.headers).toBe('object');
        expect(result.body).not.toContain(SECRET);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    const written = JSON.stringify(logs);
    expect(written).not.toContain(SECRET);
    expect(written).not.toContain(ARGUMENT);
    expect(written).not.toContain(EMAIL);
  }, 120_000);
});
