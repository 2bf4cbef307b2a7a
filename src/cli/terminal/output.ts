/**
 * Where the CLI writes: results to stdout, progress and errors to stderr, colour only on a TTY
 * (and never with NO_COLOR). Commands get an {@link Output} rather than touching `process`.
 */

export interface Stream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

export interface Output {
  /** A result line (stdout). */
  result(line: string): void;
  /** A progress or information line (stderr). */
  info(line: string): void;
  /** A warning line (stderr). */
  warn(line: string): void;
  /** An error line (stderr). */
  error(line: string): void;
  /** One JSON document on stdout (for `--json`). */
  json(value: unknown): void;
  readonly style: Style;
}

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

function ansi(open: number, close: number): (text: string) => string {
  return (text) => `\u001b[${open}m${text}\u001b[${close}m`;
}

const plain: Style = {
  bold: (t) => t,
  dim: (t) => t,
  red: (t) => t,
  green: (t) => t,
  yellow: (t) => t,
  cyan: (t) => t,
};

const coloured: Style = {
  bold: ansi(1, 22),
  dim: ansi(2, 22),
  red: ansi(31, 39),
  green: ansi(32, 39),
  yellow: ansi(33, 39),
  cyan: ansi(36, 39),
};

/** Whether to colour a stream: a TTY, and neither NO_COLOR nor TERM=dumb. */
export function useColour(stream: Stream, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function createOutput(stdout: Stream, stderr: Stream, env: Readonly<Record<string, string | undefined>>): Output {
  const style = useColour(stderr, env) ? coloured : plain;
  return {
    style,
    result: (line) => stdout.write(`${line}\n`),
    info: (line) => stderr.write(`${line}\n`),
    warn: (line) => stderr.write(`${style.yellow('warning:')} ${line}\n`),
    error: (line) => stderr.write(`${style.red('error:')} ${line}\n`),
    json: (value) => stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  };
}
