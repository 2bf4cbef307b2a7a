/**
 * Structured request logging for the Lambda.
 *
 * One JSON line per request. The record type is closed on purpose: there is no field that could carry
 * a header, a token or the raw event, so nothing secret can reach the logs by accident. Its MCP fields
 * carry OpenTelemetry's semantic-convention names (`mcp.method.name`, `gen_ai.tool.name`,
 * `jsonrpc.request.id`, `error.type`), and the same line is a CloudWatch embedded-metric record (`_aws`,
 * see ./metrics.ts): CloudWatch makes the metrics from it, with no call and no second line.
 */
import type { EmfBlock, RequestMetrics } from './metrics.js';

/** What one request log line holds. */
export interface RequestLogRecord extends RequestMetrics {
  readonly level: 'info' | 'warn' | 'error';
  readonly msg: 'request';
  readonly requestId: string;
  /** HTTP method of the request. */
  readonly httpMethod: string;
  /** JSON-RPC method, when the body held one. */
  readonly rpcMethod?: string;
  /** Tool name for `tools/call`. */
  readonly tool?: string;
  /** HTTP status of the response. */
  readonly status: number;
  /** Size of the response body, read to its end before the line is written. */
  readonly responseBytes: number;
  /** From the request's arrival to the end of the response body. */
  readonly durationMs: number;
  /** The protocol era the request was served in. */
  readonly era?: 'modern' | 'legacy';
  /** 'fast': answered from the build-time manifest or a tool's plain implementation, without the SDK. */
  readonly path?: 'fast';
  /** The caller's OAuth client id (not secret), when the authorizer passed claims. */
  readonly clientId?: string;
  /** The signed-in person's Cognito `sub` (an opaque id, not the email); absent for machine clients. */
  readonly user?: string;
  /** A short reason for a rejected request (never request content). */
  readonly reason?: string;
  /** The tool answered `isError: true` (or threw): logged at error level, with the tool's name. */
  readonly toolError?: true;
  /**
   * A stdio server (`--stdio`) was started for this request: 'started' the first time in this execution
   * environment, 'restarted' after the previous child exited (its exit has its own `stdio` line).
   */
  readonly child?: 'started' | 'restarted';
  /** OpenTelemetry's name for the JSON-RPC method (the same as `rpcMethod`, which `mcp-lambda logs` filters on). */
  readonly 'mcp.method.name'?: string;
  /** OpenTelemetry's name for the tool of a `tools/call` (the same as `tool`). */
  readonly 'gen_ai.tool.name'?: string;
  /** The first message's JSON-RPC id, as a string (OpenTelemetry's `jsonrpc.request.id`), truncated. */
  readonly 'jsonrpc.request.id'?: string;
  /** The answer's JSON-RPC error code (as a string), or `tool_error` when a tool answered `isError`. */
  readonly 'error.type'?: string;
  /** The first request this execution environment served. */
  readonly coldStart: boolean;
  /** The deployment's name (the server's, with several); also the `Server` metric dimension. */
  readonly server: string;
  /** The embedded-metric directive: which members of this line are metrics, and their dimensions. */
  readonly _aws: EmfBlock;
}

/** A sink for log records. */
export type Logger = (record: RequestLogRecord) => void;

/** Writes each record as one JSON line to stdout (CloudWatch keeps one event per line). */
export const stdoutLogger: Logger = (record) => {
  process.stdout.write(`${JSON.stringify(record)}\n`);
};

/**
 * What a stdio server's child did (src/lambda/bridge): started, exited, gave up on, wrote to stderr, or
 * wrote something that is not JSON-RPC to stdout. Lines the child writes are the child's own words,
 * truncated; nothing of a request reaches them.
 */
export interface ChildLogRecord {
  readonly level: 'info' | 'warn' | 'error';
  readonly msg: 'stdio';
  /** The server's label (`StdioSpec.label`). */
  readonly server: string;
  readonly event: 'start' | 'exit' | 'start_failed' | 'stderr' | 'stdout_noise' | 'stderr_capped' | 'notification';
  readonly pid?: number;
  /** The request being served when it happened, when there is one. */
  readonly requestId?: string;
  /** A line the child wrote (stderr, non-JSON-RPC stdout, a log notification nobody could take), truncated. */
  readonly line?: string;
  /** For `exit`: the exit code, or the signal that ended it. */
  readonly exitCode?: number;
  readonly signal?: string;
  /** Why (a start that failed, lines left out). */
  readonly reason?: string;
}

export type ChildLogger = (record: ChildLogRecord) => void;

/** Writes each child record as one JSON line to stdout, like {@link stdoutLogger}. */
export const stdoutChildLogger: ChildLogger = (record) => {
  process.stdout.write(`${JSON.stringify(record)}\n`);
};

/**
 * The line written when the function cannot start (a secret it cannot read, a bad setting), before the
 * runtime reports the failed init: the reason names the setting, never a value.
 */
export function logStartupFailure(reason: string, write: (line: string) => void = (line) => process.stdout.write(line)): void {
  write(`${JSON.stringify({ level: 'error', msg: 'startup', reason })}\n`);
}
