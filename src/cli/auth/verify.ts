/**
 * Proves a token works end to end: the official MCP client calls the deployed /mcp (initialize,
 * tools/list). When it does not, says which link failed: HTTP status, the WWW-Authenticate challenge,
 * the scope in the token.
 */
import { RemoteError } from '../terminal/errors.js';
import { jwtClaims } from './jwt.js';

export interface VerifyResult {
  readonly tools: readonly { readonly name: string; readonly description?: string }[];
  readonly serverName?: string;
}

function scopesOf(token: string): string[] {
  const scope = jwtClaims(token)?.scope;
  return typeof scope === 'string' ? scope.split(/\s+/).filter(Boolean) : [];
}

/**
 * A plain JSON-RPC ping (2025-11-25), so a refusal can be explained from its status and headers; the body
 * is dropped. Throws when the endpoint cannot be reached.
 */
export async function ping(
  fetchImpl: typeof fetch,
  url: string | URL,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<Response> {
  const response = await fetchImpl(url, {
    method: 'POST',
    headers: {
      ...headers,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'ping' }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.body?.cancel();
  return response;
}

/** Calls initialize and tools/list on `url` with the bearer token. */
export async function verifyEndpoint(
  url: string,
  accessToken: string,
  expectedScope: string,
  fetchImpl: typeof fetch = fetch,
): Promise<VerifyResult> {
  const headers = { Authorization: `Bearer ${accessToken}` };
  // A plain first request, so a refusal can be explained from its status and headers.
  let response: Response;
  try {
    response = await ping(fetchImpl, url, headers, 30_000);
  } catch (error) {
    throw new RemoteError(`Could not reach the MCP endpoint ${url}: ${(error as Error).message}`, {
      hint: 'Check the network, and that the stack is deployed (mcp-lambda status).',
      cause: error,
    });
  }
  if (response.status === 401 || response.status === 403) {
    const challenge = response.headers.get('www-authenticate') ?? 'none';
    const scopes = scopesOf(accessToken);
    const why = scopes.includes(expectedScope)
      ? 'the token carries the MCP scope, so API Gateway rejected the token itself (expired, or from another user pool?)'
      : `the token lacks the scope ${expectedScope} (it has: ${scopes.join(' ') || 'none'}); the stack's pre-token-generation trigger should add it to password sign-ins`;
    throw new RemoteError(`The MCP endpoint refused the token with HTTP ${response.status}: ${why}.`, {
      hint: `WWW-Authenticate: ${challenge}. Redeploy (mcp-lambda deploy) if the trigger is missing, then run mcp-lambda login again.`,
    });
  }
  if (!response.ok) {
    throw new RemoteError(`The MCP endpoint answered HTTP ${response.status} to a ping.`, {
      hint: 'See the function logs in CloudWatch, or run mcp-lambda status.',
    });
  }

  const { Client, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
  const client = new Client({ name: 'mcp-lambda-login', version: '1' }, { versionNegotiation: { mode: 'auto' } });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers }, fetch: fetchImpl }));
    const { tools } = await client.listTools();
    const serverName = client.getServerVersion()?.name;
    return {
      tools: tools.map((tool) => ({ name: tool.name, ...(tool.description && { description: tool.description }) })),
      ...(serverName && { serverName }),
    };
  } catch (error) {
    throw new RemoteError(`The MCP endpoint accepted the token but the MCP exchange failed: ${(error as Error).message}`, {
      hint: 'See the function logs in CloudWatch (mcp-lambda status shows the stack).',
      cause: error,
    });
  } finally {
    await client.close().catch(() => {});
  }
}
