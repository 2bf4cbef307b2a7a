/**
 * VS Code (Copilot agent mode): `.vscode/mcp.json` in the workspace, or the user profile's `mcp.json`,
 * under `servers.<name>`: `type: "http"`, `url`, and `oauth.clientId` for the pre-registered public client
 * (VS Code's MCP configuration reference, `oauth` property documented in microsoft/vscode-docs#9798, read
 * 2026-11-25). VS Code has no scope setting: it asks for the scopes the server's protected-resource
 * metadata lists, which hold only the MCP scope.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FileWriter } from './types.js';

/** The user profile's folder for each platform (VS Code's "MCP: Open User Configuration"). */
function userDir(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform): string {
  const home = env.HOME || homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Code', 'User');
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'Code', 'User');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'Code', 'User');
}

export const vscode: FileWriter = {
  kind: 'file',
  id: 'vscode',
  title: 'VS Code',
  target: (scope, env, cwd, platform = process.platform) => ({
    file: scope === 'project' ? join(resolve(cwd), '.vscode', 'mcp.json') : join(userDir(env, platform), 'mcp.json'),
    prefix: ['servers'],
    ...(scope === 'project' && { root: resolve(cwd) }),
  }),
  entry: (stack) => ({ type: 'http', url: stack.mcpServerUrl, oauth: { clientId: stack.clientId } }),
  next: (name) => [
    `Next: in VS Code, run "MCP: List Servers", start "${name}" and allow it to sign in; the browser opens the Cognito page.`,
    '      VS Code signs in through https://vscode.dev/redirect (its loopback redirect cannot be registered on Cognito).',
  ],
};
