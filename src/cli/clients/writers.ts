/**
 * One shape for every client's config: where its file lives, where in it the entries are, how an entry
 * looks, and what to do next — over the shared merge-and-write of ./json-config.ts. Claude Code's writer
 * (./claude-code) has more to it (three scopes, a token helper) and keeps its own command path; the
 * others are here, one small module each. Clients with nothing on disk (Claude Desktop, claude.ai) print
 * the values to paste instead. The shapes are in ./types.ts, which the client modules import; this
 * registry imports the clients.
 */
import { claudeDesktop } from './claude-desktop.js';
import { codex } from './codex.js';
import { cursor } from './cursor.js';
import { gemini } from './gemini.js';
import type { LockOptions } from '../state/lock.js';
import { type ConfigPlan, type JsonTarget, planEntry, writeEntry } from './json-config.js';
import { planTomlEntry, type TomlTarget, writeTomlEntry } from './toml-config.js';
import type { ClientWriter, Env, FileWriter, TomlWriter, WriterScope } from './types.js';
import { vscode } from './vscode.js';

export const WRITERS: readonly ClientWriter[] = [vscode, cursor, gemini, codex, claudeDesktop];

export function writerFor(id: string): ClientWriter | undefined {
  return WRITERS.find((writer) => writer.id === id);
}

/** A client's config file: JSON (most clients) or TOML (Codex). */
export type ClientTarget =
  { readonly format: 'json'; readonly target: JsonTarget } | { readonly format: 'toml'; readonly target: TomlTarget };

/** Where a writer's entries live, with the format that reads them. */
export function clientTarget(writer: FileWriter | TomlWriter, scope: WriterScope, env: Env, cwd: string): ClientTarget {
  return writer.kind === 'toml'
    ? { format: 'toml', target: writer.target(scope, env, cwd) }
    : { format: 'json', target: writer.target(scope, env, cwd) };
}

/** Plans putting `entry` under `name` (undefined: removing it), in whichever format the file is. Reads only. */
export function planClientEntry(
  file: ClientTarget,
  name: string,
  entry: Record<string, unknown> | undefined,
): Promise<ConfigPlan> {
  return file.format === 'toml' ? planTomlEntry(file.target, name, entry) : planEntry(file.target, name, entry);
}

/** Writes that change under the file's lock (see json-config's writePlanned). */
export function writeClientEntry(
  file: ClientTarget,
  name: string,
  entry: Record<string, unknown> | undefined,
  newMode: number,
  lockOptions: LockOptions = {},
): Promise<ConfigPlan> {
  return file.format === 'toml'
    ? writeTomlEntry(file.target, name, entry, newMode, lockOptions)
    : writeEntry(file.target, name, entry, newMode, lockOptions);
}
