/**
 * Gemini CLI: `.gemini/settings.json` in the project or `~/.gemini/settings.json`, under
 * `mcpServers.<name>`: `httpUrl` (Streamable HTTP; `url` would mean SSE) and `oauth` with the client id,
 * the Cognito endpoints and the pinned scope. Gemini CLI's MCP docs, read 2026-11-25; its redirect is
 * http://localhost:7777/oauth/callback.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { stackClientTimeoutSeconds } from './timeout.js';
import type { FileWriter } from './types.js';

export const gemini: FileWriter = {
  kind: 'file',
  id: 'gemini',
  title: 'Gemini CLI',
  target: (scope, env, cwd) => ({
    file:
      scope === 'project'
        ? join(resolve(cwd), '.gemini', 'settings.json')
        : join(env.HOME || homedir(), '.gemini', 'settings.json'),
    prefix: ['mcpServers'],
    ...(scope === 'project' && { root: resolve(cwd) }),
  }),
  entry: (stack) => {
    // The Cognito domain the sign-up page is on serves the OAuth endpoints too.
    const hostedUi = new URL(stack.signInUrl).origin;
    const seconds = stackClientTimeoutSeconds(stack);
    return {
      httpUrl: stack.mcpServerUrl,
      ...(seconds !== undefined && { timeout: seconds * 1000 }),
      oauth: {
        enabled: true,
        clientId: stack.clientId,
        authorizationUrl: `${hostedUi}/oauth2/authorize`,
        tokenUrl: `${hostedUi}/oauth2/token`,
        scopes: [stack.scope],
      },
    };
  },
  next: (name) => [`Next: start gemini and run /mcp auth ${name}; the browser opens the Cognito page.`],
};
