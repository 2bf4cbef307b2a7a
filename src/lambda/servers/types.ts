import type { McpServerFactory } from '@modelcontextprotocol/server';

/** One server the Lambda can serve: a module under `src/lambda/servers/<name>/`. */
export interface ServerModule {
  /** Registry key, also the default scope suffix (`mcp-<name>/<name>`). */
  readonly name: string;
  readonly description: string;
  /** Reads what it needs from the environment (once, at cold start) and returns the per-request factory. */
  createFactory(env: Readonly<Record<string, string | undefined>>): McpServerFactory;
}
