/**
 * `mcp-lambda config export`: writes mcp-lambda.jsonc from what a deployed stack remembers (its outputs,
 * and its allow-list from SSM), so a stack deployed with flags becomes a file to commit. It refuses to
 * overwrite a file without --force, and writes atomically. What a stack cannot say (the file of a module
 * it runs) is left to a comment.
 */
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { CommandContext } from '../context.js';
import { exportedConfig, exportedText } from '../config/export.js';
import { CONFIG_FILE_NAMES } from '../config/read.js';
import { cliStackName } from '../deployed/name.js';
import { readAllowList } from '../deployed/sign-up.js';
import { openSession } from '../deploy/session.js';
import { writeFileAtomic } from '../state/files.js';
import { UsageError, UserError } from '../terminal/errors.js';

export interface ConfigExportOptions {
  readonly name?: string;
  readonly stackName?: string;
  /** The file to write. @default ./mcp-lambda.jsonc */
  readonly config?: string;
  readonly force?: boolean;
}

export async function configExport(ctx: CommandContext, options: ConfigExportOptions): Promise<void> {
  const { out } = ctx;
  const stackName = cliStackName(options);
  const path = resolve(ctx.cwd, options.config ?? CONFIG_FILE_NAMES[0]);
  const shown = relative(ctx.cwd, path).startsWith('..') ? path : relative(ctx.cwd, path);
  if (existsSync(path) && options.force !== true) {
    throw new UsageError(
      `${shown} exists; config export leaves it as it is.`,
      'Pass --force to overwrite it, or --config <another file>.',
    );
  }
  const session = await openSession(ctx, stackName);
  try {
    const region = await session.aws.region();
    const stack = await session.engine.describeStack(stackName);
    if (!stack) {
      throw new UserError(`${stackName} is not deployed in ${region}: there is nothing to export.`, {
        hint: 'Name the stack with --name or --stack-name (and --region).',
      });
    }
    const { outputs } = stack;
    const allow =
      outputs.SignUpPolicy === 'allow-list' && outputs.AllowListParameter
        ? await readAllowList(await session.aws.ssmClient(), outputs.AllowListParameter)
        : undefined;
    const exported = exportedConfig(stackName, outputs, allow);
    await writeFileAtomic(path, exportedText(exported), { keep: true, newMode: 0o644 });
    if (ctx.global.json) {
      out.json({ path, stackName, region, settings: exported.values, unknown: exported.unknown });
      return;
    }
    out.result(
      `${out.style.green('✓')} Wrote ${shown} from ${stackName} in ${region}: ${Object.keys(exported.values).join(', ')}.`,
    );
    for (const note of exported.unknown) out.warn(note);
    out.info(`Next: commit it; mcp-lambda deploy reads it (flags still win over it).`);
  } finally {
    session.close();
  }
}
