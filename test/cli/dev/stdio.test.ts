/**
 * `mcp-lambda dev --stdio` through the built CLI (spawned: Ctrl-C and the child process it ends are
 * the point), with the official MCP client over 127.0.0.1: server-everything from the registry, installed
 * once into the per-user cache, and a local script given its settings with --env.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { connectClient } from '../../helpers/mcp-client.js';

const root = join(import.meta.dirname, '..', '..', '..');
const bin = join(root, 'bin', 'mcp-lambda');
const greeter = join(root, 'test', 'fixtures', 'stdio', 'greeter');
const EVERYTHING = 'npx -y @modelcontextprotocol/server-everything@2026.8.31 stdio';

interface Dev {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  stderr(): string;
  /** Presses Ctrl-C; resolves with the exit code. */
  stop(): Promise<number | null>;
}

async function startDev(args: string[], options: { cwd?: string; home: string }): Promise<Dev> {
  const child = spawn(bin, ['dev', '--port', '0', '--json', ...args], {
    cwd: options.cwd ?? root,
    env: { PATH: process.env.PATH, HOME: options.home, XDG_CACHE_HOME: join(options.home, '.cache') },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      try {
        resolve((JSON.parse(out) as { url: string }).url);
      } catch {
        /* not all of it yet */
      }
    });
    child.once('exit', (code) => reject(new Error(`dev exited with ${code}: ${stderr}`)));
  });
  return {
    child,
    url,
    stderr: () => stderr,
    stop: async () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

/** The pids of the stdio children dev started (its --json child records on stderr). */
function childPids(stderr: string): number[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string; event?: string; pid?: number })
    .filter((record) => record.msg === 'stdio' && record.event === 'start' && record.pid !== undefined)
    .map((record) => record.pid as number);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('mcp-lambda dev --stdio', () => {
  it('serves server-everything from the registry to clients of both eras at once through one child, and Ctrl-C ends it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'stdio-dev-home-'));
    const dev = await startDev(['--stdio', EVERYTHING], { home });
    const pids: number[] = [];
    try {
      expect(dev.stderr()).toContain('Installing @modelcontextprotocol/server-everything@2026.8.31 for this machine');
      const modern = await connectClient(dev.url, '2026-07-28');
      const legacy = new V1Client({ name: 'v1-test', version: '1.0.0' });
      await legacy.connect(new V1Transport(new URL(dev.url)));
      try {
        const [a, b] = await Promise.all([
          modern.callTool({ name: 'echo', arguments: { message: 'from v2' } }),
          legacy.callTool({ name: 'echo', arguments: { message: 'from v1' } }),
        ]);
        expect(JSON.stringify(a.content)).toContain('Echo: from v2');
        expect(JSON.stringify(b.content)).toContain('Echo: from v1');
        expect((await modern.listTools()).tools.map((tool) => tool.name)).toContain('echo');
      } finally {
        await modern.close();
        await legacy.close();
      }
      pids.push(...childPids(dev.stderr()));
      expect(pids).toHaveLength(1);
      expect(alive(pids[0] as number)).toBe(true);
    } finally {
      expect(await dev.stop()).toBe(0);
    }
    expect(pids.some(alive)).toBe(false);
    // Installed once, in the cache, for this machine: the next start reuses it.
    expect(readdirSync(join(home, '.cache', 'mcp-lambda', 'stdio', `${process.platform}-${process.arch}`))).toContain(
      '@modelcontextprotocol+server-everything@2026.8.31',
    );
    const again = await startDev(['--stdio', EVERYTHING], { home });
    try {
      expect(again.stderr()).not.toContain('Installing');
    } finally {
      expect(await again.stop()).toBe(0);
    }
  }, 240_000);

  it('runs a local script where it is, with --env reaching it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'stdio-dev-home-'));
    const dev = await startDev(['--stdio', 'node bin/server.js', '--env', 'GREETING_SUFFIX= (from --env)'], {
      cwd: greeter,
      home,
    });
    try {
      const client = await connectClient(dev.url, '2026-07-28');
      try {
        const result = await client.callTool({ name: 'greet', arguments: { name: 'Ada' } });
        expect(result.content).toEqual([{ type: 'text', text: 'Hello, Ada! (from --env)' }]);
      } finally {
        await client.close();
      }
    } finally {
      expect(await dev.stop()).toBe(0);
    }
  }, 60_000);

  it('refuses what cannot run, and --stdio with --entry, before listening', async () => {
    const home = mkdtempSync(join(tmpdir(), 'stdio-dev-home-'));
    for (const [args, message] of [
      [['--stdio', 'uvx mcp-server-fetch'], 'Python servers are a later step'],
      [['--stdio', 'node x.js', '--entry', 'server.ts'], 'dev serves one server: --entry or --stdio, not both.'],
    ] as const) {
      const dev = startDev([...args], { home });
      await expect(dev).rejects.toThrow(message);
    }
  });
});
