/**
 * Claude Code's MCP configuration files (DESIGN.md, "Claude Code config"):
 * - project: `<cwd>/.mcp.json` → `mcpServers.<name>`
 * - user:    `~/.claude.json`  → `mcpServers.<name>`
 * - local:   `~/.claude.json`  → `projects["<cwd>"].mcpServers.<name>`
 * `CLAUDE_CONFIG_DIR` moves `.claude.json`. Edited through the shared mechanism in ../json-config.ts.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { type JsonTarget, lookup, parseStrict, readConfig } from '../json-config.js';

export { ConfigFileError, type ConfigPlan, entryPath, planEntry, writeEntry } from '../json-config.js';

export type ConfigScope = 'project' | 'user' | 'local';

export interface ConfigTarget extends JsonTarget {
  readonly scope: ConfigScope;
  /** For local scope: the project path key. */
  readonly projectPath?: string;
}

export function configTarget(scope: ConfigScope, env: Readonly<Record<string, string | undefined>>, cwd: string): ConfigTarget {
  if (scope === 'project') return { scope, file: join(resolve(cwd), '.mcp.json'), prefix: ['mcpServers'], root: resolve(cwd) };
  const dir = env.CLAUDE_CONFIG_DIR || env.HOME || homedir();
  const file = join(dir, '.claude.json');
  return scope === 'local'
    ? { scope, file, projectPath: resolve(cwd), prefix: ['projects', resolve(cwd), 'mcpServers'] }
    : { scope, file, prefix: ['mcpServers'] };
}

/** An MCP entry found in one of Claude Code's files. */
export interface FoundEntry {
  readonly scope: ConfigScope;
  readonly file: string;
  readonly name: string;
  readonly entry: Readonly<Record<string, unknown>>;
}

/**
 * Every MCP server entry Claude Code would read in `cwd`: user and local scope from `.claude.json`,
 * project scope from `.mcp.json`. Reads only; a file that does not parse is a {@link ConfigFileError}.
 */
export async function readEntries(env: Readonly<Record<string, string | undefined>>, cwd: string): Promise<FoundEntry[]> {
  const found: FoundEntry[] = [];
  for (const scope of ['local', 'project', 'user'] as const) {
    const target = configTarget(scope, env, cwd);
    const { text } = await readConfig(target.file);
    const root = parseStrict(target.file, text);
    const servers = lookup(target.file, root, target.prefix);
    if (typeof servers !== 'object' || servers === null || Array.isArray(servers)) continue;
    for (const [name, entry] of Object.entries(servers)) {
      if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
        found.push({ scope, file: target.file, name, entry: entry as Record<string, unknown> });
      }
    }
  }
  return found;
}
