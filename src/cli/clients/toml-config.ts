/**
 * Codex's `config.toml`, edited the way a person would: our server's tables (`[mcp_servers.<name>]` and
 * its sub-tables) are replaced or appended, a missing top-level key is added before the first table, and
 * every other byte — comments, order, other servers — stays as it was. smol-toml parses the file before
 * and after: a file that does not parse is refused untouched, and an edit whose result is not exactly
 * "the old document with our entry" (an entry written inline, say) is refused rather than written.
 * Writes are atomic and locked, as for the JSON configs.
 */
import { readFile } from 'node:fs/promises';
import { parse, stringify, TomlError } from 'smol-toml';
import type { LockOptions } from '../state/lock.js';
import { ConfigFileError, type ConfigPlan, writePlanned } from './json-config.js';

/** A TOML config and the top-level keys our entry needs (left alone when already there and equal). */
export interface TomlTarget {
  readonly file: string;
  readonly prefix: readonly string[];
  /** Top-level keys the entry relies on; one set to another value is a conflict the user resolves. */
  readonly globals?: Readonly<Record<string, string | number>>;
  /** A project-scope file's project folder: see JsonTarget's `root`. */
  readonly root?: string;
}

type Table = Record<string, unknown>;

const isTable = (value: unknown): value is Table => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `[a.b.c]` header lines, with the dotted key (bare keys only: ours are). */
const HEADER = /^[ \t]*\[(?!\[)[ \t]*([^\]]+?)[ \t]*\][ \t]*(#.*)?$/;

function tablePath(header: string): string[] {
  return header.split('.').map((part) => part.trim().replace(/^"(.*)"$/, '$1'));
}

/** The text without our tables: each header at or under `[prefix.name]` through the line before the next header. */
function withoutEntry(lines: string[], path: readonly string[]): string[] {
  const kept: string[] = [];
  let skipping = false;
  for (const line of lines) {
    const header = HEADER.exec(line) ?? (/^[ \t]*\[\[/.test(line) ? [line, ''] : null);
    if (header) {
      const keys = header[1] ? tablePath(header[1]) : [];
      skipping = keys.length >= path.length && path.every((key, index) => keys[index] === key);
    }
    if (!skipping) kept.push(line);
  }
  // The blank lines our removed block left at the end.
  while (kept.length > 0 && kept[kept.length - 1]?.trim() === '') kept.pop();
  return kept;
}

/** A document as comparable text: keys sorted, empty tables dropped (removing our last server may leave none). */
function canonical(value: unknown): string {
  const prune = (v: unknown): unknown => {
    if (!isTable(v) || v instanceof Date) return Array.isArray(v) ? v.map(prune) : v;
    const entries = Object.entries(v)
      .map(([key, inner]) => [key, prune(inner)] as const)
      .filter(([, inner]) => !(isTable(inner) && !(inner instanceof Date) && Object.keys(inner).length === 0))
      .sort(([a], [b]) => a.localeCompare(b));
    return Object.fromEntries(entries);
  };
  return JSON.stringify(prune(value));
}

async function readText(file: string): Promise<{ text: string; exists: boolean }> {
  try {
    return { text: await readFile(file, 'utf8'), exists: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', exists: false };
    throw new ConfigFileError(`Cannot read ${file}: ${(error as Error).message}`);
  }
}

function parseToml(file: string, text: string): Table {
  try {
    return parse(text) as Table;
  } catch (error) {
    const line = error instanceof TomlError ? ` at line ${error.line}` : '';
    throw new ConfigFileError(`${file} is not valid TOML${line}; it was left untouched. Fix it, then run the command again.`);
  }
}

/**
 * Plans putting `entry` (a table, with sub-tables as nested objects) at `[...prefix, name]`, or removing it
 * (`entry` undefined, globals left as they are). Reads only.
 */
export async function planTomlEntry(target: TomlTarget, name: string, entry: Table | undefined): Promise<ConfigPlan> {
  const { text, exists } = await readText(target.file);
  const before = parseToml(target.file, text);
  const path = [...target.prefix, name];
  let node: unknown = before;
  for (const key of path.slice(0, -1)) {
    node = isTable(node) ? node[key] : undefined;
    if (node !== undefined && !isTable(node)) {
      throw new ConfigFileError(
        `${target.file}: ${target.prefix.join('.')} is not a table; it was left untouched. Fix it by hand.`,
      );
    }
  }
  const existing = isTable(node) ? node[name] : undefined;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  if (entry === undefined && existing === undefined) {
    return { target: { file: target.file, prefix: [...target.prefix] }, before: text, after: text, existing, fileExists: exists };
  }
  let lines = text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);

  // Top-level keys go before the first table; one already set differently is the user's to change.
  const missing: string[] = [];
  if (entry !== undefined) {
    for (const [key, value] of Object.entries(target.globals ?? {})) {
      if (before[key] === undefined) missing.push(stringify({ [key]: value }).trim());
      else if (before[key] !== value) {
        throw new ConfigFileError(
          `${target.file} sets ${key} = ${JSON.stringify(before[key])}, and this entry needs ${JSON.stringify(value)}; it was left untouched. Change or remove that line, then run the command again.`,
        );
      }
    }
  }
  lines = withoutEntry(lines, path);
  if (missing.length > 0) {
    const firstHeader = lines.findIndex((line) => HEADER.test(line) || /^[ \t]*\[\[/.test(line));
    // After the last top-level line, before the blank lines that lead to the first table.
    let at = firstHeader === -1 ? lines.length : firstHeader;
    while (at > 0 && lines[at - 1]?.trim() === '') at -= 1;
    const blankFollows = at < lines.length && lines[at]?.trim() === '';
    lines.splice(at, 0, ...missing, ...(at < lines.length && !blankFollows ? [''] : []));
  }
  if (entry !== undefined) {
    const block = stringify(path.reduceRight<Table>((inner, key) => ({ [key]: inner }), entry))
      .trim()
      .split('\n');
    // smol-toml writes the parent tables' headers ([mcp_servers]) too: only ours are kept.
    const own = block.slice(
      block.findIndex((line) => HEADER.test(line) && tablePath(HEADER.exec(line)?.[1] ?? '').length === path.length),
    );
    lines.push(...(lines.length > 0 ? [''] : []), ...own);
  }
  const after = lines.length === 0 ? '' : `${lines.join(eol)}${eol}`;

  // The result must be the old document with exactly our change, or nothing is written.
  const expected = structuredClone(before);
  let parent: Table = expected;
  for (const key of path.slice(0, -1)) parent = (parent[key] ??= {}) as Table;
  if (entry === undefined) delete parent[name];
  else {
    parent[name] = entry;
    for (const [key, value] of Object.entries(target.globals ?? {})) expected[key] ??= value;
  }
  let got: Table | undefined;
  try {
    got = parse(after) as Table;
  } catch {
    got = undefined;
  }
  if (got === undefined || canonical(got) !== canonical(expected)) {
    throw new ConfigFileError(
      `${target.file} defines ${path.join('.')} in a way mcp-lambda cannot edit without touching the rest (an inline table, say); it was left untouched. Edit it by hand: write-config --client codex --print shows the entry.`,
    );
  }
  return { target: { file: target.file, prefix: [...target.prefix] }, before: text, after, existing, fileExists: exists };
}

/** Applies a change under a lock, re-planning from the file as it is then; keeps the file's mode. */
export async function writeTomlEntry(
  target: TomlTarget,
  name: string,
  entry: Table | undefined,
  newMode: number,
  lockOptions: LockOptions = {},
): Promise<ConfigPlan> {
  return writePlanned(target, () => planTomlEntry(target, name, entry), newMode, lockOptions);
}
