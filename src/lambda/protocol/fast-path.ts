/**
 * Answers the requests every connection starts with — `initialize`, `notifications/initialized`,
 * `ping`, `server/discover`, `tools/list` — and the calls of tools that have a plain implementation
 * ({@link FastTool}), without loading the MCP SDK.
 *
 * The answers come from a {@link Manifest}: what the SDK itself answered to those requests, recorded
 * when the Lambda was bundled (`deriveManifest` in `manifest.ts`). A request is answered here only when
 * its shape leaves nothing for the SDK to decide: a single message, a known method, exactly the
 * parameters listed below, a protocol version the manifest holds. Anything else — a cursor, a progress
 * token, a version mismatch, a malformed envelope, an argument the tool's plain check does not accept —
 * returns `undefined` and goes to the SDK, which gives the answer (or the error) the protocol asks for.
 * `test/lambda/fast-path.test.ts` sends the same requests, well-formed and not, both ways and requires
 * byte-identical answers.
 */
import { type HttpRequest, type HttpResponse, httpResponse } from '../edge/http.js';

/** The 2025-era revisions (negotiated by `initialize`). */
export const LEGACY_VERSIONS = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'] as const;
/** The revision that carries its version in every request's `_meta` envelope. */
export const MODERN_VERSION = '2026-07-28';

/** What the SDK answered, as JSON-RPC `result` values. */
export interface Manifest {
  readonly legacy: {
    /** `initialize` result per protocol version the client asked for (and the server agreed to). */
    readonly initialize: Readonly<Record<string, unknown>>;
    /** `tools/list` result per protocol version (the `MCP-Protocol-Version` header). */
    readonly toolsList: Readonly<Record<string, unknown>>;
  };
  readonly modern: {
    readonly discover: unknown;
    /** Undefined for a server without tools (the SDK answers its tools/list with an error). */
    readonly toolsList?: unknown;
    /** The `_meta` every 2026-07-28 result carries (the server's identity). */
    readonly resultMeta: unknown;
  };
  /** Tool names in the list (a fast tool is only answered for a tool the manifest lists). */
  readonly tools: readonly string[];
}

/** What a tool returns (`CallToolResult`). */
export interface ToolResult {
  readonly content: readonly unknown[];
  readonly structuredContent?: Readonly<Record<string, unknown>>;
  readonly isError?: boolean;
}

/**
 * A tool's plain implementation: returns undefined when it cannot tell that the arguments are ones its
 * SDK registration accepts unchanged (the SDK then validates and answers), else the result.
 */
export type FastTool = (args: Readonly<Record<string, unknown>>) => Promise<ToolResult> | undefined;

export interface FastAnswer {
  readonly era: 'modern' | 'legacy';
  readonly response: HttpResponse;
}

const ENVELOPE_KEYS = [
  'io.modelcontextprotocol/protocolVersion',
  'io.modelcontextprotocol/clientInfo',
  'io.modelcontextprotocol/clientCapabilities',
];

/** A JSON-RPC id as the SDK's schema takes it: a string or a safe integer. */
const isId = (value: unknown): value is string | number => typeof value === 'string' || Number.isSafeInteger(value);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;

/** Whether an object has only these keys (and, when `required`, all of them). */
function hasOnly(value: Record<string, unknown>, allowed: readonly string[], required: readonly string[] = []): boolean {
  const keys = Object.keys(value);
  return keys.every((key) => allowed.includes(key)) && required.every((key) => keys.includes(key));
}

/**
 * A client's identity as the SDK's schema takes it: `name` and `version`, and optionally `title`,
 * `description` and `websiteUrl`, all strings (Claude Code sends all five). Icons, or anything else, are
 * left to the SDK.
 */
function isClientInfo(value: unknown): boolean {
  return (
    isPlainObject(value) &&
    hasOnly(value, ['name', 'version', 'title', 'description', 'websiteUrl'], ['name', 'version']) &&
    Object.values(value).every((field) => typeof field === 'string')
  );
}

const isFlag = (value: unknown): boolean => value === undefined || typeof value === 'boolean';
const objectsOnly = (value: unknown): boolean => isPlainObject(value) && Object.values(value).every(isPlainObject);

/** Each client capability whose shape is plain enough to judge here; any other is left to the SDK. */
const CAPABILITY_SHAPES: Readonly<Record<string, (value: unknown) => boolean>> = {
  roots: (value) => isPlainObject(value) && hasOnly(value, ['listChanged']) && isFlag(value.listChanged),
  sampling: objectsOnly,
  experimental: objectsOnly,
  elicitation: (value) =>
    isPlainObject(value) &&
    hasOnly(value, ['form', 'url']) &&
    (value.form === undefined ||
      (isPlainObject(value.form) && hasOnly(value.form, ['applyDefaults']) && isFlag(value.form.applyDefaults))) &&
    (value.url === undefined || (isPlainObject(value.url) && Object.keys(value.url).length === 0)),
};

/** Client capabilities of the shapes above (their contents change no answer given here). */
function isCapabilities(value: unknown): boolean {
  return (
    isPlainObject(value) &&
    Object.entries(value).every(
      ([name, capability]) => Object.hasOwn(CAPABILITY_SHAPES, name) && CAPABILITY_SHAPES[name]?.(capability) === true,
    )
  );
}

/** A 2026-07-28 request envelope with exactly the three fields a client always sends. */
function isModernEnvelope(meta: unknown): boolean {
  return (
    isPlainObject(meta) &&
    hasOnly(meta, ENVELOPE_KEYS, ENVELOPE_KEYS) &&
    meta['io.modelcontextprotocol/protocolVersion'] === MODERN_VERSION &&
    isClientInfo(meta['io.modelcontextprotocol/clientInfo']) &&
    isCapabilities(meta['io.modelcontextprotocol/clientCapabilities'])
  );
}

/** `ping`'s result (one object: answers are cached by identity). */
const EMPTY_RESULT = {};
const JSON_HEADERS = { 'content-type': 'application/json' };
/** The headers the SDK's 2025 transport sends with an event stream. */
const SSE_HEADERS = {
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'content-type': 'text/event-stream',
  'x-accel-buffering': 'no',
};

/** The JSON-RPC answer as the SDK serializes it (`result` first), from the result's JSON text. */
const resultMessage = (resultJson: string, id: string | number): string =>
  `{"result":${resultJson},"jsonrpc":"2.0","id":${JSON.stringify(id)}}`;

/** Builds the fast path over a manifest and the tools that have a plain implementation. */
export function createFastPath(
  manifest: Manifest,
  tools: Readonly<Record<string, FastTool>> = {},
): (request: HttpRequest, parsedBody: unknown) => Promise<FastAnswer> | undefined {
  const legacyVersions = new Set<string>(LEGACY_VERSIONS);
  // The manifest's answers never change: each is serialized once, on first use.
  const serialized = new Map<unknown, string>();
  const json = (result: unknown): string => {
    let text = serialized.get(result);
    if (text === undefined) serialized.set(result, (text = JSON.stringify(result)));
    return text;
  };

  const legacy = (request: HttpRequest, message: Record<string, unknown>): Promise<FastAnswer> | FastAnswer | undefined => {
    const { method, id, params } = message;
    const header = request.headers.get('mcp-protocol-version');
    const version = header ?? '2025-03-26';
    if (!legacyVersions.has(version) || request.headers.has('mcp-method') || request.headers.has('mcp-session-id'))
      return undefined;
    const answer = (result: unknown): FastAnswer => ({
      era: 'legacy',
      response: httpResponse(200, JSON_HEADERS, resultMessage(json(result), id as string | number)),
    });
    const noParams = params === undefined || (isPlainObject(params) && Object.keys(params).length === 0);
    if (method === 'notifications/initialized') {
      return 'id' in message || !noParams ? undefined : { era: 'legacy', response: httpResponse(202) };
    }
    if (!isId(id)) return undefined;
    switch (method) {
      case 'initialize': {
        if (!isPlainObject(params)) return undefined;
        if (
          !hasOnly(params, ['protocolVersion', 'capabilities', 'clientInfo'], ['protocolVersion', 'capabilities', 'clientInfo'])
        )
          return undefined;
        const { protocolVersion, capabilities, clientInfo } = params;
        if (typeof protocolVersion !== 'string' || !Object.hasOwn(manifest.legacy.initialize, protocolVersion)) return undefined;
        if (!isCapabilities(capabilities) || !isClientInfo(clientInfo)) return undefined;
        return answer(manifest.legacy.initialize[protocolVersion]);
      }
      case 'ping':
        return noParams ? answer(EMPTY_RESULT) : undefined;
      case 'tools/list':
        return noParams && Object.hasOwn(manifest.legacy.toolsList, version)
          ? answer(manifest.legacy.toolsList[version])
          : undefined;
      case 'tools/call': {
        if (!isPlainObject(params) || !hasOnly(params, ['name', 'arguments'], ['name', 'arguments'])) return undefined;
        const call = callTool(params.name, params.arguments);
        if (call === undefined) return undefined;
        const streams = /text\/event-stream/i.test(request.headers.get('accept') ?? '');
        return call.then((result) => ({
          era: 'legacy',
          response: streams
            ? httpResponse(200, SSE_HEADERS, `event: message\ndata: ${resultMessage(JSON.stringify(result), id)}\n\n`)
            : httpResponse(200, JSON_HEADERS, resultMessage(JSON.stringify(result), id)),
        }));
      }
      default:
        return undefined;
    }
  };

  const modern = (request: HttpRequest, message: Record<string, unknown>): Promise<FastAnswer> | FastAnswer | undefined => {
    const { method, id, params } = message;
    if (!isId(id)) return undefined;
    if (request.headers.get('mcp-method') !== method || request.headers.has('mcp-session-id')) return undefined;
    if (!isPlainObject(params) || !isModernEnvelope(params._meta)) return undefined;
    const answer = (result: unknown, fixed = true): FastAnswer => ({
      era: 'modern',
      response: httpResponse(200, JSON_HEADERS, resultMessage(fixed ? json(result) : JSON.stringify(result), id)),
    });
    const onlyMeta = hasOnly(params, ['_meta']);
    switch (method) {
      case 'server/discover':
        return onlyMeta && !request.headers.has('mcp-name') ? answer(manifest.modern.discover) : undefined;
      case 'tools/list':
        return onlyMeta && !request.headers.has('mcp-name') && manifest.modern.toolsList !== undefined
          ? answer(manifest.modern.toolsList)
          : undefined;
      case 'tools/call': {
        if (!hasOnly(params, ['name', 'arguments', '_meta'], ['name', 'arguments', '_meta'])) return undefined;
        if (request.headers.get('mcp-name') !== params.name) return undefined;
        const call = callTool(params.name, params.arguments);
        return call?.then((result) => answer({ ...result, resultType: 'complete', _meta: manifest.modern.resultMeta }, false));
      }
      default:
        return undefined;
    }
  };

  function callTool(name: unknown, args: unknown): Promise<ToolResult> | undefined {
    if (typeof name !== 'string' || !Object.hasOwn(tools, name) || !manifest.tools.includes(name) || !isPlainObject(args)) {
      return undefined;
    }
    return tools[name]?.(args);
  }

  return (request, parsedBody) => {
    if (!isPlainObject(parsedBody) || parsedBody.jsonrpc !== '2.0') return undefined;
    if (!hasOnly(parsedBody, ['jsonrpc', 'id', 'method', 'params'])) return undefined;
    const version = request.headers.get('mcp-protocol-version');
    const answer = version === MODERN_VERSION ? modern(request, parsedBody) : legacy(request, parsedBody);
    return answer === undefined ? undefined : Promise.resolve(answer);
  };
}
