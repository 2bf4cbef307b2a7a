/**
 * The three kinds of failure the CLI distinguishes, and the exit codes they map to.
 *
 * - {@link UserError}: something the user can fix (a bad flag, a port in use). One line, no stack.
 * - {@link AbortError}: the user declined or pressed Ctrl-C. A soft message.
 * - anything else is a bug in mcp-lambda: the stack is printed with `--verbose`.
 */

export const ExitCode = {
  ok: 0,
  /** A user error or a failed operation. */
  error: 1,
  /** Bad command-line usage (unknown option, bad value). */
  usage: 2,
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

/** A bad flag value; exits with the usage code. */
export class UsageError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.usage, ...(hint !== undefined && { hint }) });
  }
}

/** The user declined or interrupted. */
export class AbortError extends Error {
  override readonly name = 'AbortError';
}
