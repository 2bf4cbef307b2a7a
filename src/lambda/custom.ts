/**
 * The Lambda for a user's own server (`--entry`): the same adapter, HTTP rules and logging as the
 * built-in servers, around the factory the user's module exports by default.
 *
 * The contract (README, "Your own server"): `export default (ctx) => McpServer`, where `ctx` holds
 * `era`, `authInfo` (the caller's token claims, when deployed), `requestId` and `env`. The server is the v2
 * SDK's (`@modelcontextprotocol/server`) or the v1 SDK's (`@modelcontextprotocol/sdk` 1.25+, `McpServer` or
 * `Server`), which is served through a v2 server forwarding to it (./sdk-v1/serve.ts). `authInfo.token`
 * is empty unless the module exports `receiveBearerToken = true`: the raw token is a Cognito token of
 * the person, which a server that logs or forwards it would hand to whoever reads it.
 *
 * Deployed, the user's module is imported on the first request the fast path does not answer: `deploy`
 * records the SDK's answers to initialize, server/discover and tools/list from it ({@link recordManifest})
 * into `manifest.json` beside the bundle, so a cold start that sees only those loads neither the module
 * nor the SDK. A module whose answers depend on who asks is served by the SDK for every request.
 */
import { readFileSync } from 'node:fs';
import type { AuthInfo, McpServer, McpServerFactory } from '@modelcontextprotocol/server';
import { createApiGatewayHandler, createStreamingApiGatewayHandler } from './edge/api-gateway.js';
import { readConfig } from './services/config.js';
import type { Manifest } from './protocol/fast-path.js';
import { type Logger, logStartupFailure, stdoutLogger } from './services/log.js';
import { createMcpHttpHandler } from './protocol/mcp-http.js';
import { currentRequest } from './edge/request-context.js';
import type { ServedApp } from './edge/runtime.js';
import { type RequestStateCodec, requestStateCodec } from './protocol/request-state.js';
import { isV1Server } from './sdk-v1/detect.js';

/** What a user's factory receives. */
export interface ServerContext {
  readonly era: 'legacy' | 'modern';
  /**
   * The caller (client id, scopes, expiry; `extra`: `sub`, `username`, `groups`), when deployed. `token`
   * is the raw bearer token only for a module that exports `receiveBearerToken = true`; else empty.
   */
  readonly authInfo?: AuthInfo;
  readonly requestId?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Seals and checks multi-round-trip `requestState` with the deployment's key, bound to the caller and
   * the tool: `requestState: await ctx.requestState.mint(payload, handlerCtx)` in a handler, and
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

/** What the bundle's wrapper imports: the user's module. */
export type ModuleLoader = () => Promise<UserModule>;

/** The exports mcp-lambda reads from the user's module. */
export interface UserModule {
  /** The factory. */
  readonly default?: unknown;
  /** `false`: record no manifest (every request loads the module). */
  readonly manifest?: unknown;
  /** `true`: `ctx.authInfo.token` is the caller's raw bearer token (else it is empty). */
  readonly receiveBearerToken?: unknown;
}

/** Checks the module's exports and wraps its default export as the SDK's per-request factory. */
export function toFactory(module: UserModule, env: Readonly<Record<string, string | undefined>>): McpServerFactory {
  const { default: userFactory, receiveBearerToken } = module;
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
  if (receiveBearerToken !== undefined && typeof receiveBearerToken !== 'boolean') {
    throw new TypeError(
      `The entry exports receiveBearerToken as ${describe(receiveBearerToken)}: export true to get the caller's bearer token in ctx.authInfo.token, or leave it out.`,
    );
  }
  const requestState = requestStateCodec(env);
  // A v1 server is connected to a fresh link on every request: one handed out twice cannot be.
  const v1Served = new WeakSet<object>();
  return async (ctx) => {
    const scope = currentRequest.getStore();
    const requestId = scope?.requestId;
    // The SDK never gets the token (auth.ts); a module that asked for it gets it here, from the request.
    const authInfo =
      ctx.authInfo && receiveBearerToken === true ? { ...ctx.authInfo, token: scope?.bearerToken ?? '' } : ctx.authInfo;
    const server: unknown = await (userFactory as UserFactory)({
      era: ctx.era,
      env,
      requestState,
      ...(authInfo && { authInfo }),
      ...(requestId && { requestId }),
    });
    // A server of the v1 SDK (the user's copy) is served through a v2 server that forwards to it; its
    // handlers get the caller as the SDK's would (`extra.authInfo`, without the token).
    if (isV1Server(server)) {
      if (v1Served.has(server)) {
        throw new TypeError(
          "The entry's factory returns the same SDK v1 server for every request. Return a new server from every call: export default () => { const server = new McpServer(...); ...; return server; }",
        );
      }
      v1Served.add(server);
      return (await import('./sdk-v1/serve.js')).serveV1(server, ctx.authInfo, ctx);
    }
    if (typeof (server as { connect?: unknown } | null)?.connect !== 'function') {
      throw new TypeError(
        `The entry's factory returned ${describe(server)}, not an McpServer (of @modelcontextprotocol/server, or of @modelcontextprotocol/sdk 1.x).`,
      );
    }
    return server as McpServer;
  };
}

export interface LazyHandlerOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly log?: Logger;
  /** The recorded answers (deployed), 'derive' to record them on the first request (dev), or none. */
  readonly manifest?: Manifest | 'derive';
}

/**
 * Builds the handlers without importing the user's module: it is imported on the first request the
 * fast path does not answer. A module that fails to import (or exports no factory) then logs one
 * `startup` line with the reason and every request answers 500, as a failed cold start would.
 */
export function createLazyCustomApp(load: ModuleLoader, options: LazyHandlerOptions = {}): ServedApp {
  const env = options.env ?? process.env;
  const config = readConfig(env);
  const loadFactory = async (): Promise<McpServerFactory> => {
    try {
      return toFactory(await load(), env);
    } catch (error) {
      logStartupFailure(`The server's module could not be loaded: ${(error as Error).message ?? String(error)}`);
      throw error;
    }
  };
  const mcp = createMcpHttpHandler({
    loadFactory,
    log: options.log ?? stdoutLogger,
    ...config,
    ...(options.manifest !== undefined && { fast: { manifest: options.manifest } }),
  });
  return {
    config,
    handler: createApiGatewayHandler(mcp),
    streamingHandler: (start) => createStreamingApiGatewayHandler(mcp, { start }),
  };
}

/**
 * The manifest file beside the bundle, or undefined when there is none (the module's answers depend on
 * who asks) or it cannot be read (then every request goes to the SDK, which is slower, never wrong).
 */
export function readManifest(file: URL): Manifest | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const manifest = JSON.parse(text) as Manifest;
    if (typeof manifest?.legacy === 'object' && typeof manifest.modern === 'object' && Array.isArray(manifest.tools)) {
      return manifest;
    }
  } catch {
    // Reported below.
  }
  logStartupFailure('manifest.json beside the bundle is not a manifest mcp-lambda wrote; serving every request with the SDK.');
  return undefined;
}

/** A signed-in caller, to check that a module's answers do not depend on who asks. */
const SAMPLE_CALLER: AuthInfo = {
  token: '',
  clientId: 'manifest-check-client',
  scopes: ['manifest-check/scope'],
  extra: { sub: '00000000-0000-4000-8000-000000000000', groups: ['manifest-check'] },
};

export type RecordedManifest = { readonly manifest: Manifest } | { readonly skipped: string };

/**
 * Records the SDK's answers for the user's module (run by `deploy` in a fresh process, with the settings
 * the function will have). Skipped — every request then goes to the SDK — when the module exports
 * `manifest = false`, or when its answers differ for an anonymous and a signed-in caller.
 */
export async function recordManifest(
  load: ModuleLoader,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<RecordedManifest> {
  const module = await load();
  if (module.manifest === false) return { skipped: 'the module exports manifest = false' };
  const [{ createSdkLeg }, { deriveManifest }] = await Promise.all([
    import('./protocol/sdk-leg.js'),
    import('./protocol/manifest.js'),
  ]);
  const leg = createSdkLeg({ factory: toFactory(module, env), maxBodyBytes: readConfig(env).maxBodyBytes });
  try {
    const anonymous = await deriveManifest(leg);
    const signedIn = await deriveManifest(leg, SAMPLE_CALLER);
    if (JSON.stringify(anonymous) !== JSON.stringify(signedIn)) {
      return { skipped: 'its initialize or tools/list answers depend on who asks (ctx.authInfo)' };
    }
    return { manifest: anonymous };
  } catch (error) {
    return { skipped: (error as Error).message };
  }
}
/**
 * Checks the module's exports and builds one server outside any request: `mcp-lambda` calls it to catch a
 * server that throws at start.
 */
export async function checkModule(module: UserModule, env = process.env): Promise<void> {
  const { default: userFactory } = module;
  const products: unknown[] = [];
  const watched =
    typeof userFactory === 'function'
      ? {
          ...module,
          default: async (ctx: ServerContext) => {
            const product: unknown = await (userFactory as UserFactory)(ctx);
            products.push(product);
            return product;
          },
        }
      : module;
  const factory = toFactory(watched, env);
  const server = await factory({ era: 'legacy' });
  await (server as { close?: () => Promise<void> }).close?.();
  // A v1 server is connected afresh for every request: a factory that hands out one server fails on the
  // second request, so a second one is built here, where that is said before anything is deployed.
  if (isV1Server(products[0])) await (await factory({ era: 'legacy' })).close();
}
