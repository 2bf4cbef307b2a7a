/**
 * A local stand-in for the Dog API on 127.0.0.1 that can answer well, slowly, wrongly or not at all.
 * Each test starts its own and closes it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type DogApiBehaviour =
  | { readonly kind: 'ok' }
  | { readonly kind: 'slow'; readonly delayMs: number }
  | { readonly kind: 'status'; readonly status: number }
  /** Fails with `status` on the first `times` requests, then answers well. */
  | { readonly kind: 'flaky'; readonly status: number; readonly times: number }
  | { readonly kind: 'body'; readonly body: string; readonly contentType?: string }
  | { readonly kind: 'few'; readonly count: number }
  /** Drops the connection without answering. */
  | { readonly kind: 'hangup' }
  /** Sends the headers and half a body, then nothing more (the connection stays open). */
  | { readonly kind: 'stall' }
  /** Sends the headers and half a body, then drops the connection. */
  | { readonly kind: 'cut' };

export interface FakeDogApi {
  readonly baseUrl: string;
  /** Requests received, as path + query. */
  readonly requests: string[];
  behave(behaviour: DogApiBehaviour): void;
  close(): Promise<void>;
}

export function factsBody(count: number, offset = 0): string {
  return JSON.stringify({
    data: Array.from({ length: count }, (_, i) => ({
      id: `id-${offset + i}`,
      type: 'fact',
      attributes: { body: `Dog fact number ${offset + i + 1}.` },
    })),
    links: { self: 'https://dogapi.dog/api/v2/facts' },
  });
}

export async function startFakeDogApi(initial: DogApiBehaviour = { kind: 'ok' }): Promise<FakeDogApi> {
  let behaviour = initial;
  let served = 0;
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    served += 1;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/api/v2/facts') {
      res.writeHead(404).end('not found');
      return;
    }
    const limit = Number(url.searchParams.get('limit') ?? '1');
    const ok = () => res.writeHead(200, { 'content-type': 'application/json' }).end(factsBody(limit));
    switch (behaviour.kind) {
      case 'ok':
        return ok();
      case 'slow': {
        const timer = setTimeout(ok, behaviour.delayMs);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      case 'status':
        return res.writeHead(behaviour.status, { 'content-type': 'text/plain' }).end('failure');
      case 'flaky':
        return served <= behaviour.times ? res.writeHead(behaviour.status).end('failure') : ok();
      case 'body':
        return res.writeHead(200, { 'content-type': behaviour.contentType ?? 'application/json' }).end(behaviour.body);
      case 'few':
        return res.writeHead(200, { 'content-type': 'application/json' }).end(factsBody(behaviour.count));
      case 'hangup':
        return req.socket.destroy();
      case 'stall':
      case 'cut': {
        const body = factsBody(limit);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
        res.write(body.slice(0, body.length >> 1));
        if (behaviour.kind === 'cut') setTimeout(() => req.socket.destroy(), 10);
        return;
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    behave(next) {
      behaviour = next;
      served = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A loopback URL where nothing listens (connection refused). */
export async function refusedBaseUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
