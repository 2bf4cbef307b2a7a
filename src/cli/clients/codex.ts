/**
 * Codex (CLI, IDE extension and the ChatGPT desktop app share it): `~/.codex/config.toml`, or
 * `.codex/config.toml` in a trusted project, `[mcp_servers.<name>]` with `url` and the pinned `scopes`, and
 * `[mcp_servers.<name>.oauth]` with the pre-registered `client_id`. Codex sends the redirect URI
 * `<mcp_oauth_callback_url>/<callback id>`; the top-level `mcp_oauth_callback_url` and `_port` set it to
 * http://localhost:31928/callback (without them Codex uses http://127.0.0.1:<random port>, which Cognito
 * cannot register). Seen with Codex CLI 0.169.0 (`codex mcp login`, test/e2e/codex.test.ts), 2026-11-25.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { CODEX_CALLBACK_PORT } from '../../stack/clients.js';
import { stackClientTimeoutSeconds } from './timeout.js';
import type { TomlWriter } from './types.js';

export const codex: TomlWriter = {
  kind: 'toml',
  id: 'codex',
  title: 'Codex',
  target: (scope, env, cwd) => ({
    file:
      scope === 'project'
        ? join(resolve(cwd), '.codex', 'config.toml')
        : join(env.CODEX_HOME || join(env.HOME || homedir(), '.codex'), 'config.toml'),
    prefix: ['mcp_servers'],
    ...(scope === 'project' && { root: resolve(cwd) }),
    globals: {
      mcp_oauth_callback_port: CODEX_CALLBACK_PORT,
      mcp_oauth_callback_url: `http://localhost:${CODEX_CALLBACK_PORT}/callback`,
    },
  }),
  entry: (stack) => {
    const seconds = stackClientTimeoutSeconds(stack);
    return {
      url: stack.mcpServerUrl,
      scopes: [stack.scope],
      ...(seconds !== undefined && { tool_timeout_sec: seconds }),
      oauth: { client_id: stack.clientId },
    };
  },
  next: (name) => [
    `Next: codex mcp login ${name} (the browser opens the Cognito page), then start codex; /mcp lists it.`,
    `      Codex returns to http://localhost:${CODEX_CALLBACK_PORT}/callback/<a hash of the server URL>; deploy --clients …,codex registers it.`,
  ],
};
