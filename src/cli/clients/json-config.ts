/**
 * MCP clients' JSON configuration files, edited the way a person would: only our entry changes; every
 * other key, the indentation and the trailing newline stay as they were. A file that does not parse is
 * refused untouched. Writes are atomic (temp file, rename), keep the file's mode, and hold a lock so two
 * writers do not lose each other's entries. Each client says where its file is and where in it the
 * entries live (a {@link JsonTarget}); Claude Code's, VS Code's, Cursor's and Gemini CLI's writers share this.
 */
import { constants } from 'node:fs';
import { access, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { applyEdits, type JSONPath, modify, type ParseErrorCode, printParseErrorCode, visit } from 'jsonc-parser';
import { isInside, landingPath, removeStaleTemps, writeFileAtomic } from '../state/files.js';
import { type LockOptions, withFileLock } from '../state/lock.js';

/** A config file we will not edit (does not parse, wrong shape, read-only). Nothing was written. */
export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError';
}

/** A JSON config file and where its MCP entries live in it (`[...prefix, name]`). */
export interface JsonTarget {
  readonly file: string;
  readonly prefix: JSONPath;
  /**
   * A project-scope file's project folder: the write is refused when a symlink (the file, or a folder on
   * its way) leads out of it. A project's files come with its repository; a user-scope file may be a link
   * (a dotfile manager's) and is written through. @default none: no check
   */
  readonly root?: string;
}

export function entryPath(target: JsonTarget, name: string): JSONPath {
  return [...target.prefix, name];
}

export interface ConfigPlan {
  readonly target: JsonTarget;
  /** The file's text now ('' when it does not exist). */
  readonly before: string;
  /** The text after the change. */
  readonly after: string;
  /** The entry that is there now. */
  readonly existing: unknown;
  readonly fileExists: boolean;
}

/** The file's text without a byte-order mark, and the mark itself ('' when none): written back as found. */
export async function readConfig(file: string): Promise<{ text: string; bom: string; exists: boolean }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', bom: '', exists: false };
    throw new ConfigFileError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  return text.startsWith('\uFEFF') ? { text: text.slice(1), bom: '\uFEFF', exists: true } : { text, bom: '', exists: true };
}

export function parseStrict(file: string, text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigFileError(
      `${file} is not valid JSON (${(error as Error).message}); it was left untouched. Fix it, then run the command again.`,
    );
  }
}

/** Walks `path` (without the last key), refusing anything that is not an object on the way. */
export function lookup(file: string, root: unknown, path: JSONPath): unknown {
  let node = root;
  const walked: string[] = [];
  for (const key of path) {
    if (node === undefined) return undefined;
    if (typeof node !== 'object' || node === null || Array.isArray(node)) {
      throw new ConfigFileError(
        `${file}: ${walked.join('.') || 'the top level'} is not an object; it was left untouched. Fix it by hand.`,
      );
    }
    node = (node as Record<string, unknown>)[String(key)];
    walked.push(String(key));
  }
  return node;
}

function formatting(text: string) {
  const indent = text.match(/^([ \t]+)\S/m)?.[1] ?? '  ';
  return { indent, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

/** The whitespace a line starts with, for the line holding `offset`. */
function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))?.[0] ?? '';
}

/** `value` as JSON indented with `unit`, its inner lines shifted by `base` (to sit at a nesting depth). */
function pretty(value: unknown, unit: string, base: string, eol: string): string {
  return JSON.stringify(value, null, unit).split('\n').join(`${eol}${base}`);
}

interface Span {
  readonly offset: number;
  readonly end: number;
}

type Kind = 'object' | 'array' | 'literal';

interface Located {
  /** The value at the whole path, when there is one. */
  value?: Span;
  /** The kind of the value at path[0..d), for each depth d that exists (0: the whole document). */
  readonly kinds: Array<Kind | undefined>;
  /** The first syntax error (Claude Code reads strict JSON: no comments, no trailing commas). */
  firstError?: { readonly code: number; readonly offset: number };
  /** For each depth d, the object at path[0..d) when it exists, with its last property (key start, value end). */
  readonly objects: Array<(Span & { lastKey?: number; lastEnd?: number }) | undefined>;
  syntaxErrors: number;
}

/**
 * Finds, in one pass of jsonc-parser's scanner (no tree, so memory stays near the file's size), the
 * value at `path` and the objects along it.
 */
function locate(text: string, path: JSONPath): Located {
  const located: Located = { objects: [], kinds: [], syntaxErrors: 0 };
  interface Open {
    readonly type: 'object' | 'array';
    readonly offset: number;
    readonly depth: number;
    /** This container's own path equals path[0..depth). */
    readonly matched: boolean;
    key?: string;
    keyOffset?: number;
    lastKey?: number;
    lastEnd?: number;
  }
  const stack: Open[] = [];
  const opens = (type: Open['type'], offset: number) => {
    const parent = stack[stack.length - 1];
    const matched =
      parent === undefined || (parent.matched && parent.type === 'object' && parent.key === String(path[parent.depth]));
    stack.push({ type, offset, depth: parent ? parent.depth + 1 : 0, matched });
  };
  const completed = (offset: number, end: number, kind: Kind) => {
    const parent = stack[stack.length - 1];
    if (parent === undefined) located.kinds[0] = kind;
    if (parent?.type !== 'object') return;
    if (parent.matched && parent.depth < path.length && parent.key === String(path[parent.depth])) {
      located.kinds[parent.depth + 1] = kind;
    }
    parent.lastKey = parent.keyOffset;
    parent.lastEnd = end;
    if (parent.matched && parent.depth === path.length - 1 && parent.key === String(path[parent.depth])) {
      located.value = { offset, end };
    }
  };
  const closes = (offset: number, length: number) => {
    const open = stack.pop();
    if (!open) return;
    const end = offset + length;
    if (open.type === 'object' && open.matched && open.depth <= path.length) {
      located.objects[open.depth] = {
        offset: open.offset,
        end,
        ...(open.lastKey !== undefined && { lastKey: open.lastKey, lastEnd: open.lastEnd as number }),
      };
    }
    completed(open.offset, end, open.type);
  };
  visit(
    text,
    {
      onObjectBegin: (offset) => opens('object', offset),
      onArrayBegin: (offset) => opens('array', offset),
      onObjectEnd: closes,
      onArrayEnd: closes,
      onObjectProperty: (property, offset) => {
        const top = stack[stack.length - 1];
        if (top) {
          top.key = property;
          top.keyOffset = offset;
        }
      },
      onLiteralValue: (_value, offset, length) => completed(offset, offset + length, 'literal'),
      onError: (code, offset) => {
        located.syntaxErrors += 1;
        located.firstError ??= { code, offset };
      },
    },
    { disallowComments: true, allowTrailingComma: false },
  );
  return located;
}

/**
 * Computes the file's text with `value` at `path` (undefined removes it). Only the entry's own text
 * changes: jsonc-parser's formatter would also re-indent the tail of the entry before it, so additions and
 * replacements are written here, in the file's own indentation; removals use jsonc-parser's plain edit.
 */
function edit(text: string, path: JSONPath, value: unknown): string {
  if (text.trim() === '') {
    if (value === undefined) return text;
    return `${JSON.stringify(setIn({}, path, value), null, 2)}\n`;
  }
  if (value === undefined) return applyEdits(text, modify(text, path, undefined, {}));
  const { indent: unit, eol } = formatting(text);
  const located = locate(text, path);
  if (located.value) {
    const { offset, end } = located.value;
    return text.slice(0, offset) + pretty(value, unit, lineIndent(text, offset), eol) + text.slice(end);
  }
  // The deepest object on the path that exists; the rest of the path becomes one new property there.
  let depth = Math.min(path.length - 1, located.objects.length - 1);
  while (depth > 0 && located.objects[depth] === undefined) depth -= 1;
  const parent = located.objects[depth];
  if (!parent) throw new Error('the path does not lead through objects');
  const key = String(path[depth]);
  const inserted = path.length - 1 > depth ? setIn({}, path.slice(depth + 1), value) : value;
  if (parent.lastKey !== undefined && parent.lastEnd !== undefined) {
    const keyIndent = lineIndent(text, parent.lastKey);
    const at = parent.lastEnd;
    return `${text.slice(0, at)},${eol}${keyIndent}${JSON.stringify(key)}: ${pretty(inserted, unit, keyIndent, eol)}${text.slice(at)}`;
  }
  // An empty object: open it onto lines of its own.
  const outer = lineIndent(text, parent.offset);
  const keyIndent = outer + unit;
  return `${text.slice(0, parent.offset + 1)}${eol}${keyIndent}${JSON.stringify(key)}: ${pretty(inserted, unit, keyIndent, eol)}${eol}${outer}${text.slice(parent.end - 1)}`;
}

function setIn(root: Record<string, unknown>, path: JSONPath, value: unknown): Record<string, unknown> {
  let node = root;
  path.forEach((key, index) => {
    if (index === path.length - 1) node[String(key)] = value;
    else node = (node[String(key)] = {}) as Record<string, unknown>;
  });
  return root;
}

/** Plans putting `entry` under `name` (or removing it, with `entry` undefined). Reads only. */
export async function planEntry(target: JsonTarget, name: string, entry: unknown): Promise<ConfigPlan> {
  const { text, bom, exists } = await readConfig(target.file);
  const path = entryPath(target, name);
  // One scan instead of JSON.parse: a large ~/.claude.json (it keeps every project's history) is read
  // without building its whole object graph.
  const located = text.trim() === '' ? undefined : locate(text, path);
  if (located?.firstError) {
    const { code, offset } = located.firstError;
    const line = text.slice(0, offset).split('\n').length;
    throw new ConfigFileError(
      `${target.file} is not valid JSON (${printParseErrorCode(code as ParseErrorCode)} at line ${line}); it was left untouched. Fix it, then run the command again.`,
    );
  }
  if (located && located.kinds[0] !== 'object') {
    throw new ConfigFileError(`${target.file} does not hold a JSON object; it was left untouched.`);
  }
  for (let depth = 1; depth < path.length; depth += 1) {
    const kind = located?.kinds[depth];
    if (kind !== undefined && kind !== 'object') {
      throw new ConfigFileError(
        `${target.file}: ${path.slice(0, depth).join('.')} is not an object; it was left untouched. Fix it by hand.`,
      );
    }
    if (kind === undefined) break;
  }
  const existing =
    located?.value === undefined ? undefined : (JSON.parse(text.slice(located.value.offset, located.value.end)) as unknown);
  // Nothing to remove: nothing changes (and an empty or missing file needs no check).
  if (entry === undefined && existing === undefined) {
    return { target, before: bom + text, after: bom + text, existing, fileExists: exists };
  }
  const after = edit(text, path, entry);
  // The edit must give back what we meant, and a file that still parses (checked by scanning, and by
  // parsing only the entry: a second full parse of a large config would double the memory it takes).
  const check = locate(after, path);
  const written =
    check.value === undefined ? undefined : (JSON.parse(after.slice(check.value.offset, check.value.end)) as unknown);
  if (check.syntaxErrors > 0 || JSON.stringify(written) !== JSON.stringify(entry)) {
    throw new Error(`Editing ${target.file} did not produce the intended entry`);
  }
  return { target, before: bom + text, after: bom + after, existing, fileExists: exists };
}

/**
 * Applies a change under a lock, re-planning from the file as it is then (another writer, or Claude Code
 * itself, may have changed it since the plan was shown). Keeps the file's mode; new files get `newMode`.
 */
export async function writeEntry(
  target: JsonTarget,
  name: string,
  entry: unknown,
  newMode: number,
  lockOptions: LockOptions = {},
): Promise<ConfigPlan> {
  return writePlanned(target, () => planEntry(target, name, entry), newMode, lockOptions);
}

/**
 * Refuses a project-scope file whose write would land outside its project: `.mcp.json` (or `.vscode/`,
 * `.cursor/`, …) as a symlink to somewhere else — a repository can carry such a link, and
 * write-file-atomic writes through it. The lock and temporary files go beside the file, so its folder
 * must stay inside too. Links that stay inside the project are followed as usual.
 */
export async function checkInsideProject(target: { readonly file: string; readonly root?: string }): Promise<void> {
  if (target.root === undefined) return;
  const root = await landingPath(target.root);
  for (const path of [target.file, dirname(target.file)]) {
    let landed: string;
    try {
      landed = await landingPath(path);
    } catch (error) {
      throw new ConfigFileError(`Cannot tell where ${path} leads (${(error as Error).message}); it was left untouched.`);
    }
    if (!isInside(root, landed)) {
      throw new ConfigFileError(
        `${path} is a symlink (or inside one) that leads out of the project, to ${landed}; it was left untouched. Writing there would change a file outside ${target.root}. Replace the link with a real file, or pass --print and add the entry by hand.`,
      );
    }
  }
}

/**
 * The write every client config shares (JSON here, TOML in ./toml-config.ts): refuse a project file that
 * leads out of its project, create the folder, take the file's lock, plan again from the file as it is now
 * (and check again where it leads), refuse a read-only file, write atomically.
 */
export async function writePlanned(
  target: { readonly file: string; readonly root?: string },
  plan: () => Promise<ConfigPlan>,
  newMode: number,
  lockOptions: LockOptions = {},
): Promise<ConfigPlan> {
  const { file } = target;
  // Before anything is created: mkdir would follow a linked folder too.
  await checkInsideProject(target);
  // CLAUDE_CONFIG_DIR (or CODEX_HOME) may name a directory the client has not created yet.
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new ConfigFileError(`Could not create ${dirname(file)}: ${(error as Error).message}`);
  }
  return withFileLock(
    file,
    async () => {
      // Again under the lock, just before writing: the link may have changed while we waited.
      await checkInsideProject(target);
      await removeStaleTemps(file);
      const planned = await plan();
      if (planned.after === planned.before) return planned;
      if (planned.fileExists) {
        const mode = (await stat(file)).mode & 0o777;
        // The mode bits as well as access(): root may write anything, but a read-only file says "leave me".
        const writable =
          (mode & 0o222) !== 0 &&
          (await access(file, constants.W_OK).then(
            () => true,
            () => false,
          ));
        if (!writable) {
          throw new ConfigFileError(
            `${file} is read-only; it was left untouched. Make it writable, or pass --print and run the command it shows.`,
          );
        }
      }
      try {
        // A symlink is written through; an existing file keeps its owner, group and mode.
        await writeFileAtomic(file, planned.after, { keep: true, newMode });
      } catch (error) {
        throw new ConfigFileError(`Could not write ${file}: ${(error as Error).message}`);
      }
      return planned;
    },
    lockOptions,
  );
}
