/** `mcp-lambda dev`: serve the Lambda's handler on this machine until Ctrl-C. */
import { isIP } from 'node:net';
import { createLambdaApp } from '../../lambda/app.js';
import { ConfigError } from '../../lambda/config.js';
import type { RequestLogRecord } from '../../lambda/log.js';
import type { CommandContext } from '../context.js';
import { startDevServer } from '../dev-server.js';
import { UserError } from '../errors.js';

export interface DevOptions {
  readonly port: number;
  readonly host: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || (isIP(host) === 4 && host.startsWith('127.'));
}

export async function dev(ctx: CommandContext, options: DevOptions): Promise<void> {
  const { out, global } = ctx;
  const log = (record: RequestLogRecord) => {
    if (global.json) {
      out.info(JSON.stringify(record));
      return;
    }
    const what = [record.rpcMethod, record.tool].filter(Boolean).join(' ') || '-';
    const status = record.status >= 400 ? out.style.red(String(record.status)) : out.style.green(String(record.status));
    const why = record.reason ? out.style.dim(` (${record.reason})`) : '';
    out.info(`${record.httpMethod} ${what} ${status} ${record.durationMs} ms${why}`);
  };

  let app: ReturnType<typeof createLambdaApp>;
  try {
    app = createLambdaApp(ctx.env, log);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof Error) {
      throw new UserError(error.message, { hint: 'Fix the environment variable and run mcp-lambda dev again.' });
    }
    throw error;
  }

  let server: Awaited<ReturnType<typeof startDevServer>>;
  try {
    server = await startDevServer({ handler: app.handler, host: options.host, port: options.port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const where = `${options.host}:${options.port}`;
    if (code === 'EADDRINUSE') {
      throw new UserError(`Port ${options.port} is already in use on ${options.host}.`, {
        hint: `Stop what is using it, or pick another port: mcp-lambda dev --port ${options.port === 65535 ? 8766 : options.port + 1}`,
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

  const entry = { type: 'http', url: server.url };
  if (global.json) {
    out.json({ url: server.url, claudeCode: entry });
  } else {
    out.result(`MCP server (dog-facts) listening on ${out.style.cyan(server.url)}`);
    out.result('');
    out.result('Add it to Claude Code with:');
    out.result(`  claude mcp add --transport http dog-facts ${server.url}`);
    out.result('or paste this entry under "mcpServers" in .mcp.json:');
    out.result(`  "dog-facts": ${JSON.stringify(entry)}`);
    out.result('');
    out.info(out.style.dim('Logging each request below. Press Ctrl-C to stop.'));
  }
  if (!isLoopback(options.host)) {
    out.warn(`listening on ${options.host}: anyone who can reach this address can call the server (dev has no authentication).`);
  }

  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.close();
  if (!global.json) out.info('Stopped.');
}
