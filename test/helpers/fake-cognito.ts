/**
 * A local OAuth server that behaves as Cognito documents (and as deployers report it), over https on
 * 127.0.0.1: the issuer's OpenID discovery document and JWKS, `/oauth2/authorize` with exact redirect
 * URIs and PKCE S256, a form-encoded-only `/oauth2/token` (authorization_code, refresh_token; no password
 * grant), and resource binding (RFC 8707) as managed login on Essentials does it:
 *
 * - a `resource` equal to a resource server's identifier binds the token: `aud` = that string;
 * - custom scopes requested with a `resource` must belong to that resource server, else authorize fails
 *   with `invalid_request`;
 * - a `resource` that names no resource server gets a code whose exchange fails with `invalid_grant`.
 *
 * There is no login page: an authorize request is answered as if `user` had just signed in.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { testCertificate } from './tls.js';

export interface FakeClient {
  readonly clientId: string;
  readonly callbackUrls: readonly string[];
  /** Scopes the client may ask for (openid, email, profile, and resource-server scopes). */
  readonly allowedScopes: readonly string[];
}

export interface FakeResourceServer {
  readonly identifier: string;
  readonly scopes: readonly string[];
}

export interface FakeCognitoOptions {
  readonly poolId: string;
  readonly clients: readonly FakeClient[];
  readonly resourceServers: readonly FakeResourceServer[];
  /** Access-token life. @default 3600 s */
  readonly accessTokenSeconds?: number;
  /** Serve plain http instead of https. @default false */
  readonly http?: boolean;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly contentType?: string;
}

interface Grant {
  readonly clientId: string;
  readonly scope: string;
  readonly resource?: string;
  /** The `resource` named no resource server: the exchange fails. */
  readonly unboundResource?: boolean;
  readonly redirectUri?: string;
  readonly codeChallenge?: string;
}

export interface FakeCognito {
  /** `https://127.0.0.1:<port>` */
  readonly origin: string;
  /** `<origin>/<poolId>` */
  readonly issuer: string;
  readonly discoveryUrl: string;
  readonly publicKey: KeyObject;
  readonly requests: RecordedRequest[];
  /** Signs an access token as this pool would (for tests that need a token without a sign-in). */
  accessToken(claims: { clientId: string; scope: string; aud?: string; expiresIn?: number; groups?: string[] }): string;
  close(): Promise<void>;
}

export const TEST_USER = { sub: '11111111-2222-3333-4444-555555555555', email: 'dev@example.com' };

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export async function startFakeCognito(options: FakeCognitoOptions): Promise<FakeCognito> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'fake-cognito-key';
  const codes = new Map<string, Grant>();
  const refreshTokens = new Map<string, Grant>();
  const requests: RecordedRequest[] = [];
  const lifetime = options.accessTokenSeconds ?? 3600;
  let origin = '';
  const issuer = () => `${origin}/${options.poolId}`;

  const jwt = (claims: Record<string, unknown>) => {
    const head = base64url({ kid, alg: 'RS256' });
    const body = base64url(claims);
    return `${head}.${body}.${sign('sha256', Buffer.from(`${head}.${body}`), privateKey).toString('base64url')}`;
  };
  const accessToken = (grant: { clientId: string; scope: string; aud?: string; expiresIn?: number; groups?: string[] }) => {
    const now = Math.floor(Date.now() / 1000);
    return jwt({
      sub: TEST_USER.sub,
      iss: issuer(),
      version: 2,
      client_id: grant.clientId,
      token_use: 'access',
      scope: grant.scope,
      auth_time: now,
      iat: now,
      exp: now + (grant.expiresIn ?? lifetime),
      jti: randomUUID(),
      username: TEST_USER.sub,
      ...(grant.aud !== undefined && { aud: grant.aud }),
      ...(grant.groups !== undefined && { 'cognito:groups': grant.groups }),
    });
  };
  const tokens = (grant: Grant, refreshToken?: string) => {
    const now = Math.floor(Date.now() / 1000);
    const refresh = refreshToken ?? randomUUID();
    refreshTokens.set(refresh, grant);
    return {
      access_token: accessToken({ clientId: grant.clientId, scope: grant.scope, ...(grant.resource && { aud: grant.resource }) }),
      id_token: jwt({
        sub: TEST_USER.sub,
        aud: grant.clientId,
        email: TEST_USER.email,
        token_use: 'id',
        iss: issuer(),
        iat: now,
        exp: now + lifetime,
      }),
      ...(refreshToken === undefined && { refresh_token: refresh }),
      expires_in: lifetime,
      token_type: 'Bearer',
    };
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
    res.end(JSON.stringify(body));
  };
  const redirect = (res: ServerResponse, location: string) => {
    res.writeHead(302, { location });
    res.end();
  };

  function authorize(params: URLSearchParams, res: ServerResponse): void {
    const client = options.clients.find((c) => c.clientId === params.get('client_id'));
    const redirectUri = params.get('redirect_uri') ?? '';
    // Like Cognito: an unknown client or a redirect URI not registered exactly goes to the hosted error page.
    if (!client || !client.callbackUrls.includes(redirectUri)) {
      redirect(res, `${origin}/error?error=redirect_mismatch&client_id=${encodeURIComponent(params.get('client_id') ?? '')}`);
      return;
    }
    const back = (query: Record<string, string>) => {
      const url = new URL(redirectUri);
      for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
      const state = params.get('state');
      if (state !== null) url.searchParams.set('state', state);
      redirect(res, url.toString());
    };
    if (params.get('response_type') !== 'code') return back({ error: 'unsupported_response_type' });
    const method = params.get('code_challenge_method');
    if (params.get('code_challenge') !== null && method !== 'S256') {
      return back({ error: 'invalid_request', error_description: 'code_challenge_method must be S256' });
    }
    const requested = (params.get('scope') ?? '').split(/\s+/).filter(Boolean);
    const scopes = requested.length > 0 ? requested : [...client.allowedScopes];
    if (scopes.some((scope) => !client.allowedScopes.includes(scope))) return back({ error: 'invalid_scope' });
    const resource = params.get('resource') ?? undefined;
    const server = resource === undefined ? undefined : options.resourceServers.find((r) => r.identifier === resource);
    if (resource !== undefined && server !== undefined) {
      const custom = scopes.filter((scope) => scope.includes('/'));
      if (custom.some((scope) => !server.scopes.includes(scope))) {
        return back({
          error: 'invalid_request',
          error_description: 'custom scopes requested for resource-binding must be assigned to the resource being requested',
        });
      }
    }
    const code = randomUUID();
    codes.set(code, {
      clientId: client.clientId,
      scope: scopes.join(' '),
      redirectUri,
      ...(params.get('code_challenge') !== null && { codeChallenge: params.get('code_challenge') as string }),
      ...(resource !== undefined && server !== undefined && { resource }),
      ...(resource !== undefined && server === undefined && { unboundResource: true }),
    });
    back({ code });
  }

  function token(params: URLSearchParams, res: ServerResponse): void {
    const grantType = params.get('grant_type');
    if (grantType === 'authorization_code') {
      const grant = codes.get(params.get('code') ?? '');
      codes.delete(params.get('code') ?? '');
      if (!grant || grant.clientId !== params.get('client_id') || grant.redirectUri !== params.get('redirect_uri')) {
        return send(res, 400, { error: 'invalid_grant' });
      }
      if (grant.codeChallenge !== undefined) {
        const verifier = params.get('code_verifier') ?? '';
        if (createHash('sha256').update(verifier).digest('base64url') !== grant.codeChallenge) {
          return send(res, 400, { error: 'invalid_grant' });
        }
      }
      if (grant.unboundResource) return send(res, 400, { error: 'invalid_grant' });
      return send(res, 200, tokens(grant));
    }
    if (grantType === 'refresh_token') {
      const refresh = params.get('refresh_token') ?? '';
      const grant = refreshTokens.get(refresh);
      if (!grant || grant.clientId !== params.get('client_id')) return send(res, 400, { error: 'invalid_grant' });
      return send(res, 200, tokens(grant, refresh));
    }
    send(res, 400, { error: 'unsupported_grant_type' });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const contentType = req.headers['content-type'];
    const form = contentType?.startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(body) : undefined;
    const params = new URLSearchParams(url.search);
    for (const [name, value] of form ?? []) params.set(name, value);
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      params: Object.fromEntries(params),
      ...(contentType !== undefined && { contentType }),
    });

    if (req.method === 'GET' && url.pathname === `/${options.poolId}/.well-known/openid-configuration`) {
      return send(res, 200, {
        issuer: issuer(),
        authorization_endpoint: `${origin}/oauth2/authorize`,
        token_endpoint: `${origin}/oauth2/token`,
        userinfo_endpoint: `${origin}/oauth2/userInfo`,
        revocation_endpoint: `${origin}/oauth2/revoke`,
        end_session_endpoint: `${origin}/logout`,
        jwks_uri: `${issuer()}/.well-known/jwks.json`,
        response_types_supported: ['code', 'token'],
        scopes_supported: ['openid', 'email', 'phone', 'profile'],
        subject_types_supported: ['public'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (req.method === 'GET' && url.pathname === `/${options.poolId}/.well-known/jwks.json`) {
      return send(res, 200, { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] });
    }
    if (req.method === 'GET' && url.pathname === '/oauth2/authorize') return authorize(params, res);
    if (req.method === 'POST' && url.pathname === '/oauth2/token') {
      if (form === undefined) return send(res, 400, { error: 'invalid_request' });
      return token(params, res);
    }
    if (req.method === 'POST' && url.pathname === '/oauth2/revoke') return send(res, 200, {});
    if (url.pathname === '/error') {
      res.writeHead(400, { 'content-type': 'text/html' });
      res.end(`<html><body>An error was encountered with the requested page: ${params.get('error')}</body></html>`);
      return;
    }
    send(res, 404, { message: 'Not Found' });
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { error: 'server_error' });
      else res.destroy();
    });
  };
  const tls = testCertificate();
  const server = options.http ? createServer(listener) : createHttpsServer({ key: tls.key, cert: tls.cert }, listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `${options.http ? 'http' : 'https'}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    issuer: issuer(),
    discoveryUrl: `${issuer()}/.well-known/openid-configuration`,
    publicKey,
    requests,
    accessToken,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
