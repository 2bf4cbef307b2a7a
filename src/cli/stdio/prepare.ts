/**
 * `--stdio` for synth and deploy: the flags read into servers (named as `--entry` names them), and each
 * server built into its Lambda bundle and run once to prove it starts and record its answers.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CommandContext } from '../context.js';
import { entryStem } from '../entry/prepare.js';
import { UsageError } from '../terminal/errors.js';
import { readStdioCommand, type StdioCommand } from './command.js';
import { packageRootOf } from './native.js';

/** One `--stdio [name=]"<command line>"`, read. */
export interface StdioFlag {
  /** The server's name (its path, `/<name>/mcp`); only with several servers. */
  readonly name?: string;
  /** The command line as given. */
  readonly line: string;
  readonly command: StdioCommand;
}

/** `name="<command>"`: a lower-case name, then the command. `KEY=value cmd` (upper case) is not a name. */
const NAMED = /^([a-z][a-z0-9-]*)=(.+)$/s;

/** Folders a script sits in that say nothing about it (`bin/server.js` is named after its package). */
const GENERIC_DIRS = new Set(['bin', 'dist', 'build', 'src', 'lib', 'out', 'server', 'index', 'main']);

/** The name in the package.json nearest a script, unscoped. */
async function scriptPackageName(file: string): Promise<string | undefined> {
  const root = await packageRootOf(dirname(file));
  if (root === undefined) return undefined;
  const { name } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8').catch(() => '{}')) as { name?: unknown };
  return typeof name === 'string' ? name.split('/').at(-1) : undefined;
}

/**
 * What a server running `command` is called when it is one of several: its package's bin or name, or its
 * script's name (its package's when the file is `bin/server.js` and the like).
 */
export async function stdioServerName(command: StdioCommand): Promise<string> {
  let base: string;
  if (command.kind === 'package') base = command.bin ?? command.name.split('/').at(-1) ?? command.name;
  else {
    base = entryStem(command.file);
    if (GENERIC_DIRS.has(base)) base = (await scriptPackageName(command.file).catch(() => undefined)) ?? base;
  }
  return base
    .toLowerCase()
    .replace(/^mcp-server-/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '');
}

/**
 * Reads the `--stdio` flags. With one server in all (`--entry` flags counted), it is named by `--name`;
 * with several, each is `name="<command>"` or named after its package or script.
 */
export async function parseStdioFlags(
  values: readonly string[],
  several: boolean,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<StdioFlag[]> {
  const flags: StdioFlag[] = [];
  for (const value of values) {
    const [, given, rest] = NAMED.exec(value) ?? [];
    const line = rest ?? value;
    const command = await readStdioCommand(line, cwd, env);
    if (!several && given !== undefined) {
      throw new UsageError(
        `--stdio ${given}="${line}": a name goes with several servers (one server is named by --name).`,
        `--stdio "${line}" --name ${given}`,
      );
    }
    const name = several ? (given ?? (await stdioServerName(command))) : undefined;
    if (name === '')
      throw new UsageError(`--stdio "${line}": no server name can be made from it.`, `--stdio my-server="${line}"`);
    flags.push({ ...(name !== undefined && { name }), line, command });
  }
  return flags;
}

export interface PreparedStdio {
  readonly dir: string;
  readonly tools: readonly string[];
  /** `name@version` when it is a registry package. */
  readonly package?: string;
}

/**
 * Builds the server's bundle and runs it once with the settings it will have (`--env`, and each
 * `--secret` as a stand-in text: no secret is read here), recording its manifest. Says what it built.
 */
export async function prepareStdio(
  ctx: CommandContext,
  flag: StdioFlag,
  name: string,
  settings?: { readonly environment: Readonly<Record<string, string>>; readonly secrets: Readonly<Record<string, string>> },
): Promise<PreparedStdio> {
  const { bundleStdio, recordStdio } = await import('./bundle.js');
  const label = flag.name ?? name;
  const dir = await mkdtemp(join(tmpdir(), 'mcp-lambda-stdio-'));
  const { command } = flag;
  ctx.out.info(
    command.kind === 'package'
      ? `Installing ${command.name}${command.version ? `@${command.version}` : ''} for Node.js 24 / ARM64 (production dependencies, install scripts not run)…`
      : `Bundling ${command.file} and its package for Node.js 24 / ARM64…`,
  );
  const bundle = await bundleStdio(command, label, dir);
  if (bundle.leftOut.length > 0) {
    ctx.out.warn(
      `Left out of the upload, as files that hold keys: ${bundle.leftOut.join(', ')}. Give the server its keys with --secret NAME (Secrets Manager) instead.`,
    );
  }
  const { tools, manifest } = await recordStdio(dir, {
    ...settings?.environment,
    ...Object.fromEntries(Object.keys(settings?.secrets ?? {}).map((key) => [key, `(secret ${key}, read at cold start)`])),
  });
  const what = bundle.spec.package ? `${bundle.spec.package.name}@${bundle.spec.package.version}` : flag.line;
  ctx.out.info(
    `Bundled ${what}: ${(bundle.bytes / 1024 / 1024).toFixed(1)} MB unzipped; it starts and lists ${tools.length} tool${tools.length === 1 ? '' : 's'}${tools.length ? ` (${tools.join(', ')})` : ''}.`,
  );
  if (manifest === 'recorded') {
    ctx.out.info('Recorded its initialize and tools/list answers: a cold connect answers them without starting the server.');
  } else {
    ctx.out.warn(`Every connect will wait for the server to start: ${manifest.skipped}.`);
  }
  return { dir, tools, ...(bundle.spec.package && { package: `${bundle.spec.package.name}@${bundle.spec.package.version}` }) };
}

/** `Packages` output → server name ('' for one server) → name@version. */
export function readPackagesOutput(value: string | undefined): Record<string, string> {
  const packages: Record<string, string> = {};
  for (const item of (value ?? '').split(/\s+/).filter(Boolean)) {
    const [, server, spec] = /^([a-z][a-z0-9-]*)=(.+)$/.exec(item) ?? [undefined, '', item];
    packages[server ?? ''] = spec ?? item;
  }
  return packages;
}

/** `@scope/pkg@1.2.3` → ['@scope/pkg', '1.2.3']. */
function splitSpec(spec: string): [string, string] {
  const at = spec.lastIndexOf('@');
  return at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, ''];
}

/** Lines saying which packages change version from the deployed stack's (`server-memory: 2026.8.31 → 2026.9.1`). */
export function describePackageChanges(
  deployed: string | undefined,
  next: Readonly<Record<string, string>> | undefined,
): string[] {
  const before = readPackagesOutput(deployed);
  const lines: string[] = [];
  for (const [server, spec] of Object.entries(next ?? {})) {
    const old = before[server];
    if (old === undefined || old === spec) continue;
    const [oldName, oldVersion] = splitSpec(old);
    const [name, version] = splitSpec(spec);
    const label = server === '' ? (name.split('/').at(-1) ?? name) : server;
    lines.push(oldName === name ? `${label}: ${oldVersion} → ${version}` : `${label}: ${old} → ${spec}`);
  }
  return lines;
}
