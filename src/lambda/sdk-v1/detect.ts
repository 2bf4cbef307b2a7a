/**
 * Whether what a user's factory returned is a server from `@modelcontextprotocol/sdk` 1.x: its `McpServer`
 * or its low-level `Server`. Told by shape, since the user's copy of the v1 SDK is not ours to import.
 *
 * Only a positive match counts: a server from the v2 SDK (`@modelcontextprotocol/server`) is never taken
 * for v1, so v2 modules are served exactly as before. What tells them apart, checked against v1 1.32.2
 * and v2 2.4.0: v2's `McpServer` has no `tool()` (v1's deprecated shorthand), and v2's `Server` has
 * `getNegotiatedProtocolVersion()`, which v1's `Server` has not.
 */

/** The part of a v1 `Server` (and of the `McpServer` around it) that mcp-lambda uses: its transport side. */
export interface V1Server {
  connect(transport: unknown): Promise<void>;
  close(): Promise<void>;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const hasFunctions = (value: Record<string, unknown>, names: readonly string[]): boolean =>
  names.every((name) => typeof value[name] === 'function');

/** A low-level `Server` of the v1 SDK. */
export function isV1LowLevelServer(value: unknown): value is V1Server {
  return (
    isObject(value) &&
    hasFunctions(value, ['connect', 'close', 'setRequestHandler', 'setNotificationHandler', 'getClientCapabilities']) &&
    typeof value.getNegotiatedProtocolVersion !== 'function'
  );
}

/** An `McpServer` of the v1 SDK (its `.server` is a v1 `Server`). */
export function isV1McpServer(value: unknown): value is V1Server {
  return isObject(value) && hasFunctions(value, ['connect', 'close', 'tool', 'registerTool']) && isV1LowLevelServer(value.server);
}

/** A server of the v1 SDK, high- or low-level. */
export function isV1Server(value: unknown): value is V1Server {
  return isV1McpServer(value) || isV1LowLevelServer(value);
}
