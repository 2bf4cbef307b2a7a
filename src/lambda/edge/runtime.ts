/**
 * The handler the Lambda exports: buffered, or — with `deploy --timeout` over 29 s, where API Gateway's
 * integration is in STREAM mode — a response-streaming handler (`awslambda.streamifyResponse`) whose tool
 * calls write their progress as it happens. `awslambda` is a global of Lambda's Node.js runtime; anywhere
 * else (dev, tests) the buffered handler serves.
 */
import type { ApiGatewayHandler, ResponseWriter, StreamingApiGatewayHandler, StreamingOptions } from './api-gateway.js';
import type { LambdaConfig } from '../services/config.js';

declare const awslambda:
  | {
      streamifyResponse<S>(handler: StreamingApiGatewayHandler<S>): unknown;
      HttpResponseStream: {
        from<S>(stream: S, metadata: { statusCode: number; headers: Record<string, string> }): ResponseWriter;
      };
    }
  | undefined;

/** What can serve either way. */
export interface ServedApp {
  readonly config: Pick<LambdaConfig, 'streaming'>;
  readonly handler: ApiGatewayHandler;
  streamingHandler<S>(start: StreamingOptions<S>['start']): StreamingApiGatewayHandler<S>;
}

export function lambdaHandler(app: ServedApp): unknown {
  const runtime = typeof awslambda === 'undefined' ? undefined : awslambda;
  if (!app.config.streaming || runtime === undefined) return app.handler;
  return runtime.streamifyResponse(app.streamingHandler((stream, metadata) => runtime.HttpResponseStream.from(stream, metadata)));
}
