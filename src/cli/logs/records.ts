/**
 * The function's log records as `mcp-lambda logs` reads them back: the request line, the failed start and
 * a stdio server's child records (src/lambda/services/log.ts), which ones a set of filters keeps, the
 * CloudWatch filter pattern that asks for them, and one readable line each. Only the fields of those
 * records are read: they have no field for a header or a token.
 */
import { UsageError } from '../terminal/errors.js';

/** A request, startup or stdio record, as read back (every field may be missing in an old line). */
export interface LogLine {
  readonly level?: string;
  readonly msg?: 'request' | 'startup' | 'stdio';
  readonly requestId?: string;
  readonly httpMethod?: string;
  readonly rpcMethod?: string;
  readonly tool?: string;
  readonly status?: number;
  readonly durationMs?: number;
  readonly clientId?: string;
  readonly user?: string;
  readonly reason?: string;
  readonly toolError?: boolean;
  readonly coldStart?: boolean;
  readonly 'error.type'?: string;
  readonly Errors?: number;
  readonly child?: string;
  // A stdio record's.
  readonly server?: string;
  readonly event?: string;
  readonly line?: string;
  readonly pid?: number;
  readonly exitCode?: number;
  readonly signal?: string;
}

/** What to show. */
export interface LineFilters {
  readonly tool?: string;
  readonly status?: string;
  /** Caller ids (sub, username, client id) any of which a request's caller must be. */
  readonly callers?: readonly string[];
  /** Only failed requests (HTTP 4xx/5xx, a JSON-RPC error, a tool error). */
  readonly errors?: boolean;
}

/** `10m`, `2h`, `1d`, `30s` → milliseconds. */
export function parseSince(value: string): number {
  const match = /^(\d+)\s*(s|m|h|d)$/.exec(value.trim());
  if (!match)
    throw new UsageError(`--since ${JSON.stringify(value)} is not a duration.`, 'Use for example --since 10m, 2h or 1d.');
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** The record in a log message, whether the runtime wrapped it (JSON log format) or not; undefined for other lines. */
export function readRecord(message: string | undefined): LogLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message ?? '');
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const inner = (value as { message?: unknown }).message;
  const record = typeof inner === 'object' && inner !== null ? inner : value;
  const msg = (record as LogLine).msg;
  return msg === 'request' || msg === 'startup' || msg === 'stdio' ? (record as LogLine) : undefined;
}

const narrowed = (filters: LineFilters) =>
  filters.tool !== undefined || filters.status !== undefined || filters.callers !== undefined || filters.errors === true;

/** A request that failed: HTTP 4xx/5xx, a JSON-RPC error, or a tool error. */
export const failed = (record: LogLine): boolean =>
  (record.status ?? 0) >= 400 || record.toolError === true || record.Errors === 1 || record['error.type'] !== undefined;

/**
 * Whether to show a record. A failed start, a child's failed start and its exit are always shown: they
 * explain the requests around them. A child's other lines (stderr, stdout noise) only with no filter.
 */
export function keeps(record: LogLine, filters: LineFilters): boolean {
  if (record.msg === 'startup') return true;
  if (record.msg === 'stdio') return record.event === 'start_failed' || record.event === 'exit' || !narrowed(filters);
  const callers = filters.callers;
  return (
    (filters.tool === undefined || record.tool === filters.tool) &&
    (filters.status === undefined || String(record.status) === filters.status) &&
    (callers === undefined || callers.includes(record.user ?? '') || callers.includes(record.clientId ?? '')) &&
    (filters.errors !== true || failed(record))
  );
}

/** The CloudWatch filter pattern for the same records (the caller is checked here only). */
export function filterPattern(filters: LineFilters): string {
  const terms = ['$.msg = "request"'];
  if (filters.tool !== undefined) terms.push(`$.tool = ${JSON.stringify(filters.tool)}`);
  if (filters.status !== undefined) terms.push(`$.status = ${filters.status}`);
  if (filters.errors === true) terms.push('($.status >= 400 || $.toolError IS TRUE || $.Errors = 1)');
  const stdio = narrowed(filters) ? '($.msg = "stdio" && ($.event = "start_failed" || $.event = "exit"))' : '$.msg = "stdio"';
  return `{ (${terms.join(' && ')}) || $.msg = "startup" || ${stdio} }`;
}

/** How a time is written: the date for a window of history, the milliseconds when following. */
export type TimeStyle = 'date' | 'clock';

function when(time: number | undefined, style: TimeStyle): string {
  if (time === undefined) return '';
  const iso = new Date(time).toISOString();
  return style === 'date' ? iso.replace('T', ' ').slice(0, 19) : iso.slice(11, 23);
}

function childLine(record: LogLine): string {
  const server = `[${record.server ?? '?'}]`;
  const said = (what: string) => `${server} ${what}: ${record.line ?? ''}`;
  switch (record.event) {
    case 'start':
      return `${server} started${record.pid !== undefined ? ` (pid ${record.pid})` : ''}`;
    case 'exit':
      return `${server} exited${record.signal !== undefined ? ` on ${record.signal}` : ` with code ${record.exitCode ?? '?'}`}`;
    case 'start_failed':
      return `${server} could not start: ${record.reason ?? 'no reason given'}`;
    case 'stderr_capped':
      return `${server} stderr: more lines left out${record.reason !== undefined ? ` (${record.reason})` : ''}`;
    case 'stdout_noise':
      return said('stdout (not JSON-RPC)');
    case 'notification':
      return said('notification');
    default:
      return said(record.event ?? 'stderr');
  }
}

/** One readable line: time, method and tool, status, duration, cold start, caller, and why. */
export function formatLine(time: number | undefined, record: LogLine, style: TimeStyle = 'date'): string {
  const at = when(time, style);
  // The function could not start (a secret it cannot read, a bad setting): every request then fails.
  if (record.msg === 'startup') return [at, `startup failed: ${record.reason ?? 'no reason given'}`].filter(Boolean).join('  ');
  if (record.msg === 'stdio') return [at, childLine(record)].filter(Boolean).join('  ');
  const what = [record.rpcMethod ?? record.httpMethod ?? '-', record.tool].filter(Boolean).join(' ');
  const why = record.toolError ? 'tool error' : (record.reason ?? (record['error.type'] ? `error ${record['error.type']}` : ''));
  return [
    at,
    what,
    String(record.status ?? '-'),
    `${record.durationMs ?? '-'} ms`,
    record.coldStart === true ? 'cold' : '',
    record.child !== undefined ? `stdio ${record.child}` : '',
    record.user ?? record.clientId ?? '',
    why ? `(${why})` : '',
  ]
    .filter((part) => part !== '')
    .join('  ');
}

/** Whether a record is an error to mark (red on a terminal). */
export const isErrorLine = (record: LogLine): boolean =>
  record.level === 'error' ||
  record.msg === 'startup' ||
  record.event === 'start_failed' ||
  (record.msg === 'request' && failed(record));
