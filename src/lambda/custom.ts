/**
 * The Lambda for a user's own server (`--entry`): the same adapter, HTTP rules and logging as the
 * built-in servers, around the factory the user's module exports by default.
 *
 * The contract (README, "Your own server"): `export default (ctx) => McpServer`, where `ctx` holds
 * `era`, `authInfo` (the caller's token claims, when deployed), `requestId` and `env`.
 */
import type { AuthInfo, McpServer, McpServerFactory } from '@modelcontextprotocol/server';
import { type ApiGatewayHandler, createApiGatewayHandler } from './api-gateway.js';
import { readConfig } from './config.js';
import { type Logger, stdoutLogger } from './log.js';
import { createMcpHttpHandler } from './mcp-http.js';
import { currentRequest } from './request-context.js';
import { type RequestStateCodec, requestStateCodec } from './request-state.js';

/** What a user's factory receives. */
export interface ServerContext {
  readonly era: 'legacy' | 'modern';
  readonly authInfo?: AuthInfo;
  readonly requestId?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Seals and checks multi-round-trip `requestState` with the deployment's key, bound to the caller:
   * `requestState: await ctx.requestState.mint(payload, handlerCtx)` in a handler, and
   * `new McpServer(info, { requestState: { verify: ctx.requestState.verify } })`.
   */
  readonly requestState: RequestStateCodec;
}

export type UserFactory = (ctx: ServerContext) => McpServer | Promise<McpServer>;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object (${Object.keys(value).slice(0, 5).join(', ') || 'no keys'})`;
  return typeof value;
}

/** Checks the default export and wraps it as the SDK's per-request factory. */
export function toFactory(userFactory: unknown, env: Readonly<Record<string, string | undefined>>): McpServerFactory {
  if (userFactory === undefined) {
    throw new TypeError(
      'The entry has no default export. Export a function that returns an McpServer: export default () => new McpServer(...)',
    );
  }
  if (typeof userFactory !== 'function') {
    throw new TypeError(
      `The entry's default export is ${describe(userFactory)}, not a function. Export a function that returns an McpServer: export default () => new McpServer(...)`,
    );
  }
  const requestState = requestStateCodec(env);
  return async (ctx) => {
    const requestId = currentRequest.getStore()?.requestId;
    const server = await (userFactory as UserFactory)({
      era: ctx.era,
      env,
      requestState,
      ...(ctx.authInfo && { authInfo: ctx.authInfo }),
      ...(requestId && { requestId }),
    });
    if (typeof (server as { connect?: unknown })?.connect !== 'function') {
      throw new TypeError(`The entry's factory returned ${describe(server)}, not an McpServer.`);
    }
    return server;
  };
}

/** Builds the handler; a bad export fails the cold start with the reason. */
export function createCustomHandler(userFactory: unknown, env = process.env, log: Logger = stdoutLogger): ApiGatewayHandler {
  const config = readConfig(env);
  return createApiGatewayHandler(createMcpHttpHandler({ factory: toFactory(userFactory, env), log, ...config }));
}

/** Builds one server outside any request: `mcp-lambda` calls it to catch a server that throws at start. */
export async function checkFactory(userFactory: unknown, env = process.env): Promise<void> {
  const factory = toFactory(userFactory, env);
  const server = await factory({ era: 'legacy' });
  await (server as { close?: () => Promise<void> }).close?.();
}
