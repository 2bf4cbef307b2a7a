/** `mcp-lambda dev`: serve the Lambda's handler on this machine until Ctrl-C. */
import { checkPathFlag } from '../options/values.js';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { parseEnv } from 'node:util';
import { resolve } from 'node:path';
import { checkEntryFile, entryStem } from '../entry/prepare.js';
import type { ServerResponse } from 'node:http';
import type { ApiGatewayHandler, StreamingApiGatewayHandler } from '../../lambda/edge/api-gateway.js';
import { createLambdaApp } from '../../lambda/app.js';
import { ConfigError, type LambdaConfig, readConfig } from '../../lambda/services/config.js';
import type { RequestLogRecord } from '../../lambda/services/log.js';
import type { CommandContext } from '../context.js';
import { clientTimeoutSeconds } from '../clients/timeout.js';
import { devCommandLine } from '../dev/command-line.js';
import { startDevServer, startNodeResponse } from '../dev/server.js';
import { UsageError, UserError } from '../terminal/errors.js';

export interface DevOptions {
  readonly port: number;
  readonly host: string;
  /** Serve the user's own server module instead of dog-facts. */
  readonly entry?: string;
  /** Serve a stdio server (`npx …`, `node file.js`) through the bridge instead of dog-facts. */
  readonly stdio?: string;
  /** Files of KEY=VALUE lines (dotenv) for the server's environment; later files win. */
  readonly envFrom?: string[];
  /** The same, by the first spelling (`--env-file`), read before `--env-from`. */
  readonly envFile?: string[];
  /** KEY=VALUE settings; they win over the files and the shell. */
  readonly env?: Record<string, string>;
  /** A request's time limit, as `deploy --timeout` sets it: over 29 s, tool calls stream. */
  readonly timeout?: number;
  /** dog facts' getDogFactsSlowly, as `deploy --slow-demo` adds it. */
  readonly slowDemo?: boolean;
}

/**
 * The server's environment in dev: the shell's, then each `--env-from` file for what the shell does not set (as
 * Node's own --env-file does), then `--env`. Read with Node's own dotenv parser (util.parseEnv).
 */
export async function devEnvironment(
  ctx: CommandContext,
  options: Pick<DevOptions, 'envFrom' | 'envFile' | 'env'>,
): Promise<{ env: Record<string, string | undefined>; added: string[] }> {
  const fromFiles: Record<string, string> = {};
  const files = [
    ...(options.envFile ?? []).map((file) => ({ flag: '--env-file', file })),
    ...(options.envFrom ?? []).map((file) => ({ flag: '--env-from', file })),
  ];
  for (const { flag, file } of files) {
    checkPathFlag(flag, file, '.env');
    const path = resolve(ctx.cwd, file);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new UserError(`${flag} ${file}: there is no such file (${path}).`);
      if (code === 'EISDIR') throw new UserError(`${flag} ${file}: it is a directory, not a file of KEY=VALUE lines.`);
      throw error;
    }
    if (text.includes('\0')) throw new UserError(`${flag} ${file}: it is not a text file of KEY=VALUE lines.`);
    Object.assign(fromFiles, parseEnv(text));
  }
  const env: Record<string, string | undefined> = { ...ctx.env };
  const added: string[] = [];
  for (const [key, value] of Object.entries(fromFiles)) {
    if (env[key] !== undefined) continue;
    env[key] = value;
    added.push(key);
  }
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (key.includes(':')) {
      throw new UsageError(
        `--env ${key}=…: dev serves one server, so a setting is for it; ${key.slice(0, key.indexOf(':'))}: names one of several deployed servers.`,
        `--env ${key.slice(key.indexOf(':') + 1)}=…`,
      );
    }
    if (!added.includes(key)) added.push(key);
    env[key] = value;
  }
  return { env, added };
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || (isIP(host) === 4 && host.startsWith('127.'));
}

/** A name for the entry: its file name, or its directory's for server.ts / index.ts / main.ts. */
function entryLabel(file: string): string {
  return entryStem(file).replace(/[^A-Za-z0-9_-]/g, '-') || 'server';
}

export async function dev(ctx: CommandContext, options: DevOptions): Promise<void> {
  const { env, added } = await devEnvironment(ctx, options);
  if (options.timeout !== undefined) env.MCP_TIMEOUT_SECONDS = String(options.timeout);
  if (options.entry !== undefined && options.stdio !== undefined) {
    throw new UsageError(
      'dev serves one server: --entry or --stdio, not both.',
      'Run one mcp-lambda dev for each, on its own --port.',
    );
  }
  if (options.slowDemo === true) {
    if (options.entry !== undefined || options.stdio !== undefined) {
      throw new UsageError(
        "--slow-demo adds dog facts' getDogFactsSlowly; your own server (--entry, --stdio) has its own tools.",
      );
    }
    env.MCP_SLOW_DEMO = '1';
  }
  // A server module reads process.env at its top level, as it does on Lambda: the settings go there too,
  // for as long as dev runs (the shell's own values are never replaced).
  const placed = added.filter((key) => process.env[key] === undefined || (options.env && key in options.env));
  const previous = Object.fromEntries(placed.map((key) => [key, process.env[key]]));
  for (const key of placed) process.env[key] = env[key];
  const restore = () => {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  try {
    await serve(ctx, options, env, added);
  } finally {
    restore();
  }
}

async function serve(
  ctx: CommandContext,
  options: DevOptions,
  env: Readonly<Record<string, string | undefined>>,
  added: readonly string[],
): Promise<void> {
  const { out, global } = ctx;
  const log = (record: RequestLogRecord) => {
    if (global.json) {
      out.info(JSON.stringify(record));
      return;
    }
    const what = [record.rpcMethod, record.tool].filter(Boolean).join(' ') || '-';
    const status = record.status >= 400 ? out.style.red(String(record.status)) : out.style.green(String(record.status));
    const why = record.reason ? out.style.dim(` (${record.reason})`) : record.toolError ? out.style.red(' (tool error)') : '';
    out.info(`${record.httpMethod} ${what} ${status} ${record.responseBytes} B ${record.durationMs} ms${why}`);
  };
  if (added.length > 0 && !global.json) out.info(out.style.dim(`Settings for the server: ${added.join(', ')}`));

  let handler: ApiGatewayHandler;
  let streamingHandler: StreamingApiGatewayHandler<ServerResponse> | undefined;
  let stopEntry: (() => Promise<void>) | undefined;
  let config: LambdaConfig;
  try {
    config = readConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new UserError(error.message, { hint: 'Fix the environment variable and run mcp-lambda dev again.' });
    }
    throw error;
  }
  if (options.entry !== undefined) {
    checkPathFlag('--entry', options.entry, './server.ts');
    checkEntryFile(ctx.cwd, options.entry);
  }
  let label = options.entry ? entryLabel(resolve(ctx.cwd, options.entry)) : 'dog-facts';
  let running: string | undefined;
  if (options.stdio !== undefined) {
    const { serveStdio } = await import('../dev/stdio.js');
    const served = await serveStdio(options.stdio, ctx.cwd, env, log, out, global.json);
    handler = served.handler;
    if (config.streaming) streamingHandler = served.streamingHandler;
    stopEntry = served.stop;
    label = served.label;
    running = served.describe;
  } else if (options.entry !== undefined) {
    const { watchEntry } = await import('../dev/watch-entry.js');
    const served = await watchEntry(options.entry, ctx.cwd, env, log, out);
    handler = served.handler;
    if (config.streaming) streamingHandler = served.streamingHandler;
    stopEntry = served.stop;
  } else {
    try {
      const app = createLambdaApp(env, log);
      handler = app.handler;
      if (config.streaming) streamingHandler = app.streamingHandler(startNodeResponse);
    } catch (error) {
      if (error instanceof ConfigError) {
        throw new UserError(error.message, { hint: 'Fix the environment variable and run mcp-lambda dev again.' });
      }
      throw error;
    }
  }

  let server: Awaited<ReturnType<typeof startDevServer>>;
  try {
    server = await startDevServer({
      handler,
      ...(streamingHandler && { streamingHandler }),
      host: options.host,
      port: options.port,
    });
  } catch (error) {
    await stopEntry?.();
    const code = (error as NodeJS.ErrnoException).code;
    const where = `${options.host}:${options.port}`;
    if (code === 'EADDRINUSE') {
      throw new UserError(`Port ${options.port} is already in use on ${options.host}.`, {
        hint: `Stop what is using it, or pick another port: ${devCommandLine(options, ctx.env, { port: options.port === 65535 ? 8766 : options.port + 1 })}`,
        cause: error,
      });
    }
    if (code === 'EACCES') {
      throw new UserError(`Not allowed to listen on ${where}.`, { hint: 'Use a port above 1023.', cause: error });
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      throw new UserError(`Cannot listen on ${options.host}: no such address on this machine.`, {
        hint: 'Use --host 127.0.0.1.',
        cause: error,
      });
    }
    throw error;
  }

  const { streaming, timeoutSeconds } = config;
  const clientSeconds = clientTimeoutSeconds(timeoutSeconds);
  const entry = { type: 'http', url: server.url, ...(clientSeconds !== undefined && { timeout: clientSeconds * 1000 }) };
  if (global.json) {
    out.json({ url: server.url, claudeCode: entry, streaming, timeoutSeconds });
  } else {
    out.result(`MCP server (${label}) listening on ${out.style.cyan(server.url)}`);
    if (running !== undefined)
      out.result(`Runs ${running}: started on the first request that needs it, one process for every client.`);
    out.result('');
    out.result('Add it to Claude Code with:');
    out.result(`  claude mcp add --transport http ${label} ${server.url}`);
    out.result('or paste this entry under "mcpServers" in .mcp.json:');
    out.result(`  "${label}": ${JSON.stringify(entry)}`);
    out.result('');
    if (streaming) {
      out.info(
        `Tool calls answer as an event stream written as it happens, up to ${timeoutSeconds} s (as deploy --timeout ${timeoutSeconds} serves them).`,
      );
    }
    out.info(
      out.style.dim(
        `${options.entry ? `Rebuilding when ${options.entry} or what it imports changes. ` : ''}Logging each request below. Press Ctrl-C to stop.`,
      ),
    );
  }
  if (!isLoopback(options.host)) {
    out.warn(`listening on ${options.host}: anyone who can reach this address can call the server (dev has no authentication).`);
  }

  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.close();
  await stopEntry?.();
  if (!global.json) out.info(options.stdio !== undefined ? 'Stopped (and the stdio server with it).' : 'Stopped.');
}
