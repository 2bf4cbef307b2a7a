/**
 * Records a server's {@link Manifest}: the MCP SDK's own answers to the requests the fast path serves.
 * `scripts/build-lambda.mjs` runs it when bundling and embeds the result; `mcp-lambda dev` and the tests
 * run it on the first request, so they exercise the same fast path as the deployed function.
 */
import type { AuthInfo } from '@modelcontextprotocol/server';
import { type Manifest, LEGACY_VERSIONS, MODERN_VERSION } from './fast-path.js';
import { HeaderMap, type HttpRequest } from '../edge/http.js';
import type { SdkLeg } from './sdk-leg.js';

const CLIENT_INFO = { name: 'mcp-lambda-manifest', version: '1.0.0' };

function request(body: unknown, headers: Record<string, string>): HttpRequest {
  return {
    method: 'POST',
    url: 'https://manifest.invalid/mcp',
    headers: new HeaderMap(
      Object.entries({ 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }),
    ),
    body: JSON.stringify(body),
  };
}

/** Sends one request through the SDK; the `result` of a 200 JSON answer, else an error naming the method. */
async function resultOf(
  leg: SdkLeg,
  body: { readonly method: string; readonly [key: string]: unknown },
  headers: Record<string, string>,
  caller: AuthInfo | undefined,
): Promise<unknown> {
  const { response } = await leg.serve(request(body, headers), body, caller);
  const message =
    response.status === 200 && response.body.startsWith('{') ? (JSON.parse(response.body) as { result?: unknown }) : {};
  if (message.result === undefined) {
    throw new Error(
      `The server's ${body.method} answer could not be recorded (HTTP ${response.status}): ${response.body.slice(0, 200)}`,
    );
  }
  return message.result;
}

/**
 * Asks the SDK, through the same leg that serves requests, everything the fast path may answer (as an
 * anonymous caller, or as `caller`).
 */
export async function deriveManifest(leg: SdkLeg, caller?: AuthInfo): Promise<Manifest> {
  const initialize: Record<string, unknown> = {};
  const toolsList: Record<string, unknown> = {};
  for (const version of LEGACY_VERSIONS) {
    const result = (await resultOf(
      leg,
      {
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: version, capabilities: {}, clientInfo: CLIENT_INFO },
      },
      {},
      caller,
    )) as { protocolVersion?: unknown; capabilities?: { tools?: unknown } };
    // A version the server does not agree to is left to the SDK, which answers with the one it picks.
    if (result.protocolVersion !== version) continue;
    initialize[version] = result;
    if (result.capabilities?.tools !== undefined) {
      toolsList[version] = await resultOf(
        leg,
        { jsonrpc: '2.0', id: 0, method: 'tools/list' },
        { 'mcp-protocol-version': version },
        caller,
      );
    }
  }
  const envelope = {
    'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
    'io.modelcontextprotocol/clientInfo': CLIENT_INFO,
    'io.modelcontextprotocol/clientCapabilities': {},
  };
  const modern = (method: string) =>
    resultOf(
      leg,
      { jsonrpc: '2.0', id: 0, method, params: { _meta: envelope } },
      { 'mcp-protocol-version': MODERN_VERSION, 'mcp-method': method },
      caller,
    );
  const discover = (await modern('server/discover')) as { capabilities?: { tools?: unknown }; _meta?: unknown };
  const modernTools = discover.capabilities?.tools === undefined ? { tools: [] } : await modern('tools/list');
  const tools = ((modernTools as { tools?: Array<{ name?: unknown }> }).tools ?? []).flatMap((tool) =>
    typeof tool.name === 'string' ? [tool.name] : [],
  );
  return {
    legacy: { initialize, toolsList },
    modern: {
      discover,
      // A server without tools answers tools/list with an error: left to the SDK.
      toolsList: discover.capabilities?.tools === undefined ? undefined : modernTools,
      resultMeta: discover._meta,
    },
    tools,
  };
}
