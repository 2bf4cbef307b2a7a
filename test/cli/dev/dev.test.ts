/**
 * `mcp-lambda dev` end to end: the CLI in-process, real HTTP on 127.0.0.1, the official MCP client in
 * every protocol era, and a local fake Dog API.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeDogApi, refusedBaseUrl, startFakeDogApi } from '../../helpers/fake-dog-api.js';
import { connectClient, ERAS } from '../../helpers/mcp-client.js';
import { type RunningCli, runCli, startCli } from '../../helpers/run-cli.js';

let dogApi: FakeDogApi;
let cli: RunningCli;
let url: string;

async function startDev(env: Record<string, string> = {}): Promise<{ cli: RunningCli; url: string }> {
  const running = startCli(['dev', '--port', '0', '--json'], { DOG_API_BASE_URL: dogApi.baseUrl, ...env });
  const stdout = await running.waitForStdout('}\n');
  return { cli: running, url: JSON.parse(stdout).url };
}

beforeAll(async () => {
  dogApi = await startFakeDogApi();
  ({ cli, url } = await startDev());
});

afterAll(async () => {
  cli.interrupt();
  expect(await cli.exit).toBe(0);
  await dogApi.close();
});

afterEach(() => dogApi.behave({ kind: 'ok' }));

function text(result: Awaited<ReturnType<Client['callTool']>>): string {
  const [first] = result.content as Array<{ type: string; text: string }>;
  return first?.text ?? '';
}

describe.each(ERAS)('protocol %s', (era) => {
  let client: Client;
  beforeAll(async () => {
    client = await connectClient(url, era);
  });
  afterAll(async () => {
    await client.close();
  });

  it('negotiates the era', () => {
    expect(client.getProtocolEra()).toBe(era === '2026-07-28' ? 'modern' : 'legacy');
    if (era !== '2026-07-28') expect(client.getNegotiatedProtocolVersion()).toBe(era);
    expect(client.getServerVersion()?.name).toBe('dog-facts');
  });

  it('lists getDogFacts with limit 1-10, default 5', async () => {
    const { tools } = await client.listTools();
    // getDogFactsSlowly only with --slow-demo.
    expect(tools.map((tool) => tool.name)).toEqual(['getDogFacts']);
    const properties = tools[0]?.inputSchema.properties as Record<string, Record<string, unknown>> | undefined;
    const limit = properties?.limit;
    expect(limit).toMatchObject({ type: 'integer', minimum: 1, maximum: 10, default: 5 });
    expect(tools[0]?.annotations?.readOnlyHint).toBe(true);
  });

  it('returns three facts when asked for three', async () => {
    const result = await client.callTool({ name: 'getDogFacts', arguments: { limit: 3 } });
    expect(result.isError).toBeFalsy();
    expect(text(result)).toBe('Here are 3 dog facts:\n\n1. Dog fact number 1.\n2. Dog fact number 2.\n3. Dog fact number 3.');
    expect(result.structuredContent).toEqual({ facts: ['Dog fact number 1.', 'Dog fact number 2.', 'Dog fact number 3.'] });
    expect(dogApi.requests.at(-1)).toBe('/api/v2/facts?limit=3');
  });

  it('returns five facts by default', async () => {
    const result = await client.callTool({ name: 'getDogFacts', arguments: {} });
    expect((result.structuredContent as { facts: string[] }).facts).toHaveLength(5);
    expect(dogApi.requests.at(-1)).toBe('/api/v2/facts?limit=5');
  });

  it.each([0, 11, 1.5, 'x', -1])('rejects limit %j as a tool error', async (limit) => {
    const before = dogApi.requests.length;
    const result = await client.callTool({ name: 'getDogFacts', arguments: { limit } });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/Invalid arguments for tool getDogFacts: limit/);
    expect(dogApi.requests.length).toBe(before);
  });

  it('rejects an unknown tool', async () => {
    const outcome = await client.callTool({ name: 'getCatFacts', arguments: {} }).then(
      (result) => ({ result, error: undefined }),
      (error: Error) => ({ result: undefined, error }),
    );
    // An unknown tool is a protocol error (-32602) in one era and a tool error in another; either way it is
    // reported, names the tool, and is not a crash.
    const message = outcome.error?.message ?? text(outcome.result as never);
    expect(message).toMatch(/getCatFacts/);
    if (outcome.result) expect(outcome.result.isError).toBe(true);
  });

  it.each([
    ['a 500', { kind: 'status', status: 500 } as const, /HTTP 500/],
    ['a 404', { kind: 'status', status: 404 } as const, /HTTP 404/],
    ['bad JSON', { kind: 'body', body: '<html>oops' } as const, /not JSON/],
    ['the wrong shape', { kind: 'body', body: '{"facts":[]}' } as const, /unexpected format/],
    ['too few facts', { kind: 'few', count: 1 } as const, /returned 1 of the 3 facts/],
  ])('reports the Dog API answering %s as a tool error', async (_name, behaviour, message) => {
    dogApi.behave(behaviour);
    const result = await client.callTool({ name: 'getDogFacts', arguments: { limit: 3 } });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(message);
  });
});

describe('Dog API failures that take a separate server', () => {
  it('reports a Dog API slower than the timeout as a tool error', async () => {
    dogApi.behave({ kind: 'slow', delayMs: 10_000 });
    const dev = await startDev({ DOG_API_TIMEOUT_MS: '300' });
    try {
      const client = await connectClient(dev.url, '2026-07-28');
      const started = Date.now();
      const result = await client.callTool({ name: 'getDogFacts', arguments: { limit: 2 } });
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/did not answer within 0.3 s/);
      expect(Date.now() - started).toBeLessThan(5000);
      await client.close();
    } finally {
      dev.cli.interrupt();
      await dev.cli.exit;
    }
  });

  it('reports a refused connection as a tool error', async () => {
    const dev = await startDev({ DOG_API_BASE_URL: await refusedBaseUrl() });
    try {
      const client = await connectClient(dev.url, '2025-11-25');
      const result = await client.callTool({ name: 'getDogFacts', arguments: {} });
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/could not be reached/);
      await client.close();
    } finally {
      dev.cli.interrupt();
      await dev.cli.exit;
    }
  });
});

describe('logging', () => {
  it('logs one line per request and never the bearer token', async () => {
    const secret = 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2VuLXBheWxvYWQ.c2lnbmF0dXJl';
    const before = cli.output().stderr.length;
    const client = await connectClient(url, '2026-07-28', { Authorization: `Bearer ${secret}` });
    await client.callTool({ name: 'getDogFacts', arguments: { limit: 1 } });
    await client.close();
    const logged = cli.output().stderr.slice(before);
    const lines = logged
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.some((line) => line.rpcMethod === 'tools/call' && line.tool === 'getDogFacts' && line.status === 200)).toBe(
      true,
    );
    for (const line of lines)
      expect(Object.keys(line)).toEqual(
        expect.arrayContaining(['requestId', 'httpMethod', 'status', 'responseBytes', 'durationMs']),
      );
    expect(logged).not.toContain(secret);
    expect(logged).not.toContain('c2VjcmV0LXRva2VuLXBheWxvYWQ');
    expect(logged.toLowerCase()).not.toContain('authorization');
  });

  it('prints a human log line per request without --json', async () => {
    const dev = startCli(['dev', '--port', '0'], { DOG_API_BASE_URL: dogApi.baseUrl });
    const stdout = await dev.waitForStdout('/mcp"}\n');
    const devUrl = stdout.match(/listening on (\S+)/)?.[1] ?? '';
    expect(stdout).toContain(`claude mcp add --transport http dog-facts ${devUrl}`);
    expect(stdout).toContain(`"dog-facts": {"type":"http","url":"${devUrl}"}`);
    const client = await connectClient(devUrl, '2025-11-25');
    await client.listTools();
    await client.close();
    dev.interrupt();
    expect(await dev.exit).toBe(0);
    expect(dev.output().stderr).toMatch(/POST tools\/list 200 \d+ B [\d.]+ ms/);
    expect(dev.output().stderr).toContain('Stopped.');
  });
});

describe('dev command errors', () => {
  it('names the port when it is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const result = await runCli(['dev', '--port', String(port)]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`Port ${port} is already in use on 127.0.0.1.`);
      expect(result.stderr).toContain(`mcp-lambda dev --port ${port + 1}`);
      expect(result.stdout).toBe('');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('repeats the flags that choose the server in that hint, as npx under an npm script', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    const dir = mkdtempSync(join(tmpdir(), 'mcp-lambda-dev-hint-'));
    writeFileSync(join(dir, '.env'), 'WEATHER_API_KEY=k\n');
    const entry = join(process.cwd(), 'test/fixtures/entries/with-key/server.ts');
    try {
      // What npm sets for `npm run dev -- --env-from .env --timeout 60`.
      const result = await runCli(
        ['dev', '--entry', entry, '--port', String(port), '--env-from', '.env', '--timeout', '60'],
        { npm_lifecycle_event: 'dev', npm_lifecycle_script: `mcp-lambda dev --entry ${entry}` },
        { cwd: dir },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `pick another port: npx mcp-lambda dev --entry ${entry} --port ${port + 1} --env-from .env --timeout 60`,
      );
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  }, 30_000);

  it.each([['99999'], ['-1'], ['eighty'], ['80.5']])('refuses --port %s as bad usage', async (port) => {
    const result = await runCli(['dev', '--port', port]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`argument '${port}' is invalid. expected a whole number from 0 to 65535`);
  });

  it('refuses a host with a path in it', async () => {
    const result = await runCli(['dev', '--host', 'http://x/']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expected a host name or IP address');
  });

  it('explains an address that is not on this machine', async () => {
    const result = await runCli(['dev', '--port', '0', '--host', '192.0.2.1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Cannot listen on 192.0.2.1');
  });

  it('refuses a bad DOG_API_BASE_URL before listening', async () => {
    const result = await runCli(['dev', '--port', '0'], { DOG_API_BASE_URL: 'ftp://example' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DOG_API_BASE_URL must be an http(s) URL, got "ftp://example"');
    expect(result.stdout).toBe('');
  });

  it('refuses an unknown MCP_SERVER before listening', async () => {
    const result = await runCli(['dev', '--port', '0'], { MCP_SERVER: 'cat-facts' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Unknown MCP server "cat-facts" in MCP_SERVER. Built-in servers: dog-facts.');
  });

  it('refuses a bad MCP_MAX_BODY_BYTES before listening', async () => {
    const result = await runCli(['dev', '--port', '0'], { MCP_MAX_BODY_BYTES: 'lots' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('MCP_MAX_BODY_BYTES must be a positive whole number of bytes, got "lots"');
  });
});

describe('dev --timeout', () => {
  it('streams tool calls past 29 s, and says so in the entry it prints', async () => {
    const running = startCli(['dev', '--port', '0', '--json', '--timeout', '40', '--slow-demo'], {
      DOG_API_BASE_URL: dogApi.baseUrl,
    });
    try {
      const stdout = await running.waitForStdout('}\n');
      const printed = JSON.parse(stdout);
      expect(printed).toMatchObject({ streaming: true, timeoutSeconds: 40, claudeCode: { type: 'http', timeout: 50_000 } });
      const client = await connectClient(printed.url, '2025-11-25');
      const seen: number[] = [];
      // A real 2 s wait: its two progress events arrive through the streaming handler.
      const result = await client.callTool(
        { name: 'getDogFactsSlowly', arguments: { seconds: 2 } },
        { onprogress: (progress) => seen.push(progress.progress) },
      );
      expect(seen).toEqual([1, 2]);
      expect(result.isError).not.toBe(true);
      await client.close();
    } finally {
      running.interrupt();
      expect(await running.exit).toBe(0);
    }
  });

  it.each([['4'], ['901'], ['later']])('refuses --timeout %s', async (value) => {
    const result = await runCli(['dev', '--port', '0', '--timeout', value], { DOG_API_BASE_URL: dogApi.baseUrl });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expected seconds: a whole number from 5 to 900');
  });
});
