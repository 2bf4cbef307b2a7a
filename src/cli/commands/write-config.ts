/** `mcp-lambda write-config`: write the Claude Code entry for the deployed server (merged, never clobbered). */
import { realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ConfigFileError, type ConfigScope, configTarget, planEntry, writeEntry } from '../clients/claude-code/config-file.js';
import { type AuthMode, addJsonCommand, buildEntry, ownBin } from '../clients/claude-code/entry.js';
import type { CommandContext } from '../context.js';
import { DeclinedError, UsageError, UserError } from '../terminal/errors.js';
import { selectorFlags } from '../deployed/name.js';
import { resolveStack, serverViews, type StackSelector } from '../deployed/resolve.js';
import { type ClaudeEntryRecord, updateStackRecord } from '../state/stack-state.js';
import type { ClientWriter } from '../clients/types.js';
import { clientTarget, planClientEntry, WRITERS, writeClientEntry, writerFor } from '../clients/writers.js';
import { checkInsideProject, type ConfigPlan } from '../clients/json-config.js';
import { stringify } from 'smol-toml';
import { registeredClients } from '../../stack/clients.js';
import type { StackOutputs } from '../deployed/resolve.js';

export interface WriteConfigOptions extends StackSelector {
  /** The client to configure. @default claude-code */
  readonly client?: string;
  readonly scope: ConfigScope;
  readonly auth: AuthMode;
  readonly entryName?: string;
  readonly dryRun?: boolean;
  readonly print?: boolean;
  /** Replace a different entry of the same name without asking (the caller asked already: deploy --stdio-from). */
  readonly replace?: boolean;
  /** One of several servers behind the stack. @default every one */
  readonly server?: string;
}

/**
 * The command a headersHelper runs: the `mcp-lambda` installed on PATH when it is this CLI (a global
 * install or `npm link`), by its absolute path — it keeps working when a clone moves or the package is
 * reinstalled; else `node <this clone>/bin/mcp-lambda`, which does not (the caller warns).
 */
export function selfCommand(env: Readonly<Record<string, string | undefined>> = process.env): {
  command: string[];
  onPath: boolean;
} {
  const own = ownBin();
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'mcp-lambda');
    try {
      if (realpathSync(candidate) === own) return { command: [candidate], onPath: true };
    } catch {
      /* not there */
    }
  }
  return { command: [process.execPath, own], onPath: false };
}

export async function writeConfig(
  ctx: CommandContext,
  options: WriteConfigOptions,
  helperCommand?: readonly string[],
): Promise<void> {
  const client = options.client ?? 'claude-code';
  const writer = client === 'claude-code' ? undefined : writerFor(client);
  if (client !== 'claude-code' && !writer) {
    throw new UsageError(
      `--client ${JSON.stringify(client)} is not one mcp-lambda writes for.`,
      `Use one of: claude-code, ${WRITERS.map((w) => w.id).join(', ')}.`,
    );
  }
  const stack = await resolveStack(ctx, options);
  // Several servers behind the stack: an entry each, named after its server (or the one --server names).
  const views = serverViews(stack, options.server);
  if (views.length > 1 && options.entryName !== undefined) {
    throw new UsageError(
      `--entry-name names one entry, and ${stack.stackName} serves ${views.length} servers (each entry is named after its server).`,
      `Pick one: --server ${views[0]?.serverName} --entry-name ${options.entryName}`,
    );
  }
  const self = helperCommand === undefined ? selfCommand(ctx.env) : { command: helperCommand, onPath: true };
  if (!writer) await warnAboutHelper(ctx, options, stack, self);
  const results: unknown[] = [];
  for (const view of views) {
    results.push(writer ? await writeOtherClient(ctx, options, writer, view) : await writeClaudeCode(ctx, options, view, self));
  }
  if (ctx.global.json && !options.print && !options.dryRun) ctx.out.json(views.length === 1 ? results[0] : { servers: results });
}

/** Warnings about the headersHelper that concern the whole stack, said once. */
async function warnAboutHelper(
  ctx: CommandContext,
  options: WriteConfigOptions,
  stack: StackOutputs,
  self: { command: readonly string[]; onPath: boolean },
): Promise<void> {
  const { out } = ctx;
  if (options.auth !== 'helper') return;
  if (!self.onPath) {
    out.warn(
      `mcp-lambda is not installed on PATH, so the headersHelper runs it from ${self.command[1]}; moving or deleting that copy breaks the entry. Install the command (npm link in the clone, or npm install -g) and run write-config again.`,
    );
  }
  if (self.command.some((part) => /[/\\]_npx[/\\]/.test(part))) {
    out.warn(
      `this mcp-lambda runs from npx's cache (${self.command[1]}), which npm may clean; the headersHelper would then fail. Install it for good (npm install -g mcp-lambda) and run write-config again.`,
    );
  }
  if (!options.print && !options.dryRun) {
    const { readTokens } = await import('../auth/token-store.js');
    if (!(await readTokens(ctx.env, stack.region, stack.stackName).catch(() => undefined))) {
      out.warn(
        `not signed in to ${stack.stackName} yet: the helper needs it. Run mcp-lambda login${options.name ? ` --name ${options.name}` : ''} before starting Claude Code.`,
      );
    }
  }
}

/** Claude Code's entry for one server; what `--json` prints for it. */
async function writeClaudeCode(
  ctx: CommandContext,
  options: WriteConfigOptions,
  stack: StackOutputs,
  self: { command: readonly string[] },
): Promise<unknown> {
  const { out, global } = ctx;
  const lockOptions = { signal: ctx.signal, onNotice: (line: string) => out.warn(line) };
  const name = options.entryName ?? stack.serverName;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name))
    throw new UsageError(`--entry-name ${JSON.stringify(name)} is not valid: use letters, digits, hyphens and underscores.`);
  const entry = buildEntry(stack, options.auth, self.command);
  const target = configTarget(options.scope, ctx.env, ctx.cwd);

  if (options.print) {
    out.result(addJsonCommand(name, entry, options.scope));
    return undefined;
  }

  const mode = options.scope === 'project' ? 0o644 : 0o600;
  const applied = await applyEntry(ctx, stack, {
    file: target.file,
    name,
    entry,
    dryRun: options.dryRun === true,
    replace: options.replace === true,
    // A project file a symlink leads out of is refused before anything is shown (the write would refuse it).
    plan: () => checkInsideProject(target).then(() => planEntry(target, name, entry)),
    write: () => writeEntry(target, name, entry, mode, lockOptions),
    record: {
      scope: options.scope,
      file: target.file,
      entryName: name,
      url: stack.mcpServerUrl,
      ...(target.projectPath && { projectPath: target.projectPath }),
    },
  });
  if (applied === undefined) return undefined;
  const { unchanged } = applied;

  if (global.json) return { file: target.file, scope: options.scope, entryName: name, entry, changed: !unchanged };
  const where = options.scope === 'local' ? `${target.file} (project ${target.projectPath})` : target.file;
  out.result(unchanged ? `${where} already has this "${name}" entry.` : `${out.style.green('✓')} Wrote "${name}" to ${where}:`);
  out.result(`  ${JSON.stringify(entry)}`);
  out.info('');
  if (options.auth === 'oauth') {
    out.info(
      `Next: start Claude Code${options.scope === 'user' ? '' : ` in ${ctx.cwd}`}, run /mcp, pick "${name}" and authenticate.`,
    );
    out.info(`      (or from a shell: claude mcp login ${name})`);
    out.info(`      Sign in on the Cognito page it opens; it returns to http://localhost:${stack.callbackPort}/callback.`);
  } else {
    out.info(
      `Next: start Claude Code${options.scope === 'user' ? '' : ` in ${ctx.cwd}`} and run /mcp: "${name}" connects with your mcp-lambda login.`,
    );
    out.info(
      '      Claude Code runs mcp-lambda token on each connect; if it says the sign-in expired, run mcp-lambda login again.',
    );
  }
  const selector = selectorFlags(options);
  out.info(`If it does not connect: mcp-lambda doctor${selector} names the broken link.`);
  return undefined;
}

/** Another client's config: the same merge discipline as Claude Code's, in that client's file and shape. */
async function writeOtherClient(
  ctx: CommandContext,
  options: WriteConfigOptions,
  writer: ClientWriter,
  stack: StackOutputs,
): Promise<unknown> {
  const { out, global } = ctx;
  const name = options.entryName ?? stack.serverName;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name))
    throw new UsageError(`--entry-name ${JSON.stringify(name)} is not valid: use letters, digits, hyphens and underscores.`);
  if (options.auth === 'helper') {
    throw new UsageError(`--auth helper is for Claude Code; ${writer.title} signs in with OAuth itself.`);
  }
  const selector = selectorFlags(options);
  const registered = registeredClients(stack.raw);
  if (!registered.includes(writer.id)) {
    out.warn(
      `${stack.stackName} does not register ${writer.title}'s redirect URIs, so its sign-in would be refused. Add it: mcp-lambda deploy${selector} --clients ${[...registered, writer.id].join(',')}`,
    );
  }

  if (writer.kind === 'paste') {
    if (!/^https:\/\//.test(stack.mcpServerUrl) || /^https:\/\/(localhost|127\.)/.test(stack.mcpServerUrl)) {
      out.warn(
        `${stack.mcpServerUrl} is not reachable from the public internet; ${writer.title} connects from Anthropic's cloud.`,
      );
    }
    if (global.json)
      return { client: writer.id, name, url: stack.mcpServerUrl, clientId: stack.clientId, steps: writer.steps(stack, name) };
    for (const line of writer.steps(stack, name)) out.result(line);
    return undefined;
  }

  if (options.scope === 'local') {
    throw new UsageError(
      `--scope local is Claude Code's; ${writer.title} has project and user configs.`,
      '--scope project or --scope user',
    );
  }
  const where = clientTarget(writer, options.scope, ctx.env, ctx.cwd);
  const { target } = where;
  const entry = writer.entry(stack);
  const lockOptions = { signal: ctx.signal, onNotice: (line: string) => out.warn(line) };
  if (options.print) {
    if (where.format === 'toml') {
      out.result(`${stringify(where.target.globals ?? {})}

${stringify({ [target.prefix[0] ?? '']: { [name]: entry } }).trim()}`);
    } else out.result(JSON.stringify({ [name]: entry }, null, 2));
    return undefined;
  }
  const mode = options.scope === 'project' ? 0o644 : 0o600;
  const applied = await applyEntry(ctx, stack, {
    file: target.file,
    name,
    entry,
    dryRun: options.dryRun === true,
    replace: options.replace === true,
    plan: () => checkInsideProject(where.target).then(() => planClientEntry(where, name, entry)),
    write: () => writeClientEntry(where, name, entry, mode, lockOptions),
    record: {
      scope: options.scope,
      file: target.file,
      entryName: name,
      url: stack.mcpServerUrl,
      client: writer.id,
      prefix: [...target.prefix].map(String),
    },
  });
  if (applied === undefined) return undefined;
  const { unchanged } = applied;
  if (global.json)
    return { client: writer.id, file: target.file, scope: options.scope, entryName: name, entry, changed: !unchanged };
  out.result(
    unchanged ? `${target.file} already has this "${name}" entry.` : `${out.style.green('✓')} Wrote "${name}" to ${target.file}:`,
  );
  out.result(`  ${JSON.stringify(entry)}`);
  out.info('');
  for (const line of writer.next(name)) out.info(line);
  return undefined;
}

/** Where an entry keeps values that may be keys: Claude Code's and the JSON clients' `env`/`headers`, Codex's. */
const VALUE_MAPS = new Set(['env', 'headers', 'http_headers', 'env_http_headers']);

/**
 * An entry as the "differs" question shows it: the names in its env and headers, every value hidden. An
 * entry the user wrote by hand holds their API keys there, and the question is printed unasked.
 */
export function withValuesHidden(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withValuesHidden);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) =>
      VALUE_MAPS.has(key) && typeof inner === 'object' && inner !== null && !Array.isArray(inner)
        ? [key, Object.fromEntries(Object.keys(inner).map((name) => [name, '…']))]
        : [key, withValuesHidden(inner)],
    ),
  );
}

/**
 * What every writer does once it knows its file and entry: plan, show it (`--dry-run`), ask before
 * replacing a different entry of the same name, write, and remember it for `destroy` (under the record's
 * lock: two writers keep both entries). Undefined for a dry run.
 */
async function applyEntry(
  ctx: CommandContext,
  stack: StackOutputs,
  change: {
    readonly file: string;
    readonly name: string;
    readonly entry: unknown;
    readonly dryRun: boolean;
    readonly replace: boolean;
    readonly plan: () => Promise<ConfigPlan>;
    readonly write: () => Promise<unknown>;
    readonly record: ClaudeEntryRecord;
  },
): Promise<{ unchanged: boolean } | undefined> {
  const { out, prompt } = ctx;
  const { file, name, entry } = change;
  const lockOptions = { signal: ctx.signal, onNotice: (line: string) => out.warn(line) };
  let plan: ConfigPlan;
  try {
    plan = await change.plan();
  } catch (error) {
    if (error instanceof ConfigFileError) throw new UserError(error.message);
    throw error;
  }
  if (change.dryRun) {
    out.result(plan.after);
    out.info(out.style.dim(`(dry run: ${file} was not changed)`));
    return undefined;
  }
  const unchanged = plan.after === plan.before;
  // A replacement the caller asked about already is not shown: the old entry may hold keys in its env.
  if (!unchanged && plan.existing !== undefined && !change.replace) {
    out.info(`${file} already has a "${name}" entry that differs:`);
    out.info(`  now:   ${JSON.stringify(withValuesHidden(plan.existing))}`);
    out.info(`  new:   ${JSON.stringify(withValuesHidden(entry))}`);
    if (!(await prompt.confirm(`Replace the "${name}" entry?`, { default: false }))) {
      throw new DeclinedError(`Left ${file} as it was. Use --entry-name to write a second entry instead.`);
    }
  }
  if (!unchanged) {
    try {
      await change.write();
    } catch (error) {
      if (error instanceof ConfigFileError) throw new UserError(error.message);
      throw error;
    }
  }
  const { record } = change;
  await updateStackRecord(
    ctx.env,
    stack.region,
    stack.stackName,
    (stored) => ({
      stackName: stack.stackName,
      region: stack.region,
      savedAt: stored?.savedAt ?? new Date().toISOString(),
      outputs: stored?.outputs ?? stack.raw,
      ...(stored?.account && { account: stored.account }),
      claudeEntries: [
        ...(stored?.claudeEntries ?? []).filter(
          (e) => !(e.file === record.file && e.entryName === record.entryName && e.projectPath === record.projectPath),
        ),
        record,
      ],
    }),
    lockOptions,
  );
  return { unchanged };
}
