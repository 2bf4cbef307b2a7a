/** `mcp-lambda destroy`: delete the stack, then what the CLI wrote locally for it. */
import type { CommandContext } from '../context.js';
import { cliStackName } from '../deployed/name.js';
import { openSession } from '../deploy/session.js';
import { DeclinedError, RemoteError, UserError } from '../terminal/errors.js';
import { removeLocalArtifacts } from '../state/local-artifacts.js';

export interface DestroyOptions {
  readonly name?: string;
  readonly stackName?: string;
  /** Keep cached outputs, tokens and Claude Code entries. */
  readonly keepLocal?: boolean;
  /** Keep the user pool and its users (the stack goes, the protected pool stays). */
  readonly keepUsers?: boolean;
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
      const poolId = stack.outputs.UserPoolId;
      const pool = poolId ? await session.engine.describeUserPool(poolId) : undefined;
      const users = pool?.users;
      const counted =
        users === undefined
          ? 'every registered user'
          : `its ${users} registered user${users === 1 ? '' : 's'} (Cognito's estimate)`;
      if (options.keepUsers && pool?.deletionProtection !== true) {
        throw new UserError(
          `The user pool of ${stackName} has no deletion protection (deployed by an older mcp-lambda), so it cannot be kept while the stack goes.`,
          {
            hint: `Deploy once with this version (mcp-lambda deploy --stack-name ${stackName} ${flags}), then run destroy --keep-users again.`,
          },
        );
      }
      out.info(
        `This deletes ${out.style.bold(stackName)} in ${identity.region} (account ${identity.account}), status ${stack.status}:`,
      );
      out.info(
        stack.outputs.AutomatedOAuthClientId === undefined
          ? '  the MCP endpoint, the Lambda and its logs, and the OAuth client;'
          : '  the MCP endpoint, the Lambda and its logs, and the OAuth clients and the machine client’s secret;',
      );
      out.info(
        options.keepUsers
          ? `  it keeps the user pool ${poolId} with ${counted}: deletion protection stays on, and no stack uses it any more.`
          : `  and the user pool with ${counted}. They cannot be recovered (--keep-users keeps them).`,
      );
      const question =
        options.keepUsers || users === 0
          ? `Delete ${stackName}?`
          : `Delete ${stackName} and ${users === undefined ? 'its users' : `its ${users} user${users === 1 ? '' : 's'}`}?`;
      if (!(await prompt.confirm(question, { default: false }))) {
        throw new DeclinedError(
          `Nothing was deleted.${options.keepUsers ? '' : ' To keep the users: mcp-lambda destroy --keep-users'}`,
        );
      }
      try {
        // The pool is protected from deletion; only now, asked and answered, is the protection lifted.
        if (!options.keepUsers && pool?.deletionProtection === true) await session.engine.allowUserPoolDeletion(stackName);
        await session.engine.destroy(stackName, identity, { retainUserPool: options.keepUsers === true });
      } catch (error) {
        session.progress.done();
        if (error instanceof UserError) throw error;
        throw new RemoteError((error as Error).message, {
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
        ...(options.keepUsers && deleted && { keptUserPool: stack?.outputs.UserPoolId }),
        alreadyGone: !stack,
        removedLocal: removed,
      });
      return;
    }
    if (deleted) out.result(`${out.style.green('✓')} Deleted ${stackName} from ${identity.region}.`);
    if (deleted && options.keepUsers) {
      out.result(
        `Kept the user pool ${stack?.outputs.UserPoolId} and its users. Delete it when done: turn its deletion protection off in the Cognito console, then delete it there.`,
      );
    }
    if (options.keepLocal) out.result('Kept local files (--keep-local).');
    else if (removed.length === 0) out.result('Nothing of it was stored on this machine.');
    else for (const artifact of removed) out.result(`Removed ${artifact.description}: ${artifact.path}`);
  } finally {
    session.close();
  }
}
