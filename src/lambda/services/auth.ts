/**
 * Turns the claims that API Gateway's Cognito authorizer passes along into the MCP SDK's `AuthInfo`,
 * and re-checks them (defence in depth: the authorizer already verified the token's signature and
 * scope, but a mis-wired stage or a second route must not silently open the server).
 *
 * It never verifies signatures itself. A deployed function (`requireClaims`) refuses a request that came
 * without claims (a console test, a direct invoke); elsewhere (the local `dev` server, a test) such a
 * request is served without `authInfo`.
 *
 * `AuthInfo.token` is always empty: the raw bearer token is a Cognito token of the person, and no server
 * code gets it unless it asks (`receiveBearerToken`, see custom.ts); the outcome carries it for that.
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
  /** Refuse a request without claims: the function is deployed behind the authorizer. @default false */
  readonly requireClaims?: boolean;
}

/** A token for every server behind one API: bound to the API's URL, with the API-wide scope. */
export interface ApiWideGrant {
  readonly resource: string;
  readonly scope: string;
}

export type AuthOutcome =
  | {
      readonly ok: true;
      /** The caller, with `token` left empty. Absent without claims (dev, tests). */
      readonly authInfo?: AuthInfo;
      /** The request's bearer token, for a server that asked for it; never put in `authInfo` here. */
      readonly bearerToken?: string;
    }
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

/** Characters no group name that tool groups use may hold (see `groupNameProblem` in config.ts). */
const SEPARATORS = /[\s,[\]]/u;

/**
 * Group names as the token lists them, without any name holding whitespace, `,`, `[` or `]`: no group that
 * tool groups name can hold them, and the authorizer's string rendering of the claim could not keep one whole.
 */
function usableGroups(names: readonly unknown[]): string[] {
  return names.filter((name): name is string => typeof name === 'string' && name !== '' && !SEPARATORS.test(name));
}

/** Claims a token and the authorizer's rendering of it must agree on, whenever either has them. */
const SAME_TOKEN_CLAIMS = ['jti', 'sub', 'client_id', 'token_use', 'username'] as const;

/**
 * The groups of the bearer token itself, as the JSON array Cognito signed — when the header holds exactly
 * one token and it is the one the authorizer verified (its id, subject, client, use and expiry equal the
 * claims'); else undefined. Read this way a group named `contractors,admins` stays one name (and is then
 * left out). Only the payload is decoded: the signature was checked by the authorizer, and the comparison
 * ties this token to that check.
 *
 * The authorizer's own `cognito:groups` claim is never read: API Gateway renders it as one string
 * ("[a, b]", or "a,b"), where a name holding a comma reads as two groups.
 */
export function groupsOfToken(claims: AuthorizerClaims, token: string): string[] | undefined {
  const [, payload, signature] = token.split('.');
  if (payload === undefined || signature === undefined) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) return undefined;
  const body = decoded as Record<string, unknown>;
  for (const name of SAME_TOKEN_CLAIMS) {
    const fromClaims = claimString(claims, name);
    const fromToken = body[name];
    if ((fromClaims !== undefined || fromToken !== undefined) && fromClaims !== fromToken) return undefined;
  }
  const exp = expiresAt(claims);
  if (exp !== undefined && body.exp !== exp) return undefined;
  const groups = body['cognito:groups'];
  if (groups === undefined) return [];
  return Array.isArray(groups) ? usableGroups(groups) : undefined;
}

/**
 * The token of an Authorization header, with or without "Bearer " before it: API Gateway's Cognito
 * authorizer takes both. Several Authorization headers arrive joined with ", ", which this does not
 * match: no token then.
 */
function bearerToken(authorization: string | null): string {
  const match = authorization?.trim().match(/^(?:Bearer\s+)?(\S+)$/i);
  return match?.[1] ?? '';
}

/**
 * Checks the authorizer's claims against the policy and builds `AuthInfo`.
 *
 * @param claims - `requestContext.authorizer.claims`, or undefined when no authorizer ran.
 * @param authorization - the request's `Authorization` header: the groups are read from its token (none
 *   when it is not the token of the claims), and the token is returned apart (`bearerToken`), never in
 *   `AuthInfo`.
 */
export function authorize(claims: AuthorizerClaims | undefined, authorization: string | null, policy: AuthPolicy): AuthOutcome {
  if (claims === undefined || Object.keys(claims).length === 0) {
    if (policy.requireClaims !== true) return { ok: true };
    return {
      ok: false,
      status: 401,
      reason: 'no_claims',
      message:
        "Unauthorized: the request reached the function without the Cognito authorizer's claims (a console test or a direct invoke?). Call the server's URL with an access token.",
    };
  }

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
  const token = bearerToken(authorization);
  return {
    ok: true,
    bearerToken: token,
    authInfo: {
      token: '',
      clientId,
      scopes,
      ...(exp !== undefined && { expiresAt: exp }),
      extra: {
        // From the token the authorizer verified, or none: a token that cannot be matched to the claims (a
        // second Authorization header, say) gives no group rather than the claim's ambiguous rendering.
        groups: (token !== '' ? groupsOfToken(claims, token) : undefined) ?? [],
        ...(subject !== undefined && { sub: subject }),
        ...(username !== undefined && { username }),
      },
    },
  };
}
