/**
 * `mcp-lambda token`: print a valid access token (or `{"Authorization":"Bearer …"}` for Claude Code's
 * headersHelper). Claude Code runs it on every connect, so the cached path loads no AWS SDK. On any
 * failure: nothing on stdout, one line on stderr, a non-zero exit.
 */
import { jwtClaims } from '../auth/jwt.js';
import { listTokens, readTokens, type StoredTokens, saveTokens } from '../auth/token-store.js';
import type { CommandContext } from '../context.js';
import { RemoteError, UserError } from '../terminal/errors.js';
import { cliStackName } from '../deployed/name.js';

export interface TokenOptions {
  readonly name?: string;
  readonly stackName?: string;
  readonly headerJson?: boolean;
}

/** Never hand out a token with less than this left. */
export const MIN_REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * Refresh once half the token's life is gone (at least five minutes before it ends). Claude Code runs
 * the helper when it connects and keeps the token for the whole session, without asking again when it
 * expires: handing out a token with half its life left bounds how soon a session can run dry.
 */
export function needsRefresh(stored: Pick<StoredTokens, 'accessToken' | 'expiresAt'>, now: number): boolean {
  const iat = jwtClaims(stored.accessToken)?.iat;
  const issued = typeof iat === 'number' && Number.isFinite(iat) ? iat * 1000 : undefined;
  const lifetime = issued === undefined ? 0 : Math.max(0, stored.expiresAt - issued);
  const margin = Math.max(MIN_REFRESH_MARGIN_MS, lifetime / 2);
  return stored.expiresAt - now < margin;
}

async function pick(ctx: CommandContext, options: TokenOptions): Promise<StoredTokens> {
  const region = ctx.global.region ?? (ctx.env.AWS_REGION || ctx.env.AWS_DEFAULT_REGION || undefined);
  if (options.name !== undefined || options.stackName !== undefined) {
    const stackName = cliStackName(options);
    const candidates = region
      ? [await readTokens(ctx.env, region, stackName)]
      : (await listTokens(ctx.env)).filter((t) => t.stackName === stackName);
    const found = candidates.filter((t): t is StoredTokens => t !== undefined);
    if (found.length === 1 && found[0]) return found[0];
    if (found.length > 1) throw new UserError(`Signed in to ${stackName} in several regions; pass --region.`);
    throw new UserError(
      `Not signed in to ${stackName}${region ? ` in ${region}` : ''}: run mcp-lambda login${options.name ? ` --name ${options.name}` : ''}`,
    );
  }
  // Run by Claude Code's headersHelper: it tells us which server it is connecting to.
  const all = await listTokens(ctx.env);
  const url = ctx.env.CLAUDE_CODE_MCP_SERVER_URL;
  const name = ctx.env.CLAUDE_CODE_MCP_SERVER_NAME;
  const match =
    (url && all.filter((t) => t.mcpServerUrl === url || (Array.isArray(t.servers) && t.servers.some((s) => s?.url === url)))) ||
    (name && all.filter((t) => t.serverName === name)) ||
    all;
  if (match.length === 1 && match[0]) return match[0];
  if (match.length === 0) throw new UserError(`Not signed in${url ? ` to ${url}` : ''}: run mcp-lambda login`);
  throw new UserError(`Signed in to several servers (${match.map((t) => t.stackName).join(', ')}); pass --name or --stack-name.`);
}

/** The stored sign-in for the selected stack, refreshed when half its life is gone (see {@link needsRefresh}). */
export async function validSignIn(
  ctx: CommandContext,
  options: Pick<TokenOptions, 'name' | 'stackName'>,
  now: () => number = Date.now,
): Promise<StoredTokens> {
  let stored = await pick(ctx, options).catch((error: unknown) => {
    if ((error as Error).name === 'CorruptStateError')
      throw new UserError(`${(error as Error).message}: run mcp-lambda login again.`);
    throw error;
  });
  if (typeof stored.accessToken !== 'string' || typeof stored.expiresAt !== 'number' || typeof stored.refreshToken !== 'string') {
    throw new UserError(`The stored sign-in for ${stored.stackName} is damaged: run mcp-lambda login again.`);
  }
  if (needsRefresh(stored, now())) {
    const { refreshTokens, AuthError } = await import('../auth/cognito-auth.js');
    const { signInClient } = await import('../aws/endpoints.js');
    const cognito = await (ctx.signInClient ?? ((region: string) => signInClient(ctx.env, region)))(stored.region);
    try {
      const fresh = await refreshTokens({ cognito, clientId: stored.clientId, now }, stored.refreshToken);
      // With rotation the old refresh token is retired: keep the new one.
      stored = {
        ...stored,
        accessToken: fresh.accessToken,
        expiresAt: fresh.expiresAt,
        refreshToken: fresh.refreshToken ?? stored.refreshToken,
      };
      await saveTokens(ctx.env, stored, { signal: ctx.signal });
    } catch (error) {
      if (error instanceof AuthError && error.kind === 'refresh-expired') {
        throw new UserError(`The sign-in to ${stored.stackName} has expired: run mcp-lambda login`);
      }
      throw new RemoteError(`Refreshing the token for ${stored.stackName} failed: ${(error as Error).message}`);
    } finally {
      cognito.destroy();
    }
  }
  return stored;
}

export async function token(ctx: CommandContext, options: TokenOptions, now: () => number = Date.now): Promise<void> {
  const stored = await validSignIn(ctx, options, now);
  ctx.out.result(options.headerJson ? JSON.stringify({ Authorization: `Bearer ${stored.accessToken}` }) : stored.accessToken);
}
