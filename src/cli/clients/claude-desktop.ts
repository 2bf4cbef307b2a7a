/**
 * Claude Desktop and claude.ai: a custom connector, added in Settings → Connectors; nothing on disk. The
 * connector is called from Anthropic's cloud, so the server must be reachable from the public internet,
 * and it returns to https://claude.ai/api/mcp/auth_callback (or claude.com's), both registered by deploy.
 */
import type { PasteWriter } from './types.js';

export const claudeDesktop: PasteWriter = {
  kind: 'paste',
  id: 'claude-desktop',
  title: 'Claude Desktop and claude.ai',
  steps: (stack, name) => [
    'In Claude Desktop or claude.ai: Settings → Connectors → Add custom connector, then:',
    `  Name:                ${name}`,
    `  Remote MCP server URL: ${stack.mcpServerUrl}`,
    `  Advanced settings → OAuth Client ID: ${stack.clientId}   (no client secret: it is a public client)`,
    'Then Connect: the Cognito sign-in page opens; sign in (or register, if you may) and allow it.',
  ],
};
