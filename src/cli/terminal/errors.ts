/**
 * The kinds of failure the CLI distinguishes, and the exit codes they map to (the README's table).
 *
 * - {@link UsageError}: a bad flag or argument. Exit 2.
 * - {@link UserError}: something on this machine the user can fix (no credentials, not signed in, a port
 *   in use). One line and a hint, no stack. Exit 1.
 * - {@link RemoteError}: AWS or a remote server failed or refused (a rolled-back deployment, AccessDenied,
 *   an endpoint that does not answer, a tool that answered with an error). Exit 4.
 * - {@link DeclinedError}: the user answered no. Exit 3. {@link AbortError}: Ctrl-C or SIGTERM. Exit 130.
 * - anything else is a bug in mcp-lambda: exit 70, the stack printed with `--verbose`.
 */

export const ExitCode = {
  ok: 0,
  /** A problem on this machine the user can fix (credentials, region, files, sign-in, a port in use). */
  error: 1,
  /** Bad command-line usage (unknown option, bad value). */
  usage: 2,
  /** Declined at a prompt: the user said no (not an interruption). */
  declined: 3,
  /** AWS or a remote server failed or refused. */
  remote: 4,
  /** A bug in mcp-lambda (EX_SOFTWARE). */
  internal: 70,
  /** Aborted by the user (128 + SIGINT). */
  aborted: 130,
} as const;

/** An error the user can act on; `hint` says how. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly options: { readonly hint?: string; readonly exitCode?: number; readonly cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
  get exitCode(): number {
    return this.options.exitCode ?? ExitCode.error;
  }
}

/** AWS or a remote server failed or refused; exits with {@link ExitCode.remote}. */
export class RemoteError extends UserError {
  constructor(message: string, options: { readonly hint?: string; readonly cause?: unknown } = {}) {
    super(message, { ...options, exitCode: ExitCode.remote });
  }
}

/** A bad flag value; exits with the usage code. */
export class UsageError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.usage, ...(hint !== undefined && { hint }) });
  }
}

/** The user interrupted (Ctrl-C, SIGTERM). */
export class AbortError extends Error {
  override readonly name = 'AbortError';
}

/** The user answered no at a prompt: nothing went wrong, and nothing was done. */
export class DeclinedError extends Error {
  override readonly name = 'DeclinedError';
}

interface ErrorOutput {
  error(line: string): void;
  info(line: string): void;
  readonly style: { dim(text: string): string };
}

/** File-system failures that are the machine's state, not a bug: said with the path and what to do. */
const FILE_ERRORS: Readonly<Record<string, { readonly what: string; readonly hint: string }>> = {
  ENOSPC: { what: 'the disk is full', hint: 'Free some space and run the command again.' },
  EDQUOT: { what: 'the disk quota is used up', hint: 'Free some space and run the command again.' },
  EACCES: { what: 'permission denied', hint: 'Check who owns it and its mode (ls -l), or choose another path.' },
  EPERM: { what: 'the operation is not permitted', hint: 'Check who owns it and its mode (ls -l), or choose another path.' },
  EROFS: { what: 'the file system is read-only', hint: 'Choose a path on a writable file system.' },
  ENOTDIR: { what: 'a part of the path is a file, not a directory', hint: 'Check the path.' },
  EISDIR: { what: 'it is a directory', hint: 'Check the path.' },
};

/** Turns an errno error from the file system into a {@link UserError}, or undefined. */
export function fileSystemError(error: unknown): UserError | undefined {
  const { code, path, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  const known = code === undefined ? undefined : FILE_ERRORS[code];
  if (!known || typeof path !== 'string') return undefined;
  const verb = syscall === 'open' || syscall === 'mkdir' || syscall === 'rename' || syscall === 'write' ? 'write' : 'use';
  return new UserError(`Could not ${verb} ${path}: ${known.what} (${code}).`, { hint: known.hint, cause: error });
}

/** Prints an error the way its kind asks for and returns the exit code. */
export function reportError(error: unknown, out: ErrorOutput, verbose: boolean): number {
  const fromFileSystem = fileSystemError(error);
  if (fromFileSystem) return reportError(fromFileSystem, out, verbose);
  if (error instanceof UserError) {
    out.error(error.message);
    if (error.options.hint !== undefined) out.info(`${out.style.dim('hint:')} ${error.options.hint}`);
    if (verbose && error.cause instanceof Error && error.cause.stack) {
      out.info(error.cause.stack);
      // An AWS answer: its metadata (HTTP status, request id) is what AWS support asks for.
      const metadata = (error.cause as { $metadata?: unknown }).$metadata;
      if (metadata !== undefined) out.info(`AWS: ${JSON.stringify({ name: error.cause.name, ...(metadata as object) })}`);
    }
    return error.exitCode;
  }
  if (error instanceof DeclinedError) {
    out.info(error.message);
    return ExitCode.declined;
  }
  if (error instanceof AbortError) {
    out.info(error.message);
    return ExitCode.aborted;
  }
  const message = error instanceof Error ? error.message : String(error);
  out.error(`unexpected failure: ${message}`);
  if (verbose && error instanceof Error && error.stack) out.info(error.stack);
  else
    out.info('This is a bug in mcp-lambda. Run again with --verbose to see where, and include that output when you report it.');
  return ExitCode.internal;
}
