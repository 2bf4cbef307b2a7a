import type { McpServerFactory } from '@modelcontextprotocol/server';
import type { Clock } from '../services/clock.js';
import type { FastTool } from '../protocol/fast-path.js';

/** What a server may use besides its environment. */
export interface ServerDeps {
  /** Time for anything that waits (tests run a 60 s tool in a fraction of a second). */
  readonly clock: Clock;
  /** How long a request may take in this deployment (`deploy --timeout`). */
  readonly timeoutSeconds: number;
}

/** One server the Lambda can serve: a module under `src/lambda/servers/<name>/`. */
export interface ServerModule {
  /** Registry key, also the default scope suffix (`mcp-<name>/<name>`). */
  readonly name: string;
  readonly description: string;
  /**
   * Reads what it needs from the environment (once, at cold start; a bad value throws a ConfigError)
   * without loading the MCP SDK, and says how to serve.
   */
  configure(env: Readonly<Record<string, string | undefined>>, deps: ServerDeps): ServerSetup;
  /**
   * Settings under which the server lists something else (a tool only some deployments have): the build
   * records a manifest for each, under the {@link ServerSetup.manifestKey} that configuration returns, so
   * those deployments answer from the fast path too. @default one manifest, recorded with no settings
   */
  readonly listVariants?: readonly Readonly<Record<string, string>>[];
}

export interface ServerSetup {
  /** Imports the server's SDK definition: called on the first request the fast path does not answer. */
  loadFactory(): Promise<McpServerFactory>;
  /** Tools with a plain implementation the fast path may call (see `FastTool`). */
  readonly fastTools?: Readonly<Record<string, FastTool>>;
  /** The recorded manifest that answers for this configuration (see {@link ServerModule.listVariants}). @default the server's name */
  readonly manifestKey?: string;
}
