/**
 * The MCP clients a deployment is ready for, and the OAuth redirect URIs each really uses. Cognito matches
 * a redirect URI exactly (scheme, host, port and path), accepts plain http only for `localhost`, and
 * accepts an app's own scheme (`cursor://…`): a client connects on its first try only when its URIs are
 * registered on the interactive app client. `deploy --clients` picks them; the CLI's config writers
 * (src/cli/clients) say where each client's config lives.
 *
 * Third-party websites. A redirect URI on a website (`https://vscode.dev/redirect`,
 * `https://www.cursor.com/agents/…`, `https://claude.ai/api/mcp/auth_callback`) lets that site receive
 * sign-in codes for our public client: anyone can start a sign-in with our client id and that redirect URI
 * (with a PKCE verifier of their own), and whoever signs in sends the site a code it can exchange. Those
 * sites are the clients' own and run the exchange for their user, but a person lured into signing in
 * through someone else's connector hands that someone a token. So such clients are registered only when
 * `--clients` names them; the default is the clients whose URIs stay on the user's machine (`localhost`,
 * an app's own scheme).
 *
 * Where each URI comes from, and when it was read (a client may change it in any release):
 */
import { createHash } from 'node:crypto';
import { DEFAULT_CALLBACK_PORT, invalid } from './names.js';

/** The port Codex's OAuth callback listens on, set by write-config (`mcp_oauth_callback_port`). */
export const CODEX_CALLBACK_PORT = 31928;

/**
 * Codex appends a callback id to its callback URL: base64url of the first 9 bytes of SHA-256 of the
 * server URL (openai/codex#20237; seen with Codex CLI 0.169.0, test/e2e/codex.test.ts).
 */
export function codexCallbackId(mcpUrl: string): string {
  return createHash('sha256').update(mcpUrl).digest().subarray(0, 9).toString('base64url');
}

export interface ClientInfo {
  readonly id: string;
  readonly title: string;
  /**
   * The redirect URIs it sends to the authorization endpoint. `mcpUrl` is the server's URL when known
   * (a stack already deployed); a client whose URI depends on it has none before.
   */
  readonly redirectUris: (callbackPort: number, mcpUrl?: string) => readonly string[];
}

export const CLIENTS: readonly ClientInfo[] = [
  // Source: the entry write-config writes pins oauth.callbackPort; seen with Claude Code 2.1.328 (test/e2e), 2026-11-25.
  {
    id: 'claude-code',
    title: 'Claude Code',
    redirectUris: (port) => [`http://localhost:${port}/callback`],
  },
  // Source: microsoft/vscode#278512 (the URIs VS Code registers), read 2026-11-25.
  // VS Code first tries http://127.0.0.1:33418/, which Cognito cannot register (plain http is for localhost only); it then uses https://vscode.dev/redirect.
  {
    id: 'vscode',
    title: 'VS Code',
    redirectUris: () => ['https://vscode.dev/redirect', 'https://insiders.vscode.dev/redirect'],
  },
  // Source: cursor.com/docs/mcp as quoted by Echsecutor/idealo-proxy (desktop now, desktop before, web agents), read 2026-11-25.
  {
    id: 'cursor',
    title: 'Cursor',
    redirectUris: () => [
      'http://localhost:8787/callback',
      'cursor://anysphere.cursor-mcp/oauth/callback',
      'https://www.cursor.com/agents/mcp/oauth/callback',
    ],
  },
  // Source: Gemini CLI MCP docs (OAuth redirect on port 7777 by default), read 2026-11-25.
  {
    id: 'gemini',
    title: 'Gemini CLI',
    redirectUris: () => ['http://localhost:7777/oauth/callback'],
  },
  // Source: openai/codex#20237 and #30460; seen with Codex CLI 0.169.0 (codex mcp login), 2026-11-25.
  // Its redirect URI holds a hash of the server URL, known only after the first deploy: a second deploy registers it.
  {
    id: 'codex',
    title: 'Codex',
    redirectUris: (_port, mcpUrl) =>
      mcpUrl === undefined ? [] : [`http://localhost:${CODEX_CALLBACK_PORT}/callback/${codexCallbackId(mcpUrl)}`],
  },
  // Source: Anthropic's custom connector documentation, read 2026-11-25.
  // Connectors reach the server from Anthropic’s cloud: it must be reachable from the public internet (a deployed stack is).
  {
    id: 'claude-desktop',
    title: 'Claude Desktop and claude.ai',
    redirectUris: () => ['https://claude.ai/api/mcp/auth_callback', 'https://claude.com/api/mcp/auth_callback'],
  },
];

/** Whether a redirect URI is on a website (a third party's), not on the user's machine. */
export function isThirdPartyWeb(uri: string): boolean {
  return uri.startsWith('https://');
}

/**
 * Registered when `--clients` is not given: the clients whose redirect URIs all stay on the user's machine
 * (Claude Code, Gemini CLI). VS Code, Cursor and Claude register a website's URI (see above), and Codex's
 * setup changes the user's Codex config for every server (`mcp_oauth_callback_url`) and rests on an
 * implementation detail of Codex: each is registered only when asked for by name.
 */
export const DEFAULT_CLIENTS: readonly string[] = CLIENTS.filter(
  (client) => client.id !== 'codex' && !client.redirectUris(DEFAULT_CALLBACK_PORT).some(isThirdPartyWeb),
).map((client) => client.id);

/** The redirect URIs on third-party websites these clients register. */
export function thirdPartyRedirectUris(ids: readonly string[], callbackPort: number): string[] {
  return clientRedirectUris(ids, callbackPort).filter(isThirdPartyWeb);
}

/** Cognito's limits on an app client's callback URLs. */
export const MAX_CALLBACK_URLS = 100;
export const MAX_CALLBACK_URL_LENGTH = 1024;

export function clientInfo(id: string): ClientInfo | undefined {
  return CLIENTS.find((client) => client.id === id);
}

/** Checks client ids, in the order given, without repeats; claude-code is always among them (the CLI's own). */
export function checkClients(ids: readonly string[]): string[] {
  for (const id of ids) {
    if (!clientInfo(id)) invalid('client', id, `use one or more of ${CLIENTS.map((c) => c.id).join(', ')}.`);
  }
  return [...new Set(['claude-code', ...ids])];
}

/** The redirect URIs of these clients, for each server URL known (Codex's differ by server). */
export function clientRedirectUris(ids: readonly string[], callbackPort: number, mcpUrls: readonly string[] = []): string[] {
  const urls = mcpUrls.length > 0 ? mcpUrls : [undefined];
  return [...new Set(ids.flatMap((id) => urls.flatMap((url) => clientInfo(id)?.redirectUris(callbackPort, url) ?? [])))];
}

/** The clients among these whose redirect URIs can be registered now (Codex's needs the server URL). */
export function registrableClients(ids: readonly string[], callbackPort: number, mcpUrls: readonly string[] = []): string[] {
  return ids.filter((id) => clientRedirectUris([id], callbackPort, mcpUrls).length > 0);
}

/**
 * The clients a deployed stack registered, from its `Clients` output; a stack deployed before the output
 * existed registered Claude Code's URI only.
 */
export function registeredClients(outputs: Readonly<Record<string, string | undefined>>): string[] {
  const list = outputs.Clients?.split(',').filter(Boolean);
  return list && list.length > 0 ? list : ['claude-code'];
}
