/**
 * `mcp-lambda doctor`'s checks: the chain Claude Code walks to reach the server, one link at a time, in
 * the order it walks it — the 401 challenge, the protected-resource metadata, the issuer's discovery
 * document, the authorize endpoint, Claude Code's entries on disk, the MCP exchange with a stored
 * sign-in, the token itself, and the loopback callback port. Each result says what was seen and, when a
 * link is broken, the command that mends it.
 *
 * No printing here, and every outside thing (fetch, the helper's shell, the port probe) comes in through
 * {@link DoctorDeps}, so tests break one link at a time against real local servers.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { ConfigFileError, type FoundEntry, readEntries } from '../clients/claude-code/config-file.js';
import { jwtClaims } from '../auth/jwt.js';
import { isServableUrl } from '../stacks/resolve.js';
import { ping } from '../auth/verify.js';
import { discoveryUrl } from '../clients/claude-code/entry.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  readonly id: CheckId;
  readonly title: string;
  readonly status: CheckStatus;
  /** What was seen. */
  readonly detail: string;
  /** The command (or step) that mends a broken link. */
  readonly fix?: string;
}

export type CheckId =
  | 'challenge'
  | 'resource-metadata'
  | 'issuer'
  | 'authorize'
  | 'claude-code'
  | 'client-config'
  | 'mcp'
  | 'token'
  | 'callback-port';

/** What the server should look like: from the stack's outputs, or only a URL (`--url`, e.g. `dev`). */
export interface DoctorTarget {
  readonly mcpUrl: string;
  /** Known for a deployed stack. */
  readonly expected?: {
    readonly issuerUrl: string;
    readonly clientId: string;
    readonly callbackPort: number;
    readonly scope: string;
  };
  /**
   * One of several servers behind one API: the 401 challenge names the API's own metadata document, whose
   * resource is the API's URL (`expected.scope` is then its scope, which every server accepts); the
   * server's own document, at its path under the well-known one, names the server and its own scope.
   */
  readonly apiWide?: { readonly resource: string; readonly serverScope: string };
  /** The stored sign-in's access token, when there is one. */
  readonly accessToken?: string;
  /**
   * Another client than Claude Code (`doctor --client`): its redirect URIs (each tried at the authorize
   * endpoint) and the check of its config on disk, instead of Claude Code's.
   */
  readonly client?: {
    readonly title: string;
    readonly redirectUris: readonly string[];
    /** The command that registers them (`deploy --clients …`): a client is registered only when named. */
    readonly register?: string;
    readonly checkConfig: () => Promise<{ readonly status: CheckStatus; readonly detail: string; readonly fix?: string }>;
  };
  /** Builds an mcp-lambda command line for a fix, with the flags that select this stack. */
  readonly command: (subcommand: string) => string;
}

export interface DoctorDeps {
  readonly fetch: typeof fetch;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Claude Code gives a headersHelper 10 s. */
  readonly helperTimeoutMs?: number;
  /** How long `subscriptions/listen` may take to be answered. @default 1000 */
  readonly listenBudgetMs?: number;
  /** Whether a loopback port can be listened on. @default a real bind on 127.0.0.1 */
  readonly portFree?: (port: number) => Promise<boolean>;
  readonly now?: () => number;
}

const TITLES: Record<CheckId, string> = {
  challenge: '401 challenge',
  'resource-metadata': 'protected-resource metadata',
  issuer: "issuer's discovery document",
  authorize: 'authorize endpoint',
  'claude-code': 'Claude Code entry',
  'client-config': 'client config',
  mcp: 'MCP exchange',
  token: 'access token',
  'callback-port': 'callback port',
};

function result(id: CheckId, status: CheckStatus, detail: string, fix?: string): CheckResult {
  return { id, title: TITLES[id], status, detail, ...(fix !== undefined && { fix }) };
}

/** Parses `Bearer a="b", c="d"`; a value that is not quoted is reported, not guessed at. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string>; unquoted: string[] } {
  const [scheme = '', ...rest] = header.trim().split(/\s+/);
  const params: Record<string, string> = {};
  const unquoted: string[] = [];
  const text = rest.join(' ');
  for (const match of text.matchAll(/([A-Za-z_]+)=("([^"]*)"|[^,\s]*)/g)) {
    const [, name = '', raw = '', quoted] = match;
    if (quoted === undefined) unquoted.push(name);
    params[name] = quoted ?? raw;
  }
  return { scheme, params, unquoted };
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
}

async function getJson(
  fetchImpl: typeof fetch,
  url: string,
): Promise<{ status: number; body?: Record<string, unknown>; error?: string }> {
  try {
    const response = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    try {
      const body = JSON.parse(text) as unknown;
      if (typeof body === 'object' && body !== null && !Array.isArray(body))
        return { status: response.status, body: body as Record<string, unknown> };
      return { status: response.status, error: 'the body is not a JSON object' };
    } catch {
      return { status: response.status, error: 'the body is not JSON' };
    }
  } catch (error) {
    return { status: 0, error: (error as Error).message };
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Runs a headersHelper as Claude Code does: through a shell, with the server's name and URL, 10 s at most. */
function runHelper(
  command: string,
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  url: string,
  timeoutMs: number,
): Promise<{ ok: true; headers: Record<string, unknown> } | { ok: false; why: string }> {
  return new Promise((resolve) => {
    execFile(
      '/bin/sh',
      ['-c', command],
      { env: { ...env, CLAUDE_CODE_MCP_SERVER_NAME: name, CLAUDE_CODE_MCP_SERVER_URL: url }, timeout: timeoutMs },
      (error, stdout, stderr) => {
        if (error) {
          const why = error.killed
            ? `did not finish within ${timeoutMs / 1000} s`
            : `failed: ${stderr.trim().split('\n')[0] || error.message}`;
          return resolve({ ok: false, why });
        }
        try {
          const headers = JSON.parse(stdout) as unknown;
          if (typeof headers !== 'object' || headers === null || Array.isArray(headers))
            return resolve({ ok: false, why: 'printed JSON that is not an object' });
          resolve({ ok: true, headers: headers as Record<string, unknown> });
        } catch {
          resolve({ ok: false, why: 'did not print a JSON object of headers' });
        }
      },
    );
  });
}

/** The state the checks pass along: what each link revealed for the next. */
interface Walk {
  oauth: boolean;
  metadataUrl?: string;
  authorizationServer?: string;
  discovery?: Record<string, unknown>;
  token?: string;
}

async function checkChallenge(target: DoctorTarget, deps: DoctorDeps, walk: Walk): Promise<CheckResult> {
  let response: Response;
  try {
    response = await ping(deps.fetch, target.mcpUrl, {}, 10_000);
  } catch (error) {
    walk.oauth = false;
    return result(
      'challenge',
      'fail',
      `${target.mcpUrl} could not be reached: ${(error as Error).message}`,
      target.expected ? target.command('status') : 'Start the server (mcp-lambda dev), or check the URL.',
    );
  }
  if (response.status !== 401) {
    walk.oauth = false;
    if (target.expected) {
      return result(
        'challenge',
        'fail',
        `a request without a token got HTTP ${response.status}, not 401: nothing asks clients to sign in.`,
        target.command('deploy'),
      );
    }
    return result(
      'challenge',
      'skip',
      `answers without a token (HTTP ${response.status}): no OAuth in front of it, as with mcp-lambda dev.`,
    );
  }
  walk.oauth = true;
  const header = response.headers.get('www-authenticate');
  if (header === null) {
    const remapped = response.headers.get('x-amzn-remapped-www-authenticate') !== null;
    return result(
      'challenge',
      'fail',
      remapped
        ? '401 without WWW-Authenticate: the challenge came from the Lambda, and API Gateway renamed it x-amzn-remapped-www-authenticate; the gateway response that should send it is missing.'
        : '401 without a WWW-Authenticate header: clients cannot find where to sign in.',
      target.command('deploy'),
    );
  }
  const challenge = parseChallenge(header);
  if (challenge.scheme.toLowerCase() !== 'bearer') {
    return result('challenge', 'fail', `WWW-Authenticate is "${header}", not a Bearer challenge.`, target.command('deploy'));
  }
  if (challenge.unquoted.includes('resource_metadata')) {
    return result(
      'challenge',
      'fail',
      `resource_metadata is not quoted in "${header}" (RFC 9728 asks for a quoted string).`,
      target.command('deploy'),
    );
  }
  const metadataUrl = challenge.params.resource_metadata;
  if (!isServableUrl(metadataUrl)) {
    return result(
      'challenge',
      'fail',
      `WWW-Authenticate has no usable resource_metadata URL: "${header}".`,
      target.command('deploy'),
    );
  }
  walk.metadataUrl = metadataUrl;
  if (target.expected && challenge.params.scope !== undefined && challenge.params.scope !== target.expected.scope) {
    return result(
      'challenge',
      'warn',
      `the challenge asks for scope "${challenge.params.scope}", the stack's is "${target.expected.scope}".`,
      target.command('deploy'),
    );
  }
  return result(
    'challenge',
    'ok',
    `401 with Bearer resource_metadata="${metadataUrl}"${challenge.params.scope ? `, scope="${challenge.params.scope}"` : ''}`,
  );
}

async function checkMetadata(target: DoctorTarget, deps: DoctorDeps, walk: Walk): Promise<CheckResult> {
  if (!walk.metadataUrl) return result('resource-metadata', 'skip', 'no metadata URL to read (see the challenge).');
  const fix = target.command('deploy');
  const got = await getJson(deps.fetch, walk.metadataUrl);
  if (got.status !== 200 || !got.body) {
    return result(
      'resource-metadata',
      'fail',
      `${walk.metadataUrl} answered HTTP ${got.status}${got.error ? ` (${got.error})` : ''}.`,
      fix,
    );
  }
  const doc = got.body;
  // Several servers: the API's document (resource = the API's URL, a prefix of the MCP URL, as RFC 9728
  // clients accept), and the server's own at its path under the well-known one.
  const apiWide = target.apiWide !== undefined && doc.resource === target.apiWide.resource ? target.apiWide : undefined;
  if (doc.resource !== target.mcpUrl && !apiWide) {
    return result(
      'resource-metadata',
      'fail',
      `"resource" is ${JSON.stringify(doc.resource)}, but the MCP URL is ${target.mcpUrl}: clients refuse metadata for another resource.`,
      fix,
    );
  }
  const servers = Array.isArray(doc.authorization_servers) ? doc.authorization_servers.filter(isServableUrl) : [];
  if (servers.length === 0) return result('resource-metadata', 'fail', '"authorization_servers" names no https URL.', fix);
  if (target.expected && !servers.includes(target.expected.issuerUrl)) {
    return result(
      'resource-metadata',
      'fail',
      `"authorization_servers" is ${JSON.stringify(servers)}, not the stack's issuer ${target.expected.issuerUrl}.`,
      fix,
    );
  }
  walk.authorizationServer = target.expected?.issuerUrl ?? servers[0];
  const scopes = Array.isArray(doc.scopes_supported) ? doc.scopes_supported : [];
  if (target.expected && !scopes.includes(target.expected.scope)) {
    return result(
      'resource-metadata',
      'fail',
      `"scopes_supported" is ${JSON.stringify(scopes)}, without ${target.expected.scope}.`,
      fix,
    );
  }
  if (apiWide) {
    const own = `${walk.metadataUrl}${new URL(target.mcpUrl).pathname.slice(new URL(apiWide.resource).pathname.replace(/\/$/, '').length)}`;
    const ownDoc = await getJson(deps.fetch, own);
    const ownScopes = Array.isArray(ownDoc.body?.scopes_supported) ? ownDoc.body.scopes_supported : [];
    if (ownDoc.status !== 200 || ownDoc.body?.resource !== target.mcpUrl || !ownScopes.includes(apiWide.serverScope)) {
      return result(
        'resource-metadata',
        'fail',
        `the API's document is right, but the server's own, ${own}, answered HTTP ${ownDoc.status}${ownDoc.body ? ` for ${JSON.stringify(ownDoc.body.resource)} with ${JSON.stringify(ownScopes)}` : ''}.`,
        fix,
      );
    }
    return result(
      'resource-metadata',
      'ok',
      `resource ${apiWide.resource} (the API: every server takes its token), authorization server ${walk.authorizationServer}; the server's own at ${own}`,
    );
  }
  // The stack serves the document at the stage root too (clients that strip the path look there).
  const root = walk.metadataUrl.replace(/\/\.well-known\/oauth-protected-resource\/.+$/, '/.well-known/oauth-protected-resource');
  if (root !== walk.metadataUrl) {
    const rootDoc = await getJson(deps.fetch, root);
    if (rootDoc.status !== 200 || rootDoc.body?.resource !== target.mcpUrl) {
      return result(
        'resource-metadata',
        'warn',
        `${walk.metadataUrl} is right, but ${root} answered HTTP ${rootDoc.status}${rootDoc.body ? ' with another resource' : ''}.`,
        fix,
      );
    }
  }
  return result(
    'resource-metadata',
    'ok',
    `resource ${target.mcpUrl}, authorization server ${walk.authorizationServer}${root !== walk.metadataUrl ? `; also at ${root}` : ''}`,
  );
}

async function checkIssuer(target: DoctorTarget, deps: DoctorDeps, walk: Walk): Promise<CheckResult> {
  const issuer = walk.authorizationServer ?? target.expected?.issuerUrl;
  if (!issuer) return result('issuer', 'skip', 'no authorization server to ask (see the metadata).');
  const url = discoveryUrl(issuer);
  const got = await getJson(deps.fetch, url);
  const fix = target.command('deploy');
  if (got.status !== 200 || !got.body)
    return result('issuer', 'fail', `${url} answered HTTP ${got.status}${got.error ? ` (${got.error})` : ''}.`, fix);
  const doc = got.body;
  if (doc.issuer !== issuer)
    return result(
      'issuer',
      'fail',
      `the document's issuer is ${JSON.stringify(doc.issuer)}, not ${issuer}: clients reject it.`,
      fix,
    );
  const missing = ['authorization_endpoint', 'token_endpoint'].filter((key) => !isServableUrl(doc[key]));
  if (missing.length > 0) return result('issuer', 'fail', `the document has no usable ${missing.join(' or ')}.`, fix);
  if (!url.startsWith('https:')) {
    return result('issuer', 'warn', `${url} is not https: Claude Code accepts only an https authServerMetadataUrl.`);
  }
  walk.discovery = doc;
  return result('issuer', 'ok', `${url}: issuer matches; authorize at ${String(doc.authorization_endpoint)}`);
}

async function checkAuthorize(target: DoctorTarget, deps: DoctorDeps, walk: Walk): Promise<CheckResult> {
  const endpoint = walk.discovery?.authorization_endpoint;
  if (typeof endpoint !== 'string' || !target.expected) {
    return result(
      'authorize',
      'skip',
      target.expected
        ? 'no authorize endpoint (see the discovery document).'
        : 'no client to try (pass --name for a deployed stack).',
    );
  }
  const { clientId, callbackPort, scope } = target.expected;
  const redirectUris = target.client?.redirectUris ?? [`http://localhost:${callbackPort}/callback`];
  if (redirectUris.length === 0) {
    return result(
      'authorize',
      'fail',
      `no redirect URI of ${target.client?.title ?? 'the client'} is registered yet.`,
      target.client?.register ?? target.command('deploy'),
    );
  }
  const accepted: string[] = [];
  for (const redirectUri of redirectUris) {
    const tried = await tryAuthorize(endpoint, target, deps, redirectUri);
    if (tried.status === 'fail') return tried;
    accepted.push(redirectUri);
  }
  const withResource = ` and resource ${target.apiWide?.resource ?? target.mcpUrl}`;
  return result('authorize', 'ok', `accepts client ${clientId}, callback ${accepted.join(', ')}, scope ${scope}${withResource}`);
}

/** One sign-in request with this redirect URI: Cognito's answer, without following it. */
async function tryAuthorize(endpoint: string, target: DoctorTarget, deps: DoctorDeps, redirectUri: string): Promise<CheckResult> {
  const { clientId, scope } = target.expected ?? { clientId: '', scope: '' };
  const url = new URL(endpoint);
  const verifier = randomBytes(32).toString('base64url');
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope,
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    // What a client that follows the challenge asks for: the resource its metadata names.
    resource: target.apiWide?.resource ?? target.mcpUrl,
  }).toString();
  let response: Response;
  try {
    response = await deps.fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    await response.body?.cancel();
  } catch (error) {
    return result('authorize', 'fail', `${endpoint} could not be reached: ${(error as Error).message}`);
  }
  const location = response.headers.get('location');
  if (response.status >= 300 && response.status < 400 && location) {
    const next = new URL(location, url);
    const error = next.searchParams.get('error');
    if (next.pathname.endsWith('/error') || (error && `${next.origin}${next.pathname}` === redirectUri)) {
      const description = next.searchParams.get('error_description');
      const why =
        error === 'redirect_mismatch'
          ? `the callback ${redirectUri} is not registered on client ${clientId}`
          : error === 'invalid_request' && description?.includes('resource')
            ? `the pool does not bind tokens to ${target.mcpUrl} (${description}): the stack predates resource binding`
            : `${error ?? 'an error'}${description ? `: ${description}` : ''}`;
      return result('authorize', 'fail', `Cognito refused the sign-in request: ${why}.`, target.command('deploy'));
    }
    return result('authorize', 'ok', redirectUri);
  }
  if (response.status === 200) return result('authorize', 'ok', redirectUri);
  return result(
    'authorize',
    'fail',
    `${endpoint} answered HTTP ${response.status} to a sign-in request for client ${clientId}.`,
    target.command('deploy'),
  );
}

async function checkClaudeCode(target: DoctorTarget, deps: DoctorDeps, walk: Walk): Promise<CheckResult> {
  let entries: FoundEntry[];
  try {
    entries = (await readEntries(deps.env, deps.cwd)).filter((found) => found.entry.url === target.mcpUrl);
  } catch (error) {
    if (error instanceof ConfigFileError) return result('claude-code', 'fail', error.message);
    throw error;
  }
  if (entries.length === 0) {
    return result(
      'claude-code',
      'fail',
      `no entry in Claude Code's configuration (for ${deps.cwd}) points at ${target.mcpUrl}.`,
      target.expected ? target.command('write-config') : `claude mcp add --transport http <name> ${target.mcpUrl}`,
    );
  }
  const problems: string[] = [];
  let fix: string | undefined;
  const seen: string[] = [];
  for (const { scope, name, entry } of entries) {
    const where = `"${name}" (${scope} scope)`;
    const rewrite = target.command(`write-config --scope ${scope}${name !== 'dog-facts' ? ` --entry-name ${name}` : ''} --yes`);
    if (entry.type !== 'http') {
      problems.push(
        `${where} has type ${JSON.stringify(entry.type)}: Claude Code reads a url without "type": "http" as a stdio server`,
      );
      fix ??= rewrite;
      continue;
    }
    const headers = (entry.headers ?? {}) as Record<string, unknown>;
    const oauth = entry.oauth as Record<string, unknown> | undefined;
    if (typeof entry.headersHelper === 'string') {
      const helper = await runHelper(entry.headersHelper, deps.env, name, target.mcpUrl, deps.helperTimeoutMs ?? 10_000);
      if (!helper.ok) {
        problems.push(`${where}: its headersHelper ${helper.why}`);
        fix ??= target.command('login');
        continue;
      }
      const authorization = helper.headers.Authorization ?? helper.headers.authorization;
      if (typeof authorization !== 'string' || !/^Bearer \S+$/.test(authorization)) {
        problems.push(`${where}: its headersHelper printed no "Authorization: Bearer …" header`);
        fix ??= target.command('login');
        continue;
      }
      walk.token ??= authorization.slice('Bearer '.length);
      seen.push(`${where}: headersHelper returns a token`);
    } else if (typeof headers.Authorization === 'string') {
      problems.push(
        `${where} has a fixed Authorization header: it turns Claude Code's sign-in off and stops working when the token expires`,
      );
      fix ??= rewrite;
    } else if (oauth) {
      if (target.expected) {
        const want = {
          clientId: target.expected.clientId,
          callbackPort: target.expected.callbackPort,
          scopes: target.expected.scope,
          authServerMetadataUrl: discoveryUrl(target.expected.issuerUrl),
        };
        const wrong = Object.entries(want).filter(([key, value]) => oauth[key] !== value);
        if (wrong.length > 0) {
          problems.push(
            `${where}: ${wrong.map(([key, value]) => (oauth[key] === undefined ? `no oauth.${key}` : `oauth.${key} is ${JSON.stringify(oauth[key])}, not ${JSON.stringify(value)}`)).join('; ')}`,
          );
          fix ??= `${rewrite}, then: claude mcp logout ${name} && claude mcp login ${name}`;
          continue;
        }
      } else if (typeof oauth.authServerMetadataUrl !== 'string') {
        problems.push(
          `${where} has no oauth.authServerMetadataUrl: claude mcp login looks for the authorization server at the wrong place`,
        );
        continue;
      }
      seen.push(`${where}: OAuth with client ${String(oauth.clientId)}, port ${String(oauth.callbackPort)}`);
    } else {
      seen.push(`${where}: no authentication configured`);
      if (walk.oauth) {
        problems.push(`${where} has neither oauth nor a headersHelper, but the server asks for a token`);
        fix ??= rewrite;
      }
    }
  }
  if (problems.length > 0) return result('claude-code', 'fail', problems.join('\n'), fix);
  return result('claude-code', 'ok', seen.join('\n'));
}

async function checkMcp(target: DoctorTarget, deps: DoctorDeps, walk: Walk): Promise<CheckResult> {
  const token = walk.token ?? target.accessToken;
  if (walk.oauth && token === undefined) {
    return result('mcp', 'skip', 'no stored sign-in to call the server with.', target.command('login'));
  }
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  const now = () => performance.now();
  const budget = deps.listenBudgetMs ?? 1000;
  const { Client, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
  const connect = async (modern: boolean) => {
    const client = modern
      ? new Client({ name: 'mcp-lambda-doctor', version: '1' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } })
      : new Client({ name: 'mcp-lambda-doctor', version: '1' }, { supportedProtocolVersions: ['2025-11-25'] });
    const started = now();
    await client.connect(
      new StreamableHTTPClientTransport(new URL(target.mcpUrl), { requestInit: { headers }, fetch: deps.fetch }),
    );
    return { client, ms: now() - started };
  };
  const steps: string[] = [];
  let step = 'server/discover (2026-07-28)';
  const failed = (error: unknown): CheckResult => {
    const message = (error as Error).message;
    const refused = /\b401\b|Unauthorized/i.test(message);
    const why =
      step === 'subscriptions/listen' ? `was not answered within ${budget} ms (${message}): clients wait on it` : message;
    return result(
      'mcp',
      'fail',
      `${steps.length > 0 ? `${steps.join(', ')}; then ` : ''}${step} ${refused ? 'was refused with the stored token (expired or revoked?)' : `failed: ${why}`}.`,
      refused ? target.command('login') : target.expected ? target.command('deploy') : undefined,
    );
  };
  let modern: Awaited<ReturnType<typeof connect>>;
  try {
    modern = await connect(true);
  } catch (error) {
    // A server of 2025 only: Claude Code falls back to initialize, so that is a finding, not a break.
    if (/\b401\b|Unauthorized/i.test((error as Error).message)) return failed(error);
    try {
      const legacy = await connect(false);
      const { tools } = await legacy.client.listTools();
      await legacy.client.close().catch(() => {});
      return result(
        'mcp',
        'warn',
        `server/discover (2026-07-28) is not served (${(error as Error).message}); initialize (2025-11-25) ${Math.round(legacy.ms)} ms and tools/list (${tools.length} tool${tools.length === 1 ? '' : 's'}) work, and clients fall back to them.`,
      );
    } catch {
      return failed(error);
    }
  }
  try {
    try {
      steps.push(`server/discover ${Math.round(modern.ms)} ms`);
      step = 'tools/list';
      const started = now();
      const { tools } = await modern.client.listTools();
      steps.push(`tools/list ${tools.length} tool${tools.length === 1 ? '' : 's'} in ${Math.round(now() - started)} ms`);
      const capabilities = modern.client.getServerCapabilities();
      step = 'subscriptions/listen';
      const listenStarted = now();
      const subscription = await modern.client.listen({ toolsListChanged: true }, { timeout: budget });
      const listenMs = now() - listenStarted;
      await subscription.close();
      if (listenMs > budget) throw new Error(`answered after ${Math.round(listenMs)} ms`);
      steps.push(`subscriptions/listen answered in ${Math.round(listenMs)} ms`);
      if (capabilities?.tools?.listChanged === true) {
        return result(
          'mcp',
          'warn',
          `${steps.join(', ')}; but the server advertises tools.listChanged, so clients hold a listen stream open.`,
          target.command('deploy'),
        );
      }
    } finally {
      await modern.client.close().catch(() => {});
    }
    step = 'initialize (2025-11-25)';
    const legacy = await connect(false);
    steps.push(`initialize (2025-11-25) ${Math.round(legacy.ms)} ms`);
    await legacy.client.close().catch(() => {});
  } catch (error) {
    return failed(error);
  }
  return result('mcp', 'ok', steps.join(', '));
}

function checkToken(target: DoctorTarget, deps: DoctorDeps, walk: Walk): CheckResult {
  const token = walk.token ?? target.accessToken;
  if (!walk.oauth || token === undefined)
    return result('token', 'skip', walk.oauth ? 'no stored sign-in.' : 'no OAuth in front of the server.');
  const claims = jwtClaims(token);
  if (!claims) return result('token', 'fail', 'the stored token is not a JWT.', target.command('login'));
  const problems: string[] = [];
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
  const accepted = [target.expected?.scope, target.apiWide?.serverScope].filter((scope) => scope !== undefined);
  if (accepted.length > 0 && !accepted.some((scope) => scopes.includes(scope)))
    problems.push(`it lacks the scope ${accepted.join(' or ')} (it has: ${scopes.join(' ') || 'none'})`);
  const aud = claims.aud;
  const audiences = [target.mcpUrl, target.apiWide?.resource].filter((value) => value !== undefined);
  if (aud !== undefined && !(Array.isArray(aud) ? aud : [aud]).some((value) => audiences.includes(value))) {
    problems.push(`its audience is ${JSON.stringify(aud)}, not ${audiences.join(' or ')}`);
  }
  const left = typeof claims.exp === 'number' ? claims.exp * 1000 - (deps.now ?? Date.now)() : undefined;
  if (left !== undefined && left <= 0) problems.push(`it expired ${duration(-left)} ago`);
  if (problems.length > 0)
    return result(
      'token',
      'fail',
      `The stored token: ${problems.join('; ')}.`,
      left !== undefined && left <= 0 ? target.command('token') : target.command('login'),
    );
  return result(
    'token',
    'ok',
    `scope ${target.expected?.scope ?? scopes.join(' ')}, audience ${aud === undefined ? 'none (password sign-in)' : JSON.stringify(aud)}${left !== undefined ? `, ${duration(left)} left` : ''}`,
  );
}

async function checkCallbackPort(target: DoctorTarget, deps: DoctorDeps, walk: Walk): Promise<CheckResult> {
  // The loopback port the client listens on for its callback (none for https or app-scheme callbacks).
  const loopback = target.client
    ? target.client.redirectUris.map((uri) => /^http:\/\/localhost:(\d+)\//.exec(uri)?.[1]).find(Boolean)
    : undefined;
  const port = target.client ? (loopback === undefined ? undefined : Number(loopback)) : target.expected?.callbackPort;
  if (port === undefined || !walk.oauth) return result('callback-port', 'skip', 'no OAuth callback to receive.');
  if (await (deps.portFree ?? bindable)(port)) return result('callback-port', 'ok', `${port} is free on this machine`);
  return result(
    'callback-port',
    'fail',
    `port ${port} is in use on this machine: Claude Code could not receive the sign-in there.`,
    `Stop what listens on ${port} (lsof -i :${port}), or redeploy with another port: ${target.command(`deploy --callback-port ${port === 65535 ? 31928 : port + 1}`)}, then ${target.command('write-config --yes')}`,
  );
}

/** Walks the whole chain and returns one result per link, in Claude Code's order. */
export async function runDoctor(target: DoctorTarget, deps: DoctorDeps): Promise<CheckResult[]> {
  const walk: Walk = { oauth: false };
  const results: CheckResult[] = [];
  results.push(await checkChallenge(target, deps, walk));
  results.push(await checkMetadata(target, deps, walk));
  results.push(await checkIssuer(target, deps, walk));
  results.push(await checkAuthorize(target, deps, walk));
  if (target.client) {
    const { status, detail, fix } = await target.client.checkConfig();
    results.push({
      id: 'client-config',
      title: `${target.client.title} config`,
      status,
      detail,
      ...(fix !== undefined && { fix }),
    });
  } else results.push(await checkClaudeCode(target, deps, walk));
  results.push(await checkMcp(target, deps, walk));
  results.push(checkToken(target, deps, walk));
  results.push(await checkCallbackPort(target, deps, walk));
  return results;
}
