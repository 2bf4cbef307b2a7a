import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  BadEventError,
  createApiGatewayHandler,
  requestFromEvent,
  resultFromResponse,
} from '../../../src/lambda/edge/api-gateway.js';
import { httpResponse } from '../../../src/lambda/edge/http.js';
import type { McpHttpHandler, McpRequestContext } from '../../../src/lambda/protocol/mcp-http.js';

function event(overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    path: '/mcp',
    resource: '/mcp',
    headers: { Host: 'abc.execute-api.eu-west-1.amazonaws.com', 'Content-Type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: '{"a":1}',
    isBase64Encoded: false,
    requestContext: { requestId: 'req-1' } as APIGatewayProxyEvent['requestContext'],
    ...overrides,
  };
}

/** A handler that echoes what it was given, so the round trip can be checked. */
const echo: McpHttpHandler = async (request, context) =>
  httpResponse(
    200,
    { 'Content-Type': 'application/json; charset=utf-8' },
    JSON.stringify({
      method: request.method,
      url: request.url,
      accept: request.headers.get('accept'),
      cookie: request.headers.get('x-multi'),
      body: request.body,
      context,
    }),
  );

describe('requestFromEvent', () => {
  it('decodes a base64 body to the same bytes', async () => {
    const text = 'Héllo, 犬 🐕';
    const request = requestFromEvent(event({ body: Buffer.from(text).toString('base64'), isBase64Encoded: true }));
    expect(request.body).toBe(text);
  });

  it('drops a leading byte-order mark, as a UTF-8 decoder does', () => {
    expect(requestFromEvent(event({ body: '\uFEFF{"a":1}' })).body).toBe('{"a":1}');
    const base64 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]).toString('base64');
    expect(requestFromEvent(event({ body: base64, isBase64Encoded: true })).body).toBe('{"a":1}');
  });

  it('trims header values and reads names in any case', () => {
    const request = requestFromEvent(event({ headers: { Host: 'h', 'MCP-Protocol-Version': '  2025-11-25\t' } }));
    expect(request.headers.get('mcp-protocol-version')).toBe('2025-11-25');
    expect(request.headers.get('Mcp-Protocol-Version')).toBe('2025-11-25');
  });

  it('keeps non-ASCII text in a plain body', async () => {
    const request = requestFromEvent(event({ body: '{"fact":"Hunde – 犬 🐕"}' }));
    expect(JSON.parse(request.body ?? '')).toEqual({ fact: 'Hunde – 犬 🐕' });
  });

  it('joins every value of a multi-value header', () => {
    const request = requestFromEvent(
      event({
        headers: { Host: 'h.example', 'X-Multi': 'b' },
        multiValueHeaders: { Host: ['h.example'], 'X-Multi': ['a', 'b'] },
      }),
    );
    expect(request.headers.get('x-multi')).toBe('a, b');
  });

  it('keeps repeated query parameters', () => {
    const request = requestFromEvent(
      event({ queryStringParameters: { q: '2' }, multiValueQueryStringParameters: { q: ['1', '2'], x: ['ü'] } }),
    );
    const url = new URL(request.url);
    expect(url.searchParams.getAll('q')).toEqual(['1', '2']);
    expect(url.searchParams.get('x')).toBe('ü');
    expect(url.host).toBe('abc.execute-api.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/mcp');
  });

  it('drops a body on GET', async () => {
    const request = requestFromEvent(event({ httpMethod: 'GET', body: 'ignored' }));
    expect(request.body).toBeUndefined();
  });

  it.each([
    ['an empty object', {}],
    ['no path', { httpMethod: 'POST' }],
    ['null', null],
  ])('refuses %s as not a proxy event', (_name, bad) => {
    expect(() => requestFromEvent(bad as unknown as APIGatewayProxyEvent)).toThrow(BadEventError);
  });

  it.each([
    ['a line break in a value', { Host: 'h', 'X-Bad': 'a\nb' }],
    ['a NUL in a value', { Host: 'h', 'X-Bad': 'a\0b' }],
    ['a character past Latin-1 in a value', { Host: 'h', 'X-Bad': 'Hund 🐕' }],
    ['a space in a name', { Host: 'h', 'X Bad': 'v' }],
    ['an empty name', { Host: 'h', '': 'v' }],
  ])('refuses %s, without echoing it', (_name, headers) => {
    expect(() => requestFromEvent(event({ headers }))).toThrow('The event has a header name or value that is not valid HTTP.');
  });
});

describe('resultFromResponse', () => {
  it('keeps JSON as UTF-8 text, with its status and headers', () => {
    const result = resultFromResponse(httpResponse(201, { 'Content-Type': 'application/json' }, '{"fact":"Hunde – 犬"}'));
    expect(result).toEqual({
      statusCode: 201,
      headers: { 'content-type': 'application/json' },
      body: '{"fact":"Hunde – 犬"}',
      isBase64Encoded: false,
    });
  });

  it('returns an empty body for 202', () => {
    expect(resultFromResponse(httpResponse(202))).toMatchObject({ statusCode: 202, body: '' });
  });
});

describe('createApiGatewayHandler', () => {
  it('round-trips a request and passes the request id and claims', async () => {
    const handler = createApiGatewayHandler(echo);
    const claims = { sub: 'u1', token_use: 'access' };
    const result = await handler(
      event({
        body: Buffer.from('{"x":"ü"}').toString('base64'),
        isBase64Encoded: true,
        multiValueHeaders: { Accept: ['application/json', 'text/event-stream'] },
        requestContext: { requestId: 'req-9', authorizer: { claims } } as unknown as APIGatewayProxyEvent['requestContext'],
      }),
    );
    const echoed = JSON.parse(result.body) as { body: string; accept: string; context: McpRequestContext; method: string };
    expect(echoed.method).toBe('POST');
    expect(echoed.body).toBe('{"x":"ü"}');
    expect(echoed.accept).toBe('application/json, text/event-stream');
    expect(echoed.context).toEqual({ requestId: 'req-9', claims });
  });

  it('answers a non-proxy event with 400 instead of throwing', async () => {
    const handler = createApiGatewayHandler(echo);
    const result = await handler({ hello: 'world' } as unknown as APIGatewayProxyEvent);
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error.message).toContain('not an API Gateway REST proxy event');
  });

  // Each of these made the handler throw before (found by fuzzing: 175 of 20,016 events).
  it.each(['TRACE', 'CONNECT', 'TRACK', '', ' ', 'GET POST', 'GÉT'])(
    'answers the method %j with 405 and Allow',
    async (httpMethod) => {
      const result = await createApiGatewayHandler(echo)(event({ httpMethod }));
      expect(result.statusCode).toBe(405);
      expect(result.headers?.Allow).toBe('POST, OPTIONS');
      expect(JSON.parse(result.body).error.message).toMatch(/^Method not allowed/);
    },
  );

  it.each([
    ['a number', 12345, true, 'not text'],
    ['an object', { a: 1 }, false, 'not text'],
    ['not base64', 'not base64!', true, 'not valid base64'],
    ['base64 of bytes that are not UTF-8', Buffer.from([0xff, 0xfe, 0x00]).toString('base64'), true, 'not valid UTF-8'],
  ])('answers a body that is %s with a JSON-RPC parse error', async (_name, body, isBase64Encoded, message) => {
    const result = await createApiGatewayHandler(echo)(event({ body: body as unknown as string, isBase64Encoded }));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error).toEqual({ code: -32700, message: `Parse error: the request body is ${message}` });
  });

  it('keeps a Host header or path from turning into credentials, a query or another host', async () => {
    const result = await createApiGatewayHandler(echo)(
      event({ headers: { Host: 'user:pw@evil.example', 'Content-Type': 'application/json' }, path: '/mcp@x?y#z' }),
    );
    expect(result.statusCode).toBe(200);
    const url = new URL(JSON.parse(result.body).url);
    expect(url.username).toBe('');
    expect(url.search).toBe('');
    expect(url.hash).toBe('');
  });

  it('answers 500 with a JSON-RPC body, never a throw, when the MCP handler fails', async () => {
    const result = await createApiGatewayHandler(async () => {
      throw new Error('boom');
    })(event());
    expect(result).toMatchObject({ statusCode: 500, body: expect.stringContaining('"code":-32603') });
  });

  it('ignores header, query and context values of the wrong type', async () => {
    const result = await createApiGatewayHandler(echo)(
      event({
        headers: {
          Host: 'h',
          'Content-Type': 'application/json',
          Accept: 7 as unknown as string,
          Odd: { x: 1 } as unknown as string,
        },
        multiValueHeaders: { 'X-Multi': 'not a list' as unknown as string[] },
        queryStringParameters: 'junk' as unknown as null,
        requestContext: 'junk' as unknown as APIGatewayProxyEvent['requestContext'],
      }),
    );
    expect(result.statusCode).toBe(200);
    const echoed = JSON.parse(result.body);
    expect(echoed.accept).toBe('7');
    expect(echoed.cookie).toBeNull();
    expect(echoed.context.claims).toBeUndefined();
  });
});
