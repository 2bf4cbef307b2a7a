/**
 * Composes the Lambda from its configuration: the server from the registry, the HTTP rules, the API
 * Gateway adapter. The Lambda entry and `mcp-lambda dev` both call this, so they serve the same thing.
 */
import {
  type ApiGatewayHandler,
  createApiGatewayHandler,
  createStreamingApiGatewayHandler,
  type StreamingApiGatewayHandler,
  type StreamingOptions,
} from './edge/api-gateway.js';
import { type Clock, realClock } from './services/clock.js';
import { type LambdaConfig, readConfig } from './services/config.js';
import type { Manifest } from './protocol/fast-path.js';
import type { Logger } from './services/log.js';
import { createMcpHttpHandler, type McpHttpHandler } from './protocol/mcp-http.js';
import { findServer } from './servers/index.js';

export interface LambdaApp {
  readonly config: LambdaConfig;
  readonly mcp: McpHttpHandler;
  /** The buffered handler (API Gateway's default proxy integration). */
  readonly handler: ApiGatewayHandler;
  /** The streaming handler (the STREAM proxy integration of `deploy --timeout` over 29 s). */
  streamingHandler<S>(start: StreamingOptions<S>['start']): StreamingApiGatewayHandler<S>;
}

export interface LambdaAppOptions {
  /** The SDK's recorded answers per built-in server (the bundle embeds them); a server not here has them
   * recorded on its first request. */
  readonly manifests?: Readonly<Record<string, Manifest>>;
  /** false sends every request to the SDK (the fast path's tests compare against this). @default true */
  readonly fast?: boolean;
  /** Time for long tools and keep-alives. @default the real clock */
  readonly clock?: Clock;
}

/** Builds the handler from environment variables (see README, "Lambda configuration"). */
export function createLambdaApp(
  env: Readonly<Record<string, string | undefined>>,
  log: Logger,
  options: LambdaAppOptions = {},
): LambdaApp {
  const config = readConfig(env);
  const clock = options.clock ?? realClock;
  const {
    loadFactory,
    fastTools,
    manifestKey = config.serverName,
  } = findServer(config.serverName).configure(env, {
    clock,
    timeoutSeconds: config.timeoutSeconds,
  });
  const manifests = options.manifests ?? {};
  const manifest = Object.hasOwn(manifests, manifestKey) ? manifests[manifestKey] : undefined;
  const mcp = createMcpHttpHandler({
    loadFactory,
    log,
    ...config,
    ...(options.fast !== false && { fast: { manifest: manifest ?? 'derive', ...(fastTools && { tools: fastTools }) } }),
  });
  return {
    config,
    mcp,
    handler: createApiGatewayHandler(mcp),
    streamingHandler: (start) => createStreamingApiGatewayHandler(mcp, { start, clock }),
  };
}
