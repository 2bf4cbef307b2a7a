/**
 * API Gateway REST (v1) proxy integration ⇄ the plain {@link HttpRequest}/{@link HttpResponse} of
 * `http.ts` (no Web `Request`: see that file for why).
 *
 * Handles multi-value headers and query strings, base64 request bodies, and events that are not proxy
 * events at all (a console test invoke) with a 400 instead of a crash. It knows nothing about MCP: it
 * hands the request and the authorizer's claims to an {@link McpHttpHandler}.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { type Clock, realClock } from '../services/clock.js';
import { HeaderMap, type HttpRequest, type HttpResponse, jsonRpcError } from './http.js';
import type { McpHttpHandler } from '../protocol/mcp-http.js';

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
/** An HTTP method token (RFC 9110); Web `Request` refuses these three even when well-formed. */
const METHOD_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A request the handler cannot serve, answered by the adapter itself (status, JSON-RPC code, message). */
export class EventRefusal extends Error {
  override readonly name = 'EventRefusal';
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A header or query value as API Gateway would have sent it: strings, and numbers or booleans as text. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function headersOf(event: APIGatewayProxyEvent): HeaderMap {
  const headers = new HeaderMap();
  const multi: unknown = event.multiValueHeaders;
  if (isRecord(multi)) {
    for (const [name, values] of Object.entries(multi)) {
      if (!Array.isArray(values)) continue;
      for (const value of values) {
        const v = text(value);
        if (v !== undefined) headers.append(name, v);
      }
    }
  }
  // `headers` repeats the last value of each multi-value header; only add names `multiValueHeaders` lacks.
  const single: unknown = event.headers;
  if (isRecord(single)) {
    for (const [name, value] of Object.entries(single)) {
      const v = text(value);
      if (v !== undefined && !headers.has(name)) headers.append(name, v);
    }
  }
  return headers;
}

function queryOf(event: APIGatewayProxyEvent): string {
  const params = new URLSearchParams();
  const multi: unknown = event.multiValueQueryStringParameters;
  const single: unknown = event.queryStringParameters;
  if (isRecord(multi)) {
    for (const [name, values] of Object.entries(multi)) {
      if (!Array.isArray(values)) continue;
      for (const value of values) {
        const v = text(value);
        if (v !== undefined) params.append(name, v);
      }
    }
  } else if (isRecord(single)) {
    for (const [name, value] of Object.entries(single)) {
      const v = text(value);
      if (v !== undefined) params.append(name, v);
    }
  }
  const query = params.toString();
  return query === '' ? '' : `?${query}`;
}

/** The body as text; a body that is not a string, not base64 or not UTF-8 is a parse error. */
function bodyOf(event: APIGatewayProxyEvent): string | undefined {
  const raw: unknown = event.body;
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw !== 'string') throw new EventRefusal(400, -32700, 'Parse error: the request body is not text');
  // A leading byte-order mark is dropped, as a UTF-8 decoder does.
  if (event.isBase64Encoded !== true) return raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
  if (!BASE64.test(raw)) throw new EventRefusal(400, -32700, 'Parse error: the request body is not valid base64');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(raw, 'base64'));
  } catch {
    throw new EventRefusal(400, -32700, 'Parse error: the request body is not valid UTF-8');
  }
}

/** Builds the request an API Gateway REST proxy event describes. */
export function requestFromEvent(event: APIGatewayProxyEvent): HttpRequest {
  if (!isRecord(event) || typeof event.httpMethod !== 'string' || typeof event.path !== 'string') {
    throw new BadEventError('The event is not an API Gateway REST proxy event (httpMethod and path are missing).');
  }
  const method = event.httpMethod.trim().toUpperCase();
  if (!METHOD_TOKEN.test(method) || FORBIDDEN_METHODS.has(method)) {
    throw new EventRefusal(
      405,
      -32000,
      `Method not allowed: ${JSON.stringify(event.httpMethod.slice(0, 20))}. Send JSON-RPC with POST.`,
      {
        Allow: 'POST, OPTIONS',
      },
    );
  }
  let headers: HeaderMap;
  try {
    headers = headersOf(event);
  } catch {
    // Not the header itself: an error message must not echo request content (it may hold a token).
    throw new BadEventError('The event has a header name or value that is not valid HTTP.');
  }
  // Built part by part: a Host header or a path holding "@", "?" or "#" must not turn into credentials,
  // a query or another host (the URL setters ignore a host that is not one).
  const url = new URL(`${headers.get('x-forwarded-proto') === 'http' ? 'http' : 'https'}://localhost`);
  const host = headers.get('host');
  if (host) url.host = host;
  url.pathname = event.path;
  url.search = queryOf(event);
  const body = BODYLESS_METHODS.has(method) ? undefined : bodyOf(event);
  return { method, url: url.href, headers, ...(body !== undefined && { body }) };
}

/** Turns a response into a proxy result. */
export function resultFromResponse(response: HttpResponse): APIGatewayProxyResult {
  return { statusCode: response.status, headers: { ...response.headers }, body: response.body, isBase64Encoded: false };
}

/** The adapter's own refusal: http.ts's JSON-RPC error, with the extra headers as given (e.g. `Allow`). */
function refusal(status: number, code: number, message: string, headers: Record<string, string> = {}): HttpResponse {
  const answer = jsonRpcError(status, code, message);
  return { ...answer, headers: { ...answer.headers, ...headers } };
}

/** The answer an event gets: the adapter's own refusal, or the MCP handler's. Never throws. */
async function answerEvent(
  mcp: McpHttpHandler,
  event: APIGatewayProxyEvent,
  context: Pick<Context, 'awsRequestId'> | undefined,
): Promise<HttpResponse> {
  try {
    let request: HttpRequest;
    try {
      request = requestFromEvent(event);
    } catch (error) {
      if (error instanceof EventRefusal) return refusal(error.status, error.code, error.message, error.headers);
      if (error instanceof BadEventError) return refusal(400, -32600, error.message);
      throw error;
    }
    const requestContext: unknown = event.requestContext;
    const fromContext = isRecord(requestContext) ? requestContext : {};
    const requestId =
      (typeof fromContext.requestId === 'string' && fromContext.requestId) ||
      (typeof context?.awsRequestId === 'string' && context.awsRequestId) ||
      crypto.randomUUID();
    const authorizer = fromContext.authorizer;
    const claims = isRecord(authorizer) && isRecord(authorizer.claims) ? authorizer.claims : undefined;
    return await mcp(request, { requestId, ...(claims && { claims }) });
  } catch {
    return refusal(500, -32603, 'Internal error');
  }
}

/**
 * Wraps an MCP HTTP handler as a REST API proxy Lambda handler. It never throws: an event it cannot turn
 * into a request gets a 4xx of its own, and anything unexpected a 500 with a JSON-RPC body (a throw
 * would reach the Lambda runtime, and API Gateway would answer a bare 502).
 */
export function createApiGatewayHandler(mcp: McpHttpHandler): ApiGatewayHandler {
  return async (event, context) => {
    const response = await answerEvent(mcp, event, context);
    if (response.stream === undefined) return resultFromResponse(response);
    // A buffered integration cannot stream: the stream is read to its end here.
    let body = response.body;
    for await (const chunk of response.stream) body += chunk;
    return resultFromResponse({ ...response, body, stream: undefined });
  };
}

/** What a streaming handler writes to: Lambda's response stream once its status and headers are set. */
export interface ResponseWriter {
  write(chunk: string): unknown;
  end(): void;
}

/** Sets a response stream's status and headers (Lambda: `awslambda.HttpResponseStream.from`). */
export type StartResponse<S> = (stream: S, metadata: { statusCode: number; headers: Record<string, string> }) => ResponseWriter;

/** A Lambda response-streaming handler (`awslambda.streamifyResponse`) for a REST proxy integration in STREAM mode. */
export type StreamingApiGatewayHandler<S> = (
  event: APIGatewayProxyEvent,
  stream: S,
  context?: Pick<Context, 'awsRequestId'>,
) => Promise<void>;

/** An SSE comment: ignored by clients, it keeps an idle stream from being cut (API Gateway: 5 minutes regional). */
const KEEP_ALIVE = ': keep-alive\n\n';

export interface StreamingOptions<S> {
  readonly start: StartResponse<S>;
  /** Silence after which a keep-alive comment is written into an event stream. @default 15 s */
  readonly keepAliveMs?: number;
  readonly clock?: Clock;
}

/**
 * Wraps an MCP HTTP handler for API Gateway's streaming proxy integration (`deploy --timeout` over 29 s):
 * the status and headers first, then the body as it is written — a tool call's progress events before its
 * result — with a keep-alive comment whenever an event stream has been silent for `keepAliveMs`.
 */
export function createStreamingApiGatewayHandler<S>(
  mcp: McpHttpHandler,
  options: StreamingOptions<S>,
): StreamingApiGatewayHandler<S> {
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const clock = options.clock ?? realClock;
  return async (event, stream, context) => {
    const response = await answerEvent(mcp, event, context);
    const out = options.start(stream, { statusCode: response.status, headers: { ...response.headers } });
    try {
      if (response.body !== '') out.write(response.body);
      if (response.stream === undefined) return;
      let lastWrite = clock.now();
      // Comments go only between events, never inside one.
      let atBoundary = response.body === '' || response.body.endsWith('\n\n');
      const stop = clock.every(Math.max(1, Math.floor(keepAliveMs / 3)), () => {
        if (atBoundary && clock.now() - lastWrite >= keepAliveMs) {
          out.write(KEEP_ALIVE);
          lastWrite = clock.now();
        }
      });
      try {
        for await (const chunk of response.stream) {
          out.write(chunk);
          lastWrite = clock.now();
          atBoundary = chunk.endsWith('\n\n');
        }
      } catch {
        // The stream broke mid-way (the SDK failed): what was written stands; the client sees it end.
      } finally {
        stop();
      }
    } finally {
      out.end();
    }
  };
}
