/** `--entry` for synth and deploy: bundle the user's server, prove it starts, report the size. */
import { existsSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { CommandContext } from '../context.js';
import type { McpServerStackOptions } from '../../stack/props.js';
import { checkPathFlag } from '../options/values.js';
import { settingsFor } from '../deployed/settings.js';
import { checkToolGroupTools } from '../plan/tool-groups.js';
import { UsageError, UserError } from '../terminal/errors.js';
import type { StdioFlag } from '../stdio/prepare.js';

export interface PreparedEntry {
  /** Directory holding index.mjs, for the stack's `lambdaBundleDir`. */
  readonly dir: string;
  readonly bytes: number;
  readonly tools: readonly string[];
}

/**
 * Bundles and checks the entry. The check runs the server with the `--env` settings it will have, and each
 * `--secret` set to a stand-in text (no value is read here), so a server that reads them at start starts.
 */
export async function prepareEntry(
  ctx: CommandContext,
  entry: string,
  settings?: { readonly environment: Readonly<Record<string, string>>; readonly secrets: Readonly<Record<string, string>> },
): Promise<PreparedEntry> {
  checkPathFlag('--entry', entry, './server.ts');
  checkEntryFile(ctx.cwd, entry);
  const { bundleEntry, checkAndRecord, EntryError } = await import('./bundle.js');
  const dir = await mkdtemp(join(tmpdir(), 'mcp-lambda-entry-'));
  try {
    ctx.out.info(`Bundling ${entry} for Node.js 24 / ARM64…`);
    const { bytes, file } = await bundleEntry({ entry, outdir: dir, cwd: ctx.cwd });
    const { tools, manifest } = await checkAndRecord(file, {
      ...settings?.environment,
      ...Object.fromEntries(Object.keys(settings?.secrets ?? {}).map((key) => [key, `(secret ${key}, read at cold start)`])),
    });
    ctx.out.info(
      `Bundled ${entry}: ${(bytes / 1024).toFixed(1)} KiB; it starts and lists ${tools.length} tool${tools.length === 1 ? '' : 's'}${tools.length ? ` (${tools.join(', ')})` : ''}.`,
    );
    if (manifest === 'recorded') {
      ctx.out.info('Recorded its initialize and tools/list answers: a cold start answers them without loading your module.');
    } else {
      ctx.out.warn(`Every request will load your module and the MCP SDK (slower cold starts): ${manifest.skipped}.`);
    }
    return { dir, bytes, tools };
  } catch (error) {
    if (error instanceof EntryError) throw new UserError(error.message);
    throw error;
  }
}

/**
 * Refuses an entry that is no file, before anything else is said about it: a missing file, or a directory
 * (named with the module inside it that looks like the one meant).
 */
export function checkEntryFile(cwd: string, entry: string): void {
  const path = resolve(cwd, entry);
  let directory: boolean;
  try {
    directory = statSync(path).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new UserError(`The entry ${entry} does not exist (looked for ${path}).`, {
      hint: 'Pass the module whose default export builds your McpServer (mcp-lambda init writes one: server.ts).',
    });
  }
  if (!directory) return;
  const inside = ['server.ts', 'index.ts', 'main.ts', 'server.js', 'index.js'].find((file) => existsSync(join(path, file)));
  throw new UsageError(
    `--entry ${entry} is a directory; it takes the module whose default export builds your McpServer.`,
    inside !== undefined ? `--entry ${join(entry, inside)}` : 'For example: --entry ./server.ts',
  );
}

/** One `--entry [name=]file`. */
export interface EntryFlag {
  /** The server's name (its path, `/<name>/mcp`); only with several entries. */
  readonly name?: string;
  readonly file: string;
}

/** A server of the user's own: a module (`--entry`) or a stdio program (`--stdio`, src/cli/stdio/). */
export type ServerFlag = EntryFlag | StdioFlag;

/**
 * Reads the `--entry` flags. One server in all is the stack's server (named by `--name`); with several
 * (`--stdio` ones counted) each is a server of its own, named `name=file` or after the file (`notes.ts`
 * and `notes/index.ts` are both "notes").
 */
export function parseEntryFlags(values: readonly string[], several = values.length > 1): EntryFlag[] {
  const flags = values.map((value) => {
    const [, name, path] = /^([a-z][a-z0-9-]*)=(.+)$/.exec(value) ?? [];
    const file = checkPathFlag('--entry', path ?? value, './server.ts');
    return { ...(name !== undefined && { name }), file };
  });
  if (!several && flags.length === 1) {
    const [only] = flags as [EntryFlag];
    if (only.name !== undefined) {
      throw new UsageError(
        `--entry ${only.name}=${only.file}: a name goes with several entries (one server is named by --name).`,
        `--entry ${only.file} --name ${only.name}`,
      );
    }
    return flags;
  }
  return flags.map((flag) => ({ name: flag.name ?? nameFromFile(flag.file), file: flag.file }));
}

/** What an entry file is called: its file name, or its directory's for server.ts / index.ts / main.ts. */
export function entryStem(file: string): string {
  const stem = basename(file, extname(file));
  return ['server', 'index', 'main'].includes(stem) ? basename(dirname(file)) : stem;
}

function nameFromFile(file: string): string {
  const name = entryStem(file)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '');
  if (name === '') {
    throw new UsageError(`--entry ${file}: no server name can be made from the file name.`, `--entry my-tools=${file}`);
  }
  return name;
}

/** What the stack needs to serve the entries: the one bundle, or a server per entry; the packages they run. */
export type EntryStackOptions = Pick<McpServerStackOptions, 'lambdaBundleDir' | 'servers' | 'packages'>;

/** How a server flag reads on a command line (for the fixes errors suggest). */
function shownFlag(flag: ServerFlag): string {
  return 'command' in flag
    ? `--stdio ${flag.name ?? ''}${flag.name ? '=' : ''}"${flag.line}"`
    : `--entry ${flag.name ?? ''}${flag.name ? '=' : ''}${flag.file}`;
}

/** The servers the entries name, before any bundling (for checking the options early). */
export function plannedServers(flags: readonly ServerFlag[]): EntryStackOptions {
  return flags.length > 1 ? { servers: flags.map((flag) => ({ name: flag.name ?? '' })) } : {};
}

/**
 * What can be said of the server flags before anything is bundled or AWS is asked: each entry is a file,
 * and the deployment has a name (`--name`), which the stack, its user pool and its OAuth scope take.
 * Returns that name.
 */
export async function checkServerFlags(cwd: string, flags: readonly ServerFlag[], name: string | undefined): Promise<string> {
  if (flags.length > 1 && name === undefined) {
    throw new UsageError(
      `Several ${flags.some((flag) => 'command' in flag) ? 'servers (--entry, --stdio)' : '--entry flags'} need --name: it names the deployment (its stack, user pool and sign-in); each server is named by its flag.`,
      `${flags.map(shownFlag).join(' ')} --name my-team`,
    );
  }
  for (const flag of flags) if (!('command' in flag)) checkEntryFile(cwd, flag.file);
  if (name !== undefined) return name;
  const [only] = flags;
  if (only === undefined) throw new Error('checkServerFlags: no server flags');
  if (!('command' in only)) {
    throw new UsageError(
      '--entry needs --name: it names the deployment and its OAuth scope (<MCP URL>/<name>).',
      `--entry ${only.file} --name my-tools`,
    );
  }
  const { stdioServerName } = await import('../stdio/prepare.js');
  throw new UsageError(
    '--stdio needs --name: it names the deployment and its OAuth scope (<MCP URL>/<name>).',
    `--stdio "${only.line}" --name ${(await stdioServerName(only.command)) || 'my-server'}`,
  );
}

/** Bundles and checks one server: a module, or a stdio program (see src/cli/stdio/prepare.ts). */
async function prepareServer(
  ctx: CommandContext,
  flag: ServerFlag,
  name: string,
  settings?: Parameters<typeof prepareEntry>[2],
): Promise<{ dir: string; tools: readonly string[]; package?: string }> {
  if (!('command' in flag)) return prepareEntry(ctx, flag.file, settings);
  const { prepareStdio } = await import('../stdio/prepare.js');
  return prepareStdio(ctx, flag, name, settings);
}

/** Bundles and checks each entry and stdio server (see {@link prepareEntry}). */
export async function prepareEntries(
  ctx: CommandContext,
  flags: readonly ServerFlag[],
  name: string | undefined,
  settings?: Parameters<typeof prepareEntry>[2],
  /** `--tool-groups`: each tool it names must be one an entry lists. */
  toolGroups?: Readonly<Record<string, readonly string[]>>,
): Promise<EntryStackOptions> {
  const deployment = await checkServerFlags(ctx.cwd, flags, name);
  const [only] = flags;
  if (flags.length === 1 && only) {
    const prepared = await prepareServer(ctx, only, deployment, settings);
    checkToolGroupTools(toolGroups, prepared.tools);
    return { lambdaBundleDir: prepared.dir, ...(prepared.package !== undefined && { packages: { '': prepared.package } }) };
  }
  const servers: { name: string; lambdaBundleDir: string }[] = [];
  const tools: string[] = [];
  const packages: Record<string, string> = {};
  for (const flag of flags) {
    // Each is checked with what its function gets: the settings for every server and its own.
    const prepared = await prepareServer(ctx, flag, deployment, settings && settingsFor(settings, flag.name));
    servers.push({ name: flag.name ?? '', lambdaBundleDir: prepared.dir });
    tools.push(...prepared.tools);
    if (prepared.package !== undefined) packages[flag.name ?? ''] = prepared.package;
  }
  checkToolGroupTools(toolGroups, tools);
  return { servers, ...(Object.keys(packages).length > 0 && { packages }) };
}
