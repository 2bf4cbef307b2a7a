/**
 * `dev --entry`: bundles the user's server with esbuild in watch mode and serves the newest build that
 * starts. A build error or a server that throws is printed with file:line; the last good build keeps
 * serving until the next good one.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import type { ServerResponse } from 'node:http';
import type { ApiGatewayHandler, StreamingApiGatewayHandler } from '../../lambda/edge/api-gateway.js';
import type { Logger } from '../../lambda/services/log.js';
import { startNodeResponse } from './server.js';
import { UserError } from '../terminal/errors.js';
import type { Output } from '../terminal/output.js';

export interface EntryServer {
  readonly handler: ApiGatewayHandler;
  /** The same server for a streaming deployment (`--timeout` over 29 s). */
  readonly streamingHandler: StreamingApiGatewayHandler<ServerResponse>;
  stop(): Promise<void>;
}

export async function watchEntry(
  entry: string,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  log: Logger,
  out: Output,
): Promise<EntryServer> {
  const { context } = await import('esbuild');
  const { buildOptions, explainMessages, EntryError } = await import('../entry/bundle.js');
  const outdir = await mkdtemp(join(tmpdir(), 'mcp-lambda-dev-'));
  let options: Awaited<ReturnType<typeof buildOptions>>;
  try {
    options = await buildOptions({ entry, outdir, cwd, minify: false });
  } catch (error) {
    if (error instanceof EntryError) throw new UserError(error.message);
    throw error;
  }
  let current: ApiGatewayHandler | undefined;
  let currentStreaming: StreamingApiGatewayHandler<ServerResponse> | undefined;
  let version = 0;
  let firstProblem: string | undefined;
  // esbuild's watch starts with a build of its own: an output identical to the one being served is
  // neither reloaded nor announced (it used to print "Rebuilt" right after start, with nothing changed).
  let servedHash: string | undefined;

  const reload: Plugin = {
    name: 'mcp-lambda-reload',
    setup(build) {
      build.onEnd(async (result) => {
        const fresh = version === 0 ? 'Built' : 'Rebuilt';
        if (result.errors.length > 0) {
          const problem = explainMessages(result.errors, cwd).message;
          firstProblem ??= problem;
          if (current) out.warn(`${problem}\nStill serving the last good build.`);
          return;
        }
        const hash = await readFile(options.outfile as string)
          .then((bytes) => createHash('sha256').update(bytes).digest('hex'))
          .catch(() => undefined);
        if (hash !== undefined && hash === servedHash) return;
        try {
          version += 1;
          const module = (await import(`${pathToFileURL(options.outfile as string).href}?v=${version}`)) as {
            createHandler: (env: Readonly<Record<string, string | undefined>>, log: Logger) => ApiGatewayHandler;
            createStreamingHandler: (
              env: Readonly<Record<string, string | undefined>>,
              log: Logger,
              start: typeof startNodeResponse,
            ) => StreamingApiGatewayHandler<ServerResponse>;
            check: () => Promise<void>;
          };
          await module.check();
          current = module.createHandler(env, log);
          currentStreaming = module.createStreamingHandler(env, log, startNodeResponse);
          servedHash = hash;
          if (version > 1) out.info(`${fresh} ${entry}.`);
        } catch (error) {
          const problem = `The server fails when it starts: ${(error as Error).message}`;
          firstProblem ??= problem;
          if (current) out.warn(`${problem}\nStill serving the last good build.`);
        }
      });
    },
  };

  const esbuild = await context({ ...options, plugins: [...(options.plugins ?? []), reload] });
  await esbuild.rebuild().catch(() => {}); // errors arrive in onEnd
  if (!current) {
    await esbuild.dispose();
    throw new UserError(firstProblem ?? `Could not build ${entry}.`, { hint: 'Fix it and run mcp-lambda dev --entry again.' });
  }
  await esbuild.watch();
  const serving = (): ApiGatewayHandler => current as ApiGatewayHandler;
  return {
    handler: (event, context) => serving()(event, context),
    streamingHandler: (event, res, context) =>
      (currentStreaming as StreamingApiGatewayHandler<ServerResponse>)(event, res, context),
    stop: () => esbuild.dispose(),
  };
}
