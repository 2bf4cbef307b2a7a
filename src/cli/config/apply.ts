/**
 * Lays the file's values under the flags, before a command runs: a flag on the command line wins, then
 * the file; what the deployed stack remembers and the defaults come after (deploy's plan adds them). The
 * values enter commander's options with the source `config`, so everything downstream reads one set of
 * options, as if the file's keys had been given as flags.
 *
 * `deploy` and `synth` take every key; the other commands that name a stack take `name` and `stackName`
 * only (so `mcp-lambda login` finds the stack the file deploys). Without a file nothing changes.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { type FileKey, type FileServer, KEY_LIST } from './keys.js';
import { type ConfigFile, readConfigFile } from './read.js';

/** Where a setting comes from, strongest first. */
export type SettingSource = 'flag' | 'file' | 'stack' | 'default';

/** Commands that take every key of the file. */
const STACK_COMMANDS = new Set(['deploy', 'synth']);
/** Options a map of the file merges with, key by key (the flag's entry wins). */
const MAPS = new Set(['env', 'secret', 'toolGroups']);

/** Whether the command line (or the environment) gave this option. */
function fromCommandLine(command: Command, option: string): boolean {
  const source = command.getOptionValueSource(option);
  return source === 'cli' || source === 'env';
}

/**
 * Reads the file (the one `--config` names, or the one in `cwd`) and sets its values on `command`'s
 * options where the command line gave none. Returns the file, or undefined when there is none.
 */
export async function applyConfigFile(command: Command, cwd: string): Promise<ConfigFile | undefined> {
  // config export writes the file: it does not read it.
  if (command.parent?.name() === 'config') return undefined;
  const { config } = command.opts<{ config?: string }>();
  const file = await readConfigFile(cwd, config);
  if (file === undefined) return undefined;
  const every = STACK_COMMANDS.has(command.name());
  for (const [key, definition] of KEY_LIST) {
    if (!every && key !== 'name' && key !== 'stackName' && key !== 'servers') continue;
    let value = file.values[key];
    if (value === undefined) continue;
    // A flag of the key's group replaces the key (--domain and --hosted-zone replace domain and certificate);
    // a map (env, secrets, toolGroups) is merged key by key instead.
    const merged = definition.overriddenBy.every((option) => MAPS.has(option));
    if (!merged && definition.overriddenBy.some((option) => fromCommandLine(command, option))) continue;
    if (key === 'servers') value = relativeToFile(value as Record<string, FileServer>, file, cwd);
    const options = (definition.options as (value: unknown) => Record<string, unknown>)(value);
    for (const [option, optionValue] of Object.entries(options)) {
      if (!every && option !== 'name' && option !== 'stackName') continue;
      if (fromCommandLine(command, option)) {
        if (MAPS.has(option)) {
          const given = command.getOptionValue(option) as Record<string, unknown>;
          command.setOptionValueWithSource(option, { ...(optionValue as object), ...given }, 'cli');
        }
        continue;
      }
      command.setOptionValueWithSource(option, optionValue, 'config');
    }
  }
  return file;
}

/** Entry modules are named relative to the file (its directory may not be the working directory). */
function relativeToFile(servers: Record<string, FileServer>, file: ConfigFile, cwd: string): Record<string, FileServer> {
  const dir = dirname(file.path);
  if (dir === resolve(cwd)) return servers;
  return Object.fromEntries(
    Object.entries(servers).map(([name, server]) => [
      name,
      server.entry !== undefined && !isAbsolute(server.entry) ? { entry: resolve(dir, server.entry) } : server,
    ]),
  );
}

/** Where each setting a deploy would use comes from: the flags, the file, the deployed stack, or the default. */
export function settingSources(
  flags: ReadonlySet<string>,
  file: ConfigFile | undefined,
  outputs: Readonly<Record<string, string>> | undefined,
): Record<FileKey, { source: SettingSource; value?: unknown }> {
  const sources = {} as Record<FileKey, { source: SettingSource; value?: unknown }>;
  for (const [key, definition] of KEY_LIST) {
    const inFile = file?.values[key];
    const remembered = outputs && definition.kept ? definition.remembered?.(outputs) : undefined;
    sources[key] = definition.overriddenBy.some((option) => flags.has(option))
      ? { source: 'flag' }
      : inFile !== undefined
        ? { source: 'file', value: inFile }
        : remembered !== undefined && remembered !== false
          ? { source: 'stack', value: remembered }
          : { source: 'default' };
  }
  return sources;
}
