/** `mcp-lambda write-config`: write the Claude Code entry for the deployed server (merged, never clobbered). */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigFileError, type ConfigScope, configTarget, planEntry, writeEntry } from '../clients/claude-code/config-file.js';
import { type AuthMode, addJsonCommand, buildEntry } from '../clients/claude-code/entry.js';
import type { CommandContext } from '../context.js';
import { AbortError, UsageError, UserError } from '../terminal/errors.js';
import { resolveStack, type StackSelector } from '../stacks/resolve.js';
import { updateStackRecord } from '../state/stack-state.js';

export interface WriteConfigOptions extends StackSelector {
  readonly scope: ConfigScope;
  readonly auth: AuthMode;
  readonly entryName?: string;
  readonly dryRun?: boolean;
  readonly print?: boolean;
}

/** `node /abs/path/bin/mcp-lambda`: works from any directory Claude Code starts in. */
export function selfCommand(): string[] {
  const bin = realpathSync(fileURLToPath(new URL('../../../bin/mcp-lambda', import.meta.url)));
  return [process.execPath, bin];
}

export async function writeConfig(
  ctx: CommandContext,
  options: WriteConfigOptions,
  helperCommand: readonly string[] = selfCommand(),
): Promise<void> {
  const { out, global, prompt } = ctx;
  const lockOptions = { signal: ctx.signal, onNotice: (line: string) => out.warn(line) };
  const stack = await resolveStack(ctx, options);
  const name = options.entryName ?? stack.serverName;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name))
    throw new UsageError(`--entry-name ${JSON.stringify(name)} is not valid: use letters, digits, hyphens and underscores.`);
  const entry = buildEntry(stack, options.auth, helperCommand);
  const target = configTarget(options.scope, ctx.env, ctx.cwd);

  if (options.auth === 'helper' && helperCommand.some((part) => /[/\\]_npx[/\\]/.test(part))) {
    out.warn(
      `this mcp-lambda runs from npx's cache (${helperCommand[1]}), which npm may clean; the headersHelper would then fail. Install it for good (npm install -g mcp-lambda) and run write-config again.`,
    );
  }
  if (options.auth === 'helper' && !options.print && !options.dryRun) {
    const { readTokens } = await import('../auth/token-store.js');
    if (!(await readTokens(ctx.env, stack.region, stack.stackName).catch(() => undefined))) {
      out.warn(
        `not signed in to ${stack.stackName} yet: the helper needs it. Run mcp-lambda login${options.name ? ` --name ${options.name}` : ''} before starting Claude Code.`,
      );
    }
  }

  if (options.print) {
    out.result(addJsonCommand(name, entry, options.scope));
    return;
  }

  let plan: Awaited<ReturnType<typeof planEntry>>;
  try {
    plan = await planEntry(target, name, entry);
  } catch (error) {
    if (error instanceof ConfigFileError) throw new UserError(error.message);
    throw error;
  }
  if (options.dryRun) {
    out.result(plan.after);
    out.info(out.style.dim(`(dry run: ${target.file} was not changed)`));
    return;
  }
  const unchanged = plan.after === plan.before;
  if (!unchanged && plan.existing !== undefined) {
    out.info(`${target.file} already has a "${name}" entry that differs:`);
    out.info(`  now:   ${JSON.stringify(plan.existing)}`);
    out.info(`  new:   ${JSON.stringify(entry)}`);
    if (!(await prompt.confirm(`Replace the "${name}" entry?`, { default: false }))) {
      throw new AbortError(`Left ${target.file} as it was. Use --entry-name to write a second entry instead.`);
    }
  }
  if (!unchanged) {
    try {
      await writeEntry(target, name, entry, options.scope === 'project' ? 0o644 : 0o600, lockOptions);
    } catch (error) {
      if (error instanceof ConfigFileError) throw new UserError(error.message);
      throw error;
    }
  }

  // Remember it for destroy (under the record's lock: two writers keep both entries).
  await updateStackRecord(
    ctx.env,
    stack.region,
    stack.stackName,
    (record) => ({
      stackName: stack.stackName,
      region: stack.region,
      savedAt: record?.savedAt ?? new Date().toISOString(),
      outputs: record?.outputs ?? stack.raw,
      ...(record?.account && { account: record.account }),
      claudeEntries: [
        ...(record?.claudeEntries ?? []).filter(
          (e) => !(e.file === target.file && e.entryName === name && e.projectPath === target.projectPath),
        ),
        {
          scope: options.scope,
          file: target.file,
          entryName: name,
          url: stack.mcpServerUrl,
          ...(target.projectPath && { projectPath: target.projectPath }),
        },
      ],
    }),
    lockOptions,
  );

  if (global.json) {
    out.json({ file: target.file, scope: options.scope, entryName: name, entry, changed: !unchanged });
    return;
  }
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
  const selector = options.name ? ` --name ${options.name}` : options.stackName ? ` --stack-name ${options.stackName}` : '';
  out.info(`If it does not connect: mcp-lambda doctor${selector} names the broken link.`);
}
