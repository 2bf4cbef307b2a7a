/**
 * An MCP client transport over a child process's stdin and stdout: newline-delimited JSON-RPC, as the
 * stdio transport of the spec has it.
 *
 * Not the SDK's `StdioClientTransport`, for three reasons: its line reader drops a line that is not JSON
 * without a word (we log it: a server that prints a banner to stdout should be seen doing so), it inherits
 * only a handful of environment variables unless given them all, and it runs the command through
 * cross-spawn. Here the program is always run by the running node, without a shell; each stdout line that
 * is not a JSON-RPC message goes to `onNoise` and the stream goes on; stderr is handed over line by line.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { type JSONRPCMessage, parseJSONRPCMessage, type Transport } from '@modelcontextprotocol/client';

/** The longest line read from the child (the SDK's own stdio cap); a longer one is dropped as noise. */
export const MAX_LINE_BYTES = 10 * 1024 * 1024;

export interface ChildTransportOptions {
  /** The JavaScript file node runs, absolute. */
  readonly program: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** A stdout line that is not a JSON-RPC message (the first part of it, when it is long). */
  readonly onNoise: (line: string) => void;
  /** One line of the child's stderr. */
  readonly onStderr: (line: string) => void;
  /** The child ended (after `onclose`, with how). */
  readonly onExit?: (exitCode: number | null, signal: NodeJS.Signals | null) => void;
}

/** Splits a stream into lines of at most {@link MAX_LINE_BYTES}; a longer line is cut, the rest skipped. */
function readLines(stream: Readable, onLine: (line: string) => void, onTooLong: (start: string) => void): void {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false;
  stream.on('data', (chunk: Buffer) => {
    let start = 0;
    for (let index = chunk.indexOf(10); index !== -1; index = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, index);
      start = index + 1;
      if (skipping) {
        skipping = false;
        continue;
      }
      const line = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      pending = [];
      pendingBytes = 0;
      onLine(line.toString('utf8').replace(/\r$/, ''));
    }
    if (start >= chunk.length || skipping) return;
    const rest = chunk.subarray(start);
    pendingBytes += rest.length;
    pending.push(rest);
    if (pendingBytes > MAX_LINE_BYTES) {
      onTooLong(Buffer.concat(pending).subarray(0, 200).toString('utf8'));
      pending = [];
      pendingBytes = 0;
      skipping = true;
    }
  });
}

export class ChildTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;

  private child: ChildProcessWithoutNullStreams | undefined;
  private exited: Promise<void> | undefined;

  constructor(private readonly options: ChildTransportOptions) {}

  /** The child's process id, once started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    if (this.child) throw new Error('ChildTransport already started');
    const { program, args, env, cwd } = this.options;
    const child = spawn(process.execPath, [program, ...args], { env, cwd, stdio: 'pipe', shell: false });
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('close', (exitCode, signal) => {
        this.onclose?.();
        this.options.onExit?.(exitCode, signal);
        resolve();
      });
    });
    // A write after the child died is reported by `send`'s caller (the request fails); nothing to add here.
    child.stdin.on('error', () => {});
    readLines(
      child.stdout,
      (line) => {
        if (line.trim() === '') return;
        let message: JSONRPCMessage;
        try {
          message = parseJSONRPCMessage(JSON.parse(line));
        } catch {
          this.options.onNoise(line);
          return;
        }
        this.onmessage?.(message);
      },
      (start) => this.options.onNoise(`${start}… (a line over ${MAX_LINE_BYTES} bytes, dropped)`),
    );
    readLines(child.stderr, this.options.onStderr, (start) => this.options.onStderr(`${start}…`));
    return new Promise((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (error) => {
        reject(error);
        this.onerror?.(error);
      });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed || this.child?.exitCode !== null) {
      return Promise.reject(new Error('The stdio server has exited'));
    }
    return new Promise((resolve, reject) => {
      stdin.write(`${JSON.stringify(message)}\n`, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Ends the child: stdin closed, then SIGTERM after a second, SIGKILL after another. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child || !this.exited) return;
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin.end();
      const waited = (ms: number) =>
        Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, ms).unref())]).then(
          () => child.exitCode !== null || child.signalCode !== null,
        );
      if (!(await waited(1000))) {
        child.kill('SIGTERM');
        if (!(await waited(1000))) child.kill('SIGKILL');
      }
    }
    await this.exited;
  }
}
