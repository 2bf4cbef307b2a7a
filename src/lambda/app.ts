/**
 * Composes the Lambda from its configuration: the server from the registry, the HTTP rules, the API
 * Gateway adapter. The Lambda entry and `mcp-lambda dev` both call this, so they serve the same thing.
 */
import { type ApiGatewayHandler, createApiGatewayHandler } from './api-gateway.js';
import { readConfig } from './config.js';
import type { Logger } from './log.js';
import { createMcpHttpHandler, type McpHttpHandler } from './mcp-http.js';
import { findServer } from './servers/index.js';

export interface LambdaApp {
  readonly mcp: McpHttpHandler;
  readonly handler: ApiGatewayHandler;
}

/** Builds the handler from environment variables (see README, "Lambda configuration"). */
export function createLambdaApp(env: Readonly<Record<string, string | undefined>>, log: Logger): LambdaApp {
  const config = readConfig(env);
  const factory = findServer(config.serverName).createFactory(env);
  const mcp = createMcpHttpHandler({ factory, log, ...config });
  return { mcp, handler: createApiGatewayHandler(mcp) };
}
