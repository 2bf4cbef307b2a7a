/**
 * The registry of servers built into the Lambda bundle. Adding a server: create
 * `servers/<name>/index.ts` exporting a {@link ServerModule} and list it here.
 */
import { ConfigError } from '../services/config.js';
import { dogFacts } from './dog-facts/index.js';
import type { ServerModule } from './types.js';

export type { ServerModule } from './types.js';

export const SERVERS: Readonly<Record<string, ServerModule>> = {
  [dogFacts.name]: dogFacts,
};

/** Looks a server up by name; the error lists the ones that exist. */
export function findServer(name: string): ServerModule {
  const server = Object.hasOwn(SERVERS, name) ? SERVERS[name] : undefined;
  if (server === undefined) {
    throw new ConfigError(
      `Unknown MCP server ${JSON.stringify(name)} in MCP_SERVER. Built-in servers: ${Object.keys(SERVERS).join(', ')}.`,
    );
  }
  return server;
}
