/**
 * The checks of a deployed stack, one per claim, from the stack's outputs alone plus a way to sign in.
 * The same code runs against a real deployment (test/live/aws.live.ts) and, in every CI run, against the
 * stand-in built from the synthesized template (test/live/stand-in-checks.test.ts): only what needs AWS
 * itself (deploy, destroy, the managed login page in a browser, Cognito's own APIs) differs, through the
 * hooks of {@link CheckContext}. A claim the target cannot check is a `skipped` row with the reason.
 *
 * It does not deploy, destroy or print anything: it returns rows.
 */
import type { Client } from '@modelcontextprotocol/client';
import { CLIENTS, codexCallbackId, CODEX_CALLBACK_PORT } from '../../../src/stack/clients.js';
import { connectClient } from '../../helpers/mcp-client.js';
import { type ClaimId, must, type Row, runCheck, skipped } from './claims.js';
import { answerEvidence, authorizeUrl, jwtClaims, pkce, tokenEvidence, tokenRequest } from './oauth.js';

export interface DeployedStack {
  /** The stack's outputs (McpServerUrl, OAuthMetadataUrl, McpOAuthClientId, McpOAuthScope, …). */
  readonly outputs: Readonly<Record<string, string>>;
  /**
   * The MCP URL as the deploy saw it, for the redirect URI Codex derives from it.
   * @default outputs.McpServerUrl
   */
  readonly deployedMcpUrl?: string;
}

/** Cognito's own APIs (live only: no stand-in serves them). */
export interface CognitoHooks {
  /** GetTokensFromRefreshToken; throws Cognito's error (its `name`) when refused. */
  getTokensFromRefreshToken(refreshToken: string): Promise<{ accessToken?: string; refreshToken?: string }>;
  /** SignUp with the public client; throws Cognito's error when refused. */
  signUp(email: string, password: string): Promise<void>;
  /** DescribeUserPoolDomain's ManagedLoginVersion for a domain prefix (2: managed login, 1: classic hosted UI). */
  managedLoginVersion(domainPrefix: string): Promise<number | undefined>;
}

export interface CheckContext {
  readonly target: 'stand-in' | 'live';
  /** Claims this target cannot check, each with why: their rows are skipped with that reason. */
  readonly unsupported: Partial<Record<ClaimId, string>>;
  /** The single-server stack (streaming, a secret, tool groups, a sign-up allow-list). */
  readonly single: DeployedStack;
  /** The several-servers stack. */
  readonly several?: DeployedStack;
  /** A custom domain the single stack is served on. */
  readonly domain?: string;
  /** A tool only members of `group` may use (deploy --tool-groups). */
  readonly groupedTool: { readonly tool: string; readonly group: string };
  /**
   * The person at the browser: opens an authorize URL, signs in (or is still signed in), and returns the
   * URL the browser was sent back to (the redirect URI with `code` or `error`), not following it.
   */
  browse(url: string, redirectUri: string): Promise<string>;
  /** An access token with the MCP scope for a signed-in user who is a member of exactly `groups`. */
  accessTokenFor(groups: readonly string[]): Promise<string>;
  readonly cognito?: CognitoHooks;
  /** Addresses for the sign-up check: one the allow-list admits, one it does not. */
  readonly signUpAddresses?: { readonly allowed: string; readonly refused: string };
  /** The environment variable the deployed secret fills, and the function's configured environment. */
  readonly secret?: { readonly key: string; functionEnvironment(): Promise<Readonly<Record<string, string>>> };
  /** Seconds the streaming check asks getDogFactsSlowly to wait. @default 4 */
  readonly slowSeconds?: number;
  /** The grace period after which a rotated refresh token is retired. @default 60 */
  readonly rotationGraceSeconds?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const REFUSED_REDIRECT = 'http://localhost:1/not-registered';

async function withClient<T>(url: string, token: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectClient(url, '2026-07-28', { Authorization: `Bearer ${token}` });
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

async function toolNames(url: string, token: string): Promise<string[]> {
  return withClient(url, token, async (client) => (await client.listTools()).tools.map((tool) => tool.name));
}

/** POSTs an initialize with a token (or none): the status the gateway answers, and its challenge. */
async function probe(url: string, token?: string): Promise<{ status: number; wwwAuthenticate: string | null }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token !== undefined && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'live-check', version: '1' } },
    }),
  });
  await response.arrayBuffer();
  return { status: response.status, wwwAuthenticate: response.headers.get('www-authenticate') };
}

/** The Claude Code redirect URI registered on the stack (from its CallbackPort output). */
function claudeRedirect(outputs: Readonly<Record<string, string>>): string {
  return `http://localhost:${outputs.CallbackPort ?? ''}/callback`;
}

interface CodeFlowResult {
  readonly callback: URL;
  readonly answer: Awaited<ReturnType<typeof tokenRequest>>;
}

/** The authorization-code flow with PKCE through the browser, then the code's exchange. */
async function codeFlow(
  ctx: CheckContext,
  outputs: Readonly<Record<string, string>>,
  scope: string,
  resource?: string,
): Promise<CodeFlowResult> {
  const redirectUri = claudeRedirect(outputs);
  const { verifier, challenge } = pkce();
  const url = authorizeUrl({
    authorizationUrl: outputs.McpOAuthAuthorizationUrl ?? '',
    clientId: outputs.McpOAuthClientId ?? '',
    redirectUri,
    scope,
    challenge,
    ...(resource !== undefined && { resource }),
  });
  const callback = new URL(await ctx.browse(url, redirectUri));
  const code = callback.searchParams.get('code');
  if (code === null) {
    return { callback, answer: { status: 0, body: { error: callback.searchParams.get('error') ?? 'no code' } } };
  }
  const answer = await tokenRequest(outputs.McpOAuthTokenUrl ?? '', {
    grant_type: 'authorization_code',
    client_id: outputs.McpOAuthClientId ?? '',
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier,
    ...(resource !== undefined && { resource }),
  });
  return { callback, answer };
}

/** Runs every check of the deployed stacks in the report's order (the live-only rows come from the runner). */
export async function checkDeployedStacks(ctx: CheckContext): Promise<Row[]> {
  const single = ctx.single.outputs;
  const mcpUrl = single.McpServerUrl ?? '';
  const scope = single.McpOAuthScope ?? '';
  const sleep = ctx.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const rows: Row[] = [];
  const add = async (id: ClaimId, check: (evidence: Record<string, unknown>) => Promise<void>) => {
    const reason = ctx.unsupported[id];
    rows.push(reason !== undefined ? skipped(id, reason) : await runCheck(id, check));
  };
  // The bound tokens of the code flow, for the refresh checks.
  let bound: { access: string; refresh: string } | undefined;

  await add('challenge', async (evidence) => {
    const anonymous = await probe(mcpUrl);
    evidence.anonymous = anonymous;
    must(anonymous.status === 401, `expected 401, got ${anonymous.status}`);
    must(
      anonymous.wwwAuthenticate === `Bearer resource_metadata="${single.OAuthMetadataUrl}", scope="${scope}"`,
      'WWW-Authenticate does not name the metadata URL and the scope',
    );
    const metadata = await fetch(single.OAuthMetadataUrl ?? '');
    const document = (await metadata.json()) as Record<string, unknown>;
    evidence.metadata = {
      status: metadata.status,
      resource: document.resource,
      authorization_servers: document.authorization_servers,
    };
    must(metadata.status === 200 && document.resource === mcpUrl, 'the metadata does not name the MCP URL as its resource');
    const forged = await probe(mcpUrl, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln');
    evidence.forgedToken = { status: forged.status };
    must(forged.status === 401, `a forged token got ${forged.status}, not 401`);
  });

  await add('resource-binding', async (evidence) => {
    const { callback, answer } = await codeFlow(ctx, single, `openid ${scope}`, mcpUrl);
    evidence.authorize = { redirectedTo: `${callback.origin}${callback.pathname}`, code: callback.searchParams.has('code') };
    evidence.token = answerEvidence(answer);
    must(answer.status === 200, `the code exchange answered ${answer.status}`);
    const access = String(answer.body.access_token);
    const claims = jwtClaims(access) ?? {};
    must(claims.aud === mcpUrl, `aud is ${JSON.stringify(claims.aud)}, not the MCP URL`);
    must(String(claims.scope).split(' ').includes(scope), 'the access token lacks the MCP scope');
    const tools = await toolNames(mcpUrl, access);
    evidence.toolsList = tools;
    must(tools.length > 0, 'tools/list with the bound token listed nothing');
    if (typeof answer.body.refresh_token === 'string') bound = { access, refresh: answer.body.refresh_token };
    // A resource that names no resource server of the pool: refused at authorize or at the exchange.
    const stranger = await codeFlow(ctx, single, 'openid', 'https://unregistered.example/mcp');
    evidence.unregisteredResource = {
      authorizeError: stranger.callback.searchParams.get('error'),
      token: answerEvidence(stranger.answer),
    };
    must(stranger.answer.status !== 200, 'a resource naming no resource server still got tokens');
  });

  await add('refresh-keeps-aud', async (evidence) => {
    must(bound !== undefined, 'no refresh token from the code flow (see resource-binding)');
    const answer = await tokenRequest(single.McpOAuthTokenUrl ?? '', {
      grant_type: 'refresh_token',
      client_id: single.McpOAuthClientId ?? '',
      refresh_token: bound.refresh,
      resource: mcpUrl,
    });
    evidence.refresh = answerEvidence(answer);
    must(answer.status === 200, `the refresh answered ${answer.status}`);
    must(jwtClaims(answer.body.access_token)?.aud === mcpUrl, 'the refreshed access token lost aud');
    const status = (await probe(mcpUrl, String(answer.body.access_token))).status;
    evidence.mcpStatus = status;
    must(status === 200, `/mcp answered ${status} to the refreshed token`);
    if (typeof answer.body.refresh_token === 'string')
      bound = { access: String(answer.body.access_token), refresh: answer.body.refresh_token };
  });

  await add('refresh-rotation', async (evidence) => {
    must(ctx.cognito !== undefined, 'no Cognito API to call');
    must(bound !== undefined, 'no refresh token from the code flow (see resource-binding)');
    const old = bound.refresh;
    const first = await ctx.cognito.getTokensFromRefreshToken(old);
    evidence.first = {
      access: tokenEvidence(first.accessToken),
      newRefreshToken: first.refreshToken !== undefined && first.refreshToken !== old,
    };
    must(first.refreshToken !== undefined && first.refreshToken !== old, 'no new refresh token: rotation is off');
    const grace = ctx.rotationGraceSeconds ?? 60;
    await sleep((grace + 5) * 1000);
    const retired = await ctx.cognito.getTokensFromRefreshToken(old).then(
      () => 'accepted',
      (error: Error) => error.name,
    );
    evidence.oldTokenAfterGrace = retired;
    must(retired !== 'accepted', `the old refresh token still works ${grace + 5} s later`);
    const next = await ctx.cognito.getTokensFromRefreshToken(first.refreshToken);
    evidence.newTokenWorks = next.accessToken !== undefined;
    must(next.accessToken !== undefined, 'the new refresh token does not work');
  });

  await add('managed-login', async (evidence) => {
    const response = await fetch(single.HostedUIUrl ?? '', { redirect: 'follow' });
    const html = await response.text();
    const title = /<title>([^<]*)<\/title>/i.exec(html)?.[1]?.trim();
    evidence.page = {
      status: response.status,
      finalUrl: response.url.split('?')[0],
      title,
      bytes: html.length,
      // The classic hosted UI's CSS hooks (`background-customizable`, …): seen, not asserted.
      classicMarkup: html.includes('-customizable'),
    };
    must(response.status === 200, `the sign-in page answered ${response.status}`);
    must(!/Login pages unavailable/i.test(html), 'the page says "Login pages unavailable": no managed login branding');
    // What the page is, by the API: the domain's managed login version. Every browser sign-in passes this page too.
    if (ctx.cognito !== undefined) {
      const prefix = new URL(single.HostedUIUrl ?? '').hostname.split('.')[0] ?? '';
      const version = await ctx.cognito.managedLoginVersion(prefix);
      evidence.managedLoginVersion = version;
      must(version === 2, `the domain's ManagedLoginVersion is ${String(version)}, not 2`);
    }
  });

  await add('tool-groups', async (evidence) => {
    const { tool, group } = ctx.groupedTool;
    const member = await ctx.accessTokenFor([group]);
    const outsider = await ctx.accessTokenFor([]);
    evidence.memberToken = tokenEvidence(member);
    const memberTools = await toolNames(mcpUrl, member);
    const outsiderTools = await toolNames(mcpUrl, outsider);
    evidence.listed = { member: memberTools, outsider: outsiderTools };
    must(memberTools.includes(tool), `${tool} is not listed for a member of ${group}`);
    must(!outsiderTools.includes(tool), `${tool} is listed for a user in no group`);
    const refused = await withClient(mcpUrl, outsider, (client) =>
      client.callTool({ name: tool, arguments: { seconds: 1, limit: 1 } }).then(
        (result) => ({ isError: result.isError === true, text: JSON.stringify(result.content).slice(0, 200) }),
        (error: Error) => ({ isError: true, text: error.message.slice(0, 200) }),
      ),
    );
    evidence.outsiderCall = refused;
    must(refused.isError, `a user in no group may call ${tool}`);
  });

  await add('sign-up-allow-list', async (evidence) => {
    must(ctx.cognito !== undefined && ctx.signUpAddresses !== undefined, 'no Cognito API or addresses to sign up with');
    const password = `Aa1!${Math.random().toString(36).slice(2)}Zz9?`;
    const outcome = (email: string) =>
      ctx.cognito!.signUp(email, password).then(
        () => 'accepted',
        (error: Error) => `${error.name}: ${error.message}`,
      );
    const refused = await outcome(ctx.signUpAddresses.refused);
    evidence.refused = { email: ctx.signUpAddresses.refused, outcome: refused };
    must(/PreSignUp/i.test(refused), 'the address off the list was not refused by the pre-sign-up trigger');
    const allowed = await outcome(ctx.signUpAddresses.allowed);
    evidence.allowed = { email: ctx.signUpAddresses.allowed, outcome: allowed };
    must(allowed === 'accepted', 'the address on the list was refused');
  });

  await add('secrets', async (evidence) => {
    must(ctx.secret !== undefined, 'no secret deployed');
    const environment = await ctx.secret.functionEnvironment();
    const refs = JSON.parse(environment.MCP_SECRETS ?? '[]') as Array<{ key: string; kind: string; id: string }>;
    evidence.references = refs.map((ref) => ({ key: ref.key, kind: ref.kind }));
    if (environment.RUNTIME !== undefined) evidence.runtime = environment.RUNTIME;
    must(
      refs.some((ref) => ref.key === ctx.secret!.key),
      `MCP_SECRETS does not name ${ctx.secret.key}`,
    );
    must(environment[ctx.secret.key] === undefined, 'the value is in the function configuration');
    // A secret the function cannot read fails its cold start (502): an answer proves the read.
    const token = await ctx.accessTokenFor([]);
    const status = (await probe(mcpUrl, token)).status;
    evidence.coldStartStatus = status;
    must(status === 200, `the function answered ${status}: its cold start (which reads the secret) failed`);
  });

  await add('streaming', async (evidence) => {
    const seconds = ctx.slowSeconds ?? 4;
    const token = await ctx.accessTokenFor([ctx.groupedTool.group]);
    const started = Date.now();
    const progressAt: number[] = [];
    const result = await withClient(mcpUrl, token, (client) =>
      client.callTool(
        { name: 'getDogFactsSlowly', arguments: { seconds, limit: 1 } },
        { onprogress: () => progressAt.push(Date.now() - started), resetTimeoutOnProgress: true, timeout: (seconds + 60) * 1000 },
      ),
    );
    const resultAt = Date.now() - started;
    evidence.timeline = { progressMs: progressAt, resultMs: resultAt, isError: result.isError === true };
    must(result.isError !== true, 'the slow tool failed');
    must(progressAt.length >= seconds - 1, `only ${progressAt.length} progress notifications for ${seconds} s`);
    must(
      resultAt - (progressAt[0] ?? resultAt) >= (seconds - 2) * 1000,
      'the first progress came with the result: the answer was buffered',
    );
  });

  await add('several-servers', async (evidence) => {
    must(ctx.several !== undefined, 'no several-servers stack');
    const outputs = ctx.several.outputs;
    const servers = JSON.parse(outputs.Servers ?? '[]') as Array<{ name: string; url: string; scope: string }>;
    const metadata = (await (await fetch(outputs.OAuthMetadataUrl ?? '')).json()) as { resource?: string };
    evidence.apiResource = metadata.resource;
    must(servers.length >= 2 && typeof metadata.resource === 'string', 'no servers or no API-wide resource');
    const apiWide = await codeFlow(ctx, outputs, `openid ${outputs.McpOAuthScope}`, metadata.resource);
    evidence.apiWideToken = answerEvidence(apiWide.answer);
    must(apiWide.answer.status === 200, `the API-wide code exchange answered ${apiWide.answer.status}`);
    const token = String(apiWide.answer.body.access_token);
    must(jwtClaims(token)?.aud === metadata.resource, 'aud is not the API-wide resource');
    const statuses: Record<string, number> = {};
    for (const server of servers) statuses[server.name] = (await probe(server.url, token)).status;
    evidence.apiWideStatuses = statuses;
    must(
      Object.values(statuses).every((status) => status === 200),
      'a server refused the API-wide token',
    );
    const [first, second] = servers;
    const own = await codeFlow(ctx, outputs, `openid ${first!.scope}`, first!.url);
    must(own.answer.status === 200, `${first!.name}'s code exchange answered ${own.answer.status}`);
    const ownToken = String(own.answer.body.access_token);
    const cross = { own: (await probe(first!.url, ownToken)).status, other: (await probe(second!.url, ownToken)).status };
    evidence.ownTokenStatuses = { [first!.name]: cross.own, [second!.name]: cross.other };
    must(
      cross.own === 200 && cross.other === 401,
      `${first!.name}'s token: ${cross.own} at its server, ${cross.other} at ${second!.name}`,
    );
  });

  await add('redirect-uris', async (evidence) => {
    const deployed = ctx.single.deployedMcpUrl ?? mcpUrl;
    const cursor = CLIENTS.find((client) => client.id === 'cursor')!.redirectUris(Number(single.CallbackPort));
    const codex = `http://localhost:${CODEX_CALLBACK_PORT}/callback/${codexCallbackId(deployed)}`;
    const answers: Record<string, { status: number; location: string }> = {};
    for (const redirectUri of [...cursor, codex, REFUSED_REDIRECT]) {
      const url = authorizeUrl({
        authorizationUrl: single.McpOAuthAuthorizationUrl ?? '',
        clientId: single.McpOAuthClientId ?? '',
        redirectUri,
        scope: `openid ${scope}`,
        challenge: pkce().challenge,
      });
      const response = await fetch(url, { redirect: 'manual' });
      await response.arrayBuffer();
      const location = response.headers.get('location') ?? '';
      answers[redirectUri] = { status: response.status, location: location.split('?')[0] ?? '' };
      const refused = /\/error\b|error=redirect_mismatch/.test(location) || response.status >= 400;
      if (redirectUri === REFUSED_REDIRECT) must(refused, 'an unregistered redirect URI was accepted', { answers });
      else must(!refused, `${redirectUri} was refused`, { answers });
    }
    evidence.answers = answers;
  });

  await add('custom-domain', async (evidence) => {
    must(ctx.domain !== undefined, 'no domain');
    const origin = `https://${ctx.domain}`;
    const metadata = await fetch(`${origin}/.well-known/oauth-protected-resource`);
    const document = (await metadata.json()) as Record<string, unknown>;
    evidence.rootMetadata = { status: metadata.status, resource: document.resource };
    must(metadata.status === 200 && document.resource === `${origin}/mcp`, 'the root metadata does not name the domain MCP URL');
    const anonymous = await probe(`${origin}/mcp`);
    evidence.anonymous = anonymous;
    must(
      anonymous.status === 401 && anonymous.wwwAuthenticate?.includes(`resource_metadata="${origin}/`),
      'no challenge on the domain',
    );
  });

  return rows;
}

/** After destroy: the pool was protected before, and the stack and the pool are gone. */
export async function checkDestroyed(probes: {
  readonly protectedBefore: string | undefined;
  stackExists(): Promise<boolean>;
  poolExists(): Promise<boolean>;
}): Promise<Row> {
  return runCheck('deletion-protection', async (evidence) => {
    evidence.deletionProtectionBefore = probes.protectedBefore;
    must(probes.protectedBefore === 'ACTIVE', 'the pool was not protected before destroy');
    const [stack, pool] = [await probes.stackExists(), await probes.poolExists()];
    evidence.after = { stackExists: stack, poolExists: pool };
    must(!stack && !pool, 'destroy left the stack or the pool');
  });
}
