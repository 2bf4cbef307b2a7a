/**
 * The bundles' Web classes (src/lambda/edge/web-lite.ts) read as Node's own do, for what the SDK uses of
 * them: each case is run against both and the results compared.
 */
import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { webLitePlugin } from '../../../src/cli/entry/web-lite-plugin.js';
import {
  Headers as LiteHeaders,
  Request as LiteRequest,
  Response as LiteResponse,
  streamIdLite,
} from '../../../src/lambda/edge/web-lite.js';

const both = [
  ['node', { Headers, Request, Response }],
  ['lite', { Headers: LiteHeaders, Request: LiteRequest, Response: LiteResponse }],
] as const;

/** Runs `read` with both sets of classes and expects the same result. */
async function same(read: (classes: (typeof both)[number][1]) => unknown): Promise<void> {
  const [node, lite] = await Promise.all(both.map(async ([, classes]) => read(classes as never)));
  expect(lite).toEqual(node);
}

describe('web-lite Headers', () => {
  it('reads names case-insensitively, trims values, joins repeats, iterates sorted', async () => {
    await same(({ Headers: H }) => {
      const headers = new H([
        ['Accept', ' application/json '],
        ['X-B', '1'],
        ['x-b', '2'],
      ]);
      headers.set('Content-Type', 'text/plain');
      headers.append('accept', 'text/event-stream');
      headers.delete('x-missing');
      const seen: string[] = [];
      headers.forEach((value, name) => seen.push(`${name}=${value}`));
      return { accept: headers.get('ACCEPT'), has: headers.has('x-b'), none: headers.get('nope'), all: [...headers], seen };
    });
  });

  it('takes a record and another Headers', async () => {
    await same(({ Headers: H }) => [...new H(new H({ 'Mcp-Session-Id': 'a', Accept: 'b' }))]);
  });

  it('refuses an invalid name or value', () => {
    for (const [name, { Headers: H }] of both) {
      expect(() => new H([['bad name', 'x']]), name).toThrow(TypeError);
      expect(() => new H([['x', 'a\nb']]), name).toThrow(TypeError);
    }
  });
});

describe('web-lite Request', () => {
  it('gives the url, method, headers and body as text, json and stream', async () => {
    await same(async ({ Request: R }) => {
      const make = () =>
        new R('https://example.com/prod/mcp', {
          method: 'post',
          headers: [['content-type', 'application/json']],
          body: '{"a":1}',
        });
      const stream = make().body as ReadableStream<Uint8Array>;
      const chunks: number[] = [];
      for await (const chunk of stream) chunks.push(...chunk);
      const request = make();
      const clone = request.clone();
      return {
        url: request.url,
        method: request.method,
        type: request.headers.get('content-type'),
        json: await request.json(),
        clone: await clone.text(),
        used: request.bodyUsed,
        bytes: new TextDecoder().decode(new Uint8Array(chunks)),
        aborted: request.signal.aborted,
      };
    });
  });

  it('refuses a body on GET and a second read', async () => {
    for (const [name, { Request: R }] of both) {
      expect(() => new R('https://x/', { method: 'GET', body: 'x' }), name).toThrow(TypeError);
      const request = new R('https://x/', { method: 'POST', body: 'x' });
      await request.text();
      await expect(request.text(), name).rejects.toThrow(TypeError);
    }
  });
});

describe('web-lite Response', () => {
  it('Response.json, a string body, an empty body and a stream body read alike', async () => {
    await same(async ({ Response: R }) => {
      const json = R.json({ jsonrpc: '2.0', id: 1 }, { status: 202, headers: { 'X-A': 'b' } });
      const text = new R('hi', { status: 400 });
      const empty = new R(null, { status: 202 });
      const streamed = new R(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('event: message\n'));
            controller.enqueue(new TextEncoder().encode('data: {}\n\n'));
            controller.close();
          },
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      );
      return {
        json: [json.status, json.ok, [...json.headers], await json.text()],
        text: [text.status, text.ok, [...text.headers], await text.text()],
        empty: [empty.body, [...empty.headers], await empty.text()],
        streamed: [[...streamed.headers], await streamed.text()],
      };
    });
  });

  it('refuses a status outside 200-599', () => {
    for (const [name, { Response: R }] of both) expect(() => new R(null, { status: 100 }), name).toThrow(RangeError);
  });
});

describe('the SDK stream name', () => {
  it('is unique within the process', () => {
    const names = new Set(Array.from({ length: 1000 }, () => streamIdLite()));
    expect(names.size).toBe(1000);
  });

  it('replaces crypto.randomUUID() in that one SDK statement only; the user’s code keeps Node’s crypto', async () => {
    const liteFile = new URL('../../../src/lambda/edge/web-lite.ts', import.meta.url).pathname;
    const result = await build({
      stdin: {
        contents: `export * from '@modelcontextprotocol/server';\nexport const token = () => crypto.randomUUID();`,
        resolveDir: import.meta.dirname,
        loader: 'ts',
      },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      external: ['@modelcontextprotocol/server/_shims', '@modelcontextprotocol/core'],
      plugins: [webLitePlugin(liteFile)],
    });
    const out = result.outputFiles[0]?.text ?? '';
    expect(out).toContain('streamId = streamIdLite()');
    expect(out).not.toContain('streamId = crypto.randomUUID()');
    expect(out).toContain('token = () => crypto.randomUUID()');
  });
});
