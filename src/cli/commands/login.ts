/** `mcp-lambda login` and `logout`: sign in to the deployed server, verify it answers, store the sign-in. */
import { AuthError } from '../auth/cognito-auth.js';
import { runLogin } from '../auth/login-flow.js';
import { UserError } from '../terminal/errors.js';
import { signInClient } from '../aws/endpoints.js';
import { readTokens, removeTokens, saveTokens, tokenPath } from '../auth/token-store.js';
import { verifyEndpoint } from '../auth/verify.js';
import type { CommandContext } from '../context.js';
import { resolveStack, type StackSelector } from '../stacks/resolve.js';

export interface LoginCommandOptions extends StackSelector {
  readonly username?: string;
  readonly passwordStdin?: boolean;
  readonly signup?: boolean;
  readonly browser: boolean;
}

export async function login(ctx: CommandContext, options: LoginCommandOptions): Promise<void> {
  const { out, global } = ctx;
  const stack = await resolveStack(ctx, options);
  const cognito = await (ctx.signInClient ?? ((region: string) => signInClient(ctx.env, region)))(stack.region);
  try {
    out.info(`Signing in to ${out.style.bold(stack.serverName)} (${stack.stackName} in ${stack.region}).`);
    const { username, tokens } = await runLogin(ctx, stack, cognito, {
      browser: options.browser,
      ...(options.username !== undefined && { username: options.username }),
      ...(options.passwordStdin !== undefined && { passwordStdin: options.passwordStdin }),
      ...(options.signup !== undefined && { signup: options.signup }),
    }).catch((error: unknown) => {
      // Any Cognito answer the flow did not turn into a step of its own.
      if (error instanceof AuthError)
        throw new UserError(`Cognito refused: ${error.message}`, {
          hint: 'Run mcp-lambda login again; if it keeps failing, check the stack with mcp-lambda status.',
          cause: error,
        });
      throw error;
    });
    out.info(`Signed in as ${username}. Checking the MCP endpoint…`);
    const verified = await verifyEndpoint(stack.mcpServerUrl, tokens.accessToken, stack.scope);
    await saveTokens(
      ctx.env,
      {
        stackName: stack.stackName,
        region: stack.region,
        serverName: stack.serverName,
        mcpServerUrl: stack.mcpServerUrl,
        clientId: stack.clientId,
        username,
        accessToken: tokens.accessToken,
        expiresAt: tokens.expiresAt,
        refreshToken: tokens.refreshToken,
      },
      { signal: ctx.signal },
    );
    if (global.json) {
      out.json({
        stackName: stack.stackName,
        region: stack.region,
        username,
        mcpServerUrl: stack.mcpServerUrl,
        tools: verified.tools.map((tool) => tool.name),
      });
      return;
    }
    out.result(`${out.style.green('✓')} ${stack.mcpServerUrl} works with your sign-in. Tools:`);
    for (const tool of verified.tools)
      out.result(`  ${tool.name}${tool.description ? out.style.dim(`  ${tool.description}`) : ''}`);
    out.info(out.style.dim(`Sign-in stored in ${tokenPath(ctx.env, stack.region, stack.stackName)} (readable by you only).`));
    out.info('');
    out.info(`Next: connect Claude Code with: mcp-lambda write-config${options.name ? ` --name ${options.name}` : ''}`);
  } finally {
    cognito.destroy();
  }
}

export async function logout(ctx: CommandContext, options: StackSelector): Promise<void> {
  const stack = await resolveStack(ctx, options);
  const stored = await readTokens(ctx.env, stack.region, stack.stackName).catch(() => undefined);
  const removed = await removeTokens(ctx.env, stack.region, stack.stackName);
  if (ctx.global.json) {
    ctx.out.json({ stackName: stack.stackName, region: stack.region, removed });
    return;
  }
  ctx.out.result(
    removed
      ? `Signed out${stored ? ` ${stored.username}` : ''}: removed ${tokenPath(ctx.env, stack.region, stack.stackName)}.`
      : `Not signed in to ${stack.stackName}.`,
  );
}
