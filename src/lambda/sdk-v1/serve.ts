/**
 * Serves a server built with `@modelcontextprotocol/sdk` 1.x (the user's own copy, never ours) through the
 * same per-request v2 factory as every other server, so both protocol eras reach it: 2026-07-28 callers
 * get 2026-07-28 answers although the v1 server speaks only up to 2025-11-25.
 *
 * Per request: the user's v1 server is connected to one end of an in-memory transport pair and a v2
 * `Client` to the other (the v2 SDK's `InMemoryTransport` has the start/send/close/onmessage/onclose/
 * onerror shape v1's `Protocol.connect` expects); the client initializes, and a v2 server forwarding to
 * it (the stdio bridge's proxy, ../bridge/proxy.ts) is what the SDK leg serves. When that server closes
 * (after the request), the client and the v1 server close with it.
 *
 * The caller's `authInfo` reaches the v1 server's handlers as `extra.authInfo`, as v1's own HTTP
 * transports pass it.
 */
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import type { AuthInfo, McpRequestContext, Server } from '@modelcontextprotocol/server';
import { VERSION } from '../../version.js';
import { proxyFactory } from '../bridge/proxy.js';
import type { V1Server } from './detect.js';

/** Lambda's longest run (15 minutes): the function's own timeout bounds a call, not the client's 60 s. */
const REQUEST_TIMEOUT_MS = 15 * 60_000;

/** A v2 server for one request, forwarding to the user's v1 server. */
export async function serveV1(product: V1Server, authInfo: AuthInfo | undefined, ctx: McpRequestContext): Promise<Server> {
  const [clientEnd, serverEnd] = InMemoryTransport.createLinkedPair();
  try {
    await product.connect(serverEnd);
  } catch (error) {
    throw new TypeError(
      `The entry's factory returned an SDK v1 server that could not be connected (${(error as Error).message}). Return a new server from every call of the factory.`,
      { cause: error },
    );
  }
  if (authInfo) {
    const deliver = serverEnd.onmessage;
    serverEnd.onmessage = (message, extra) => deliver?.(message, { ...extra, authInfo });
  }
  const client = new Client({ name: 'mcp-lambda', version: VERSION });
  let closed = false;
  const closeLink = async () => {
    if (closed) return;
    closed = true;
    await client.close().catch(() => {});
    await product.close().catch(() => {});
  };
  let server: Server;
  try {
    await client.connect(clientEnd);
    const instructions = client.getInstructions();
    const upstream = {
      client,
      capabilities: client.getServerCapabilities() ?? {},
      serverInfo: client.getServerVersion() ?? { name: 'mcp-server', version: '0.0.0' },
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      ...(instructions !== undefined && { instructions }),
    };
    // The proxy builds a low-level Server.
    server = (await proxyFactory(async () => upstream)(ctx)) as Server;
  } catch (error) {
    await closeLink();
    throw error;
  }
  // Closed by the SDK leg after the request; a server the SDK never connected is only ever closed.
  const close = server.close.bind(server);
  server.close = async () => {
    try {
      await close();
    } finally {
      await closeLink();
    }
  };
  server.onclose = () => void closeLink();
  return server;
}
