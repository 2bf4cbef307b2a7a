/**
 * The bridge with a child that misbehaves (test/fixtures/stdio/scripted.mjs): exits mid-call, never answers
 * initialize, writes garbage to stdout, floods stderr, asks the client for sampling; several clients at
 * once; the child's environment; bad stdio.json files.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readStdioSpec } from '../../../src/lambda/bridge/app.js';
import { STDERR_LINE_CHARS, STDERR_LINES_PER_MINUTE } from '../../../src/lambda/bridge/child.js';
import { connectClient } from '../../helpers/mcp-client.js';
import { connectV1, scripted, type Served, serve, tempDir } from './helpers.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((item) => item.close()));
});
const track = <T extends { close(): Promise<void> }>(item: T): T => {
  open.push(item);
  return item;
};
const textOf = (result: unknown): string => JSON.stringify((result as { content?: unknown }).content);

describe('a child that misbehaves', () => {
  it('exits mid-call: the call fails at once, the next request starts a new child and says so', async () => {
    const served: Served = track(await serve(scripted()));
    const client = track(await connectClient(served.url, '2026-07-28'));
    const first = JSON.parse(JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} })))[0].text) as {
      pid: number;
    };
    await expect(client.callTool({ name: 'exit', arguments: {} })).rejects.toThrow(/exited before answering tools\/call/);
    const again = JSON.parse(JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} })))[0].text) as {
      pid: number;
    };
    expect(again.pid).not.toBe(first.pid);
    expect(served.app.childStarts).toBe(2);
    expect(served.requests.map((record) => record.child).filter(Boolean)).toEqual(['started', 'restarted']);
    const exit = served.children.find((record) => record.event === 'exit');
    expect(exit).toMatchObject({ level: 'warn', exitCode: 3, pid: first.pid });
  });

  it('never answers initialize: given up within the stated time, with the reason', async () => {
    const served = track(await serve(scripted('silent'), { startTimeoutMs: 300 }));
    const response = await fetch(served.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: {} } }),
    });
    const body = await response.text();
    expect(body).toContain('"error"');
    const failed = served.children.find((record) => record.event === 'start_failed');
    expect(failed?.reason).toContain('did not answer initialize within 300 ms (MCP_STDIO_START_TIMEOUT_MS)');
    // The silent child was stopped; the next request tries a new one.
    expect(served.children.some((record) => record.event === 'exit')).toBe(true);
  });

  it('writes garbage to stdout: logged, not forwarded, and the stream goes on', async () => {
    const served = track(await serve(scripted('banner')));
    const client = track(await connectV1(served.url));
    expect(textOf(await client.callTool({ name: 'noise', arguments: {} }))).toContain('after the noise');
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'still here' } }))).toContain('still here');
    const noise = served.children.filter((record) => record.event === 'stdout_noise').map((record) => record.line);
    expect(noise).toEqual(['Starting the scripted server...', 'this is not JSON-RPC', '{"neither": "is this"}']);
    expect(served.app.childStarts).toBe(1);
  });

  it('floods stdout with garbage: those lines count against the same per-minute cap as stderr', async () => {
    const served = track(await serve(scripted()));
    const client = track(await connectV1(served.url));
    // Two lines of noise each: twice the cap.
    const lines = STDERR_LINES_PER_MINUTE;
    expect(textOf(await client.callTool({ name: 'noise', arguments: { lines } }))).toContain('after the noise');
    expect(served.children.filter((record) => record.event === 'stdout_noise')).toHaveLength(STDERR_LINES_PER_MINUTE);
    expect(served.children.filter((record) => record.event === 'stderr_capped')).toHaveLength(1);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'still here' } }))).toContain('still here');
  });

  it('floods stderr: lines are cut and capped per minute, with one line saying so', async () => {
    const served = track(await serve(scripted()));
    const client = track(await connectClient(served.url, '2026-07-28'));
    const lines = STDERR_LINES_PER_MINUTE + 100;
    expect(textOf(await client.callTool({ name: 'flood', arguments: { lines } }))).toContain('flooded');
    // stderr is a separate pipe from the answer: its lines may be read after it.
    await vi.waitFor(() => expect(served.children.filter((record) => record.event === 'stderr_capped')).toHaveLength(1));
    const stderr = served.children.filter((record) => record.event === 'stderr');
    expect(stderr).toHaveLength(STDERR_LINES_PER_MINUTE);
    expect(stderr[0]?.line).toHaveLength(STDERR_LINE_CHARS + 1);
    expect(served.children.filter((record) => record.event === 'stderr_capped')).toHaveLength(1);
  });

  it('asks the client for sampling: refused to the child at once, and the call says so', async () => {
    const served = track(await serve(scripted()));
    for (const client of [await connectClient(served.url, '2025-11-25'), await connectV1(served.url)]) {
      track(client);
      const result = await client.callTool({ name: 'sampling', arguments: {} });
      expect(result.isError).toBe(true);
      const text = textOf(result);
      // The child got a JSON-RPC error, which it put in its answer…
      expect(text).toContain('-32601');
      // …and the call says what is missing.
      expect(text).toContain('sampling (asking the client’s model), which is not available on this host');
    }
    // A 2026-07-28 client that did not declare sampling is told so, as a server of that era tells it.
    const modern = track(await connectClient(served.url, '2026-07-28'));
    await expect(modern.callTool({ name: 'sampling', arguments: {} })).rejects.toMatchObject({
      code: -32021,
      message: expect.stringContaining('needs the client’s sampling capability'),
    });
  });
});

describe('one child, several clients', () => {
  it('never mixes answers; progress reaches its own client; a log line goes to the one call in flight', async () => {
    const served = track(await serve(scripted()));
    const clients = await Promise.all([1, 2, 3, 4].map(() => connectClient(served.url, '2025-11-25')));
    clients.forEach(track);
    const progress: string[] = [];
    const answers = await Promise.all(
      clients.map((client, index) =>
        client.callTool(
          { name: 'slow', arguments: { ms: 200 - index * 40, tag: `call-${index}` } },
          { onprogress: () => progress.push(`call-${index}`) },
        ),
      ),
    );
    expect(answers.map((answer) => JSON.parse(textOf(answer))[0].text)).toEqual(['call-0', 'call-1', 'call-2', 'call-3']);
    expect(progress.sort()).toEqual(['call-0', 'call-1', 'call-2', 'call-3']);
    expect(served.app.childStarts).toBe(1);

    // Alone in flight, the child's log message reaches the caller.
    const logs: unknown[] = [];
    const alone = track(await connectClient(served.url, '2025-11-25'));
    alone.setNotificationHandler('notifications/message', (notification) => {
      logs.push(notification.params.data);
    });
    await alone.callTool({ name: 'slow', arguments: { ms: 10, tag: 'alone' } });
    expect(logs).toEqual(['working on alone']);

    // A 2026-07-28 request gets logs only when it asks for them (its envelope's logLevel): this one did not,
    // so the line goes to the function's log.
    const modern = track(await connectClient(served.url, '2026-07-28'));
    const unasked: unknown[] = [];
    modern.setNotificationHandler('notifications/message', (notification) => {
      unasked.push(notification.params.data);
    });
    await modern.callTool({ name: 'slow', arguments: { ms: 10, tag: 'modern' } });
    expect(unasked).toEqual([]);
    expect(served.children.filter((record) => record.event === 'notification').map((record) => record.line)).toContainEqual(
      expect.stringContaining('working on modern'),
    );
  });
});

describe('the child’s environment', () => {
  it('is the function’s without mcp-lambda’s own settings nor the Runtime API, with HOME and cwd in the work dir', async () => {
    const workDir = tempDir();
    const served = track(
      await serve(scripted(), {
        workDir,
        env: {
          PATH: process.env.PATH,
          USER_SETTING: 'kept',
          AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
          MCP_REQUEST_STATE_KEY: 'not-for-the-child',
          MCP_REQUIRED_SCOPE: 'scope',
          AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
        },
      }),
    );
    const client = track(await connectClient(served.url, '2026-07-28'));
    const seen = JSON.parse(JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} })))[0].text) as {
      home: string;
      cwd: string;
      env: string[];
    };
    expect(seen.home).toBe(workDir);
    expect(seen.cwd).toBe(workDir);
    expect(seen.env).toEqual(expect.arrayContaining(['USER_SETTING', 'AWS_ACCESS_KEY_ID', 'PATH']));
    expect(seen.env).not.toContain('MCP_REQUEST_STATE_KEY');
    expect(seen.env).not.toContain('MCP_REQUIRED_SCOPE');
    // The Runtime API would let the child take the function's next invocations (other callers' requests).
    expect(seen.env).not.toContain('AWS_LAMBDA_RUNTIME_API');
  });
});

describe('readStdioSpec', () => {
  const write = (text: string) => {
    const file = join(tempDir(), 'stdio.json');
    writeFileSync(file, text);
    return pathToFileURL(file);
  };
  it('reads a spec mcp-lambda wrote', () => {
    const spec = { label: 'memory', program: 'node_modules/x/index.js', args: ['--a'], package: { name: 'x', version: '1.0.0' } };
    expect(readStdioSpec(write(JSON.stringify(spec)))).toEqual(spec);
  });
  it.each([
    ['{not json', /stdio\.json is not valid JSON/],
    ['[]', /stdio\.json is not a stdio spec mcp-lambda wrote: it is not a JSON object/],
    ['{"label":"m","program":"","args":[]}', /"program" is not a non-empty string/],
    ['{"label":"m","program":"a.js","args":[1]}', /"args" is not a list of strings/],
    ['{"label":"m","program":"a.js","args":[],"package":"x"}', /"package" is not \{ name, version \}/],
  ])('refuses %s, naming the file and what is wrong', (text, message) => {
    expect(() => readStdioSpec(write(text))).toThrow(message);
  });
  it('refuses a file that is not there', () => {
    expect(() => readStdioSpec(pathToFileURL(join(tempDir(), 'stdio.json')))).toThrow(/stdio\.json could not be read \(ENOENT\)/);
  });
});
