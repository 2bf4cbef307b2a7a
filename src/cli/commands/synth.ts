/** `mcp-lambda synth`: build the stack's CloudFormation in-process, with no AWS credentials. */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { CommandContext } from '../context.js';
import { UsageError, UserError } from '../terminal/errors.js';
import { prepareEntries } from '../entry/prepare.js';
import { readDeployRequest } from '../plan/request.js';
import { scopeSettings } from '../deployed/settings.js';
import type { StackCliOptions } from '../options/stack-options.js';
import { checkPathFlag } from '../options/values.js';

export interface SynthOptions extends StackCliOptions {
  /** Write the cloud assembly here (kept); otherwise a temporary directory is used and removed. */
  readonly out?: string;
}

interface Template {
  Resources?: Record<string, { Type: string }>;
  Outputs?: Record<string, { Description?: string }>;
}

/**
 * Where `--out` may write: a new or empty directory, or one holding a cloud assembly already (rewritten).
 * Anything else (an empty value, a file, a directory with other things in it) is refused untouched.
 */
async function checkOutDir(cwd: string, value: string): Promise<string> {
  checkPathFlag('--out', value, 'cdk.out');
  const dir = resolve(cwd, value);
  const found = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new UserError(`Cannot use --out ${value}: ${error.message}`);
  });
  if (found === undefined) return dir;
  if (!found.isDirectory()) throw new UsageError(`--out ${value} is a file, not a directory.`);
  const entries = await readdir(dir);
  if (entries.length > 0 && !entries.includes('manifest.json')) {
    throw new UsageError(
      `--out ${value} (${dir}) already holds other files, and synth would write among them.`,
      'Pick a new or empty directory, e.g. --out cdk.out',
    );
  }
  return dir;
}

export async function synth(ctx: CommandContext, options: SynthOptions): Promise<void> {
  const { out, global } = ctx;
  if (options.out !== undefined) await checkOutDir(ctx.cwd, options.out);
  const { buildApp, MissingBundleError, StackPropsError, defaultLambdaBundleDir } = await import('../../stack/index.js');
  const outdir = options.out !== undefined ? resolve(ctx.cwd, options.out) : await mkdtemp(join(tmpdir(), 'mcp-lambda-synth-'));
  try {
    let built: ReturnType<typeof buildApp>;
    try {
      // The flags, checked before the (slower) bundling of an entry; then the entries, bundled.
      const request = await readDeployRequest(ctx, options);
      if (options.latencyAlarmMs !== undefined && request.stack.alarms === undefined) {
        throw new UsageError(
          '--latency-alarm-ms sets the threshold of --alarms: name the address to mail too.',
          '--alarms you@example.com',
        );
      }
      const custom =
        request.entries && (await prepareEntries(ctx, request.entries, options.name, request.settings, request.stack.toolGroups));
      const scoped = request.settings && scopeSettings(ctx, request.settings, custom?.servers, true);
      built = buildApp({ outdir, validate: options.validate === true, ...request.stack, ...custom, ...scoped });
    } catch (error) {
      if (error instanceof StackPropsError) throw new UsageError(error.message);
      if (error instanceof MissingBundleError) {
        throw new UserError(error.message, { hint: 'In a clone of mcp-lambda, run npm install (it builds the bundle).' });
      }
      throw error;
    }
    const { app, stack } = built;
    let assembly: ReturnType<typeof app.synth>;
    try {
      assembly = app.synth();
    } catch (error) {
      // Validation failures (with --validate) come back as one report; show it as is. Anything else is a bug.
      if (!options.validate) throw error;
      throw new UserError(`The stack did not pass validation:\n${(error as Error).message}`);
    }
    const artifact = assembly.getStackByName(stack.stackName);
    const template = artifact.template as Template;

    if (global.json) {
      out.json(template);
      return;
    }

    const byType = new Map<string, number>();
    for (const resource of Object.values(template.Resources ?? {}))
      byType.set(resource.Type, (byType.get(resource.Type) ?? 0) + 1);
    const { servers } = stack.options;
    const bundles = await Promise.all(
      (servers ?? [{ name: '', lambdaBundleDir: stack.options.lambdaBundleDir }]).map(async (server) => ({
        name: server.name,
        bytes: await readFile(join(server.lambdaBundleDir ?? defaultLambdaBundleDir(), 'index.mjs')),
      })),
    );
    const templateBytes = (await stat(artifact.templateFullPath)).size;
    const { style } = out;

    out.result(
      servers
        ? `${style.bold(stack.stackName)}  servers ${servers.map((server) => server.name).join(', ')} at /<name>/mcp (scope <its URL>/<name>, or <API URL>/all-servers for all), stage ${stack.options.stage}, tokens ${stack.options.sessionHours} h`
        : `${style.bold(stack.stackName)}  server ${stack.options.serverName}, scope <MCP URL>/${stack.options.scopeName}, stage ${stack.options.stage}, tokens ${stack.options.sessionHours} h`,
    );
    if (options.signup === undefined && options.allow === undefined) {
      out.result('Sign-up: allow-list, empty (no --allow or --signup given): nobody could register until you allow someone.');
    } else {
      out.result(
        stack.options.signUp.mode === 'allow-list'
          ? `Sign-up: allow-list: ${stack.options.signUp.allow.join(', ') || '(empty)'}`
          : `Sign-up: ${stack.options.signUp.mode === 'open' ? 'OPEN to anyone' : 'invite only'}`,
      );
    }
    out.result('');
    out.result(`Resources (${[...byType.values()].reduce((a, b) => a + b, 0)})`);
    for (const [type, count] of [...byType].sort(([a], [b]) => a.localeCompare(b)))
      out.result(`  ${String(count).padStart(3)}  ${type}`);
    out.result('');
    out.result('Outputs');
    const width = Math.max(...Object.keys(template.Outputs ?? {}).map((name) => name.length));
    for (const [name, output] of Object.entries(template.Outputs ?? {})) {
      out.result(`  ${name.padEnd(width)}  ${style.dim(output.Description ?? '')}`);
    }
    out.result('');
    const labels = bundles.map((bundle) => (bundle.name === '' ? 'Lambda bundle' : `Lambda bundle (${bundle.name})`));
    const labelWidth = Math.max('Template'.length, ...labels.map((label) => label.length));
    bundles.forEach((bundle, index) => {
      out.result(
        `${(labels[index] ?? '').padEnd(labelWidth)}  ${kib(bundle.bytes.length)} (${kib(gzipSync(bundle.bytes).length)} gzip)`,
      );
    });
    out.result(`${'Template'.padEnd(labelWidth)}  ${kib(templateBytes)}`);
    out.result('');
    if (options.out !== undefined) {
      out.result(`Wrote the cloud assembly to ${outdir}`);
      out.info(`Next: deploy it with the AWS CDK CLI: npx aws-cdk deploy --app ${outdir}`);
    } else {
      out.info('Next: write the cloud assembly with --out DIR, or print the template with --json.');
    }
  } finally {
    if (options.out === undefined) await rm(outdir, { recursive: true, force: true });
  }
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
