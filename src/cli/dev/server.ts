/**
 * A local HTTP server that turns each request into an API Gateway REST proxy event and hands it to the
 * Lambda handler, so `mcp-lambda dev` exercises the same adapter and handler as the deployed function.
 * It serves `/mcp` only, like the deployed API; it does no authentication.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ApiGatewayHandler, ResponseWriter, StreamingApiGatewayHandler } from '../../lambda/edge/api-gateway.js';

/** API Gateway's own cap on a request payload (10 MB); larger bodies are refused before the handler. */
export const DEV_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface DevServerOptions {
  readonly handler: ApiGatewayHandler;
  /**
   * Serves every request through this instead, as API Gateway's STREAM integration does (`--timeout` over
   * 29 s): the body reaches the client as the handler writes it.
   */
  readonly streamingHandler?: StreamingApiGatewayHandler<ServerResponse>;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The path served. @default /mcp */
  readonly path?: string;
}

export interface DevServer {
  /** The MCP endpoint, e.g. http://127.0.0.1:8765/mcp. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

class PayloadTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > DEV_MAX_PAYLOAD_BYTES) throw new PayloadTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Builds the event API Gateway would send for this request. */
export function eventFromRequest(req: IncomingMessage, body: Buffer, url: URL): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values === undefined) continue;
    multiValueHeaders[name] = values;
    headers[name] = values[values.length - 1] ?? '';
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    multiQuery[name] = [...(multiQuery[name] ?? []), value];
  }
  const hasQuery = url.searchParams.size > 0;
  const requestId = randomUUID();
  return {
    httpMethod: req.method ?? 'GET',
    path: url.pathname,
    resource: url.pathname,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: null,
    stageVariables: null,
    body: body.length === 0 ? null : body.toString('base64'),
    isBase64Encoded: body.length > 0,
    requestContext: {
      requestId,
      stage: 'dev',
      httpMethod: req.method ?? 'GET',
      path: url.pathname,
      resourcePath: url.pathname,
      resourceId: 'dev',
      accountId: 'local',
      apiId: 'local',
      protocol: `HTTP/${req.httpVersion}`,
      requestTimeEpoch: Date.now(),
      authorizer: null,
      identity: { sourceIp: req.socket.remoteAddress ?? '' } as APIGatewayProxyEvent['requestContext']['identity'],
    },
  };
}

function sendJson(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

/** Lambda's `HttpResponseStream.from` for a Node response: the status and headers, then the body as written. */
export function startNodeResponse(
  res: ServerResponse,
  metadata: { statusCode: number; headers: Record<string, string> },
): ResponseWriter {
  res.writeHead(metadata.statusCode, metadata.headers);
  // Each write leaves at once (no Nagle delay), as a progress event should.
  res.socket?.setNoDelay(true);
  return { write: (chunk) => res.write(chunk), end: () => res.end() };
}

/** Starts the server; rejects with the listen error (EADDRINUSE, EACCES, …) when it cannot bind. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const path = options.path ?? '/mcp';
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== path) {
        sendJson(res, 404, `Not found: the MCP endpoint is ${path}`);
        return;
      }
      const body = await readBody(req);
      if (options.streamingHandler) {
        await options.streamingHandler(eventFromRequest(req, body, url), res);
        return;
      }
      const result = await options.handler(eventFromRequest(req, body, url));
      const headers: Record<string, string | string[]> = { ...result.headers } as Record<string, string>;
      for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) headers[name] = values.map(String);
      res.writeHead(result.statusCode, headers);
      res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
    } catch (error) {
      if (error instanceof PayloadTooLarge) sendJson(res, 413, `Payload Too Large: over ${DEV_MAX_PAYLOAD_BYTES} bytes`);
      else if (!res.headersSent) sendJson(res, 500, 'Internal error in the dev server');
      else res.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  // Listening on every address (0.0.0.0, ::): the URL to use from this machine is the loopback one.
  const urlHost = options.host === '0.0.0.0' ? '127.0.0.1' : options.host === '::' ? '::1' : options.host;
  const hostForUrl = urlHost.includes(':') ? `[${urlHost}]` : urlHost;
  return {
    url: `http://${hostForUrl}:${port}${path}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
