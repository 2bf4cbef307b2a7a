/** Runs the CLI in-process with captured output, as the real process would but without `process`. */
import type { CliIo } from '../../src/cli/context.js';
import { run } from '../../src/cli/main.js';
import type { DeployEngineFactory } from '../../src/cli/deploy/engine.js';
import type { Prompter } from '../../src/cli/terminal/prompts.js';

export interface Captured {
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunningCli {
  /** Output so far. */
  output(): Captured;
  /** Resolves once stdout contains `text`. */
  waitForStdout(text: string, timeoutMs?: number): Promise<string>;
  /** Presses Ctrl-C. */
  interrupt(): void;
  readonly exit: Promise<number>;
}

export interface StartOptions {
  readonly cwd?: string;
  readonly prompter?: Prompter;
  readonly deployEngine?: DeployEngineFactory;
  /** Pretend stderr is a terminal. */
  readonly tty?: boolean;
  /** Whether questions may be asked. @default false */
  readonly interactive?: boolean;
  /** What standard input holds. */
  readonly stdin?: string;
  readonly openUrl?: (url: string) => Promise<void>;
  readonly signInClient?: CliIo['signInClient'];
}

export function startCli(argv: string[], env: Record<string, string | undefined> = {}, options: StartOptions = {}): RunningCli {
  const cwd = options.cwd ?? process.cwd();
  let stdout = '';
  let stderr = '';
  const controller = new AbortController();
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of waiters) waiter();
  };
  const exit = run(argv, {
    stdout: {
      write: (chunk: string) => {
        stdout += chunk;
        notify();
        return true;
      },
    },
    stderr: {
      isTTY: options.tty === true,
      write: (chunk: string) => {
        stderr += chunk;
        notify();
        return true;
      },
    },
    env: { PATH: process.env.PATH, ...env },
    cwd,
    signal: controller.signal,
    interactive: options.interactive ?? false,
    ...(options.stdin !== undefined && { readStdin: async () => options.stdin as string }),
    ...(options.openUrl && { openUrl: options.openUrl }),
    ...(options.signInClient && { signInClient: options.signInClient }),
    ...(options.prompter && { prompter: options.prompter }),
    ...(options.deployEngine && { deployEngine: options.deployEngine }),
  });
  return {
    output: () => ({ stdout, stderr }),
    interrupt: () => controller.abort(),
    exit,
    waitForStdout(text, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (stdout.includes(text)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(stdout);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${JSON.stringify(text)}; stdout: ${stdout}; stderr: ${stderr}`));
        }, timeoutMs);
        waiters.add(check);
        exit.then(() => check());
        check();
      });
    },
  };
}

/** Runs a command that finishes by itself. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined> = {},
  options: StartOptions = {},
): Promise<Captured & { code: number }> {
  const cli = startCli(argv, env, options);
  const code = await cli.exit;
  return { code, ...cli.output() };
}
