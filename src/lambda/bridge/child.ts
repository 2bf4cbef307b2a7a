/**
 * The supervisor of a stdio server's child process: one child per execution environment (per app in
 * `dev`), started by the first request that needs it — never at cold start: the recorded manifest answers
 * connect without it — initialized once, kept warm across requests, started again by the next request
 * after it exits.
 *
 * - A request in flight when the child dies fails at once (the client's pending requests are rejected when
 *   the pipe closes); the next request starts a new child and its log line says `child: "restarted"`.
 * - A child that does not answer `initialize` within `startTimeoutMs` (env `MCP_STDIO_START_TIMEOUT_MS`,
 *   default 20 s) is ended and the request fails, saying so.
 * - After a start fails, requests fail at once with its reason for {@link RETRY_FIRST_MS}, doubling with
 *   each failure in a row up to {@link RETRY_MAX_MS}, so a child that hangs does not hold every request
 *   for the start timeout; the first request after that tries again, and a start that succeeds resets it.
 * - stderr goes to the function's log line by line: each line cut at {@link STDERR_LINE_CHARS}
 *   characters; with stdout noise and notifications no call could take, at most
 *   {@link STDERR_LINES_PER_MINUTE} lines a minute (one `stderr_capped` line says how many were left out).
 * - The child's environment is the function's (AWS credentials, `--env`, secrets read at cold start)
 *   without mcp-lambda's own settings ({@link childEnvironment}), with HOME and the working directory in a
 *   writable temporary directory (/tmp on Lambda: the code directory is read-only).
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { currentRequest } from '../edge/request-context.js';
import type { ChildLogger, ChildLogRecord } from '../services/log.js';
import type { StdioSpec } from './spec.js';
import { ChildTransport } from './transport.js';
import type { Upstream } from './proxy.js';

/** How long a child may take to answer `initialize`. */
export const DEFAULT_START_TIMEOUT_MS = 20_000;
/** stderr: the longest line logged, in characters. */
export const STDERR_LINE_CHARS = 2000;
/** stderr: the most lines logged in one minute. */
export const STDERR_LINES_PER_MINUTE = 200;
/** After a failed start: how long requests fail at once before the next try; doubled per failure in a row. */
export const RETRY_FIRST_MS = 1_000;
/** The longest wait between tries. */
export const RETRY_MAX_MS = 60_000;
/** stdout noise: the first characters of a line that is not JSON-RPC, logged. */
const NOISE_CHARS = 500;

/**
 * mcp-lambda's own settings: how the front serves and what it checks, none of the child's business. The
 * requestState key (and the secret holding it) above all: a child that could read it could mint state
 * the front accepts. `MCP_SECRETS` holds only references; the values it names are the child's.
 */
const INTERNAL_SETTINGS =
  /^MCP_(REQUEST_STATE_(KEY|SECRET)|SECRETS|SERVER|REQUIRED_SCOPE|RESOURCE|API_RESOURCE|API_SCOPE|TOOL_GROUPS|REQUIRE_CLAIMS|ALLOWED_ORIGINS|ALLOWED_CLIENT_IDS|MAX_BODY_BYTES|MAX_BATCH|MAX_TOOL_CALLS|TIMEOUT_SECONDS|SLOW_DEMO|STDIO_START_TIMEOUT_MS)$/;

/**
 * The Lambda runtime's own address: with it a child could call the Runtime API's `next` and take the
 * function's next invocations — other callers' requests, their tokens' claims — and answer them itself.
 */
const RUNTIME_ONLY = new Set(['AWS_LAMBDA_RUNTIME_API']);

/** The child's environment: the function's, without mcp-lambda's own settings nor the Runtime API, HOME in `home`. */
export function childEnvironment(env: Readonly<Record<string, string | undefined>>, home: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !INTERNAL_SETTINGS.test(key) && !RUNTIME_ONLY.has(key)) result[key] = value;
  }
  result.HOME = home;
  return result;
}

/** Reads `MCP_STDIO_START_TIMEOUT_MS`: a positive whole number of milliseconds, else the default. */
export function startTimeoutOf(env: Readonly<Record<string, string | undefined>>): number {
  const value = env.MCP_STDIO_START_TIMEOUT_MS?.trim();
  if (value === undefined || value === '') return DEFAULT_START_TIMEOUT_MS;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0) {
    throw new Error(`MCP_STDIO_START_TIMEOUT_MS must be a positive whole number of milliseconds, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

export interface SupervisorOptions {
  /** Where the spec's relative `program` is. */
  readonly baseDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: ChildLogger;
  /** @default `MCP_STDIO_START_TIMEOUT_MS`, else 20 s */
  readonly startTimeoutMs?: number;
  /** How long a forwarded request may take: the function's timeout. */
  readonly requestTimeoutMs: number;
  /** The HOME and working directory of the child. @default /tmp on Lambda, else a dir under os.tmpdir() */
  readonly workDir?: string;
  /** The clock for the stderr cap and the wait after a failed start. @default Date.now */
  readonly now?: () => number;
}

export interface Supervisor {
  /** The running child's client, starting (or restarting) the child first when there is none. */
  upstream(): Promise<Upstream>;
  /** Ends the child, if one runs; the next `upstream()` starts a new one. */
  stop(): Promise<void>;
  /** How many children were started so far. */
  readonly starts: number;
}

interface Running {
  readonly upstream: Upstream;
  readonly transport: ChildTransport;
}

/** The function's writable place: /tmp on Lambda (the code is read-only), a dir of our own elsewhere. */
function defaultWorkDir(env: Readonly<Record<string, string | undefined>>, label: string): string {
  if (env.AWS_LAMBDA_FUNCTION_NAME !== undefined) return '/tmp';
  return join(tmpdir(), `mcp-lambda-stdio-${label.replace(/[^A-Za-z0-9._-]/g, '_')}`);
}

export function createSupervisor(spec: StdioSpec, options: SupervisorOptions): Supervisor {
  const { log, env } = options;
  const now = options.now ?? Date.now;
  const startTimeoutMs = options.startTimeoutMs ?? startTimeoutOf(env);
  const program = isAbsolute(spec.program) ? spec.program : resolve(options.baseDir, spec.program);
  const workDir = options.workDir ?? defaultWorkDir(env, spec.label);
  let current: Promise<Running> | undefined;
  let starts = 0;
  let exits = 0;
  /** The last failed start, while the next try waits. */
  let failed: { reason: string; inRow: number; retryAt: number } | undefined;
  const record = (fields: Omit<ChildLogRecord, 'msg' | 'server' | 'requestId'>) => {
    const requestId = currentRequest.getStore()?.requestId;
    log({ ...fields, msg: 'stdio', server: spec.label, ...(requestId !== undefined && { requestId }) } as ChildLogRecord);
  };

  // The cap on what the child writes to the function's log (stderr lines, stdout noise, notifications no
  // call could take), shared: a window of one minute, counted from its first line.
  let windowStart = 0;
  let windowLines = 0;
  let dropped = 0;
  const capped = (fields: Omit<ChildLogRecord, 'msg' | 'server' | 'requestId'>) => {
    const at = now();
    if (at - windowStart >= 60_000) {
      if (dropped > 0) {
        record({
          level: 'warn',
          event: 'stderr_capped',
          reason: `${dropped} lines of the child's output left out (over ${STDERR_LINES_PER_MINUTE} a minute)`,
        });
      }
      windowStart = at;
      windowLines = 0;
      dropped = 0;
    }
    if (windowLines >= STDERR_LINES_PER_MINUTE) {
      dropped += 1;
      return;
    }
    windowLines += 1;
    record(fields);
    if (windowLines === STDERR_LINES_PER_MINUTE) {
      record({
        level: 'warn',
        event: 'stderr_capped',
        reason: `the child's output (stderr, stdout noise, notifications) is over ${STDERR_LINES_PER_MINUTE} lines a minute; more are left out until the minute is over`,
      });
    }
  };
  const onStderr = (line: string) =>
    capped({
      level: 'info',
      event: 'stderr',
      line: line.length > STDERR_LINE_CHARS ? `${line.slice(0, STDERR_LINE_CHARS)}…` : line,
    });

  function start(): Promise<Running> {
    starts += 1;
    const notes = currentRequest.getStore()?.notes;
    if (notes) notes.child = exits > 0 ? 'restarted' : 'started';
    mkdirSync(workDir, { recursive: true });
    const transport: ChildTransport = new ChildTransport({
      program,
      args: spec.args,
      env: childEnvironment(env, workDir),
      cwd: workDir,
      onNoise: (line) =>
        capped({
          level: 'warn',
          event: 'stdout_noise',
          line: line.length > NOISE_CHARS ? `${line.slice(0, NOISE_CHARS)}…` : line,
          reason: 'a line on stdout that is not JSON-RPC; not forwarded',
        }),
      onStderr,
      onExit: (exitCode, signal) => {
        exits += 1;
        stopAll.delete(closer);
        if (current === running) current = undefined;
        record({
          level: stopping ? 'info' : 'warn',
          event: 'exit',
          ...(transport.pid !== undefined && { pid: transport.pid }),
          ...(exitCode !== null && { exitCode }),
          ...(signal !== null && { signal }),
        });
      },
    });
    let stopping = false;
    const client = new Client({ name: 'mcp-lambda-bridge', version: '1.0.0' }, { capabilities: {} });
    const running: Promise<Running> = (async () => {
      try {
        await client.connect(transport, { timeout: startTimeoutMs });
      } catch (error) {
        stopping = true;
        await transport.close().catch(() => {});
        const timedOut = /timed? ?out/i.test((error as Error).message ?? '');
        const reason = timedOut
          ? `The stdio server ${spec.label} did not answer initialize within ${startTimeoutMs} ms (MCP_STDIO_START_TIMEOUT_MS); it was stopped.`
          : `The stdio server ${spec.label} could not be started: ${(error as Error).message}`;
        record({ level: 'error', event: 'start_failed', reason });
        throw new Error(reason, { cause: error });
      }
      failed = undefined;
      record({ level: 'info', event: 'start', ...(transport.pid !== undefined && { pid: transport.pid }) });
      const capabilities = client.getServerCapabilities() ?? {};
      const serverInfo = client.getServerVersion() ?? { name: spec.label, version: '0.0.0' };
      const instructions = client.getInstructions();
      return {
        transport,
        upstream: {
          client,
          capabilities,
          serverInfo,
          ...(instructions !== undefined && { instructions }),
          requestTimeoutMs: options.requestTimeoutMs,
          onUnrouted: (line: string) => capped({ level: 'info', event: 'notification', line: line.slice(0, STDERR_LINE_CHARS) }),
        },
      };
    })();
    const closer = () => {
      stopping = true;
      return transport.close();
    };
    stopAll.add(closer);
    // A failed start is forgotten, so a later request tries again: after a wait that doubles each time.
    running.catch((error: unknown) => {
      if (current === running) current = undefined;
      const inRow = (failed?.inRow ?? 0) + 1;
      const wait = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (inRow - 1));
      failed = { reason: (error as Error).message, inRow, retryAt: now() + wait };
    });
    return running;
  }
  const stopAll = new Set<() => Promise<void>>();

  return {
    upstream: async () => {
      if (current === undefined && failed !== undefined && now() < failed.retryAt) {
        const seconds = Math.ceil((failed.retryAt - now()) / 1000);
        throw new Error(
          `${failed.reason} Not tried again for ${seconds} s (${failed.inRow} failed start${failed.inRow === 1 ? '' : 's'} in a row).`,
        );
      }
      return (await (current ??= start())).upstream;
    },
    async stop() {
      current = undefined;
      const closers = [...stopAll];
      stopAll.clear();
      await Promise.all(closers.map((close) => close().catch(() => {})));
    },
    get starts() {
      return starts;
    },
  };
}
