/**
 * The Streamable HTTP face of an MCP server, as a Web `Request` → `Response` function.
 *
 * It owns the HTTP rules that sit in front of the SDK (CORS, Origin, method, media types, body size,
 * JSON parsing, authorizer claims) and the per-request log line. The MCP protocol itself — both eras,
 * JSON-RPC dispatch, unknown methods, notifications — is the official SDK's job:
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
 * Responses are read to the end before they are logged and returned (API Gateway's REST integration
 * buffers them anyway), so the log line's status, size and duration are what the client really got.
 */
import {
  type AuthInfo,
  createMcpHandler,
  McpServer,
  isJsonContentType,
  isLegacyRequest,
  type McpServerFactory,
  readRequestBody,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import { type AuthorizerClaims, authorize } from './auth.js';
import {
  DEFAULT_ALLOWED_ORIGINS,
  DEFAULT_MAX_BATCH,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_TOOL_CALLS,
  isOriginAllowed,
} from './config.js';
import type { Logger, RequestLogRecord } from './log.js';
import { currentRequest } from './request-context.js';

export interface McpHttpHandlerOptions {
  /** Builds a fresh MCP server for each request. */
  readonly factory: McpServerFactory;
  /** @default 1 MiB */
  readonly maxBodyBytes?: number;
  /** Most messages in one JSON-RPC batch; more get `-32600`. @default 10 */
  readonly maxBatch?: number;
  /** Most tools/call messages in one request; more get `-32600`. @default 3 */
  readonly maxToolCalls?: number;
  /** Origin patterns allowed to call from a browser. @default localhost and 127.0.0.1 on any port */
  readonly allowedOrigins?: readonly string[];
  /** OAuth client ids whose tokens are accepted. @default any */
  readonly allowedClientIds?: readonly string[];
  /** Scope every token must hold. @default no check */
  readonly requiredScope?: string;
  /** This server's resource URL; tokens bound to another resource are refused. @default no check */
  readonly resource?: string;
  /** Tools only some Cognito groups may use (tool → groups); others are for everyone. @default none */
  readonly toolGroups?: Readonly<Record<string, readonly string[]>>;
  /** Where the per-request log line goes. */
  readonly log: Logger;
  /** Clock for durations. @default performance.now */
  readonly now?: () => number;
}

/** What the caller knows about a request beyond HTTP: its id and the authorizer's claims. */
export interface McpRequestContext {
  readonly requestId: string;
  readonly claims?: AuthorizerClaims;
}

export type McpHttpHandler = (request: Request, context: McpRequestContext) => Promise<Response>;

const ALLOWED_METHODS = 'POST, OPTIONS';
const ALLOWED_HEADERS =
  'Authorization, Content-Type, Accept, MCP-Protocol-Version, Mcp-Session-Id, Mcp-Method, Mcp-Name, Last-Event-ID';
const EXPOSED_HEADERS = 'MCP-Protocol-Version, Mcp-Session-Id, WWW-Authenticate';

/** A JSON-RPC error response with no id, as the Streamable HTTP spec has for transport-level failures. */
export function jsonRpcError(status: number, code: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

function acceptsJson(accept: string): boolean {
  return accept
    .split(',')
    .map((part) => part.split(';')[0]?.trim().toLowerCase())
    .some((type) => type === 'application/json' || type === 'application/*' || type === '*/*');
}

interface RpcSummary {
  readonly rpcMethod?: string;
  readonly tool?: string;
}

function summarize(body: unknown): RpcSummary {
  const first = Array.isArray(body) ? body[0] : body;
  if (typeof first !== 'object' || first === null) return {};
  const { method, params } = first as { method?: unknown; params?: { name?: unknown } };
  if (typeof method !== 'string') return {};
  const tool = method === 'tools/call' && typeof params?.name === 'string' ? params.name : undefined;
  return { rpcMethod: method.slice(0, 100), ...(tool !== undefined && { tool: tool.slice(0, 100) }) };
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

/** The groups a tool needs that the caller is in none of, or undefined when the caller may use it. */
function missingGroups(
  toolGroups: Readonly<Record<string, readonly string[]>>,
  tool: string,
  callerGroups: readonly string[],
): readonly string[] | undefined {
  const needed = toolGroups[tool];
  return needed === undefined || needed.some((group) => callerGroups.includes(group)) ? undefined : needed;
}

/** Drops the tools the caller may not use from a tools/list answer (JSON, or JSON inside SSE events). */
async function withoutTools(response: Response, hidden: (tool: string) => boolean): Promise<Response> {
  const text = await response.text();
  const filter = (json: string): string => {
    const message = JSON.parse(json) as { result?: { tools?: Array<{ name?: unknown }> } };
    if (Array.isArray(message.result?.tools)) {
      message.result.tools = message.result.tools.filter((tool) => !(typeof tool.name === 'string' && hidden(tool.name)));
    }
    return JSON.stringify(message);
  };
  const sse = response.headers.get('content-type')?.includes('text/event-stream') === true;
  const body = sse
    ? text.replace(/^data: (.*)$/gm, (_line, json: string) => `data: ${filter(json)}`)
    : text === ''
      ? text
      : filter(text);
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return new Response(body === '' ? null : body, { status: response.status, headers });
}

/** Protocol versions that have no JSON-RPC batches (batching was removed in 2025-06-18). */
const NO_BATCH_VERSIONS = new Set(['2025-06-18', '2025-11-25']);

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

/** Reads a response to its end, so what is logged is what was sent. */
async function buffered(response: Response): Promise<{ response: Response; bytes: number; body?: ArrayBuffer }> {
  if (response.body === null) return { response, bytes: 0 };
  const body = await response.arrayBuffer();
  return {
    response: new Response(body.byteLength === 0 ? null : body, { status: response.status, headers: response.headers }),
    bytes: body.byteLength,
    body,
  };
}

/**
 * Whether a tools/call answer is a tool error (`isError: true`; the SDK turns a thrown tool error into
 * one too), in a JSON body or in the data lines of a buffered SSE body.
 */
function isToolError(body: ArrayBuffer): boolean {
  const text = new TextDecoder().decode(body);
  const messages = text.startsWith('{') ? [text] : [...text.matchAll(/^data: (.*)$/gm)].map((match) => match[1] ?? '');
  return messages.some((message) => {
    try {
      return (JSON.parse(message) as { result?: { isError?: unknown } }).result?.isError === true;
    } catch {
      return false;
    }
  });
}

/** Creates the handler. Build it once per process (cold start) and call it for every request. */
export function createMcpHttpHandler(options: McpHttpHandlerOptions): McpHttpHandler {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const allowedOrigins = options.allowedOrigins ?? DEFAULT_ALLOWED_ORIGINS;
  const policy = {
    allowedClientIds: options.allowedClientIds ?? [],
    ...(options.requiredScope !== undefined && { requiredScope: options.requiredScope }),
    ...(options.resource !== undefined && { resource: options.resource }),
  };
  const now = options.now ?? (() => performance.now());
  const factory = withFixedLists(options.factory);

  const modern = createMcpHandler(factory, {
    legacy: 'reject',
    // 'auto' answers with one JSON body unless a tool sends a notification (progress, logging) before its
    // result; then it buffers an SSE stream instead of dropping the notification as 'json' would.
    responseMode: 'auto',
    maxRequestBodySize: maxBodyBytes,
  });

  async function serveLegacy(request: Request, parsedBody: unknown, authInfo: AuthInfo | undefined): Promise<Response> {
    const server = await factory({ era: 'legacy', requestInfo: request, ...(authInfo && { authInfo }) });
    // A tool call may send progress and log notifications before its result: those need an event stream
    // (buffered whole here, as API Gateway does). Everything else answers one JSON body.
    const streams =
      (parsedBody as { method?: unknown } | null)?.method === 'tools/call' &&
      /text\/event-stream/i.test(request.headers.get('accept') ?? '');
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: !streams,
      maxRequestBodySize: maxBodyBytes,
    });
    await server.connect(transport);
    // The 2025 transport refuses an Accept without text/event-stream, although it answers JSON here: a
    // client that accepts only application/json (several real ones do) gets exactly what it accepts.
    // (The rule in front of the SDK already checked that the client takes JSON.)
    const accept = request.headers.get('accept') ?? '';
    const served =
      /application\/json/i.test(accept) && /text\/event-stream/i.test(accept)
        ? request
        : new Request(request.url, {
            method: request.method,
            headers: (() => {
              const headers = new Headers(request.headers);
              headers.set('accept', 'application/json, text/event-stream');
              return headers;
            })(),
          });
    try {
      const response = await transport.handleRequest(served, { parsedBody, ...(authInfo && { authInfo }) });
      if (!streams && response.body !== null && response.headers.get('content-type')?.includes('application/json')) {
        const text = await response.text();
        // Only an internal-error answer can be a schema failure to restate: every other answer passes as it is.
        if (!text.includes('-32603')) return new Response(text, { status: response.status, headers: response.headers });
        let answer: unknown;
        try {
          answer = JSON.parse(text);
        } catch {
          return new Response(text, { status: response.status, headers: response.headers });
        }
        const changed = (Array.isArray(answer) ? answer : [answer])
          .map((message) => asInvalidParams(message ?? {}))
          .some(Boolean);
        return new Response(changed ? JSON.stringify(answer) : text, { status: response.status, headers: response.headers });
      }
      if (!streams || response.body === null) return response;
      // The stream ends when the result is written: read it all before the transport is closed.
      const body = await response.arrayBuffer();
      return new Response(body.byteLength === 0 ? null : body, { status: response.status, headers: response.headers });
    } finally {
      await transport.close().catch(() => {});
      await server.close().catch(() => {});
    }
  }

  return async (request, context) => {
    const started = now();
    const origin = request.headers.get('origin');
    const corsHeaders: Record<string, string> =
      origin !== null && isOriginAllowed(origin, allowedOrigins)
        ? { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSED_HEADERS, Vary: 'Origin' }
        : {};
    // What the log line says about this request, filled in as the request is understood.
    const seen: { summary: RpcSummary; era?: 'modern' | 'legacy'; clientId?: string; user?: string; reason?: string } = {
      summary: {},
    };

    const respond = async (unread: Response): Promise<Response> => {
      const { response, bytes, body } = await buffered(unread);
      for (const [name, value] of Object.entries(corsHeaders)) response.headers.set(name, value);
      const toolError = seen.summary.tool !== undefined && body !== undefined && isToolError(body);
      const record: RequestLogRecord = {
        level: response.status >= 500 || toolError ? 'error' : response.status >= 400 ? 'warn' : 'info',
        msg: 'request',
        requestId: context.requestId,
        httpMethod: request.method,
        ...seen.summary,
        status: response.status,
        responseBytes: bytes,
        durationMs: Math.round((now() - started) * 100) / 100,
        ...(seen.era !== undefined && { era: seen.era }),
        ...(seen.clientId !== undefined && { clientId: seen.clientId }),
        ...(seen.user !== undefined && { user: seen.user }),
        ...(seen.reason !== undefined && { reason: seen.reason }),
        ...(toolError && { toolError: true }),
      };
      options.log(record);
      return response;
    };
    const reject = (why: string, status: number, code: number, message: string, headers?: Record<string, string>) => {
      seen.reason = why;
      return respond(jsonRpcError(status, code, message, headers));
    };

    if (origin !== null && !('Access-Control-Allow-Origin' in corsHeaders)) {
      // Echo the origin only when it is one: a header value that is not must not come back (it may hold a token).
      const shown = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(origin) ? `origin ${origin}` : 'this Origin header';
      return reject('origin_not_allowed', 403, -32000, `Forbidden: ${shown} is not allowed`);
    }

    const method = request.method.toUpperCase();
    if (method === 'OPTIONS') {
      return respond(
        new Response(null, {
          status: 204,
          headers: {
            'Access-Control-Allow-Methods': ALLOWED_METHODS,
            'Access-Control-Allow-Headers': ALLOWED_HEADERS,
            'Access-Control-Max-Age': '600',
          },
        }),
      );
    }
    if (method !== 'POST') {
      return reject('method_not_allowed', 405, -32000, `Method not allowed: ${method.slice(0, 20)}. Send JSON-RPC with POST.`, {
        Allow: ALLOWED_METHODS,
      });
    }
    if (!isJsonContentType(request.headers.get('content-type'))) {
      return reject('unsupported_media_type', 415, -32000, 'Unsupported Media Type: Content-Type must be application/json');
    }
    const accept = request.headers.get('accept');
    if (accept === null || !acceptsJson(accept)) {
      return reject('not_acceptable', 406, -32000, 'Not Acceptable: Accept must include application/json');
    }

    const auth = authorize(context.claims, request.headers.get('authorization'), policy);
    if (!auth.ok) {
      const challenge =
        auth.reason === 'insufficient_scope' ? `Bearer error="insufficient_scope"` : `Bearer error="invalid_token"`;
      return reject(auth.reason, auth.status, -32001, auth.message, { 'WWW-Authenticate': challenge });
    }
    const authInfo = auth.authInfo;
    if (authInfo) {
      seen.clientId = authInfo.clientId;
      // The person (Cognito's sub, an opaque id: no email in the logs); machine clients have none.
      const sub = authInfo.extra?.sub;
      if (typeof sub === 'string' && sub !== authInfo.clientId) seen.user = sub;
    }
    // Tools only some groups may use, enforced from the verified token's groups. Without an authorizer
    // (dev) there is no identity to check.
    const toolGroups = options.toolGroups !== undefined && authInfo ? options.toolGroups : undefined;
    const callerGroups = (authInfo?.extra?.groups as string[] | undefined) ?? [];

    // Read the body here (not in the SDK) so the size cap, the parse error and the log summary come
    // from one read; the SDK then gets the parsed value (`parsedBody`) and never reads the body itself.
    const body = await readRequestBody(request, maxBodyBytes).catch(() => undefined);
    if (body === undefined) return reject('unreadable_body', 400, -32700, 'Parse error: the request body could not be read');
    if (body.tooLarge) {
      return reject('body_too_large', 413, -32000, `Payload Too Large: the request body is over ${maxBodyBytes} bytes`);
    }
    let parsedBody: unknown;
    try {
      parsedBody = JSON.parse(body.text);
    } catch {
      return reject('parse_error', 400, -32700, 'Parse error: the request body is not valid JSON');
    }
    seen.summary = summarize(parsedBody);
    // Limits on what one request may ask for: a batch of tool calls would fan out to that many API calls.
    const messages = Array.isArray(parsedBody) ? parsedBody : [parsedBody];
    const maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    if (messages.length > maxBatch) {
      return reject(
        'batch_too_large',
        400,
        -32600,
        `Invalid Request: a batch of ${messages.length} messages is over this server's limit of ${maxBatch}.`,
      );
    }
    const toolCalls = messages.filter((message) => (message as { method?: unknown } | null)?.method === 'tools/call').length;
    const maxToolCalls = options.maxToolCalls ?? DEFAULT_MAX_TOOL_CALLS;
    if (toolCalls > maxToolCalls) {
      return reject(
        'too_many_tool_calls',
        400,
        -32600,
        `Invalid Request: ${toolCalls} tool calls in one request is over this server's limit of ${maxToolCalls}; send them one at a time.`,
      );
    }
    // Batches left the protocol in 2025-06-18: a client that names a later version and sends one is refused.
    const version = request.headers.get('mcp-protocol-version')?.trim();
    if (Array.isArray(parsedBody) && version !== undefined && NO_BATCH_VERSIONS.has(version)) {
      return reject(
        'batch_not_supported',
        400,
        -32600,
        `Invalid Request: protocol version ${version} has no JSON-RPC batches (they were removed in 2025-06-18); send one message per request.`,
      );
    }
    if (toolGroups) {
      for (const message of Array.isArray(parsedBody) ? parsedBody : [parsedBody]) {
        const { method, params, id } = (message ?? {}) as { method?: unknown; params?: { name?: unknown }; id?: unknown };
        if (method !== 'tools/call' || typeof params?.name !== 'string') continue;
        const needed = missingGroups(toolGroups, params.name, callerGroups);
        if (needed === undefined) continue;
        seen.reason = 'tool_not_allowed';
        return respond(
          new Response(
            JSON.stringify({
              jsonrpc: '2.0',
              id: typeof id === 'string' || typeof id === 'number' ? id : null,
              error: {
                code: -32602,
                message: `Tool ${params.name.slice(0, 100)} is for members of ${needed.join(' or ')}, and you are in ${callerGroups.length === 0 ? 'no group' : `only ${callerGroups.join(', ')}`}. Ask the server's owner to add you (mcp-lambda users groups add <your email> ${needed[0]}).`,
              },
            }),
            { status: 200, headers: { 'Content-Type': 'application/json' } },
          ),
        );
      }
    }

    try {
      return await currentRequest.run({ requestId: context.requestId }, async () => {
        const legacy = await isLegacyRequest(request, parsedBody, { maxRequestBodySize: maxBodyBytes });
        seen.era = legacy ? 'legacy' : 'modern';
        const answer = legacy
          ? await serveLegacy(request, parsedBody, authInfo)
          : await modern.fetch(request, { parsedBody, ...(authInfo && { authInfo }) });
        if (toolGroups && seen.summary.rpcMethod === 'tools/list') {
          return respond(await withoutTools(answer, (tool) => missingGroups(toolGroups, tool, callerGroups) !== undefined));
        }
        return respond(answer);
      });
    } catch (error) {
      // The SDK answers protocol errors itself; reaching here is a bug. Only the error's class is logged:
      // its message may quote the request.
      return reject(`internal_error:${error instanceof Error ? error.name : typeof error}`, 500, -32603, 'Internal error');
    }
  };
}
