/**
 * `mcp-lambda login` and `logout`: sign in to the deployed server, verify it answers, store the sign-in;
 * revoke it with Cognito and remove it.
 */
import { AuthError, revokeRefreshToken } from '../auth/cognito-auth.js';
import { runLogin } from '../auth/login-flow.js';
import { duration } from '../terminal/duration.js';
import { AbortError, RemoteError, UserError } from '../terminal/errors.js';
import { signInClient } from '../aws/endpoints.js';
import { listTokens, removeTokens, saveTokens, type StoredTokens, tokenPath } from '../auth/token-store.js';
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

/** Cognito gives RevokeToken this long, retries included; offline, logout goes on without it. */
const REVOKE_TIMEOUT_MS = 10_000;

/**
 * Asks Cognito to revoke a stored sign-in's refresh token. Undefined when it did; else why not, in words
 * (offline, already revoked, a damaged file): the caller removes the local files either way.
 */
async function revoke(ctx: CommandContext, stored: StoredTokens): Promise<string | undefined> {
  if (typeof stored.refreshToken !== 'string' || typeof stored.clientId !== 'string' || typeof stored.region !== 'string')
    return 'the stored sign-in has no refresh token or client id';
  let cognito: Awaited<ReturnType<typeof signInClient>> | undefined;
  try {
    cognito = await (ctx.signInClient ?? ((region: string) => signInClient(ctx.env, region)))(stored.region);
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(REVOKE_TIMEOUT_MS)]);
    await revokeRefreshToken({ cognito, clientId: stored.clientId }, stored.refreshToken, signal);
    return undefined;
  } catch (error) {
    if (ctx.signal.aborted) throw new AbortError('Stopped before signing out; the stored sign-in was kept.');
    if (error instanceof AuthError && error.kind === 'wrong-credentials')
      return `Cognito refused it (${error.message}): it was already revoked, or has expired`;
    const cause = error instanceof AuthError && error.cause instanceof Error ? error.cause : (error as Error);
    return cause.name === 'TimeoutError' || cause.name === 'AbortError'
      ? `Cognito did not answer within ${REVOKE_TIMEOUT_MS / 1000} s`
      : cause.message;
  } finally {
    cognito?.destroy();
  }
}

/**
 * Signs out: revokes the stored refresh token with Cognito (RevokeToken), then removes the stored sign-in.
 * When Cognito cannot be reached, or refuses, the files are removed all the same, and a warning says the
 * refresh token was not revoked and why.
 */
export async function logout(ctx: CommandContext, options: StackSelector, now: () => number = Date.now): Promise<void> {
  const { out } = ctx;
  const stackName = cliStackName(options);
  const region = ctx.global.region ?? (ctx.env.AWS_REGION || ctx.env.AWS_DEFAULT_REGION || undefined);
  const signedIn = (await listTokens(ctx.env)).filter(
    (t) => t.stackName === stackName && (region === undefined || t.region === region),
  );
  const regions = signedIn.length > 0 ? [...new Set(signedIn.map((t) => t.region))] : region !== undefined ? [region] : [];
  // Revoke first: once the file is gone, so is the token to revoke.
  const unrevoked: { region: string; reason: string }[] = [];
  for (const stored of signedIn) {
    const reason = await revoke(ctx, stored);
    if (reason !== undefined) unrevoked.push({ region: stored.region, reason });
  }
  const removed: string[] = [];
  for (const where of regions)
    if (await removeTokens(ctx.env, where, stackName)) removed.push(tokenPath(ctx.env, where, stackName));
  for (const { region: where, reason } of unrevoked) {
    out.warn(
      `the refresh token of ${stackName}${regions.length > 1 ? ` in ${where}` : ''} was not revoked: ${reason}. Whoever has a copy of it can get new access tokens until it expires (the stack gives refresh tokens 30 days). The local sign-in is removed anyway.`,
    );
  }
  if (ctx.global.json) {
    out.json({
      stackName,
      regions,
      removed: removed.length > 0,
      revoked: signedIn.length > 0 && unrevoked.length === 0,
      ...(unrevoked.length > 0 && { notRevoked: unrevoked }),
    });
    return;
  }
  if (removed.length === 0) {
    out.result(`Not signed in to ${stackName}${region ? ` in ${region}` : ''}.`);
    return;
  }
  const users = [...new Set(signedIn.map((t) => t.username))].join(', ');
  const revokedAll = signedIn.length > 0 && unrevoked.length === 0;
  out.result(
    `Signed out${users ? ` ${users}` : ''}: ${revokedAll ? 'revoked the refresh token with Cognito and ' : ''}removed ${removed.join(', ')}.`,
  );
  const latest = Math.max(...signedIn.map((t) => (typeof t.expiresAt === 'number' ? t.expiresAt : 0)));
  if (latest > now()) {
    out.info(
      `Access tokens already issued with this sign-in (to Claude Code's helper, say) still work at the MCP URL until they expire — the last in ${duration(latest - now())}: the API checks a token's signature and expiry, not whether it was revoked.`,
    );
  }
}
