/**
 * The MCP SDK's side of the handler: every request the fast path ({@link ./fast-path.ts}) does not answer
 * comes here. Loaded on first need (`import('./sdk-leg.js')`), so a cold start that only sees
 * initialize, tools/list and the built-in tool calls never loads the SDK.
 *
 * - 2026-07-28 requests go to `createMcpHandler(…, { legacy: 'reject', responseMode: 'auto' })`.
 * - 2025-era requests go to a stateless `WebStandardStreamableHTTPServerTransport` with JSON responses
 *   (the SDK's built-in stateless fallback answers over SSE, which a buffered Lambda response gains
 *   nothing from). `isLegacyRequest` is the SDK's own routing predicate, so the two legs never disagree.
 *
 * A fresh server instance serves every request; nothing is kept between requests. So nothing can ever
 * tell a client that a list changed: every server is served with `listChanged: false` and
 * `resources.subscribe: false` ({@link withFixedLists}), whatever its factory set. A client then opens no
 * `subscriptions/listen` stream, and one that does gets the spec's answer for a server that honours
 * nothing — an acknowledgement with an empty filter and a graceful completion — at once, instead of a
 * stream that holds the Lambda until the integration timeout.
 *
 * The request the SDK gets has no `Authorization` or `Cookie` header ({@link withoutCredentials}): the SDK
 * hands its request to every tool handler (`ctx.http.req`), and the caller's bearer token is a Cognito
 * token of the person. A module that exports `receiveBearerToken = true` gets the token in its factory's
 * `ctx.authInfo.token` (custom.ts), and only there.
 */
import {
  type AuthInfo,
  createMcpHandler,
  isJsonContentType,
  isLegacyRequest,
  McpServer,
  type McpServerFactory,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import { HeaderMap, type HttpRequest, type HttpResponse } from '../edge/http.js';

export { isJsonContentType };

/** The Web `Request` the MCP SDK takes. */
export function toWebRequest(
  request: HttpRequest,
  headers: Iterable<readonly [string, string]> = request.headers.entries(),
): Request {
  return new Request(request.url, {
    method: request.method,
    headers: [...headers] as [string, string][],
    ...(request.body !== undefined && request.method !== 'GET' && request.method !== 'HEAD' && { body: request.body }),
  });
}

function headersOf(response: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

/** Reads a Web `Response` to its end. */
export async function fromWebResponse(response: Response): Promise<HttpResponse> {
  return { status: response.status, headers: headersOf(response), body: response.body === null ? '' : await response.text() };
}

/**
 * A Web `Response` whose body is passed on as it arrives; `done` runs when it ends, fails or is left
 * unread (the caller stops iterating).
 */
export function streamWebResponse(response: Response, done: () => Promise<void> = async () => {}): HttpResponse {
  const body = response.body;
  async function* chunks(): AsyncGenerator<string> {
    if (body === null) return;
    const reader = body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done: finished, value } = await reader.read();
        if (finished) break;
        const text = decoder.decode(value, { stream: true });
        if (text !== '') yield text;
      }
      const rest = decoder.decode();
      if (rest !== '') yield rest;
    } finally {
      await reader.cancel().catch(() => {});
      await done();
    }
  }
  return { status: response.status, headers: headersOf(response), body: '', stream: chunks() };
}

/**
 * Wraps a factory so the servers it builds advertise lists that never change: a Lambda's tools, prompts
 * and resources are fixed per deploy, and no instance lives long enough to send a change notification.
 */
export function withFixedLists(factory: McpServerFactory): McpServerFactory {
  return async (ctx) => {
    const product = await factory(ctx);
    const server = product instanceof McpServer ? product.server : product;
    const capabilities = server.getCapabilities();
    server.registerCapabilities({
      ...(capabilities.tools && { tools: { listChanged: false } }),
      ...(capabilities.prompts && { prompts: { listChanged: false } }),
      ...(capabilities.resources && { resources: { listChanged: false, subscribe: false } }),
    });
    return product;
  };
}

/**
 * The SDK's 2025-era transport answers a request whose params fail its schema (`initialize` without
 * params, say) with `-32603` and the validator's raw issue list as the message. That is the client's
 * mistake, not the server's: said as `-32602 Invalid params` with one readable line per issue.
 */
export function asInvalidParams(message: { error?: { code?: unknown; message?: unknown } }): boolean {
  const error = message.error;
  if (error?.code !== -32603 || typeof error.message !== 'string' || !error.message.startsWith('[')) return false;
  let issues: unknown;
  try {
    issues = JSON.parse(error.message);
  } catch {
    return false;
  }
  if (!Array.isArray(issues) || issues.length === 0) return false;
  const lines = issues.map((issue: { path?: unknown; message?: unknown }) => {
    const path = Array.isArray(issue.path) ? issue.path.join('.') : '';
    return `${path || 'request'}: ${typeof issue.message === 'string' ? issue.message : 'invalid'}`;
  });
  error.code = -32602;
  error.message = `Invalid params: ${lines.slice(0, 5).join('; ')}`;
  return true;
}

export interface SdkLeg {
  /** Serves one request (its body already read and parsed) and reads the answer to its end. */
  serve(request: HttpRequest, parsedBody: unknown, authInfo: AuthInfo | undefined): Promise<SdkAnswer>;
}

export interface SdkAnswer {
  readonly era: 'modern' | 'legacy';
  readonly response: HttpResponse;
}

export interface SdkLegOptions {
  readonly factory: McpServerFactory;
  readonly maxBodyBytes: number;
  /**
   * A streaming deployment (`deploy --timeout` over 29 s): a tool call's event stream is passed on as it
   * is written — progress first, the result last — instead of being read to its end.
   */
  readonly streaming?: boolean;
}

/** Headers that carry the caller's credentials: never part of the request the SDK (and a tool handler) sees. */
const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['authorization', 'cookie']);

/**
 * The request without the caller's credentials. This keeps a tool handler from logging or forwarding the
 * token by accident (`ctx.http.req.headers`); it is no wall against hostile code in the same process.
 */
export function withoutCredentials(request: HttpRequest): HttpRequest {
  const headers = [...request.headers.entries()];
  if (!headers.some(([name]) => CREDENTIAL_HEADERS.has(name))) return request;
  return { ...request, headers: new HeaderMap(headers.filter(([name]) => !CREDENTIAL_HEADERS.has(name))) };
}

const isToolCall = (parsedBody: unknown): boolean => (parsedBody as { method?: unknown } | null)?.method === 'tools/call';

/** Builds the SDK leg around a per-request server factory. */
export function createSdkLeg(options: SdkLegOptions): SdkLeg {
  const factory = withFixedLists(options.factory);
  const { maxBodyBytes, streaming = false } = options;
  const modern = createMcpHandler(factory, {
    legacy: 'reject',
    // 'auto' answers with one JSON body unless a tool sends a notification (progress, logging) before its
    // result; then it buffers an SSE stream instead of dropping the notification as 'json' would.
    responseMode: 'auto',
    maxRequestBodySize: maxBodyBytes,
  });
  // Streaming, a tool call opens its event stream at once, so the SDK's keep-alives flow while it works.
  const modernStreaming = streaming
    ? createMcpHandler(factory, { legacy: 'reject', responseMode: 'sse', maxRequestBodySize: maxBodyBytes })
    : modern;

  async function serveLegacy(
    request: HttpRequest,
    web: Request,
    parsedBody: unknown,
    authInfo: AuthInfo | undefined,
  ): Promise<HttpResponse> {
    // A tool call may send progress and log notifications before its result: those need an event stream
    // (buffered whole here, as API Gateway does). Everything else answers one JSON body.
    const accept = request.headers.get('accept') ?? '';
    const streams = isToolCall(parsedBody) && /text\/event-stream/i.test(accept);
    // The 2025 transport refuses an Accept without text/event-stream, although it answers JSON here: a
    // client that accepts only application/json (several real ones do) gets exactly what it accepts.
    // (The rule in front of the SDK already checked that the client takes JSON.)
    const served =
      /application\/json/i.test(accept) && /text\/event-stream/i.test(accept)
        ? web
        : toWebRequest(request, [
            ...[...request.headers.entries()].filter(([name]) => name !== 'accept'),
            ['accept', 'application/json, text/event-stream'],
          ]);
    const server = await factory({ era: 'legacy', requestInfo: served, ...(authInfo && { authInfo }) });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: !streams,
      maxRequestBodySize: maxBodyBytes,
    });
    await server.connect(transport);
    const close = async () => {
      await transport.close().catch(() => {});
      await server.close().catch(() => {});
    };
    if (streams && streaming) {
      // Passed on as it is written; the transport closes when the stream has ended (or was abandoned).
      try {
        return streamWebResponse(await transport.handleRequest(served, { parsedBody, ...(authInfo && { authInfo }) }), close);
      } catch (error) {
        await close();
        throw error;
      }
    }
    try {
      // An event stream ends when the result is written: it is read to its end before the transport closes.
      const response = await fromWebResponse(
        await transport.handleRequest(served, { parsedBody, ...(authInfo && { authInfo }) }),
      );
      // Only an internal-error JSON answer can be a schema failure to restate: every other answer passes as it is.
      if (streams || !response.body.includes('-32603') || !response.headers['content-type']?.includes('application/json')) {
        return response;
      }
      let answer: unknown;
      try {
        answer = JSON.parse(response.body);
      } catch {
        return response;
      }
      const changed = (Array.isArray(answer) ? answer : [answer]).map((message) => asInvalidParams(message ?? {})).some(Boolean);
      return changed ? { ...response, body: JSON.stringify(answer) } : response;
    } finally {
      await close();
    }
  }

  return {
    async serve(received, parsedBody, authInfo) {
      // Both legs, whether or not the module asked for the token: it gets it in its factory, never here.
      const request = withoutCredentials(received);
      const web = toWebRequest(request);
      const legacy = await isLegacyRequest(web, parsedBody, { maxRequestBodySize: maxBodyBytes });
      if (legacy) return { era: 'legacy', response: await serveLegacy(request, web, parsedBody, authInfo) };
      const extra = { parsedBody, ...(authInfo && { authInfo }) };
      if (streaming && isToolCall(parsedBody)) {
        const answer = await modernStreaming.fetch(web, extra);
        // A refusal before the call (a bad envelope, say) is one JSON body: only an event stream streams.
        return {
          era: 'modern',
          response: answer.headers.get('content-type')?.includes('text/event-stream')
            ? streamWebResponse(answer)
            : await fromWebResponse(answer),
        };
      }
      return { era: 'modern', response: await fromWebResponse(await modern.fetch(web, extra)) };
    },
  };
}
