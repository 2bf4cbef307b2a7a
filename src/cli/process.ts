/** Binds {@link run} to the real process: argv, streams, signals and the exit code. */
import type { CliIo } from './context.js';
import { isatty } from 'node:tty';
import { isInteractive } from './terminal/interactive.js';

export async function main(): Promise<void> {
  // `--version` alone needs nothing but the version: answered before the program (commander, every
  // command's options) is loaded.
  if (process.argv.length === 3 && (process.argv[2] === '--version' || process.argv[2] === '-V')) {
    const { VERSION } = await import('../version.js');
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  // The AWS SDK warns on Node.js 20 about its own future support window (from 2027 it needs 22). That is
  // for us to act on, not for someone deploying a stack; the engines field says what this release runs on.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    // A second Ctrl-C means "now": leave without waiting for clean-up.
    if (interrupts > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
    controller.abort(new Error(`received ${signal}`));
  };
  // `mcp-lambda synth | head`: the reader left; stop quietly instead of crashing on EPIPE.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const argv = process.argv.slice(2);
  const io: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
    // isatty, not process.stdin.isTTY: reading process.stdin builds a stream for it (~1 ms), which only a
    // command that reads stdin needs.
    interactive: isInteractive({ isTTY: isatty(0) }, { isTTY: isatty(2) }, process.env),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
  let code: number | undefined;
  if (argv[0] === 'token') {
    // Claude Code runs `token` on every connect: skip loading the full program when the flags allow.
    const { runTokenFast } = await import('./token-fast.js');
    code = await runTokenFast(argv.slice(1), io);
  }
  if (code === undefined) {
    const { run } = await import('./main.js');
    code = await run(argv, io);
  }
  process.exitCode = code;
  // An interrupted deploy leaves the toolkit's pollers running; they must not keep the process alive.
  if (controller.signal.aborted) process.exit(process.exitCode);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}
