/**
 * One discipline for every file the CLI changes that someone else may change too (Claude Code's config,
 * the record `destroy` cleans up from): a lock beside the file (`<file>.lock`, proper-lockfile), taken
 * over when the process that held it died (its lock stops being refreshed: stale after
 * {@link STALE_LOCK_MS}), waited for in short sleeps that end at once on Ctrl-C or SIGTERM, and given up on
 * with a plain error after {@link LOCK_WAIT_MS}.
 */
import { stat } from 'node:fs/promises';
import { AbortError, UserError } from '../terminal/errors.js';

/** A live holder refreshes its lock every half of this; a dead one's lock is stale after it. */
export const STALE_LOCK_MS = 5_000;
/** How long to wait for a live holder before saying so. */
export const LOCK_WAIT_MS = 30_000;
const POLL_MS = 100;

export interface LockOptions {
  /** Aborted on Ctrl-C / SIGTERM: the wait ends at once. */
  readonly signal?: AbortSignal;
  /** Told when a dead process's lock was taken over. */
  readonly onNotice?: (line: string) => void;
  /** @default {@link LOCK_WAIT_MS} */
  readonly waitMs?: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError('Stopped while waiting for a lock; nothing was written.'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError('Stopped while waiting for a lock; nothing was written.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `work` holding the lock on `file`. */
export async function withFileLock<T>(file: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const { lock } = await import('proper-lockfile');
  const lockDir = `${file}.lock`;
  const deadline = Date.now() + (options.waitMs ?? LOCK_WAIT_MS);
  let release: (() => Promise<void>) | undefined;
  for (;;) {
    if (options.signal?.aborted) throw new AbortError('Stopped while waiting for a lock; nothing was written.');
    const held = await stat(lockDir).then(
      (found) => Date.now() - found.mtimeMs,
      () => undefined,
    );
    try {
      release = await lock(file, { realpath: false, stale: STALE_LOCK_MS, retries: 0, onCompromised: () => {} });
      if (held !== undefined && held >= STALE_LOCK_MS) {
        options.onNotice?.(`took over ${lockDir}, left by an mcp-lambda that stopped without releasing it.`);
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') {
        throw new UserError(`Could not lock ${file}: ${(error as Error).message}`, { cause: error });
      }
      if (Date.now() >= deadline) {
        throw new UserError(
          `${file} is still being changed by another mcp-lambda after ${Math.round((options.waitMs ?? LOCK_WAIT_MS) / 1000)} s; nothing was written.`,
          {
            hint: `Run the command again when the other one is done (its lock is ${lockDir}).`,
          },
        );
      }
      await sleep(POLL_MS, options.signal);
    }
  }
  try {
    return await work();
  } finally {
    await release?.().catch(() => {});
  }
}
