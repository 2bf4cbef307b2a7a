/**
 * The Lambda bundle of a stdio server (`--stdio`): `index.mjs` (our bridge, which runs the server as a
 * child with node) and the chunks it loads on first need (`chunks/`), `stdio.json` (how to start it), `server/` (the installed package, or the script's
 * package with its node_modules) and `manifest.json` — the server's answers to initialize and tools/list,
 * recorded by running it once in a fresh process with the settings the function will have, so a cold
 * connect does not wait for the child.
 */
import { cp, lstat, mkdir, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { STDIO_SPEC_FILE, type StdioSpec } from '../../lambda/bridge/spec.js';
import { builtinModulesPlugin } from '../entry/builtin-modules.js';
import { webLitePlugin } from '../entry/web-lite-plugin.js';
import { FreshNodeFailure, LAMBDA_UNZIPPED_LIMIT, runInFreshNode, runtimeFile } from '../entry/bundle.js';
import { UserError } from '../terminal/errors.js';
import type { StdioCommand } from './command.js';
import { installPackage } from './install.js';
import { findNativeProblems, packageRootOf } from './native.js';

/** Where the server's files go inside the bundle. */
export const SERVER_DIR = 'server';

export interface StdioBundle {
  readonly dir: string;
  readonly spec: StdioSpec;
  /** Files of a script's package left out as key-like (relative to the package), for the caller to say. */
  readonly leftOut: readonly string[];
  /** Every file of the bundle, unzipped (Lambda's limit is on this). */
  readonly bytes: number;
}

/**
 * Files of a script's package that hold keys, never uploaded: anyone who may read the function's code
 * (lambda:GetFunction, the CDK asset bucket) could read them. `.env.example` and `.env.sample` stay.
 */
const KEY_FILE =
  /^(\.env(?!\.(example|sample)$)(\..*)?|.*\.(pem|key|p12|pfx)|id_(rsa|dsa|ecdsa|ed25519)(\.pub)?|\.npmrc|\.netrc|credentials(\.json)?)$/i;
/** Folders never uploaded: version control and the user's own key stores. */
const SKIPPED_DIRS = new Set(['.git', '.aws', '.ssh', '.gnupg']);

/** Installs or copies the server into `dir/server/` and refuses what cannot load on Lambda. */
async function placeServer(command: StdioCommand, label: string, dir: string): Promise<{ spec: StdioSpec; leftOut: string[] }> {
  const target = join(dir, SERVER_DIR);
  let spec: StdioSpec;
  const leftOut: string[] = [];
  if (command.kind === 'package') {
    const installed = await installPackage({
      name: command.name,
      ...(command.version !== undefined && { version: command.version }),
      ...(command.bin !== undefined && { bin: command.bin }),
      dir: target,
      target: 'lambda',
    });
    spec = {
      label,
      program: join(SERVER_DIR, installed.program).split(sep).join('/'),
      args: command.args,
      package: { name: installed.name, version: installed.version },
    };
  } else {
    const file = await realpath(command.file);
    const root = (await packageRootOf(dirname(file))) ?? dirname(file);
    // The whole folder is uploaded: never a home directory or the file system's root.
    if (root === dirname(root) || root === (await realpath(homedir()).catch(() => homedir()))) {
      throw new UserError(
        `--stdio ${label}: ${command.file} has no package.json of its own, so its folder (${root}) would be uploaded whole.`,
        { hint: 'Put the server in a folder of its own with a package.json (npm init -y), and run it from there.' },
      );
    }
    await cp(root, target, {
      recursive: true,
      // Symlinks are copied as what they point to: the bundle is uploaded as plain files.
      dereference: true,
      filter: (source) => {
        const inside = relative(root, source).split(sep);
        if (inside.some((part) => SKIPPED_DIRS.has(part))) return false;
        if (inside.at(-2) === 'node_modules' && inside.at(-1) === '.bin') return false;
        if (!inside.includes('node_modules') && KEY_FILE.test(inside.at(-1) ?? '')) {
          leftOut.push(inside.join('/'));
          return false;
        }
        return true;
      },
    });
    spec = { label, program: join(SERVER_DIR, relative(root, file)).split(sep).join('/'), args: command.args };
  }
  const problems = await findNativeProblems(target);
  if (problems.length > 0) {
    throw new UserError(
      `--stdio ${label}: ${problems.map((problem) => `${problem.package} cannot run on Lambda: ${problem.reason}`).join('; ')}.`,
      {
        hint: 'Use a version of the package without native add-ons, or one that ships prebuilt linux-arm64 binaries.',
      },
    );
  }
  return { spec, leftOut };
}

/** The wrapper Lambda runs: the bridge around the spec, the recorded manifest, secrets read at start. */
async function buildWrapper(dir: string, minify: boolean): Promise<void> {
  const wrapper = join(dir, 'stdio-wrapper.mjs');
  await writeFile(
    wrapper,
    [
      `import { createStdioApp, readStdioSpec, recordStdioManifest } from ${JSON.stringify(runtimeFile('bridge/app'))};`,
      `import { readManifest } from ${JSON.stringify(runtimeFile('custom'))};`,
      `import { lambdaHandler } from ${JSON.stringify(runtimeFile('edge/runtime'))};`,
      `import { loadSecretsAtStart } from ${JSON.stringify(runtimeFile('services/secrets'))};`,
      "import { fileURLToPath } from 'node:url';",
      // Secrets become environment variables at cold start; the child gets the function's environment.
      'await loadSecretsAtStart(process.env);',
      "const baseDir = fileURLToPath(new URL('.', import.meta.url));",
      `const spec = readStdioSpec(new URL('./${STDIO_SPEC_FILE}', import.meta.url));`,
      "export const handler = lambdaHandler(createStdioApp(spec, { baseDir, manifest: readManifest(new URL('./manifest.json', import.meta.url)) }));",
      'export const record = () => recordStdioManifest(spec, { baseDir, env: process.env });',
      '',
    ].join('\n'),
  );
  const { build } = await import('esbuild');
  try {
    await build({
      // The supervisor, the proxy and the MCP SDK are chunks loaded by the first request the manifest does
      // not answer: a cold connect loads the wrapper and the fast path only.
      entryPoints: { index: wrapper },
      outdir: dir,
      outExtension: { '.js': '.mjs' },
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      bundle: true,
      minify,
      platform: 'node',
      target: 'node24',
      format: 'esm',
      banner: { js: "const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);" },
      external: ['@aws-sdk/*'],
      legalComments: 'none',
      logLevel: 'silent',
      plugins: [builtinModulesPlugin(), webLitePlugin(runtimeFile('edge/web-lite'))],
    });
  } finally {
    await rm(wrapper, { force: true });
  }
}

/** The size of every file under `dir`. */
export async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await lstat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * Builds the bundle of a stdio server into `dir`: the server installed or copied, checked for native
 * add-ons, the wrapper, `stdio.json`, and the size checked against Lambda's unzipped limit.
 */
export async function bundleStdio(
  command: StdioCommand,
  label: string,
  dir: string,
  options: { readonly maxBytes?: number; readonly minify?: boolean } = {},
): Promise<StdioBundle> {
  await mkdir(dir, { recursive: true });
  const { spec, leftOut } = await placeServer(command, label, dir);
  await writeFile(join(dir, STDIO_SPEC_FILE), `${JSON.stringify(spec, null, 2)}\n`);
  await buildWrapper(dir, options.minify ?? true);
  const bytes = await treeBytes(dir);
  const limit = options.maxBytes ?? LAMBDA_UNZIPPED_LIMIT;
  if (bytes > limit) {
    throw new UserError(
      `--stdio ${label}: the bundle is ${mb(bytes)}; Lambda takes at most ${mb(limit)} unzipped.`,
      command.kind === 'script'
        ? {
            hint: `Its whole package goes into the bundle (${dirname(command.file)} and up to its package.json, node_modules included): remove what the server does not need.`,
          }
        : { hint: 'Use a smaller server package.' },
    );
  }
  return { dir, spec, leftOut, bytes };
}

export interface RecordedStdio {
  readonly tools: string[];
  /** 'recorded': manifest.json was written; else why not (every request then waits for the child). */
  readonly manifest: 'recorded' | { readonly skipped: string };
}

/**
 * Runs the bundle's server once in a fresh node process, with `env` as its only environment besides
 * PATH (the settings the function will have), and writes its initialize and tools/list answers to
 * manifest.json beside index.mjs. A server that does not start fails here, with its reason.
 */
export async function recordStdio(dir: string, env: Readonly<Record<string, string | undefined>>): Promise<RecordedStdio> {
  const manifestFile = join(dir, 'manifest.json');
  const script = `
    try {
      const bundle = await import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)});
      const { tools, manifest } = await bundle.record();
      let recorded = manifest;
      if (!('skipped' in manifest)) {
        const { writeFileSync } = await import('node:fs');
        writeFileSync(${JSON.stringify(manifestFile)}, JSON.stringify(manifest));
        recorded = 'recorded';
      }
      process.stderr.write('\\n' + JSON.stringify({ tools, manifest: recorded }));
      process.exit(0);
    } catch (error) {
      process.stderr.write('\\n' + JSON.stringify({ failed: String(error?.message ?? error) }));
      process.exit(1);
    }
  `;
  try {
    return await runInFreshNode<RecordedStdio>(script, env, 60_000);
  } catch (error) {
    if (!(error instanceof FreshNodeFailure)) throw error;
    throw new UserError(`The stdio server fails when it starts: ${error.message}`, {
      hint: 'Run the same command on this machine to see why; --env and --secret give it its settings.',
    });
  }
}
