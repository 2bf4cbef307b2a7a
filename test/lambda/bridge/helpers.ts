/** Serves a stdio server through the bridge over real HTTP on 127.0.0.1, with its log lines kept. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type DevServer, startDevServer } from '../../../src/cli/dev/server.js';
import { createStdioApp, type StdioApp, type StdioAppOptions } from '../../../src/lambda/bridge/app.js';
import type { StdioSpec } from '../../../src/lambda/bridge/spec.js';
import type { ChildLogRecord, RequestLogRecord } from '../../../src/lambda/services/log.js';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const MEMORY: StdioSpec = {
  label: 'memory',
  program: 'node_modules/@modelcontextprotocol/server-memory/dist/index.js',
  args: [],
  package: { name: '@modelcontextprotocol/server-memory', version: '2026.8.31' },
};
export const EVERYTHING: StdioSpec = {
  label: 'everything',
  program: 'node_modules/@modelcontextprotocol/server-everything/dist/index.js',
  args: ['stdio'],
};
export const scripted = (...args: string[]): StdioSpec => ({
  label: 'scripted',
  program: resolve(ROOT, 'test/fixtures/stdio/scripted.mjs'),
  args,
});

export interface Served {
  readonly app: StdioApp;
  readonly dev: DevServer;
  readonly url: string;
  readonly workDir: string;
  readonly requests: RequestLogRecord[];
  readonly children: ChildLogRecord[];
  close(): Promise<void>;
}

/** A temp dir of the test's own. */
export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'bridge-test-'));

export async function serve(spec: StdioSpec, options: Partial<StdioAppOptions> = {}): Promise<Served> {
  const workDir = options.workDir ?? tempDir();
  const requests: RequestLogRecord[] = [];
  const children: ChildLogRecord[] = [];
  const app = createStdioApp(spec, {
    baseDir: ROOT,
    env: { PATH: process.env.PATH, MEMORY_FILE_PATH: join(workDir, 'memory.jsonl') },
    manifest: 'derive',
    log: (record) => requests.push(record),
    childLog: (record) => children.push(record),
    workDir,
    ...options,
  });
  const dev = await startDevServer({ handler: app.handler, host: '127.0.0.1', port: 0 });
  return {
    app,
    dev,
    url: dev.url,
    workDir,
    requests,
    children,
    async close() {
      await dev.close();
      await app.stop();
    },
  };
}

/** The v1 SDK's client (1.32.2), which speaks 2025-11-25. */
export async function connectV1(url: string): Promise<V1Client> {
  const client = new V1Client({ name: 'bridge-test-v1', version: '1.0.0' });
  await client.connect(new V1Transport(new URL(url)));
  return client;
}
