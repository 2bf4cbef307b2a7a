/** Authorizer claims: turned into AuthInfo, and re-checked, through the real Lambda handler. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createLambdaApp } from '../../../src/lambda/app.js';
import { authorize, groupsOfToken } from '../../../src/lambda/services/auth.js';
import type { RequestLogRecord } from '../../../src/lambda/services/log.js';

const RESOURCE = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/mcp';
const SCOPE = `${RESOURCE}/dog-facts`;
const CLIENT = 'client-abc';
const TOKEN = 'eyJraWQiOiJrMSJ9.eyJzdWIiOiJ1MSJ9.sig';

const accessClaims = {
  sub: 'user-1',
  token_use: 'access',
  client_id: CLIENT,
  scope: `openid ${SCOPE}`,
  username: 'user-1',
  exp: 'Tue Nov 24 05:00:00 UTC 2026',
};

function toolsListEvent(claims: Record<string, string> | undefined): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    path: '/mcp',
    headers: {
      Host: 'api.example',
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': '2025-11-25',
      Authorization: `Bearer ${TOKEN}`,
    },
    multiValueHeaders: {},
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    isBase64Encoded: false,
    requestContext: { requestId: 'r', ...(claims && { authorizer: { claims } }) },
  } as unknown as APIGatewayProxyEvent;
}

function app(logs: RequestLogRecord[] = [], env: Record<string, string> = {}) {
  return createLambdaApp(
    { MCP_ALLOWED_CLIENT_IDS: `${CLIENT},other`, MCP_REQUIRED_SCOPE: SCOPE, MCP_RESOURCE: RESOURCE, ...env },
    (r) => logs.push(r),
  ).handler;
}

/** An unsigned JWT with this payload (the authorizer checked the signature; the Lambda only decodes). */
const jwt = (payload: Record<string, unknown>) =>
  `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;

describe('one of several servers behind one API', () => {
  const BASE = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod';
  const NOTES = `${BASE}/notes/mcp`;
  const policy = {
    allowedClientIds: [CLIENT],
    requiredScope: `${NOTES}/notes`,
    resource: NOTES,
    apiWide: { resource: BASE, scope: `${BASE}/all-servers` },
  };
  const claims = (scope: string, aud?: string) => ({ ...accessClaims, scope, ...(aud !== undefined && { aud }) });

  it('takes its own token and the API-wide one', () => {
    expect(authorize(claims(`openid ${NOTES}/notes`, NOTES), null, policy).ok).toBe(true);
    expect(authorize(claims(`openid ${BASE}/all-servers`, BASE), null, policy).ok).toBe(true);
    // A password sign-in (no aud) carries every scope.
    expect(authorize(claims(`${BASE}/all-servers ${NOTES}/notes ${BASE}/weather/mcp/weather`), null, policy).ok).toBe(true);
  });

  it("refuses another server's token: its audience and its scope", () => {
    const weather = `${BASE}/weather/mcp`;
    expect(authorize(claims(`${weather}/weather`, weather), null, policy)).toMatchObject({ ok: false, reason: 'wrong_audience' });
    expect(authorize(claims(`${weather}/weather`), null, policy)).toMatchObject({ ok: false, reason: 'insufficient_scope' });
    // The API-wide scope bound to another server's URL is still that server's token.
    expect(authorize(claims(`${BASE}/all-servers`, weather), null, policy)).toMatchObject({
      ok: false,
      reason: 'wrong_audience',
    });
  });
});

describe('claims check', () => {
  it('serves a token with the scope from an allowed client', async () => {
    const logs: RequestLogRecord[] = [];
    const result = await app(logs)(toolsListEvent(accessClaims));
    expect(result.statusCode).toBe(200);
    expect(logs[0]?.clientId).toBe(CLIENT);
    // The person, by Cognito's opaque sub: no email reaches the logs.
    expect(logs[0]?.user).toBe('user-1');
  });

  it('logs no person for a machine client (client_credentials: its sub is the client id)', async () => {
    const logs: RequestLogRecord[] = [];
    const { username: _username, ...machine } = { ...accessClaims, sub: CLIENT };
    expect((await app(logs)(toolsListEvent(machine))).statusCode).toBe(200);
    expect(logs[0]?.clientId).toBe(CLIENT);
    expect(logs[0]?.user).toBeUndefined();
  });

  it.each([
    ['bound to this resource (managed login, RFC 8707)', RESOURCE],
    ['bound to this resource among others', `[https://other.example/mcp, ${RESOURCE}]`],
    ['not bound to any resource (password sign-in)', undefined],
  ])('serves a token %s', async (_name, aud) => {
    const claims = aud === undefined ? accessClaims : { ...accessClaims, aud };
    expect((await app()(toolsListEvent(claims))).statusCode).toBe(200);
  });

  it('serves without claims (no authorizer: dev, tests)', async () => {
    expect((await app()(toolsListEvent(undefined))).statusCode).toBe(200);
  });

  it.each([
    ['no authorizer at all (a direct invoke)', undefined],
    ['empty claims (a console test call)', {}],
  ])('refuses a request with %s on a deployed function, and logs it', async (_name, claims) => {
    const logs: RequestLogRecord[] = [];
    const deployed = app(logs, { MCP_REQUIRE_CLAIMS: 'true' });
    const result = await deployed(toolsListEvent(claims));
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body)).toMatchObject({
      jsonrpc: '2.0',
      error: { code: -32001, message: expect.stringContaining("without the Cognito authorizer's claims") },
    });
    expect(result.headers?.['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(logs).toMatchObject([{ level: 'warn', status: 401, reason: 'no_claims' }]);
    // The same function serves the same request once the authorizer's claims are there.
    expect((await deployed(toolsListEvent(accessClaims))).statusCode).toBe(200);
  });

  it.each([
    ['an ID token', { ...accessClaims, token_use: 'id' }, 401, /access tokens only \(got token_use=id\)/],
    ['no token_use', { ...accessClaims, token_use: '' }, 401, /token_use=none/],
    ['another client', { ...accessClaims, client_id: 'intruder' }, 403, /client intruder is not allowed/],
    ['no client id', { ...accessClaims, client_id: '' }, 401, /no client_id/],
    ['no MCP scope', { ...accessClaims, scope: 'openid aws.cognito.signin.user.admin' }, 403, /lacks the scope https:\/\/abc123/],
    ['a token for another resource', { ...accessClaims, aud: 'https://other.example/mcp' }, 401, /issued for another resource/],
    ['a token for this URL with a slash added', { ...accessClaims, aud: `${RESOURCE}/` }, 401, /another resource/],
    ['a scope that only starts alike', { ...accessClaims, scope: `${SCOPE}-admin` }, 403, /lacks the scope/],
  ])('refuses %s', async (_name, claims, status, message) => {
    const logs: RequestLogRecord[] = [];
    const result = await app(logs)(toolsListEvent(claims));
    expect(result.statusCode).toBe(status);
    expect(JSON.parse(result.body).error.message).toMatch(message);
    expect(result.headers?.['www-authenticate']).toMatch(/^Bearer error="(invalid_token|insufficient_scope)"$/);
    expect(JSON.stringify(logs)).not.toContain(TOKEN);
  });
});

describe('authorize', () => {
  it('builds AuthInfo from claims without the raw token, which it returns apart', () => {
    const outcome = authorize(accessClaims, `Bearer ${TOKEN}`, { allowedClientIds: [], requiredScope: SCOPE });
    expect(outcome).toEqual({
      ok: true,
      bearerToken: TOKEN,
      authInfo: {
        token: '',
        clientId: CLIENT,
        scopes: ['openid', SCOPE],
        expiresAt: Date.UTC(2026, 10, 24, 5) / 1000,
        extra: { groups: [], sub: 'user-1', username: 'user-1' },
      },
    });
  });

  it.each([
    ['epoch seconds', '1795000000', 1795000000],
    ['a number', 1795000000, 1795000000],
    ['garbage', 'soon', undefined],
  ])('reads exp given as %s', (_name, exp, expected) => {
    const outcome = authorize({ ...accessClaims, exp }, null, { allowedClientIds: [] });
    expect(outcome.ok).toBe(true);
    expect(outcome.ok ? outcome.authInfo?.expiresAt : 'refused').toBe(expected);
  });
});

describe('groups, read from the verified token', () => {
  const payload = {
    sub: 'user-1',
    token_use: 'access',
    client_id: CLIENT,
    username: 'user-1',
    jti: 'jti-1',
    exp: Date.UTC(2026, 10, 24, 5) / 1000,
    'cognito:groups': ['contractors,admins', 'team'],
  };
  const claims = { ...accessClaims, jti: 'jti-1', 'cognito:groups': 'contractors,admins,team' };
  const groups = (outcome: ReturnType<typeof authorize>) => (outcome.ok ? outcome.authInfo?.extra?.groups : 'refused');

  it('keeps a name holding a comma whole (and leaves it out), where the rendered claim would split it', () => {
    expect(groupsOfToken(claims, jwt(payload))).toEqual(['team']);
    expect(groups(authorize(claims, `Bearer ${jwt(payload)}`, { allowedClientIds: [] }))).toEqual(['team']);
  });

  it.each([
    ['another token id', { jti: 'jti-2' }],
    ['another subject', { sub: 'user-2' }],
    ['another client', { client_id: 'other' }],
    ['another expiry', { exp: payload.exp + 60 }],
    ['an ID token', { token_use: 'id' }],
  ])('gives no groups for a token in the header that is not the one the authorizer verified: %s', (_name, change) => {
    expect(groupsOfToken(claims, jwt({ ...payload, ...change, 'cognito:groups': ['admins'] }))).toBeUndefined();
    // Never the authorizer's rendering, where the name holding a comma would read as "admins".
    expect(groups(authorize(claims, `Bearer ${jwt({ ...payload, ...change })}`, { allowedClientIds: [] }))).toEqual([]);
  });

  it.each([
    ['no Authorization header', null],
    ['an empty header', ''],
    ['a token that is not a JWT', 'Bearer opaque'],
    ['a payload that is not JSON', 'Bearer a.bm90IGpzb24.c2ln'],
    ['two Authorization headers (joined)', `Bearer ${jwt(payload)}, Bearer ${jwt(payload)}`],
    ['two tokens after one Bearer', `Bearer ${jwt(payload)} ${jwt(payload)}`],
  ])('gives no groups, not the rendered claim, with %s', (_name, header) => {
    expect(groups(authorize(claims, header, { allowedClientIds: [] }))).toEqual([]);
  });

  // The review's report: the authorizer takes a token without "Bearer ", which used to miss the token and
  // fall back to splitting the rendering "contractors,admins" into "contractors" and "admins".
  it.each([
    ['with Bearer', (token: string) => `Bearer ${token}`],
    ['without Bearer', (token: string) => token],
    ['with a lower-case bearer and two spaces', (token: string) => `bearer  ${token}`],
  ])('does not take a member of "contractors,admins" for a member of admins, %s', (_name, header) => {
    const token = jwt({ ...payload, 'cognito:groups': ['contractors,admins'] });
    for (const rendering of ['contractors,admins', '[contractors,admins]']) {
      const outcome = authorize({ ...claims, 'cognito:groups': rendering }, header(token), { allowedClientIds: [] });
      expect(groups(outcome)).toEqual([]);
      expect(outcome.ok && outcome.bearerToken).toBe(token);
    }
  });

  it('reads the groups of a token sent without "Bearer "', () => {
    expect(groups(authorize(claims, jwt(payload), { allowedClientIds: [] }))).toEqual(['team']);
  });

  it('reads no groups from a token that has none', () => {
    const { 'cognito:groups': _groups, ...none } = payload;
    expect(groupsOfToken({ ...accessClaims, jti: 'jti-1' }, jwt(none))).toEqual([]);
  });
});
