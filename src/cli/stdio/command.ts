/**
 * `--stdio "<command line>"`: the command a client config starts a stdio server with, read as what can
 * run on Lambda's Node.js 24 arm64 runtime. Two forms run there:
 *
 * - a registry package: `npx [-y] <package>[@version] [args]` (also `npm exec` and `pnpm dlx`), installed
 *   into the bundle at synth/deploy, never downloaded at run time;
 * - a Node.js script: `node <file> [args]` or the script's path, shipped with its package.
 *
 * Everything else is refused here, before anything is built, with the reason and what would work. The
 * line is split as a POSIX shell would split it (shell-quote), but no shell ever runs it: operators,
 * globs, variables and substitutions are refused rather than guessed at.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, extname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'shell-quote';
import { UsageError } from '../terminal/errors.js';
import { describeNative, fileKind, readHead } from './native.js';

/** What a `--stdio` command line runs. */
export type StdioCommand =
  | {
      readonly kind: 'package';
      /** The registry package (`@modelcontextprotocol/server-memory`). */
      readonly name: string;
      /** The version, range or tag asked for (`2026.8.31`, `^1`, `latest`); none: the latest. */
      readonly version?: string;
      /** With `npx -p <package> <bin>`: the bin to run. */
      readonly bin?: string;
      readonly args: readonly string[];
    }
  | {
      readonly kind: 'script';
      /** The script's absolute path. */
      readonly file: string;
      readonly args: readonly string[];
    };

const PYTHON = new Set(['uvx', 'uv', 'python', 'python3', 'python2', 'pip', 'pip3', 'pipx', 'poetry', 'py']);
const CONTAINERS = new Set(['docker', 'podman', 'nerdctl', 'finch']);
const OTHER_RUNTIMES = new Set(['bun', 'bunx', 'deno']);
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'fish', 'cmd', 'cmd.exe', 'powershell', 'pwsh']);
const LAUNCHERS = ['npx', 'node', 'npm', 'pnpm'];
const SCRIPT_EXTENSIONS = new Set(['.js', '.mjs', '.cjs']);

const WORKS = 'What runs on Lambda: npx <package>[@version] [args], or node <file.js> [args].';

/** Splits the line into words, refusing what only a shell would do with it. */
export function splitCommandLine(line: string): string[] {
  if (line.trim() === '') {
    throw new UsageError(
      '--stdio needs a command line, such as the one in your client config.',
      '--stdio "npx -y @modelcontextprotocol/server-memory"',
    );
  }
  if (line.includes('`')) {
    throw new UsageError(
      `--stdio "${line}": backquotes are a shell's command substitution, and no shell runs this command.`,
      WORKS,
    );
  }
  const words: string[] = [];
  for (const entry of parse(line, (key) => ({ op: `$${key}` }) as never)) {
    if (typeof entry === 'string') {
      if (entry.startsWith('~')) {
        throw new UsageError(
          `--stdio "${line}": ${entry} needs a shell to expand ~, and no shell runs this command.`,
          'Write the path out in full.',
        );
      }
      words.push(entry);
      continue;
    }
    if ('comment' in entry) break;
    const op = (entry as { op: string }).op;
    if (op === 'glob') {
      const pattern = (entry as { pattern: string }).pattern;
      throw new UsageError(
        `--stdio "${line}": ${pattern} is a file pattern, and no shell expands it here.`,
        'Name the file itself.',
      );
    }
    if (op.startsWith('$') && op.length > 1) {
      throw new UsageError(
        `--stdio "${line}": ${op} is a shell variable, and no shell expands it here.`,
        `Give the server its settings with --env ${op.slice(1)}=… (or --secret) and write the value out of the command line.`,
      );
    }
    throw new UsageError(
      `--stdio "${line}": ${op === '$' || op === '(' ? '$( ) is command substitution' : `"${op}" is a shell operator`}, and the command is not run by a shell.`,
      `${WORKS} One command, no pipes, redirections or chains.`,
    );
  }
  if (words.length === 0) throw new UsageError(`--stdio "${line}": there is no command in it.`, WORKS);
  return words;
}

/** `@scope/name@range` or `name@range`; refuses git URLs, tarballs and paths. */
export function parsePackageSpec(spec: string, line: string): { name: string; version?: string } {
  const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
  const name = at < 0 ? spec : spec.slice(0, at);
  const version = at < 0 ? undefined : spec.slice(at + 1);
  if (!/^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/.test(name) || name.length > 214) {
    throw new UsageError(
      `--stdio "${line}": ${spec} is not a registry package name (git URLs, tarballs and local paths are not installed for Lambda).`,
      'Use a package from the registry (npx -y <package>@<version>), or node <file.js> for a local script.',
    );
  }
  if (version !== undefined && !/^[A-Za-z0-9.^~<>=*| _+-]+$/.test(version)) {
    throw new UsageError(`--stdio "${line}": ${version} is not a version, range or tag of ${name}.`, `npx -y ${name}@1.2.3`);
  }
  return version === undefined || version === '' ? { name } : { name, version };
}

/** The package and arguments after `npx`/`npm exec`/`pnpm dlx`, with their options read. */
function readPackageRunner(words: readonly string[], launcher: string, line: string): StdioCommand {
  let packageOption: string | undefined;
  let index = 0;
  while (index < words.length) {
    const word = words[index] as string;
    if (word === '--') {
      index += 1;
      break;
    }
    if (
      word === '-y' ||
      word === '--yes' ||
      word === '--no-install' ||
      word === '--quiet' ||
      word === '-q' ||
      word === '--silent'
    ) {
      index += 1;
      continue;
    }
    if (word === '-p' || word === '--package') {
      packageOption = words[index + 1];
      index += 2;
      continue;
    }
    if (word.startsWith('--package=')) {
      packageOption = word.slice('--package='.length);
      index += 1;
      continue;
    }
    if (word.startsWith('-')) {
      throw new UsageError(
        `--stdio "${line}": ${launcher}'s option ${word} is not understood here.`,
        `${launcher} -y <package>[@version] [args]`,
      );
    }
    break;
  }
  const rest = words.slice(index);
  if (packageOption !== undefined) {
    const bin = rest[0];
    if (bin === undefined || packageOption === '') {
      throw new UsageError(
        `--stdio "${line}": -p names the package; the command to run from it comes next.`,
        `${launcher} -p <package> <its command> [args]`,
      );
    }
    return { kind: 'package', ...parsePackageSpec(packageOption, line), bin, args: rest.slice(1) };
  }
  const spec = rest[0];
  if (spec === undefined)
    throw new UsageError(`--stdio "${line}": ${launcher} needs the package to run.`, `${launcher} -y <package>[@version] [args]`);
  return { kind: 'package', ...parsePackageSpec(spec, line), args: rest.slice(1) };
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (found) => found.isFile(),
    () => false,
  );
}

/** Finds a bare command on PATH (as a shell would), or undefined. */
export async function onPath(command: string, env: Readonly<Record<string, string | undefined>>): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, command);
    if (!(await isFile(candidate))) continue;
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const current = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] as number;
}

function refuseCommand(command: string, line: string): never {
  if (PYTHON.has(command)) {
    throw new UsageError(
      `--stdio "${line}": ${command} starts a Python server; Lambda's Node.js runtime has no Python. Python servers are a later step of mcp-lambda.`,
      WORKS,
    );
  }
  if (CONTAINERS.has(command)) {
    throw new UsageError(
      `--stdio "${line}": ${command} runs a container, and Lambda functions cannot start containers.`,
      `${WORKS} (A Node.js server's package runs with npx.)`,
    );
  }
  if (OTHER_RUNTIMES.has(command)) {
    throw new UsageError(
      `--stdio "${line}": ${command} is another JavaScript runtime; Lambda runs the server with Node.js 24.`,
      WORKS,
    );
  }
  if (SHELLS.has(command)) {
    throw new UsageError(
      `--stdio "${line}": a shell script cannot run on Lambda's Node.js runtime (and no shell runs the command).`,
      WORKS,
    );
  }
  throw new Error('unreachable');
}

/** Reads a script path: a JavaScript file node can run, else the reason it cannot. */
async function readScript(path: string, shown: string, line: string, args: readonly string[]): Promise<StdioCommand> {
  if (!(await isFile(path))) {
    throw new UsageError(`--stdio "${line}": ${shown} does not exist (looked for ${path}).`, WORKS);
  }
  const kind = fileKind(await readHead(path));
  const native = describeNative(kind);
  if (native !== undefined) {
    throw new UsageError(
      `--stdio "${line}": ${shown} is ${native}; only Node.js programs run on Lambda's Node.js runtime through --stdio.`,
      WORKS,
    );
  }
  const extension = extname(path);
  if (kind.kind === 'shebang' && kind.interpreter !== 'node') {
    if (PYTHON.has(kind.interpreter) || kind.interpreter.startsWith('python')) refuseCommand('python', line);
    if (SHELLS.has(kind.interpreter)) refuseCommand('sh', line);
    throw new UsageError(
      `--stdio "${line}": ${shown} is run by ${kind.interpreter}, which Lambda's Node.js runtime does not have.`,
      WORKS,
    );
  }
  if (extension === '.py') refuseCommand('python', line);
  if (extension === '.sh') refuseCommand('sh', line);
  if (extension === '.ts' || extension === '.mts' || extension === '.cts') {
    throw new UsageError(
      `--stdio "${line}": ${shown} is TypeScript; node runs it only once it is built to JavaScript.`,
      'Build it first and pass the .js file, or use --entry for an McpServer module.',
    );
  }
  if (!SCRIPT_EXTENSIONS.has(extension) && kind.kind !== 'shebang') {
    throw new UsageError(
      `--stdio "${line}": ${shown} is not a JavaScript file (.js, .mjs, .cjs, or a script starting #!/usr/bin/env node).`,
      WORKS,
    );
  }
  return { kind: 'script', file: path, args };
}

/**
 * Reads a `--stdio` command line: what it runs, or a UsageError saying why it cannot run on Lambda and
 * what would. Relative paths are read from `cwd`; bare commands are looked up on `env.PATH`.
 */
export async function readStdioCommand(
  line: string,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<StdioCommand> {
  const words = splitCommandLine(line);
  const [command, ...rest] = words as [string, ...string[]];
  const name = command.split(/[\\/]/).at(-1) ?? command;
  if (name === 'npx') return readPackageRunner(rest, 'npx', line);
  if (name === 'npm' && (rest[0] === 'exec' || rest[0] === 'x')) return readPackageRunner(rest.slice(1), 'npm exec', line);
  if (name === 'pnpm' && rest[0] === 'dlx') return readPackageRunner(rest.slice(1), 'pnpm dlx', line);
  if (name === 'npm' || name === 'pnpm' || name === 'yarn') {
    throw new UsageError(
      `--stdio "${line}": ${name} ${rest[0] ?? ''} is not a way to start a server that mcp-lambda reads.`,
      WORKS,
    );
  }
  if (name === 'node' || name === 'nodejs') {
    const at = rest.findIndex((word) => !word.startsWith('-'));
    const options = at < 0 ? rest : rest.slice(0, at);
    if (options.length > 0) {
      throw new UsageError(
        `--stdio "${line}": node's options (${options.join(' ')}) are not passed on Lambda.`,
        'node <file.js> [args]',
      );
    }
    const file = rest[at];
    if (at < 0 || file === undefined)
      throw new UsageError(`--stdio "${line}": node needs the script to run.`, 'node <file.js> [args]');
    return readScript(resolve(cwd, file), file, line, rest.slice(at + 1));
  }
  if (PYTHON.has(name) || CONTAINERS.has(name) || OTHER_RUNTIMES.has(name) || SHELLS.has(name)) refuseCommand(name, line);
  if (isAbsolute(command) || command.includes('/') || command.includes('\\') || SCRIPT_EXTENSIONS.has(extname(command))) {
    return readScript(resolve(cwd, command), command, line, rest);
  }
  const found = await onPath(command, env);
  if (found === undefined) {
    const close = LAUNCHERS.find((launcher) => distance(launcher, command) <= 1);
    throw new UsageError(
      `--stdio "${line}": there is no command ${command} (not a file here, not on PATH).`,
      close !== undefined ? `Did you mean ${close}? ${WORKS}` : WORKS,
    );
  }
  return readScript(found, command, line, rest);
}
