/**
 * How long an MCP client should wait for a tool call on a streaming deployment (`deploy --timeout` over
 * 29 s): the deployment's limit plus ten seconds for the network and a cold start — no sooner (the tool
 * may still be working) and no later (the server has stopped by then). Written into the configs that have
 * a setting for it, read from the client binaries (2026-11-25): Claude Code 2.1.328's per-server `timeout`
 * (ms; default 1e8, and it also raises its 60 s wait for the first byte), Gemini CLI 0.61.0's `timeout`
 * (ms; default 10 minutes), Codex 0.169.0's `tool_timeout_sec` (s; default 60). VS Code and Cursor have
 * none.
 */
import { BUFFERED_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS, MIN_TIMEOUT_SECONDS } from '../../lambda/services/config.js';
import type { StackOutputs } from '../deployed/resolve.js';

/** A deployed stack's `Timeout` output, or undefined for a stack from before it (or a value not ours). */
export function deployedTimeoutOf(outputs: Readonly<Record<string, string>> | undefined): number | undefined {
  const value = outputs?.Timeout;
  if (value === undefined || !/^\d{1,3}$/.test(value)) return undefined;
  const seconds = Number(value);
  return seconds >= MIN_TIMEOUT_SECONDS && seconds <= MAX_TIMEOUT_SECONDS ? seconds : undefined;
}

/** The client's wait in seconds for a deployment that may take `seconds`, or undefined when it does not stream. */
export function clientTimeoutSeconds(seconds: number | undefined): number | undefined {
  return seconds !== undefined && seconds > BUFFERED_TIMEOUT_SECONDS ? seconds + 10 : undefined;
}

/** {@link clientTimeoutSeconds} for a deployed stack (its `Timeout` output). */
export function stackClientTimeoutSeconds(stack: Pick<StackOutputs, 'raw'>): number | undefined {
  return clientTimeoutSeconds(deployedTimeoutOf(stack.raw));
}
