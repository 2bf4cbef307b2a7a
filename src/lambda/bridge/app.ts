/**
 * A stdio server (`--stdio`) served as every other server here: the same HTTP front (401, metadata, `aud`,
 * tool groups, listen, the per-request log line), the same fast path from a recorded manifest, with the
 * protocol served by the SDK around a proxy ({@link proxyFactory}) to one child process per execution
 * environment ({@link createSupervisor}).
 *
 * What the bundle's wrapper and `mcp-lambda dev` call: {@link readStdioSpec}, {@link createStdioApp},
 * {@link recordStdioManifest}. Nothing here starts the child at cold start: the first request the
 * manifest does not answer does, and only it loads the supervisor, the proxy and the MCP SDK (chunks of the
 * bundle), so a connect answered from the manifest loads none of them.
 *
 * State a child keeps (server-memory's knowledge graph, an open database) lives as long as its execution
 * environment: every Lambda instance has its own child, and a new instance starts with a new one.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createApiGatewayHandler, createStreamingApiGatewayHandler } from '../edge/api-gateway.js';
import type { ServedApp } from '../edge/runtime.js';
import type { Manifest } from '../protocol/fast-path.js';
import { createMcpHttpHandler } from '../protocol/mcp-http.js';
import { readConfig } from '../services/config.js';
import { type ChildLogger, type Logger, stdoutChildLogger, stdoutLogger } from '../services/log.js';
import type { Supervisor } from './child.js';
import { checkStdioSpec, type StdioSpec } from './spec.js';

/** Reads and checks `stdio.json`; a clear error naming the file and what is wrong. */
export function readStdioSpec(file: URL): StdioSpec {
  const path = fileURLToPath(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `${path} could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): build the bundle again with mcp-lambda synth or deploy.`,
      { cause: error },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON: build the bundle again with mcp-lambda synth or deploy.`);
  }
  const spec = checkStdioSpec(parsed);
  if (typeof spec === 'string') {
    throw new Error(
      `${path} is not a stdio spec mcp-lambda wrote: ${spec}. Build the bundle again with mcp-lambda synth or deploy.`,
    );
  }
  return spec;
}

export interface StdioAppOptions {
  /** Where the spec's relative `program` is (the bundle's directory). */
  readonly baseDir: string;
  /** The function's environment. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where the per-request log line goes. @default stdout */
  readonly log?: Logger;
  /** Where the child's lines go (start, exit, stderr, stdout noise). @default stdout, one JSON line each */
  readonly childLog?: ChildLogger;
  /** The recorded answers (deployed), 'derive' to record them on the first request (dev), or none. */
  readonly manifest?: Manifest | 'derive';
  /** How long the child may take to answer initialize. @default MCP_STDIO_START_TIMEOUT_MS, else 20 s */
  readonly startTimeoutMs?: number;
  /** The child's HOME and working directory. @default /tmp on Lambda, else a dir under os.tmpdir() */
  readonly workDir?: string;
}

export type StdioApp = ServedApp & {
  /** Ends the child (dev on Ctrl-C, tests); a later request starts a new one. */
  stop(): Promise<void>;
  /** How many children this app started (0 until a request needs one). */
  readonly childStarts: number;
};

async function supervisorFor(
  spec: StdioSpec,
  options: StdioAppOptions,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Supervisor> {
  const { createSupervisor } = await import('./child.js');
  return createSupervisor(spec, {
    baseDir: options.baseDir,
    env,
    log: options.childLog ?? stdoutChildLogger,
    requestTimeoutMs: readConfig(env).timeoutSeconds * 1000,
    ...(options.startTimeoutMs !== undefined && { startTimeoutMs: options.startTimeoutMs }),
    ...(options.workDir !== undefined && { workDir: options.workDir }),
  });
}

/** The app: built at cold start without starting the child. */
export function createStdioApp(spec: StdioSpec, options: StdioAppOptions): StdioApp {
  const env = options.env ?? process.env;
  const config = readConfig(env);
  let supervisor: Supervisor | undefined;
  const loadFactory = async () => {
    const [started, { proxyFactory }] = await Promise.all([supervisorFor(spec, options, env), import('./proxy.js')]);
    supervisor ??= started;
    const current = supervisor;
    return proxyFactory(() => current.upstream());
  };
  const mcp = createMcpHttpHandler({
    loadFactory,
    log: options.log ?? stdoutLogger,
    ...config,
    ...(options.manifest !== undefined && { fast: { manifest: options.manifest } }),
  });
  return {
    config,
    handler: createApiGatewayHandler(mcp),
    streamingHandler: (start) => createStreamingApiGatewayHandler(mcp, { start }),
    stop: async () => supervisor?.stop(),
    get childStarts() {
      return supervisor?.starts ?? 0;
    },
  };
}

/**
 * Starts the child, records its answers to initialize and tools/list through the SDK leg that serves
 * requests, and stops it (`synth`/`deploy`, in a fresh process, with the function's settings). `tools`
 * are the names it lists; `skipped` says why no manifest could be recorded (every request then starts
 * the child). Throws when the child does not start or does not answer initialize.
 */
export async function recordStdioManifest(
  spec: StdioSpec,
  options: {
    readonly baseDir: string;
    readonly env?: Readonly<Record<string, string | undefined>>;
    readonly childLog?: ChildLogger;
  },
): Promise<{ tools: string[]; manifest: Manifest | { skipped: string } }> {
  const env = options.env ?? process.env;
  const supervisor = await supervisorFor(spec, { baseDir: options.baseDir, childLog: options.childLog ?? (() => {}) }, env);
  const [{ createSdkLeg }, { deriveManifest }, { proxyFactory }] = await Promise.all([
    import('../protocol/sdk-leg.js'),
    import('../protocol/manifest.js'),
    import('./proxy.js'),
  ]);
  const leg = createSdkLeg({ factory: proxyFactory(() => supervisor.upstream()), maxBodyBytes: readConfig(env).maxBodyBytes });
  try {
    // A child that does not start is an error with its reason, not a manifest left out.
    await supervisor.upstream();
  } catch (error) {
    await supervisor.stop();
    throw error;
  }
  try {
    const manifest = await deriveManifest(leg);
    return { tools: [...manifest.tools], manifest };
  } catch (error) {
    return { tools: [], manifest: { skipped: (error as Error).message } };
  } finally {
    await supervisor.stop();
  }
}
