/**
 * The per-request log line: what the HTTP handler saw of a request and its answer, as the closed
 * {@link RequestLogRecord} (OpenTelemetry's MCP names, our own fields, the embedded-metric block).
 *
 * Only the answer's JSON-RPC error code and a tool's `isError` flag are read from the answer; nothing of
 * a request's arguments or of a result reaches the line.
 */
import { emfBlocks, methodDimension } from '../services/metrics.js';
import type { RequestLogRecord } from '../services/log.js';

/** What the request's first message says: its method, tool (tools/call) and id, truncated. */
export interface RpcSummary {
  readonly rpcMethod?: string;
  readonly tool?: string;
  readonly id?: string;
}

export function summarize(body: unknown): RpcSummary {
  const first = Array.isArray(body) ? body[0] : body;
  if (typeof first !== 'object' || first === null) return {};
  const { method, params, id } = first as { method?: unknown; params?: { name?: unknown }; id?: unknown };
  if (typeof method !== 'string') return {};
  const tool = method === 'tools/call' && typeof params?.name === 'string' ? params.name : undefined;
  return {
    rpcMethod: method.slice(0, 100),
    ...(tool !== undefined && { tool: tool.slice(0, 100) }),
    ...((typeof id === 'string' || typeof id === 'number') && { id: String(id).slice(0, 100) }),
  };
}

/** What the answer says about how the request went. */
export interface AnswerOutcome {
  /** The first JSON-RPC error code in the answer. */
  readonly errorCode?: number;
  /** A tools/call answered `isError: true` (the SDK turns a thrown tool error into one too). */
  readonly toolError: boolean;
}

/**
 * Reads the outcome from a JSON body (one message or a batch) or from the data lines of a buffered SSE
 * body. Parsed only when the text can hold an error: a successful answer costs one substring search.
 */
export function answerOutcome(text: string, toolCall: boolean): AnswerOutcome {
  if (!text.includes('"error"') && !(toolCall && text.includes('"isError"'))) return { toolError: false };
  const first = text.trimStart()[0];
  const texts = first === '{' || first === '[' ? [text] : [...text.matchAll(/^data: (.*)$/gm)].map((match) => match[1] ?? '');
  let errorCode: number | undefined;
  let toolError = false;
  for (const one of texts) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(one);
    } catch {
      continue;
    }
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
      const { error, result } = (typeof message === 'object' && message !== null ? message : {}) as {
        error?: { code?: unknown };
        result?: { isError?: unknown };
      };
      if (errorCode === undefined && typeof error?.code === 'number' && Number.isInteger(error.code)) errorCode = error.code;
      if (toolCall && result?.isError === true) toolError = true;
    }
  }
  return { ...(errorCode !== undefined && { errorCode }), toolError };
}

/** What the handler knows of a request when its answer has been read to the end. */
export interface RequestFacts {
  readonly requestId: string;
  readonly httpMethod: string;
  readonly summary: RpcSummary;
  readonly status: number;
  /** The answer's body (or, streamed, its last part). */
  readonly body: string;
  readonly bytes: number;
  readonly durationMs: number;
  readonly coldStart: boolean;
  readonly era?: 'modern' | 'legacy';
  readonly path?: 'fast';
  readonly clientId?: string;
  /** The person's Cognito `sub`. */
  readonly user?: string;
  readonly reason?: string;
  readonly child?: 'started' | 'restarted';
}

export interface RequestLineOptions {
  /** The `server` field and the `Server` dimension. */
  readonly server: string;
  /** Add the `[Server, Tool]` dimension set to tool calls (`deploy --per-tool-metrics`). */
  readonly perToolMetrics?: boolean;
  /** Wall-clock time for the metric timestamp. @default Date.now */
  readonly wallClock?: () => number;
}

/** Builds the line maker once per handler: the constant part of the metric block is made here. */
export function createRequestLine(options: RequestLineOptions): (facts: RequestFacts) => RequestLogRecord {
  const blocks = emfBlocks(options.perToolMetrics === true);
  const wallClock = options.wallClock ?? Date.now;
  return (facts) => {
    const { summary, status } = facts;
    const toolCall = summary.tool !== undefined;
    const { errorCode, toolError } = answerOutcome(facts.body, toolCall);
    // A tool's name becomes a dimension only when the call reached it (no JSON-RPC error: not an unknown tool).
    const toolDimension = options.perToolMetrics === true && toolCall && errorCode === undefined && status < 400;
    const errorType = errorCode !== undefined ? String(errorCode) : toolError ? 'tool_error' : undefined;
    const durationMs = Math.round(facts.durationMs * 100) / 100;
    return {
      level: status >= 500 || toolError ? 'error' : status >= 400 ? 'warn' : 'info',
      msg: 'request',
      requestId: facts.requestId,
      httpMethod: facts.httpMethod,
      ...(summary.rpcMethod !== undefined && { rpcMethod: summary.rpcMethod, 'mcp.method.name': summary.rpcMethod }),
      ...(summary.tool !== undefined && { tool: summary.tool, 'gen_ai.tool.name': summary.tool }),
      ...(summary.id !== undefined && { 'jsonrpc.request.id': summary.id }),
      status,
      responseBytes: facts.bytes,
      durationMs,
      coldStart: facts.coldStart,
      server: options.server,
      ...(facts.era !== undefined && { era: facts.era }),
      ...(facts.path !== undefined && { path: facts.path }),
      ...(facts.clientId !== undefined && { clientId: facts.clientId }),
      ...(facts.user !== undefined && { user: facts.user }),
      ...(facts.reason !== undefined && { reason: facts.reason }),
      ...(toolError && { toolError: true }),
      ...(errorType !== undefined && { 'error.type': errorType }),
      ...(facts.child !== undefined && { child: facts.child }),
      _aws: (toolDimension ? blocks.tool : blocks.plain)(wallClock()),
      Server: options.server,
      Method: methodDimension(summary.rpcMethod),
      ...(toolDimension && summary.tool !== undefined && { Tool: summary.tool }),
      Requests: 1,
      Errors: status >= 400 || errorCode !== undefined ? 1 : 0,
      ToolErrors: toolError ? 1 : 0,
      Latency: durationMs,
      ColdStart: facts.coldStart ? 1 : 0,
    };
  };
}
