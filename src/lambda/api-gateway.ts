/**
 * API Gateway REST (v1) proxy integration ⇄ Web `Request`/`Response`.
 *
 * Handles multi-value headers and query strings, base64 bodies in both directions, and events that are
 * not proxy events at all (a console test invoke) with a 400 instead of a crash. It knows nothing about
 * MCP: it hands the request and the authorizer's claims to an {@link McpHttpHandler}.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { McpHttpHandler } from './mcp-http.js';

/** The Lambda handler signature for a REST API proxy integration. */
export type ApiGatewayHandler = (
  event: APIGatewayProxyEvent,
  context?: Pick<Context, 'awsRequestId'>,
) => Promise<APIGatewayProxyResult>;

/** Thrown for an event that is not a REST API proxy event. */
export class BadEventError extends Error {
  override readonly name = 'BadEventError';
}

const BODYLESS_METHODS = new Set(['GET', 'HEAD']);

function headersOf(event: APIGatewayProxyEvent): Headers {
  const headers = new Headers();
  const multi = event.multiValueHeaders ?? {};
  for (const [name, values] of Object.entries(multi)) {
    for (const value of values ?? []) headers.append(name, value);
  }
  // `headers` repeats the last value of each multi-value header; only add names `multiValueHeaders` lacks.
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined && !headers.has(name)) headers.set(name, value);
  }
  return headers;
}

function queryOf(event: APIGatewayProxyEvent): string {
  const params = new URLSearchParams();
  const multi = event.multiValueQueryStringParameters;
  if (multi) {
    for (const [name, values] of Object.entries(multi)) for (const value of values ?? []) params.append(name, value);
  } else {
    for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
      if (value !== undefined) params.append(name, value);
    }
  }
  const query = params.toString();
  return query === '' ? '' : `?${query}`;
}

/** Builds the Web `Request` an API Gateway REST proxy event describes. */
export function requestFromEvent(event: APIGatewayProxyEvent): Request {
  if (typeof event !== 'object' || event === null || typeof event.httpMethod !== 'string' || typeof event.path !== 'string') {
    throw new BadEventError('The event is not an API Gateway REST proxy event (httpMethod and path are missing).');
  }
  const method = event.httpMethod.toUpperCase();
  let headers: Headers;
  try {
    headers = headersOf(event);
  } catch (error) {
    throw new BadEventError(`The event has a header that is not valid HTTP: ${(error as Error).message}`);
  }
  const host = headers.get('host') ?? 'localhost';
  const protocol = headers.get('x-forwarded-proto') === 'http' ? 'http' : 'https';
  let url: URL;
  try {
    url = new URL(`${protocol}://${host}${event.path}${queryOf(event)}`);
  } catch {
    throw new BadEventError(`The event's host or path does not form a URL: ${host}${event.path}`);
  }
  let body: Uint8Array | string | undefined;
  if (event.body !== null && event.body !== undefined && !BODYLESS_METHODS.has(method)) {
    body = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : event.body;
  }
  return new Request(url, { method, headers, ...(body !== undefined && { body }) });
}

function isTextual(contentType: string | null): boolean {
  if (contentType === null) return true;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return type.startsWith('text/') || type === 'application/json' || type.endsWith('+json') || type === 'application/xml';
}

/** Turns a Web `Response` into a proxy result; binary bodies are base64-encoded. */
export async function resultFromResponse(response: Response): Promise<APIGatewayProxyResult> {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) multiValueHeaders['set-cookie'] = cookies;

  const bytes = Buffer.from(await response.arrayBuffer());
  const textual = isTextual(response.headers.get('content-type'));
  return {
    statusCode: response.status,
    headers,
    ...(cookies.length > 0 && { multiValueHeaders }),
    body: textual ? bytes.toString('utf8') : bytes.toString('base64'),
    isBase64Encoded: !textual,
  };
}

/** Wraps an MCP HTTP handler as a REST API proxy Lambda handler. */
export function createApiGatewayHandler(mcp: McpHttpHandler): ApiGatewayHandler {
  return async (event, context) => {
    let request: Request;
    try {
      request = requestFromEvent(event);
    } catch (error) {
      if (!(error instanceof BadEventError)) throw error;
      return {
        statusCode: 400,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', error: { code: -32600, message: error.message }, id: null }),
      };
    }
    const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? crypto.randomUUID();
    const claims = event.requestContext?.authorizer?.claims as Record<string, unknown> | undefined;
    const response = await mcp(request, { requestId, ...(claims && { claims }) });
    return resultFromResponse(response);
  };
}
