/**
 * How long an MCP client should wait for a tool call on a deployment whose requests may take `seconds`
 * (`deploy --timeout`): that, plus ten seconds for the network and a cold start. Written into the client
 * configs that have a setting for it (Claude Code's `timeout`, Codex's `tool_timeout_sec`, Gemini's
 * `timeout`) when the deployment streams.
 */
export function clientTimeoutMs(seconds: number): number {
  return (seconds + 10) * 1000;
}
