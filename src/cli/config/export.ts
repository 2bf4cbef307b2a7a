/**
 * What `config export` writes: the keys of ./keys.ts that a deployed stack remembers, from its outputs,
 * as the text of an mcp-lambda.jsonc. Reading that text back gives the same values (tested).
 */
import { DEFAULT_SERVER_NAME } from '../../stack/names.js';
import { type FileKey, type FileServer, KEY_LIST, type Outputs, SCHEMA_KEY } from './keys.js';
import { SCHEMA_REFERENCE } from './schema.js';

export interface ExportedConfig {
  readonly values: Partial<Record<FileKey, unknown>>;
  /** What the stack cannot say, for a comment in the file and a warning. */
  readonly unknown: string[];
}

/** The file's values from a stack's outputs (and its allow-list, read from SSM by the caller). */
export function exportedConfig(stackName: string, outputs: Outputs, allow: readonly string[] | undefined): ExportedConfig {
  const values: Partial<Record<FileKey, unknown>> = {};
  for (const [key, definition] of KEY_LIST) {
    const value = definition.remembered?.(outputs);
    // A switch that is off is the default: said by leaving the key out.
    if (value === undefined || value === false) continue;
    values[key] = value;
  }
  if (allow !== undefined && allow.length > 0) values.allow = [...allow];
  const name = (values.name as string | undefined) ?? DEFAULT_SERVER_NAME;
  if (stackName !== `mcp-lambda-${name}`) values.stackName = stackName;
  const unknown: string[] = [];
  const stdio = (values.servers ?? {}) as Record<string, FileServer>;
  const modules = serverNames(outputs).filter((server) => !(server in stdio));
  if (outputs.ServerCode === 'entry' && modules.length > 0) {
    // The servers go together (one named alone would be the only one): all of them in the comment.
    const servers = Object.fromEntries(serverNames(outputs).map((server) => [server, stdio[server] ?? { entry: '<its file>' }]));
    delete values.servers;
    unknown.push(
      `The stack runs your own module${modules.length > 1 ? 's' : ''} (${modules.join(', ')}) and does not know the file${modules.length > 1 ? 's' : ''}: add "servers": ${JSON.stringify(servers)} with the file${modules.length > 1 ? 's' : ''} named.`,
    );
  }
  return { values, unknown };
}

/** The servers a stack runs: several (its Servers output), or the one its name names. */
function serverNames(outputs: Outputs): string[] {
  try {
    const parsed = JSON.parse(outputs.Servers ?? 'null') as { name: string }[] | null;
    if (Array.isArray(parsed)) return parsed.map((server) => server.name);
  } catch {
    // An unreadable Servers output: the one name below.
  }
  return [outputs.ServerName ?? DEFAULT_SERVER_NAME];
}

/** The text of the file: a header, $schema, the values, and a comment for what the stack cannot say. */
export function exportedText(exported: ExportedConfig): string {
  const lines = [
    '// mcp-lambda deployment, written by `mcp-lambda config export` from what the deployed stack remembers.',
    '// Flags beat this file; it beats what the stack remembers, which beats the defaults.',
    ...exported.unknown.map((note) => `// ${note}`),
    `{`,
    `  ${JSON.stringify(SCHEMA_KEY)}: ${JSON.stringify(SCHEMA_REFERENCE)},`,
  ];
  const entries = Object.entries(exported.values);
  entries.forEach(([key, value], index) => {
    const text = JSON.stringify(value, null, 2).replace(/\n/g, '\n  ');
    lines.push(`  ${JSON.stringify(key)}: ${text}${index < entries.length - 1 ? ',' : ''}`);
  });
  lines.push('}', '');
  return lines.join('\n');
}
