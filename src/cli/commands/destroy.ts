/** `mcp-lambda destroy`: delete the stack, then what the CLI wrote locally for it. */
import type { CommandContext } from '../context.js';
import { cliStackName } from '../stacks/name.js';
import { openSession } from '../deploy/session.js';
import { AbortError, UserError } from '../terminal/errors.js';
import { removeLocalArtifacts } from '../state/local-artifacts.js';

export interface DestroyOptions {
  readonly name?: string;
  readonly stackName?: string;
  /** Keep cached outputs, tokens and Claude Code entries. */
  readonly keepLocal?: boolean;
}

export async function destroy(ctx: CommandContext, options: DestroyOptions): Promise<void> {
  const { out, global, prompt } = ctx;
  const stackName = cliStackName(options);
  const session = await openSession(ctx, stackName);
  try {
    const identity = await session.engine.identity();
    const stack = await session.engine.describeStack(stackName);
    const flags = `--region ${identity.region}${global.profile ? ` --profile ${global.profile}` : ''}`;

    let deleted = false;
    if (!stack) {
      out.info(`Stack ${stackName} does not exist in ${identity.region} (account ${identity.account}): nothing to delete there.`);
    } else {
      if (stack.status.endsWith('_IN_PROGRESS')) {
        throw new UserError(`${stackName} is busy (${stack.status}); delete it when that finishes.`, {
          hint: `Follow it with: mcp-lambda status --stack-name ${stackName} ${flags}`,
        });
      }
      const users = stack.outputs.UserPoolId ? await session.engine.userCount(stack.outputs.UserPoolId) : undefined;
      out.info(
        `This deletes ${out.style.bold(stackName)} in ${identity.region} (account ${identity.account}), status ${stack.status}:`,
      );
      out.info('  the MCP endpoint, the Lambda and its logs, the OAuth clients and their secret, and the user pool');
      out.info(
        users === undefined
          ? '  with every registered user.'
          : `  with its ${users} registered user${users === 1 ? '' : 's'} (Cognito's estimate). They cannot be recovered.`,
      );
      if (!(await prompt.confirm(`Delete ${stackName}?`, { default: false }))) throw new AbortError('Nothing was deleted.');
      try {
        await session.engine.destroy(stackName, identity);
      } catch (error) {
        session.progress.done();
        if (error instanceof UserError) throw error;
        throw new UserError((error as Error).message, {
          hint: `Look at the stack's events (mcp-lambda status --stack-name ${stackName} ${flags}), fix what holds the resource, and run destroy again.`,
          cause: error,
        });
      }
      session.progress.done();
      deleted = true;
    }

    const removed = options.keepLocal ? [] : await removeLocalArtifacts(ctx.env, identity.region, stackName);
    if (global.json) {
      out.json({
        stackName,
        region: identity.region,
        account: identity.account,
        deleted,
        alreadyGone: !stack,
        removedLocal: removed,
      });
      return;
    }
    if (deleted) out.result(`${out.style.green('✓')} Deleted ${stackName} from ${identity.region}.`);
    if (options.keepLocal) out.result('Kept local files (--keep-local).');
    else if (removed.length === 0) out.result('Nothing of it was stored on this machine.');
    else for (const artifact of removed) out.result(`Removed ${artifact.description}: ${artifact.path}`);
  } finally {
    session.close();
  }
}
