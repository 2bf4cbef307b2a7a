/**
 * `dev --stdio "<command>"`: serves a stdio server locally through the same bridge the Lambda runs. A
 * registry package is installed once for this machine into a per-user cache keyed by package@version
 * (install scripts not run, as for Lambda) and run from there with node: never `npx` at each start. A
 * script runs where it is. The child starts on the first request that needs it; stop() ends it.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import type { ApiGatewayHandler, StreamingApiGatewayHandler } from '../../lambda/edge/api-gateway.js';
import type { StdioSpec } from '../../lambda/bridge/spec.js';
import type { ChildLogRecord, Logger } from '../../lambda/services/log.js';
import { readStdioCommand } from '../stdio/command.js';
import { devCacheDir, installPackage, resolveVersion } from '../stdio/install.js';
import type { Output } from '../terminal/output.js';
import { startNodeResponse } from './server.js';

export interface StdioServer {
  readonly handler: ApiGatewayHandler;
  readonly streamingHandler: StreamingApiGatewayHandler<ServerResponse>;
  /** What runs, for the banner. */
  readonly describe: string;
  readonly label: string;
  stop(): Promise<void>;
}

/** The marker an install leaves when it is complete (a half-done one is never reused). */
const DONE = '.mcp-lambda-installed';

/** Installs `name@version` into the cache once; later starts reuse it. */
async function cachedInstall(
  name: string,
  version: string,
  bin: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  out: Output,
): Promise<{ dir: string; program: string; fresh: boolean }> {
  const cache = devCacheDir(env);
  const dir = join(cache, `${name.replace('/', '+')}@${version}`);
  const programFile = join(dir, `${DONE}${bin ? `-${bin}` : ''}`);
  if (existsSync(programFile)) {
    const { readFile } = await import('node:fs/promises');
    return { dir, program: (await readFile(programFile, 'utf8')).trim(), fresh: false };
  }
  await mkdir(cache, { recursive: true });
  out.info(`Installing ${name}@${version} for this machine into ${dir} (once; install scripts not run)…`);
  const staging = await mkdtemp(join(cache, '.staging-'));
  try {
    const installed = await installPackage({
      name,
      version,
      ...(bin !== undefined && { bin }),
      dir: staging,
      target: 'here',
      env,
    });
    if (existsSync(dir)) await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
    await writeFile(join(dir, `${DONE}${bin ? `-${bin}` : ''}`), `${installed.program}\n`);
    return { dir, program: installed.program, fresh: true };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** The child's lines (start, exit, stderr) on stderr, never among the results on stdout. */
function childLogTo(out: Output, json: boolean): (record: ChildLogRecord) => void {
  return (record) => {
    if (json) {
      out.info(JSON.stringify(record));
      return;
    }
    const what =
      record.event === 'start'
        ? `started (pid ${record.pid})`
        : record.event === 'exit'
          ? `exited (${record.exitCode ?? record.signal ?? 'unknown'})`
          : `${record.event}: ${record.line ?? record.reason ?? ''}`;
    const text = `[${record.server}] ${what}`;
    if (record.level === 'info') out.info(out.style.dim(text));
    else out.warn(text);
  };
}

export async function serveStdio(
  line: string,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  log: Logger,
  out: Output,
  /** `--json`: the child's records as JSON lines, as the requests' are. */
  json = false,
): Promise<StdioServer> {
  const command = await readStdioCommand(line, cwd, env);
  let spec: StdioSpec;
  let baseDir: string;
  let describe: string;
  if (command.kind === 'package') {
    const version = await resolveVersion(command.name, command.version, env);
    const installed = await cachedInstall(command.name, version, command.bin, env, out);
    baseDir = installed.dir;
    const label = (command.bin ?? command.name.split('/').at(-1) ?? command.name).replace(/[^A-Za-z0-9_-]/g, '-');
    spec = { label, program: installed.program, args: command.args, package: { name: command.name, version } };
    describe = `${command.name}@${version}${installed.fresh ? '' : ` (installed in ${installed.dir})`}`;
  } else {
    baseDir = cwd;
    const { entryStem } = await import('../entry/prepare.js');
    spec = {
      label: entryStem(command.file).replace(/[^A-Za-z0-9_-]/g, '-') || 'server',
      program: command.file,
      args: command.args,
    };
    describe = command.file;
  }
  const { createStdioApp } = await import('../../lambda/bridge/app.js');
  const app = createStdioApp(spec, { baseDir, env, log, childLog: childLogTo(out, json), manifest: 'derive' });
  return {
    handler: app.handler,
    streamingHandler: app.streamingHandler(startNodeResponse),
    describe: `node ${[spec.program, ...spec.args].join(' ')} — ${describe}`,
    label: spec.label,
    stop: () => app.stop(),
  };
}
