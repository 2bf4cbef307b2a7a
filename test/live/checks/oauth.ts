/**
 * The OAuth pieces the checks use, as a client does them: PKCE S256, the authorize URL with `resource`
 * (RFC 8707), the form-encoded token endpoint, and reading a JWT's claims for evidence (the signature is
 * never kept: a report holds the header and payload only).
 */
import { createHash, randomBytes } from 'node:crypto';

export interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
}

export function pkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface AuthorizeRequest {
  readonly authorizationUrl: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly resource?: string;
  readonly challenge: string;
  readonly state?: string;
}

/** The authorization endpoint's URL for a code flow with PKCE (and `resource` when given). */
export function authorizeUrl(request: AuthorizeRequest): string {
  const url = new URL(request.authorizationUrl);
  url.searchParams.set('client_id', request.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', request.redirectUri);
  url.searchParams.set('scope', request.scope);
  url.searchParams.set('code_challenge', request.challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', request.state ?? randomBytes(8).toString('hex'));
  if (request.resource !== undefined) url.searchParams.set('resource', request.resource);
  return url.toString();
}

export interface TokenAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** POSTs a form to the token endpoint; the answer's JSON whatever its status. */
export async function tokenRequest(tokenUrl: string, form: Record<string, string>): Promise<TokenAnswer> {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { unparsed: text.slice(0, 200) };
  }
  return { status: response.status, body };
}

/** A JWT's payload, or undefined when it is not one. The signature is not verified (the API does that). */
export function jwtClaims(token: unknown): Record<string, unknown> | undefined {
  if (typeof token !== 'string') return undefined;
  const [, payload] = token.split('.');
  if (payload === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The claims a report shows of an access token: enough to judge the claim, nothing that signs anything. */
export function tokenEvidence(token: unknown): Record<string, unknown> {
  const claims = jwtClaims(token) ?? {};
  const keep = ['iss', 'aud', 'client_id', 'scope', 'token_use', 'cognito:groups', 'exp', 'iat'];
  return Object.fromEntries(keep.filter((name) => name in claims).map((name) => [name, claims[name]]));
}

/** A token answer for a report: the status, the error if any, and the access token's claims. */
export function answerEvidence(answer: TokenAnswer): Record<string, unknown> {
  return {
    status: answer.status,
    ...(answer.body.error !== undefined && { error: answer.body.error }),
    ...(answer.body.access_token !== undefined && { access: tokenEvidence(answer.body.access_token) }),
    ...(answer.body.refresh_token !== undefined && { refreshTokenReturned: true }),
  };
}
