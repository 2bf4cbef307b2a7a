/**
 * Installs a registry package (`--stdio "npx <package>"`) with npm into a directory of its own, and finds
 * the JavaScript file its command runs. For Lambda the install is for linux-arm64 (`--os`/`--cpu`, so
 * optional platform packages are the ones Lambda loads), production dependencies only, and with install
 * scripts ignored: nobody else's code runs on the user's machine at deploy. For `dev` it is for this
 * machine, into a per-user cache keyed by package@version, so a start never downloads.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { UserError } from '../terminal/errors.js';
import { fileKind, readHead } from './native.js';

export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  /** The directory npm installed into (holds package.json and node_modules). */
  readonly root: string;
  /** The file the package's command runs, relative to `root`. */
  readonly program: string;
}

export interface InstallOptions {
  readonly name: string;
  readonly version?: string;
  /** With `npx -p <package> <bin>`: the bin to run. */
  readonly bin?: string;
  /** Where to install (created). */
  readonly dir: string;
  /** linux-arm64 for a Lambda bundle; this machine's platform for dev. */
  readonly target: 'lambda' | 'here';
  /** npm's environment. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** npm's reason, from its stderr: the `npm error` lines that say something. */
function npmReason(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.replace(/^npm (error|ERR!)\s*/, '').trim())
    .filter((line) => line !== '' && !/^(A complete log|Log files were not written|code E)/.test(line));
  return lines.slice(0, 4).join(' ') || 'npm failed without saying why';
}

/** Installs the package and finds its command's file. */
export async function installPackage(options: InstallOptions): Promise<InstalledPackage> {
  const spec = `${options.name}@${options.version ?? 'latest'}`;
  await mkdir(options.dir, { recursive: true });
  await writeFile(
    join(options.dir, 'package.json'),
    `${JSON.stringify({ name: 'mcp-lambda-stdio-server', private: true }, null, 2)}\n`,
  );
  const args = [
    'install',
    spec,
    '--omit=dev',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    '--no-package-lock',
    '--install-links=false',
    '--loglevel=error',
    ...(options.target === 'lambda' ? ['--os=linux', '--cpu=arm64', '--libc=glibc'] : []),
  ];
  try {
    await promisify(execFile)(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, {
      cwd: options.dir,
      env: { ...(options.env ?? process.env), npm_config_update_notifier: 'false' } as NodeJS.ProcessEnv,
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '');
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new UserError('npm is not on PATH: it installs the --stdio package.', { hint: 'Install Node.js with npm.' });
    if (/E404|404 Not Found/.test(stderr)) {
      throw new UserError(
        `--stdio: the registry has no package ${options.name}${options.version ? ` at ${options.version}` : ''}.`,
        {
          hint: 'Check the name in your client config (npm view <package> versions).',
        },
      );
    }
    if (/ETARGET|No matching version/.test(stderr)) {
      throw new UserError(`--stdio: ${options.name} has no version matching ${options.version ?? 'latest'}.`, {
        hint: `See its versions: npm view ${options.name} versions`,
      });
    }
    throw new UserError(`--stdio: npm could not install ${spec}: ${npmReason(stderr)}`);
  }
  // npm leaves its own links here; the bundle runs files by path, never through .bin.
  await rm(join(options.dir, 'node_modules', '.bin'), { recursive: true, force: true });
  const packageDir = join(options.dir, 'node_modules', ...options.name.split('/'));
  const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { version?: unknown; bin?: unknown };
  const version = typeof manifest.version === 'string' ? manifest.version : 'unknown';
  const binFile = chooseBin(options.name, manifest.bin, options.bin);
  const program = join(packageDir, binFile);
  await checkProgram(program, `${options.name}@${version}'s command ${binFile}`);
  return { name: options.name, version, root: options.dir, program: relative(options.dir, program) };
}

/**
 * The file of the package's command (package.json `bin`): the one given with `-p`, else the one named
 * like the package, else the only one.
 */
export function chooseBin(name: string, bin: unknown, wanted?: string): string {
  const unscoped = name.split('/').at(-1) ?? name;
  if (typeof bin === 'string' && bin !== '' && (wanted === undefined || wanted === unscoped)) return bin;
  const bins: Record<string, string> =
    typeof bin === 'string'
      ? { [unscoped]: bin }
      : typeof bin === 'object' && bin !== null
        ? Object.fromEntries(Object.entries(bin).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))
        : {};
  const names = Object.keys(bins);
  if (names.length === 0) {
    throw new UserError(`--stdio: ${name} has no command to run (its package.json has no "bin").`, {
      hint: 'Is it a library rather than a server? Check its README for how the server is started.',
    });
  }
  const pick = wanted ?? (bins[unscoped] !== undefined ? unscoped : names.length === 1 ? names[0] : undefined);
  const file = pick === undefined ? undefined : bins[pick];
  if (file === undefined) {
    throw new UserError(
      wanted !== undefined
        ? `--stdio: ${name} has no command ${wanted} (its commands: ${names.join(', ')}).`
        : `--stdio: ${name} has several commands (${names.join(', ')}) and none is named like the package.`,
      { hint: `Name the one to run: --stdio "npx -p ${name} ${names[0]}"` },
    );
  }
  return file;
}

/** Refuses a command file that node cannot run (a native program, a shell or Python script). */
export async function checkProgram(file: string, shown: string): Promise<void> {
  let head: Buffer;
  try {
    head = await readHead(file);
  } catch {
    throw new UserError(`--stdio: ${shown} is not in the package (${file} is missing).`);
  }
  const kind = fileKind(head);
  if (kind.kind === 'elf' || kind.kind === 'mach-o' || kind.kind === 'pe') {
    throw new UserError(`--stdio: ${shown} is a native program, not JavaScript; only Node.js programs run through --stdio.`);
  }
  if (kind.kind === 'shebang' && kind.interpreter !== 'node') {
    throw new UserError(
      `--stdio: ${shown} is run by ${kind.interpreter}, not node; Lambda's Node.js runtime runs only JavaScript.`,
    );
  }
}

/** Where `dev --stdio` keeps installed packages: per user, per package@version, for this machine. */
export function devCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  const base = env.XDG_CACHE_HOME ?? join(env.HOME ?? homedir(), '.cache');
  return join(base, 'mcp-lambda', 'stdio', `${process.platform}-${process.arch}`);
}

/** The registry's version for a spec (`latest`, `^1`), without installing: `npm view`. */
export async function resolveVersion(
  name: string,
  version: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  if (version !== undefined && /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) return version;
  try {
    const { stdout } = await promisify(execFile)('npm', ['view', `${name}@${version ?? 'latest'}`, 'version', '--json'], {
      env: env as NodeJS.ProcessEnv,
      timeout: 60_000,
    });
    const parsed = JSON.parse(stdout) as unknown;
    const found = Array.isArray(parsed) ? parsed.at(-1) : parsed;
    if (typeof found === 'string') return found;
  } catch (error) {
    if (/E404/.test(String((error as { stderr?: string }).stderr))) {
      throw new UserError(`--stdio: the registry has no package ${name}.`, { hint: 'Check the name in your client config.' });
    }
  }
  throw new UserError(`--stdio: ${name} has no version matching ${version ?? 'latest'}.`, {
    hint: `See its versions: npm view ${name} versions`,
  });
}
