/**
 * The `dev` command line a hint repeats (another port, say): every flag that changes what is served, so
 * the command it suggests serves the same server — `npm run dev`'s `--entry ./server.ts` included.
 */
import { quote } from 'shell-quote';
import type { DevOptions } from '../commands/dev.js';

/**
 * `mcp-lambda dev …` with `changes` applied; under an npm script (`npm run dev`), `npx mcp-lambda …`, which
 * runs the project's own copy from node_modules/.bin in the user's shell.
 */
export function devCommandLine(
  options: DevOptions,
  env: Readonly<Record<string, string | undefined>>,
  changes: Partial<Pick<DevOptions, 'port'>> = {},
): string {
  const merged = { ...options, ...changes };
  const args = ['dev'];
  if (merged.entry !== undefined) args.push('--entry', merged.entry);
  if (merged.stdio !== undefined) args.push('--stdio', merged.stdio);
  if (merged.host !== '127.0.0.1') args.push('--host', merged.host);
  args.push('--port', String(merged.port));
  for (const file of merged.envFile ?? []) args.push('--env-from', file);
  for (const file of merged.envFrom ?? []) args.push('--env-from', file);
  for (const [key, value] of Object.entries(merged.env ?? {})) args.push('--env', `${key}=${value}`);
  if (merged.timeout !== undefined) args.push('--timeout', String(merged.timeout));
  if (merged.slowDemo === true) args.push('--slow-demo');
  const underNpm = env.npm_lifecycle_script?.startsWith('mcp-lambda ') === true;
  return `${underNpm ? 'npx ' : ''}mcp-lambda ${quote(args)}`;
}
