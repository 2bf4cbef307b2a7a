/**
 * Cursor: `.cursor/mcp.json` in the project or `~/.cursor/mcp.json`, under `mcpServers.<name>`: `url` and
 * `auth` with the static `CLIENT_ID` and the `scopes` to ask for (pinned: without them Cursor asks for
 * every scope the metadata lists). Read 2026-11-25 from cursor.com/docs/mcp as quoted by providers' guides.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FileWriter } from './types.js';

export const cursor: FileWriter = {
  kind: 'file',
  id: 'cursor',
  title: 'Cursor',
  target: (scope, env, cwd) => ({
    file: scope === 'project' ? join(resolve(cwd), '.cursor', 'mcp.json') : join(env.HOME || homedir(), '.cursor', 'mcp.json'),
    prefix: ['mcpServers'],
    ...(scope === 'project' && { root: resolve(cwd) }),
  }),
  entry: (stack) => ({ url: stack.mcpServerUrl, auth: { CLIENT_ID: stack.clientId, scopes: [stack.scope] } }),
  next: (name) => [
    `Next: in Cursor, open Settings → MCP, and connect "${name}"; the browser opens the Cognito page.`,
    '      Cursor returns to http://localhost:8787/callback (older versions: cursor://anysphere.cursor-mcp/oauth/callback); both are registered.',
  ],
};
