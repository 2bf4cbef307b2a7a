/**
 * What the CLI remembers per deployed stack, in the user's config directory:
 * `<config>/stacks/<region>/<stack>.json` holds the stack's outputs (so `login`, `write-config` and
 * `status` need no AWS call) and later what else the CLI wrote for that stack.
 *
 * The config directory is `$MCP_LAMBDA_CONFIG_DIR`, else `$XDG_CONFIG_HOME/mcp-lambda`, else
 * `~/.config/mcp-lambda`.
 */
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { UsageError } from '../terminal/errors.js';
import { readJsonFile, removeFile, writeJsonFile } from './files.js';
import { type LockOptions, withFileLock } from './lock.js';

/** A Claude Code entry `write-config` wrote, so `destroy` can remove exactly that. */
/** A client config entry `write-config` wrote (Claude Code's, or another client's), for `status` and `destroy`. */
export interface ClaudeEntryRecord {
  readonly scope: 'project' | 'user' | 'local';
  readonly file: string;
  readonly projectPath?: string;
  readonly entryName: string;
  /** The URL it pointed at (an entry the user repointed is left alone). */
  readonly url: string;
  /** The client the entry is for. @default claude-code */
  readonly client?: string;
  /** Where in the file the entries live (the entry is at `[...prefix, entryName]`). @default Claude Code's */
  readonly prefix?: readonly string[];
}

export interface StackRecord {
  readonly stackName: string;
  readonly region: string;
  readonly account?: string;
  /** When the outputs were last read from CloudFormation (ISO 8601). */
  readonly savedAt: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly claudeEntries?: readonly ClaudeEntryRecord[];
}

export function configDir(env: Readonly<Record<string, string | undefined>>): string {
  if (env.MCP_LAMBDA_CONFIG_DIR) return env.MCP_LAMBDA_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'mcp-lambda');
}

/** Stack names and regions are checked before they reach a path (no separators, no `..`). */
export function safeSegment(kind: string, value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(value)) {
    throw new UsageError(`${kind} ${JSON.stringify(value)} is not valid: use letters, digits and hyphens.`);
  }
  return value;
}

export function stackRecordPath(env: Readonly<Record<string, string | undefined>>, region: string, stackName: string): string {
  return join(configDir(env), 'stacks', safeSegment('region', region), `${safeSegment('stack name', stackName)}.json`);
}

export function readStackRecord(env: Readonly<Record<string, string | undefined>>, region: string, stackName: string) {
  return readJsonFile<StackRecord>(stackRecordPath(env, region, stackName));
}

/**
 * Changes the record under its lock: `update` gets the record as it is now (undefined when there is none,
 * or when it is damaged) and returns the new one. Two writers (two write-configs, a deploy) lose nothing.
 */
export async function updateStackRecord(
  env: Readonly<Record<string, string | undefined>>,
  region: string,
  stackName: string,
  update: (previous: StackRecord | undefined) => StackRecord,
  lockOptions: LockOptions = {},
): Promise<void> {
  const path = stackRecordPath(env, region, stackName);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await withFileLock(
    path,
    async () => {
      const previous = await readStackRecord(env, region, stackName).catch(() => undefined);
      await writeJsonFile(path, update(previous));
    },
    lockOptions,
  );
}

/** Saves the record, keeping the Claude Code entries an earlier save remembered. */
export async function saveStackRecord(
  env: Readonly<Record<string, string | undefined>>,
  record: StackRecord,
  lockOptions: LockOptions = {},
): Promise<void> {
  await updateStackRecord(
    env,
    record.region,
    record.stackName,
    (previous) => {
      const claudeEntries = record.claudeEntries ?? previous?.claudeEntries;
      return { ...record, ...(claudeEntries && { claudeEntries }) };
    },
    lockOptions,
  );
}

export function removeStackRecord(env: Readonly<Record<string, string | undefined>>, region: string, stackName: string) {
  return removeFile(stackRecordPath(env, region, stackName));
}
