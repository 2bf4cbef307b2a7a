/**
 * A synthesized Lambda bundle (a `--stdio` or `--entry` server's `index.mjs`) served from a process of its
 * own, with the function's environment, as the stand-in's handler for its route. Its stdout (the request
 * lines) is kept; the process is stopped by `close`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { RequestLogRecord } from '../../src/lambda/services/log.js';

export interface BundleProcess {
  handler(event: unknown): Promise<{
    statusCode: number;
    headers?: Record<string, unknown>;
    body: string;
    isBase64Encoded?: boolean;
  }>;
  /** Everything the function printed, line by line. */
  readonly lines: string[];
  close(): Promise<void>;
}

export async function forkBundle(
  dir: string,
  env: Record<string, string>,
  onRecord: (record: RequestLogRecord) => void = () => {},
): Promise<BundleProcess> {
  const child: ChildProcess = fork(join(import.meta.dirname, 'bundle-runner.mjs'), [], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, MCP_LAMBDA_TEST_BUNDLE_DIR: dir },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const lines: string[] = [];
  let partial = '';
  const keep = (chunk: Buffer) => {
    partial += chunk.toString('utf8');
    const complete = partial.split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete) {
      lines.push(line);
      try {
        const record = JSON.parse(line) as Partial<RequestLogRecord>;
        if (record.msg === 'request') onRecord(record as RequestLogRecord);
      } catch {
        /* not a request line */
      }
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const waiting = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the bundle exited (${code}) before it was ready:\n${lines.join('\n')}`)));
    child.on('message', (message: { ready?: boolean; id?: number; result?: never; error?: string }) => {
      if (message.ready) return resolve();
      const pending = waiting.get(message.id ?? -1);
      waiting.delete(message.id ?? -1);
      if (message.error !== undefined) pending?.reject(new Error(message.error));
      else pending?.resolve(message.result as never);
    });
  });
  child.removeAllListeners('exit');
  child.on('exit', (code) => {
    for (const pending of waiting.values()) pending.reject(new Error(`the bundle exited (${code})`));
    waiting.clear();
  });
  return {
    lines,
    handler: (event) =>
      new Promise((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve, reject });
        child.send({ id, event });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
