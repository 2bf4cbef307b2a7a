/**
 * Bundles a user's server module (`--entry`) into a Lambda for Node.js 24 / ARM64 — `index.mjs` and, when
 * deployed, the chunks it loads on first need: their code and their node_modules, our adapter around it,
 * one copy of the MCP SDK (theirs when they installed it: its classes must be the ones the handler
 * checks), Node built-ins and the runtime's AWS SDK left out. A server built with the v1 SDK keeps the
 * user's own copy of it (1.25 or newer, ./sdk-v1.ts). Then loads the result once in a fresh
 * process, so a server that throws at start fails here, not in Lambda, and records its manifest.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { BuildOptions, Message, Plugin } from 'esbuild';
import { packageRoot, runningFromSources } from '../../package-root.js';
import { builtinModulesPlugin } from './builtin-modules.js';
import { SDK_V1_PLUGIN, sdkV1Plugin } from './sdk-v1.js';
import { webLitePlugin } from './web-lite-plugin.js';

/** Lambda's limit for an unzipped deployment package. */
export const LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024;

/** A problem with the user's entry: not found, does not build, wrong export, throws at start, too big. */
export class EntryError extends Error {
  override readonly name = 'EntryError';
}

/** Our runtime file: from src when this runs from sources (the tests), else from dist. */
export function runtimeFile(name: string): string {
  const file = runningFromSources
    ? join(packageRoot(), 'src', 'lambda', `${name}.ts`)
    : join(packageRoot(), 'dist', 'lambda', `${name}.js`);
  if (!existsSync(file)) throw new Error(`mcp-lambda's Lambda runtime is missing: ${file}. Run npm run build.`);
  return file;
}

/**
 * Leaves out what serves an SDK v1 server (the v2 client and a forwarding server, ~290 KiB) from a bundle
 * whose code holds no v1 SDK: custom.ts's `import('./sdk-v1/serve.js')` gets ./sdk-v1/absent.ts instead.
 */
function withoutSdkV1Support(): Plugin {
  return {
    name: 'mcp-lambda-without-sdk-v1',
    setup(build) {
      build.onResolve({ filter: /^\.\/sdk-v1\/serve\.js$/ }, (args) =>
        args.importer === runtimeFile('custom') ? { path: runtimeFile('sdk-v1/absent') } : undefined,
      );
    },
  };
}

/** Whether a build's inputs hold the v1 SDK. */
function holdsSdkV1(inputs: readonly string[]): boolean {
  return inputs.some((input) => /(^|[\\/])node_modules[\\/]@modelcontextprotocol[\\/]sdk[\\/]/.test(input));
}

/** Packages the bundle must hold once: the SDK (its classes are checked with instanceof) and its zod. */
const SHARED = /^(@modelcontextprotocol\/server|zod)(\/.*)?$/;

/** Resolves the MCP SDK from the user's project when it has one, so the bundle holds one copy. */
function oneSdk(entryDir: string): Plugin {
  return {
    name: 'mcp-lambda-one-sdk',
    setup(build) {
      build.onResolve({ filter: /^@modelcontextprotocol\/server\/_shims$/ }, () => ({ path: runtimeFile('sdk-shims') }));
      build.onResolve({ filter: SHARED }, async (args) => {
        if (args.pluginData?.oneSdk) return undefined;
        // Always the ESM build, from the user's project when it has one: a require() in their CommonJS
        // must not pull in a second (CJS) copy next to the runtime's import.
        const fromUser = await build.resolve(args.path, {
          resolveDir: entryDir,
          kind: 'import-statement',
          pluginData: { oneSdk: true },
        });
        if (fromUser.errors.length === 0) return { path: fromUser.path };
        // Not installed in their project: use the copy mcp-lambda ships.
        const ours = await build.resolve(args.path, {
          resolveDir: dirname(runtimeFile('custom')),
          kind: 'import-statement',
          pluginData: { oneSdk: true },
        });
        return ours.errors.length === 0 ? { path: ours.path } : undefined;
      });
    },
  };
}

function formatMessages(messages: readonly Message[], cwd: string): string {
  return messages
    .map((m) =>
      m.location
        ? `${relative(cwd, m.location.file) || m.location.file}:${m.location.line}:${m.location.column + 1}: ${m.text}`
        : m.text,
    )
    .join('\n');
}

export interface BundleOptions {
  readonly entry: string;
  /** Where index.mjs goes. */
  readonly outdir: string;
  /** For relative paths in messages. */
  readonly cwd: string;
  /** Minify (deploy); dev keeps names readable. @default true */
  readonly minify?: boolean;
  /** The largest bundle accepted. @default Lambda's 250 MB unzipped limit */
  readonly maxBytes?: number;
  /** Split the user's module and the SDK into chunks loaded on first need (deploy). @default false */
  readonly split?: boolean;
  /** Hold what serves an SDK v1 server (see {@link withoutSdkV1Support}). @default true */
  readonly sdkV1?: boolean;
  /** The SDK's Web classes: ours (./web-lite-plugin.ts), or Node's (the bench's baseline). @default 'lite' */
  readonly webClasses?: 'lite' | 'node';
}

export interface BundleResult {
  readonly file: string;
  readonly bytes: number;
}

export function checkEntry(entry: string, cwd: string): string {
  const path = resolve(cwd, entry);
  if (!existsSync(path)) throw new EntryError(`The entry ${entry} does not exist (looked for ${path}).`);
  return path;
}

/** The esbuild options for an entry (shared by one-off builds and dev's watch mode). */
export async function buildOptions(options: BundleOptions): Promise<BuildOptions> {
  const entry = checkEntry(options.entry, options.cwd);
  await mkdir(options.outdir, { recursive: true });
  const wrapper = join(options.outdir, 'entry.mjs');
  await writeFile(
    wrapper,
    [
      `import { checkModule, createLazyCustomApp, readManifest, recordManifest } from ${JSON.stringify(runtimeFile('custom'))};`,
      `import { lambdaHandler } from ${JSON.stringify(runtimeFile('edge/runtime'))};`,
      `import { loadSecretsAtStart } from ${JSON.stringify(runtimeFile('services/secrets'))};`,
      // Secrets become environment variables before the user's module runs, so its top level can read them.
      'await loadSecretsAtStart(process.env);',
      // The user's module (and the SDK) load on the first request the recorded manifest does not answer.
      `const load = () => import(${JSON.stringify(entry)});`,
      "export const handler = lambdaHandler(createLazyCustomApp(load, { manifest: readManifest(new URL('./manifest.json', import.meta.url)) }));",
      'export const check = async () => checkModule(await load());',
      'export const record = () => recordManifest(load);',
      "export const createHandler = (env, log, manifest = 'derive') => createLazyCustomApp(load, { env, log, manifest }).handler;",
      "export const createStreamingHandler = (env, log, start) => createLazyCustomApp(load, { env, log, manifest: 'derive' }).streamingHandler(start);",
      '',
    ].join('\n'),
  );
  return {
    entryPoints: { index: wrapper },
    // Deployed: the user's module and the SDK are chunks loaded on first need. Dev: one file it reloads.
    ...(options.split === true
      ? { outdir: options.outdir, outExtension: { '.js': '.mjs' }, splitting: true, chunkNames: 'chunks/[name]-[hash]' }
      : { outfile: join(options.outdir, 'index.mjs') }),
    bundle: true,
    minify: options.minify ?? true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    // ESM output that still runs CommonJS dependencies calling require() for built-ins.
    banner: {
      js: "const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);",
    },
    external: ['@aws-sdk/*'],
    legalComments: 'none',
    logLevel: 'silent',
    // Node built-ins through process.getBuiltinModule, not ESM imports (see builtin-modules.ts).
    // The SDK check first: it only reads imports (and refuses an old v1 SDK or both SDKs mixed).
    plugins: [
      sdkV1Plugin(options.cwd, [join(packageRoot(), 'src'), join(packageRoot(), 'dist')]),
      oneSdk(dirname(entry)),
      builtinModulesPlugin(),
      ...(options.webClasses === 'node' ? [] : [webLitePlugin(runtimeFile('edge/web-lite'))]),
      ...(options.sdkV1 === false ? [withoutSdkV1Support()] : []),
    ],
  };
}

/** Turns esbuild's failure into an EntryError with file:line for each message. */
export function explainBuildFailure(error: unknown, cwd: string): EntryError {
  const errors = (error as { errors?: Message[] }).errors ?? [];
  return explainMessages(errors, cwd, (error as Error).message);
}

export function explainMessages(errors: readonly Message[], cwd: string, fallback = 'unknown build error'): EntryError {
  // The SDK it uses cannot be served: said alone, without the resolution errors an old copy also causes.
  const sdk = errors.filter((m) => m.pluginName === SDK_V1_PLUGIN);
  if (sdk.length > 0) return new EntryError(formatMessages(sdk, cwd));
  if (errors.some((m) => /No matching export .* for import "default"/.test(m.text))) {
    return new EntryError(
      'The entry has no default export. Export a function that returns an McpServer: export default () => new McpServer(...)',
    );
  }
  return new EntryError(`The entry does not build:\n${formatMessages(errors, cwd) || fallback}`);
}

export async function bundleEntry(options: BundleOptions): Promise<BundleResult> {
  const { build } = await import('esbuild');
  // Without v1 support first; a server whose code turns out to hold the v1 SDK is built again with it.
  const withoutV1 = await buildOptions({ split: true, ...options, sdkV1: false });
  let outputs: readonly string[];
  try {
    let { metafile } = await build({ ...withoutV1, metafile: true });
    if (holdsSdkV1(Object.keys(metafile.inputs))) {
      await Promise.all(Object.keys(metafile.outputs).map((output) => rm(resolve(output), { force: true })));
      ({ metafile } = await build({ ...(await buildOptions({ split: true, ...options, sdkV1: true })), metafile: true }));
    }
    outputs = Object.keys(metafile.outputs);
  } catch (error) {
    throw explainBuildFailure(error, options.cwd);
  }
  const file = join(options.outdir, 'index.mjs');
  const sizes = await Promise.all(outputs.map(async (output) => (await stat(resolve(output))).size));
  const bytes = sizes.reduce((sum, size) => sum + size, 0);
  const limit = options.maxBytes ?? LAMBDA_UNZIPPED_LIMIT;
  if (bytes > limit) {
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    throw new EntryError(
      `The bundle is ${mb(bytes)}; Lambda takes at most ${mb(limit)} unzipped. Drop large dependencies or load them at run time.`,
    );
  }
  return { file, bytes };
}

/** Loads the bundle in a fresh node, builds one server, and answers tools/list: proof it starts. */
export async function loadCheck(file: string, env: Readonly<Record<string, string | undefined>> = {}): Promise<string[]> {
  return (await checkBundle(file, env, false)).tools;
}

export interface CheckedBundle {
  readonly tools: string[];
  /** 'recorded': manifest.json was written beside the bundle; else why not (every request then loads the SDK). */
  readonly manifest: 'recorded' | { readonly skipped: string };
}

/**
 * {@link loadCheck}, then records the SDK's answers for the fast path into manifest.json beside the
 * bundle (see `recordManifest` in src/lambda/custom.ts), in the same fresh process and settings.
 */
export async function checkAndRecord(
  file: string,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<CheckedBundle> {
  return checkBundle(file, env, true);
}

async function checkBundle(
  file: string,
  env: Readonly<Record<string, string | undefined>>,
  record: boolean,
): Promise<CheckedBundle> {
  const manifestFile = join(dirname(file), 'manifest.json');
  const script = `
    try {
    const bundle = await import(${JSON.stringify(pathToFileURL(file).href)});
    await bundle.check();
    const event = (body) => ({ httpMethod: 'POST', path: '/mcp', headers: { host: 'check', 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' }, multiValueHeaders: {}, body: JSON.stringify(body), isBase64Encoded: false, requestContext: { requestId: 'check' } });
    const result = await bundle.handler(event({ jsonrpc: '2.0', id: 1, method: 'tools/list' }));
    const body = JSON.parse(result.body);
    // A server without tools answers tools/list with "method not found": that is fine.
    const noTools = body.error?.code === -32601;
    if (result.statusCode !== 200 || (!body.result && !noTools)) throw new Error('tools/list answered ' + result.statusCode + ': ' + result.body);
    const tools = noTools ? [] : body.result.tools.map((t) => t.name);
    let manifest = { skipped: 'not recorded' };
    if (${record}) {
      const recorded = await bundle.record();
      if (recorded.manifest) {
        const { writeFileSync } = await import('node:fs');
        writeFileSync(${JSON.stringify(manifestFile)}, JSON.stringify(recorded.manifest));
        manifest = 'recorded';
      } else manifest = { skipped: recorded.skipped };
    }
    process.stderr.write('\\n' + JSON.stringify({ tools, manifest }));
    } catch (error) {
      process.stderr.write('\\n' + JSON.stringify({ failed: String(error?.message ?? error) }));
      process.exit(1);
    }
  `;
  try {
    return await runInFreshNode<CheckedBundle>(script, env, 30_000);
  } catch (error) {
    if (error instanceof FreshNodeFailure) throw new EntryError(`The server fails when it starts: ${error.message}`);
    throw error;
  }
}

/** Why a script run by {@link runInFreshNode} failed: the reason it wrote, or the process's error. */
export class FreshNodeFailure extends Error {
  override readonly name = 'FreshNodeFailure';
}

/**
 * Runs a check script in a fresh node (`env` its only environment besides PATH): its answer is the JSON of
 * its last stderr line; a failing script writes `{ failed: reason }` there and exits 1.
 */
export async function runInFreshNode<T>(
  script: string,
  env: Readonly<Record<string, string | undefined>>,
  timeout: number,
): Promise<T> {
  try {
    const { stderr } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, ...env },
      timeout,
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(stderr.trim().split('\n').at(-1) ?? '{}') as T;
  } catch (error) {
    const last =
      String((error as { stderr?: string }).stderr ?? '')
        .trim()
        .split('\n')
        .at(-1) ?? '';
    let reason = (error as Error).message;
    try {
      reason = (JSON.parse(last) as { failed?: string }).failed ?? reason;
    } catch {
      /* not our line: keep the process error */
    }
    throw new FreshNodeFailure(reason);
  }
}
