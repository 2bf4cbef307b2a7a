/**
 * Turns the claims that API Gateway's Cognito authorizer passes along into the MCP SDK's `AuthInfo`,
 * and re-checks them (defence in depth: the authorizer already verified the token's signature and
 * scope, but a mis-wired stage or a second route must not silently open the server).
 *
 * It never verifies signatures itself: with no claims there is nothing to check (the local `dev`
 * server, or a test), and the request is served without `authInfo`.
 */
import type { AuthInfo } from '@modelcontextprotocol/server';

/** Claims as a REST API Cognito authorizer delivers them: every value a string. */
export type AuthorizerClaims = Readonly<Record<string, unknown>>;

export interface AuthPolicy {
  readonly allowedClientIds: readonly string[];
  readonly requiredScope?: string;
  /** This server's resource URL; a token bound to another resource (`aud`) is refused. */
  readonly resource?: string;
  /** Accepted as well as the two above: the API's resource and scope, with several servers behind one API. */
  readonly apiWide?: ApiWideGrant;
}

/** A token for every server behind one API: bound to the API's URL, with the API-wide scope. */
export interface ApiWideGrant {
  readonly resource: string;
  readonly scope: string;
}

export type AuthOutcome =
  | { readonly ok: true; readonly authInfo?: AuthInfo }
  | { readonly ok: false; readonly status: 401 | 403; readonly reason: string; readonly message: string };

function claimString(claims: AuthorizerClaims, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Reads `exp`: a REST API authorizer renders it as a date string ("Tue Nov 24 03:55:28 UTC 2026"),
 * an HTTP API or a test may pass epoch seconds.
 */
function expiresAt(claims: AuthorizerClaims): number | undefined {
  const raw = claims.exp;
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  if (typeof raw !== 'string' || raw === '') return undefined;
  if (/^\d+$/.test(raw)) return Number(raw);
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/**
 * The audiences of a token: Cognito binds `aud` to the `resource` a client asked for (RFC 8707). A REST
 * authorizer renders a list claim as "[a, b]"; a token without resource binding has no `aud` at all.
 */
function audiences(claims: AuthorizerClaims): string[] {
  const raw = claims.aud;
  if (Array.isArray(raw)) return raw.filter((value): value is string => typeof value === 'string');
  if (typeof raw !== 'string' || raw.trim() === '') return [];
  const trimmed = raw.trim();
  if (!trimmed.startsWith('[')) return [trimmed];
  return trimmed
    .slice(1, trimmed.endsWith(']') ? -1 : undefined)
    .split(/[\s,]+/)
    .filter((value) => value !== '');
}

/** The caller's Cognito groups (`cognito:groups`: an array, "[a, b]" as a REST authorizer renders it, or "a"). */
export function groupsOf(claims: AuthorizerClaims): string[] {
  const raw = claims['cognito:groups'];
  if (Array.isArray(raw)) return raw.filter((value): value is string => typeof value === 'string');
  if (typeof raw !== 'string') return [];
  return raw
    .replace(/^\s*\[|\]\s*$/g, '')
    .split(/[\s,]+/)
    .filter((group) => group !== '');
}

function bearerToken(authorization: string | null): string {
  const match = authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1] ?? '';
}

/**
 * Checks the authorizer's claims against the policy and builds `AuthInfo`.
 *
 * @param claims - `requestContext.authorizer.claims`, or undefined when no authorizer ran.
 * @param authorization - the request's `Authorization` header (its token goes to `AuthInfo.token` only).
 */
export function authorize(claims: AuthorizerClaims | undefined, authorization: string | null, policy: AuthPolicy): AuthOutcome {
  if (claims === undefined || Object.keys(claims).length === 0) return { ok: true };

  const tokenUse = claimString(claims, 'token_use');
  if (tokenUse !== 'access') {
    return {
      ok: false,
      status: 401,
      reason: 'not_access_token',
      message: `This server accepts OAuth access tokens only (got token_use=${tokenUse ?? 'none'}). Send the access token, not the ID token.`,
    };
  }

  const clientId = claimString(claims, 'client_id');
  if (clientId === undefined) {
    return { ok: false, status: 401, reason: 'no_client_id', message: 'The access token carries no client_id claim.' };
  }
  if (policy.allowedClientIds.length > 0 && !policy.allowedClientIds.includes(clientId)) {
    return {
      ok: false,
      status: 403,
      reason: 'client_not_allowed',
      message: `OAuth client ${clientId} is not allowed to call this server.`,
    };
  }

  const aud = audiences(claims);
  const resources = [policy.resource, policy.apiWide?.resource].filter((value) => value !== undefined);
  if (policy.resource !== undefined && aud.length > 0 && !aud.some((value) => resources.includes(value))) {
    return {
      ok: false,
      status: 401,
      reason: 'wrong_audience',
      message: `The access token was issued for another resource (${aud.join(', ').slice(0, 200)}), not ${policy.resource}.`,
    };
  }

  const scopes = (claimString(claims, 'scope') ?? '').split(/\s+/).filter((scope) => scope !== '');
  const accepted = [policy.requiredScope, policy.apiWide?.scope].filter((value) => value !== undefined);
  if (policy.requiredScope !== undefined && !scopes.some((scope) => accepted.includes(scope))) {
    return {
      ok: false,
      status: 403,
      reason: 'insufficient_scope',
      message: `The access token lacks the scope ${policy.requiredScope}.`,
    };
  }

  const exp = expiresAt(claims);
  const subject = claimString(claims, 'sub');
  const username = claimString(claims, 'username');
  return {
    ok: true,
    authInfo: {
      token: bearerToken(authorization),
      clientId,
      scopes,
      ...(exp !== undefined && { expiresAt: exp }),
      extra: {
        groups: groupsOf(claims),
        ...(subject !== undefined && { sub: subject }),
        ...(username !== undefined && { username }),
      },
    },
  };
}
