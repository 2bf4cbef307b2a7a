/**
 * The Streamable HTTP face of an MCP server, as a request → response function.
 *
 * It owns the HTTP rules that sit in front of the MCP protocol (CORS, Origin, method, media types, body
 * size, JSON parsing, authorizer claims, per-request limits) and the per-request log line. The protocol
 * itself is the official SDK's ({@link ./sdk-leg.ts}), loaded on the first request that needs it; the
 * requests whose answers the SDK gave when the Lambda was built are answered from that record first
 * ({@link ./fast-path.ts}), so a cold start that sees only those never loads the SDK.
 *
 * Responses are read to the end before they are logged and returned (API Gateway's REST integration
 * buffers them anyway), so the log line's status, size and duration are what the client really got.
 */
import type { McpServerFactory } from '@modelcontextprotocol/server';
import { type ApiWideGrant, type AuthorizerClaims, authorize } from '../services/auth.js';
import {
  DEFAULT_ALLOWED_ORIGINS,
  DEFAULT_MAX_BATCH,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_TOOL_CALLS,
  isOriginAllowed,
} from '../services/config.js';
import { createFastPath, type FastAnswer, type FastTool, type Manifest } from './fast-path.js';
import { type HttpRequest, type HttpResponse, httpResponse, jsonRpcError } from '../edge/http.js';
import type { Logger } from '../services/log.js';
import { createRequestLine, type RpcSummary, summarize } from './request-line.js';
import { currentRequest, type RequestNotes } from '../edge/request-context.js';
import type { SdkLeg } from './sdk-leg.js';

/** Where the server comes from: a factory, or a loader that imports one on first need. */
export type ServerSource =
  | { readonly factory: McpServerFactory; readonly loadFactory?: never }
  | { readonly loadFactory: () => Promise<McpServerFactory>; readonly factory?: never };

/** How requests may be answered without the SDK (see `fast-path.ts`). */
export interface FastPathOptions {
  /** The SDK's recorded answers, or 'derive' to record them on the first request (dev and tests). */
  readonly manifest: Manifest | 'derive';
  /** Tools with a plain implementation. */
  readonly tools?: Readonly<Record<string, FastTool>>;
}

export type McpHttpHandlerOptions = ServerSource & {
  /** Answers from a manifest before the SDK; off when absent. */
  readonly fast?: FastPathOptions;
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
  /** The API's own resource and scope, accepted too (several servers behind one API). @default none */
  readonly apiWide?: ApiWideGrant;
  /** Tools only some Cognito groups may use (tool → groups); others are for everyone. @default none */
  readonly toolGroups?: Readonly<Record<string, readonly string[]>>;
  /** Refuse a request without the authorizer's claims (deployed behind it). @default false */
  readonly requireClaims?: boolean;
  /** Pass a tool call's event stream on as it is written (a deployment with `--timeout` over 29 s). */
  readonly streaming?: boolean;
  /** Where the per-request log line goes. */
  readonly log: Logger;
  /** The log line's `server` and its metrics' `Server` dimension. @default 'mcp' */
  readonly serverLabel?: string;
  /** Tool calls' metrics get a `Tool` dimension too (`deploy --per-tool-metrics`). @default false */
  readonly perToolMetrics?: boolean;
  /** Clock for durations. @default performance.now */
  readonly now?: () => number;
};

/** What the caller knows about a request beyond HTTP: its id and the authorizer's claims. */
export interface McpRequestContext {
  readonly requestId: string;
  readonly claims?: AuthorizerClaims;
}

export type McpHttpHandler = (request: HttpRequest, context: McpRequestContext) => Promise<HttpResponse>;

const ALLOWED_METHODS = 'POST, OPTIONS';
const ALLOWED_HEADERS =
  'Authorization, Content-Type, Accept, MCP-Protocol-Version, Mcp-Session-Id, Mcp-Method, Mcp-Name, Last-Event-ID';
const EXPOSED_HEADERS = 'MCP-Protocol-Version, Mcp-Session-Id, WWW-Authenticate';

function acceptsJson(accept: string): boolean {
  return accept
    .split(',')
    .map((part) => part.split(';')[0]?.trim().toLowerCase())
    .some((type) => type === 'application/json' || type === 'application/*' || type === '*/*');
}

/** The common spellings of a JSON Content-Type; anything else is for the SDK's own parser to judge. */
const PLAIN_JSON = /^application\/json(\s*;\s*charset="?utf-8"?)?$/i;

/** A message's JSON-RPC method, whatever the message is. */
const methodOf = (message: unknown): unknown =>
  typeof message === 'object' && message !== null ? (message as { method?: unknown }).method : undefined;

/** Whether two requests (messages with a method and an id) share an id: `1` and `"1"` are different ids. */
function hasRepeatedRequestId(messages: readonly unknown[]): boolean {
  const ids = new Set<string>();
  for (const message of messages) {
    if (typeof methodOf(message) !== 'string' || !('id' in (message as object))) continue;
    const id = (message as { id?: unknown }).id;
    const key = `${typeof id}:${String(id)}`;
    if (ids.has(key)) return true;
    ids.add(key);
  }
  return false;
}

/** Tool → the groups that may use it, looked up as own entries only (a tool may be named `constructor`). */
type ToolGroups = ReadonlyMap<string, readonly string[]>;

/** The groups a tool needs that the caller is in none of, or undefined when the caller may use it. */
function missingGroups(toolGroups: ToolGroups, tool: string, callerGroups: readonly string[]): readonly string[] | undefined {
  const needed = toolGroups.get(tool);
  return needed === undefined || needed.some((group) => callerGroups.includes(group)) ? undefined : needed;
}

type ListAnswer = { result?: { tools?: Array<{ name?: unknown }> } } | null;

/**
 * Drops the tools the caller may not use from a tools/list answer: one message or a batch's array of
 * them (every `result.tools` in it), as JSON or as JSON inside SSE events.
 */
function withoutTools(response: HttpResponse, hidden: (tool: string) => boolean): HttpResponse {
  const filterOne = (message: ListAnswer): void => {
    const tools = message?.result?.tools;
    if (message?.result && Array.isArray(tools)) {
      message.result.tools = tools.filter((tool) => !(typeof tool?.name === 'string' && hidden(tool.name)));
    }
  };
  const filter = (json: string): string => {
    const parsed = JSON.parse(json) as ListAnswer | ListAnswer[];
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) filterOne(message);
    return JSON.stringify(parsed);
  };
  const sse = response.headers['content-type']?.includes('text/event-stream') === true;
  const body = sse
    ? response.body.replace(/^data: (.*)$/gm, (_line, json: string) => `data: ${filter(json)}`)
    : response.body === ''
      ? ''
      : filter(response.body);
  const { 'content-length': _length, ...headers } = response.headers;
  return { status: response.status, headers, body };
}

/** How much of a streamed answer's end is kept to see whether it is a tool error. */
const STREAM_LOG_TAIL = 256 * 1024;

/** Protocol versions that have no JSON-RPC batches (batching was removed in 2025-06-18). */
const NO_BATCH_VERSIONS = new Set(['2025-06-18', '2025-11-25']);

/** Whether this execution environment has served a request yet: the first one is its cold start. */
let environmentServed = false;

/** Creates the handler. Build it once per process (cold start) and call it for every request. */
export function createMcpHttpHandler(options: McpHttpHandlerOptions): McpHttpHandler {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const allowedOrigins = options.allowedOrigins ?? DEFAULT_ALLOWED_ORIGINS;
  const policy = {
    allowedClientIds: options.allowedClientIds ?? [],
    ...(options.requiredScope !== undefined && { requiredScope: options.requiredScope }),
    ...(options.resource !== undefined && { resource: options.resource }),
    ...(options.apiWide !== undefined && { apiWide: options.apiWide }),
    ...(options.requireClaims === true && { requireClaims: true }),
  };
  const configuredGroups: ToolGroups | undefined =
    options.toolGroups === undefined ? undefined : new Map(Object.entries(options.toolGroups));
  const now = options.now ?? (() => performance.now());
  const requestLine = createRequestLine({
    server: options.serverLabel ?? 'mcp',
    ...(options.perToolMetrics === true && { perToolMetrics: true }),
  });

  // The SDK leg, built on the first request that needs it (the import is what a cold start saves).
  let sdkLeg: Promise<SdkLeg> | undefined;
  const sdk = (): Promise<SdkLeg> =>
    (sdkLeg ??= (async () => {
      const [{ createSdkLeg }, factory] = await Promise.all([
        import('./sdk-leg.js'),
        options.factory ? Promise.resolve(options.factory) : options.loadFactory(),
      ]);
      return createSdkLeg({ factory, maxBodyBytes, streaming: options.streaming === true });
    })());
  let fastPath: Promise<ReturnType<typeof createFastPath> | undefined> | undefined;
  const fast = (): Promise<ReturnType<typeof createFastPath> | undefined> =>
    (fastPath ??= (async () => {
      if (options.fast === undefined) return undefined;
      const manifest =
        options.fast.manifest === 'derive'
          ? await sdk().then(async (leg) => (await import('./manifest.js')).deriveManifest(leg))
          : options.fast.manifest;
      return createFastPath(manifest, options.fast.tools);
    })());
  const isJson = async (contentType: string | null): Promise<boolean> =>
    contentType !== null && (PLAIN_JSON.test(contentType) || (await import('./sdk-leg.js')).isJsonContentType(contentType));

  return async (request, context) => {
    const started = now();
    const coldStart = !environmentServed;
    environmentServed = true;
    const origin = request.headers.get('origin');
    const corsHeaders: Record<string, string> =
      origin !== null && isOriginAllowed(origin, allowedOrigins)
        ? { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSED_HEADERS, Vary: 'Origin' }
        : {};
    // What the log line says about this request, filled in as the request is understood.
    // `notes` are written by code serving the request (the stdio bridge's child start).
    const seen: { summary: RpcSummary; era?: 'modern' | 'legacy'; path?: 'fast'; notes: RequestNotes } & {
      clientId?: string;
      user?: string;
      reason?: string;
    } = { summary: {}, notes: {} };

    const log = (status: number, body: string, bytes: number) =>
      options.log(
        requestLine({
          requestId: context.requestId,
          httpMethod: request.method,
          summary: seen.summary,
          status,
          body,
          bytes,
          durationMs: now() - started,
          coldStart,
          ...(seen.era !== undefined && { era: seen.era }),
          ...(seen.path !== undefined && { path: seen.path }),
          ...(seen.clientId !== undefined && { clientId: seen.clientId }),
          ...(seen.user !== undefined && { user: seen.user }),
          ...(seen.reason !== undefined && { reason: seen.reason }),
          ...(seen.notes.child !== undefined && { child: seen.notes.child }),
        }),
      );
    const respond = (answer: HttpResponse): HttpResponse => {
      const response = httpResponse(answer.status, { ...answer.headers, ...corsHeaders }, answer.body);
      const { stream } = answer;
      if (stream === undefined) {
        log(response.status, response.body, Buffer.byteLength(response.body));
        return response;
      }
      // A streamed answer is logged when it ends: its size and duration are what the client got. The text
      // kept to find a tool error is capped (the result comes last; progress before it is small).
      async function* logged(): AsyncGenerator<string> {
        let bytes = Buffer.byteLength(response.body);
        let text = response.body;
        try {
          for await (const chunk of stream as AsyncIterable<string>) {
            bytes += Buffer.byteLength(chunk);
            text = (text + chunk).slice(-STREAM_LOG_TAIL);
            yield chunk;
          }
        } finally {
          log(response.status, text.slice(text.indexOf('\n') + 1), bytes);
        }
      }
      return { ...response, stream: logged() };
    };
    const reject = (why: string, status: number, code: number, message: string, headers?: Record<string, string>) => {
      seen.reason = why;
      return respond(jsonRpcError(status, code, message, headers));
    };

    // Anything unexpected below is a bug: it still gets a JSON-RPC answer and a log line (only the error's
    // class is logged: its message may quote the request).
    try {
      return await serve();
    } catch (error) {
      return reject(`internal_error:${error instanceof Error ? error.name : typeof error}`, 500, -32603, 'Internal error');
    }

    async function serve(): Promise<HttpResponse> {
      if (origin !== null && !('Access-Control-Allow-Origin' in corsHeaders)) {
        // Echo the origin only when it is one: a header value that is not must not come back (it may hold a token).
        const shown = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(origin) ? `origin ${origin}` : 'this Origin header';
        return reject('origin_not_allowed', 403, -32000, `Forbidden: ${shown} is not allowed`);
      }

      const method = request.method.toUpperCase();
      if (method === 'OPTIONS') {
        return respond(
          httpResponse(204, {
            'Access-Control-Allow-Methods': ALLOWED_METHODS,
            'Access-Control-Allow-Headers': ALLOWED_HEADERS,
            'Access-Control-Max-Age': '600',
          }),
        );
      }
      if (method !== 'POST') {
        return reject('method_not_allowed', 405, -32000, `Method not allowed: ${method.slice(0, 20)}. Send JSON-RPC with POST.`, {
          Allow: ALLOWED_METHODS,
        });
      }
      if (!(await isJson(request.headers.get('content-type')))) {
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
      const toolGroups = authInfo ? configuredGroups : undefined;
      const callerGroups = (authInfo?.extra?.groups as string[] | undefined) ?? [];

      // Read the body here (not in the SDK) so the size cap, the parse error and the log summary come
      // from one read; the SDK then gets the parsed value (`parsedBody`) and never reads the body itself.
      const text = request.body ?? '';
      if (Number(request.headers.get('content-length')) > maxBodyBytes || Buffer.byteLength(text) > maxBodyBytes) {
        return reject('body_too_large', 413, -32000, `Payload Too Large: the request body is over ${maxBodyBytes} bytes`);
      }
      let parsedBody: unknown;
      try {
        parsedBody = JSON.parse(text);
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
      const toolCalls = messages.filter((message) => methodOf(message) === 'tools/call').length;
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
      // Each answer in a batch is matched to its request by id, and so is what code running for a request
      // reads of it (requestState's binding to the tool): two requests of one batch with one id are refused.
      if (Array.isArray(parsedBody) && hasRepeatedRequestId(messages)) {
        return reject(
          'duplicate_request_id',
          400,
          -32600,
          'Invalid Request: two requests in this batch have the same id; give each request its own id.',
        );
      }
      if (toolGroups) {
        // Every message of a batch, not just the first: a call hidden behind a ping is refused too.
        for (const message of messages) {
          const { params, id } = (typeof message === 'object' && message !== null ? message : {}) as {
            params?: { name?: unknown } | null;
            id?: unknown;
          };
          if (methodOf(message) !== 'tools/call' || typeof params?.name !== 'string') continue;
          const needed = missingGroups(toolGroups, params.name, callerGroups);
          if (needed === undefined) continue;
          seen.reason = 'tool_not_allowed';
          return respond(
            httpResponse(
              200,
              { 'Content-Type': 'application/json' },
              JSON.stringify({
                jsonrpc: '2.0',
                id: typeof id === 'string' || typeof id === 'number' ? id : null,
                error: {
                  code: -32602,
                  message: `Tool ${params.name.slice(0, 100)} is for members of ${needed.join(' or ')}, and you are in ${callerGroups.length === 0 ? 'no group' : `only ${callerGroups.join(', ')}`}. Ask the server's owner to add you (mcp-lambda users groups add <your email> ${needed[0]}).`,
                },
              }),
            ),
          );
        }
      }
      // A tools/list anywhere in the request (a batch's second message, say) gets its answer filtered.
      const listsTools = toolGroups !== undefined && messages.some((message) => methodOf(message) === 'tools/list');

      return await currentRequest.run(
        {
          requestId: context.requestId,
          messages,
          notes: seen.notes,
          ...(auth.bearerToken !== undefined && auth.bearerToken !== '' && { bearerToken: auth.bearerToken }),
        },
        async () => {
          const quick: FastAnswer | undefined = await (await fast())?.(request, parsedBody);
          // The SDK gets the caller without the token (AuthInfo.token is empty): see auth.ts.
          const { era, response } = quick ?? (await (await sdk()).serve(request, parsedBody, authInfo));
          seen.era = era;
          if (quick) seen.path = 'fast';
          if (listsTools && toolGroups) {
            return respond(withoutTools(response, (tool) => missingGroups(toolGroups, tool, callerGroups) !== undefined));
          }
          return respond(response);
        },
      );
    }
  };
}
