/** `mcp-lambda login` and `logout`: sign in to the deployed server, verify it answers, store the sign-in. */
import { AuthError } from '../auth/cognito-auth.js';
import { runLogin } from '../auth/login-flow.js';
import { RemoteError, UserError } from '../terminal/errors.js';
import { signInClient } from '../aws/endpoints.js';
import { listTokens, removeTokens, saveTokens, tokenPath } from '../auth/token-store.js';
import { verifyEndpoint } from '../auth/verify.js';
import type { CommandContext } from '../context.js';
import { cliStackName, selectorFlags } from '../deployed/name.js';
import { resolveStack, serverViews, type StackSelector } from '../deployed/resolve.js';

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
        throw new RemoteError(`Cognito refused: ${error.message}`, {
          hint: 'Run mcp-lambda login again; if it keeps failing, check the stack with mcp-lambda status.',
          cause: error,
        });
      throw error;
    });
    // Stored before the endpoint check: a sign-in that worked is kept even when the server does not answer.
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
        ...(stack.apiWide && { servers: stack.servers.map(({ name, url }) => ({ name, url })) }),
      },
      { signal: ctx.signal },
    );
    const views = serverViews(stack, options.server);
    out.info(`Signed in as ${username}. Checking the MCP endpoint${views.length > 1 ? 's' : ''}…`);
    const checked: { url: string; name: string; tools: string[] }[] = [];
    for (const view of views) {
      const verified = await verifyEndpoint(view.mcpServerUrl, tokens.accessToken, view.scope).catch((error: unknown) => {
        if (!(error instanceof UserError)) throw error;
        const selector = selectorFlags(options);
        const server = views.length > 1 || options.server ? ` --server ${view.serverName}` : '';
        throw new RemoteError(`${error.message} (Your sign-in is stored; only the endpoint check failed.)`, {
          hint: `${error.options.hint ?? ''} mcp-lambda doctor${selector}${server} walks the whole chain.`.trim(),
          cause: error,
        });
      });
      checked.push({ url: view.mcpServerUrl, name: view.serverName, tools: verified.tools.map((tool) => tool.name) });
      if (global.json) continue;
      out.result(`${out.style.green('✓')} ${view.mcpServerUrl} works with your sign-in. Tools:`);
      for (const tool of verified.tools)
        out.result(`  ${tool.name}${tool.description ? out.style.dim(`  ${tool.description}`) : ''}`);
    }
    if (global.json) {
      const [first] = checked;
      out.json({
        stackName: stack.stackName,
        region: stack.region,
        username,
        ...(views.length === 1 && first
          ? { mcpServerUrl: first.url, tools: first.tools }
          : { servers: checked.map(({ name, url, tools }) => ({ name, mcpServerUrl: url, tools })) }),
      });
      return;
    }
    out.info(out.style.dim(`Sign-in stored in ${tokenPath(ctx.env, stack.region, stack.stackName)} (readable by you only).`));
    out.info('');
    out.info(`Next: connect Claude Code with: mcp-lambda write-config${options.name ? ` --name ${options.name}` : ''}`);
  } finally {
    cognito.destroy();
  }
}

/** Removes the stored sign-in. Works offline: it only reads and removes local files. */
export async function logout(ctx: CommandContext, options: StackSelector): Promise<void> {
  const stackName = cliStackName(options);
  const region = ctx.global.region ?? (ctx.env.AWS_REGION || ctx.env.AWS_DEFAULT_REGION || undefined);
  const signedIn = (await listTokens(ctx.env)).filter(
    (t) => t.stackName === stackName && (region === undefined || t.region === region),
  );
  const regions = signedIn.length > 0 ? [...new Set(signedIn.map((t) => t.region))] : region !== undefined ? [region] : [];
  const removed: string[] = [];
  for (const where of regions)
    if (await removeTokens(ctx.env, where, stackName)) removed.push(tokenPath(ctx.env, where, stackName));
  if (ctx.global.json) {
    ctx.out.json({ stackName, regions, removed: removed.length > 0 });
    return;
  }
  if (removed.length === 0) {
    ctx.out.result(`Not signed in to ${stackName}${region ? ` in ${region}` : ''}.`);
    return;
  }
  const users = [...new Set(signedIn.map((t) => t.username))].join(', ');
  ctx.out.result(`Signed out${users ? ` ${users}` : ''}: removed ${removed.join(', ')}.`);
}
