/**
 * `deploy --stdio-from <client>:<entry>`: the stdio server a client already runs, read from that client's
 * own config, so moving it to Lambda starts from what works on the user's machine. Claude Code's entries
 * are where Claude Code reads them (local, project, user scope: the first that has the name, as Claude
 * Code resolves it); Claude Desktop's are in `claude_desktop_config.json`. Only reads: nothing here writes.
 *
 * The entry becomes a `--stdio` command line (each word quoted where a shell would need it, so the `--stdio`
 * parser reads exactly the words the client would run) and its environment, split into plain settings and values that
 * look like keys — those are offered for Secrets Manager (./move-secrets.ts), never put in the template.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type ConfigScope, readEntries } from '../clients/claude-code/config-file.js';
import { shellQuote } from '../clients/claude-code/entry.js';
import { ConfigFileError, lookup, parseStrict, readConfig } from '../clients/json-config.js';
import { UsageError, UserError } from '../terminal/errors.js';

export type StdioSourceClient = 'claude-code' | 'claude-desktop';

const CLIENTS: readonly StdioSourceClient[] = ['claude-code', 'claude-desktop'];

/** One `--stdio-from <client>:<entry>`. */
export interface StdioFromFlag {
  readonly client: StdioSourceClient;
  readonly entry: string;
}

export function parseStdioFrom(value: string): StdioFromFlag {
  const colon = value.indexOf(':');
  const client = colon < 0 ? '' : value.slice(0, colon);
  const entry = colon < 0 ? '' : value.slice(colon + 1);
  if (!CLIENTS.includes(client as StdioSourceClient) || entry === '') {
    throw new UsageError(
      `--stdio-from ${JSON.stringify(value)}: expected <client>:<entry name>, the client one of ${CLIENTS.join(', ')}.`,
      '--stdio-from claude-code:memory',
    );
  }
  return { client: client as StdioSourceClient, entry };
}

/** A stdio entry found in a client's config. */
export interface ClientStdioEntry {
  readonly client: StdioSourceClient;
  readonly name: string;
  readonly file: string;
  /** Claude Code's scope the entry was found in. */
  readonly scope?: ConfigScope;
  /** The entry as it is in the file (what a backup keeps). */
  readonly raw: Readonly<Record<string, unknown>>;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** `command` and `args` as one `--stdio` command line. */
  readonly commandLine: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Claude Desktop's config file: macOS and Windows as Anthropic documents them; on Linux (no official
 * build) where the community builds keep it.
 */
export function claudeDesktopConfigFile(env: Env, platform: NodeJS.Platform = process.platform): string {
  const home = env.HOME || homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json');
  if (platform === 'win32') {
    return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'Claude', 'claude_desktop_config.json');
  }
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'Claude', 'claude_desktop_config.json');
}

async function desktopEntries(env: Env, platform: NodeJS.Platform): Promise<Map<string, unknown> & { file: string }> {
  const file = claudeDesktopConfigFile(env, platform);
  const { text, exists } = await readConfig(file);
  if (!exists) {
    throw new UserError(`Claude Desktop's config ${file} does not exist, so it has no stdio server to move.`, {
      hint: 'Check the entry in Claude Desktop: Settings → Developer → Edit Config.',
    });
  }
  const servers = lookup(file, parseStrict(file, text), ['mcpServers']);
  const found = Object.assign(new Map<string, unknown>(), { file });
  if (typeof servers === 'object' && servers !== null && !Array.isArray(servers)) {
    for (const [name, entry] of Object.entries(servers)) found.set(name, entry);
  }
  return found;
}

/** Reads the named entry and checks it is a stdio server mcp-lambda can take. */
export async function readStdioEntry(
  flag: StdioFromFlag,
  env: Env,
  cwd: string,
  platform: NodeJS.Platform = process.platform,
): Promise<ClientStdioEntry> {
  let found: { raw: unknown; file: string; scope?: ConfigScope } | undefined;
  let names: string[];
  try {
    if (flag.client === 'claude-code') {
      const entries = await readEntries(env, cwd);
      const hit = entries.find((entry) => entry.name === flag.entry);
      if (hit) found = { raw: hit.entry, file: hit.file, scope: hit.scope };
      names = [...new Set(entries.map((entry) => entry.name))];
    } else {
      const entries = await desktopEntries(env, platform);
      if (entries.has(flag.entry)) found = { raw: entries.get(flag.entry), file: entries.file };
      names = [...entries.keys()];
    }
  } catch (error) {
    if (error instanceof ConfigFileError) throw new UserError(error.message);
    throw error;
  }
  const title = flag.client === 'claude-code' ? 'Claude Code' : 'Claude Desktop';
  if (found === undefined) {
    throw new UserError(`${title} has no MCP server entry named ${JSON.stringify(flag.entry)}.`, {
      hint: names.length > 0 ? `Its entries: ${names.slice(0, 10).join(', ')}.` : `${title} has no MCP server entries here.`,
    });
  }
  const where = `${title}'s entry "${flag.entry}" in ${found.file}`;
  const raw = found.raw;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UserError(`${where} is not an object.`);
  const { type, command, args, env: entryEnv, url } = raw as Record<string, unknown>;
  if ((type !== undefined && type !== 'stdio') || (command === undefined && url !== undefined)) {
    throw new UserError(
      `${where} is a remote server (${String(type ?? 'url')}), not a stdio program: it already runs elsewhere.`,
    );
  }
  if (typeof command !== 'string' || command.trim() === '') throw new UserError(`${where} has no "command" to run.`);
  if (args !== undefined && (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string'))) {
    throw new UserError(`${where}: "args" is not a list of strings.`);
  }
  if (entryEnv !== undefined && (typeof entryEnv !== 'object' || entryEnv === null || Array.isArray(entryEnv))) {
    throw new UserError(`${where}: "env" is not an object of names and values.`);
  }
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries((entryEnv ?? {}) as Record<string, unknown>)) {
    if (typeof value !== 'string') throw new UserError(`${where}: env ${key} is not a string.`);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      throw new UserError(`${where}: env ${JSON.stringify(key)} is not a variable name.`);
    environment[key] = value;
  }
  const argv = [command, ...((args as string[] | undefined) ?? [])];
  return {
    client: flag.client,
    name: flag.entry,
    file: found.file,
    ...(found.scope && { scope: found.scope }),
    raw: raw as Record<string, unknown>,
    command,
    args: argv.slice(1),
    env: environment,
    commandLine: argv.map(shellQuote).join(' '),
  };
}

/** Names that say the value is a credential. */
const SECRET_NAME = /(^|_)(API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASS|PWD|CREDENTIALS?|AUTH|PAT|PRIVATE|SESSION)(_|$)/i;
/** Values shaped like well-known credentials. */
const SECRET_VALUE =
  /^(sk-|sk_live_|rk_live_|ghp_|gho_|ghu_|ghs_|github_pat_|glpat-|xox[abpr]-|AKIA|ASIA|AIza|ya29\.|eyJ[A-Za-z0-9_-]{10,}\.)|:\/\/[^/\s:@]+:[^/\s@]+@/;

/**
 * Whether a setting looks like a key: by its name, by a well-known credential shape, or by being a long
 * run of letters and digits with no spaces or path separators (a random token). Leans to yes: the user is
 * asked, and a key in the template is the worse mistake.
 */
export function looksLikeSecret(key: string, value: string): boolean {
  if (value === '') return false;
  if (SECRET_NAME.test(key) || SECRET_VALUE.test(value)) return true;
  return value.length >= 24 && /^[A-Za-z0-9+/=_-]+$/.test(value) && /\d/.test(value) && /[A-Za-z]/.test(value);
}

/**
 * The entry's arguments that look like keys (`--api-key sk-…`, `--token=…`, a URL with a password, a bare
 * token), by position and the flag they follow, never the value: an argument goes into the function's code
 * as written (stdio.json), where Secrets Manager cannot hold it.
 */
export function keyLikeArguments(args: readonly string[]): string[] {
  const found: string[] = [];
  const flagName = (flag: string) => flag.replace(/^-+/, '').replace(/-/g, '_').toUpperCase();
  args.forEach((arg, index) => {
    const inline = /^(--?[A-Za-z][\w-]*)=(.*)$/.exec(arg);
    const previous = index > 0 ? args[index - 1] : undefined;
    const flag = inline?.[1] ?? (previous !== undefined && /^--?[A-Za-z][\w-]*$/.test(previous) ? previous : undefined);
    const value = inline?.[2] ?? arg;
    if (value.startsWith('-') && inline === undefined) return;
    if (looksLikeSecret(flag === undefined ? '' : flagName(flag), value)) {
      found.push(`argument ${index + 1}${flag === undefined ? '' : ` (${flag})`}`);
    }
  });
  return found;
}

/** The entry's environment split: plain settings, and those to offer for Secrets Manager. */
export function splitEnvironment(env: Readonly<Record<string, string>>): {
  readonly plain: Record<string, string>;
  readonly keyLike: Record<string, string>;
} {
  const plain: Record<string, string> = {};
  const keyLike: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) (looksLikeSecret(key, value) ? keyLike : plain)[key] = value;
  return { plain, keyLike };
}
