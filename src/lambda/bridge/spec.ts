/**
 * How a stdio server is started: the one thing the CLI (`--stdio`, src/cli/stdio/) and the bridge that
 * runs it (./child.ts, ./app.ts) share. The CLI writes it as `stdio.json` beside the Lambda bundle;
 * `dev --stdio` builds it in memory.
 *
 * Only Node.js programs run: Lambda's Node.js 24 runtime has `node` and nothing else a stdio server is
 * commonly started with (no npx download at run time, no Python, no Docker). The program is always run
 * by the running node (`process.execPath`), never through a shell or a shebang.
 */
export interface StdioSpec {
  /** The server's name for log lines ("memory", "server-everything"). */
  readonly label: string;
  /**
   * The JavaScript file node runs: relative to the directory the spec is read from (the bundle's, deployed;
   * absolute in dev).
   */
  readonly program: string;
  /** The arguments after the program, as the user's command line gave them. */
  readonly args: readonly string[];
  /** The registry package it came from (`npx <package>`), with the version installed. */
  readonly package?: { readonly name: string; readonly version: string };
}

/** The spec's file name, beside the bundle's index.mjs. */
export const STDIO_SPEC_FILE = 'stdio.json';

/** Checks a parsed `stdio.json`: the spec, or a sentence saying what is wrong with it. */
export function checkStdioSpec(value: unknown): StdioSpec | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'it is not a JSON object';
  const { label, program, args, package: pkg } = value as Record<string, unknown>;
  if (typeof label !== 'string' || label === '') return '"label" is not a non-empty string';
  if (typeof program !== 'string' || program === '') return '"program" is not a non-empty string';
  if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string')) return '"args" is not a list of strings';
  if (pkg !== undefined) {
    const { name, version } = (typeof pkg === 'object' && pkg !== null ? pkg : {}) as Record<string, unknown>;
    if (typeof name !== 'string' || typeof version !== 'string') return '"package" is not { name, version }';
    return { label, program, args: args as string[], package: { name, version } };
  }
  return { label, program, args: args as string[] };
}
