/**
 * Which redirect URIs the public client registers. A website's redirect URI (VS Code's vscode.dev,
 * Cursor's cursor.com, Claude's claude.ai) lets that website receive sign-in codes for our client, so it is
 * registered only when `--clients` names its client; by default only URIs on the user's machine are.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/stack/app.js';
import { CLIENTS, DEFAULT_CLIENTS, isThirdPartyWeb, thirdPartyRedirectUris } from '../../src/stack/clients.js';
import { OUTPUTS } from '../../src/stack/index.js';
import { resolveStackOptions } from '../../src/stack/props.js';

function synth(clients?: string[]) {
  const { app, stack } = buildApp({ ...(clients && { clients }), outdir: mkdtempSync(join(tmpdir(), 'mcp-lambda-synth-')) });
  const template = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, { Type: string; Properties: Record<string, any> }>;
    Outputs: Record<string, { Value: unknown }>;
  };
  const client = Object.values(template.Resources).find(
    (r) => r.Type === 'AWS::Cognito::UserPoolClient' && r.Properties.ClientName === 'dog-facts-interactive',
  );
  return { callbackUrls: client?.Properties.CallbackURLs as string[], outputs: template.Outputs };
}

describe('redirect URIs on websites', () => {
  it('are not registered by default: only Claude Code, the Inspector and Gemini CLI, all on localhost', () => {
    expect(DEFAULT_CLIENTS).toEqual(['claude-code', 'gemini']);
    const { callbackUrls, outputs } = synth();
    expect(callbackUrls.filter(isThirdPartyWeb)).toEqual([]);
    expect(callbackUrls.every((url) => url.startsWith('http://localhost:'))).toBe(true);
    expect(outputs[OUTPUTS.thirdPartyRedirectUris]).toBeUndefined();
  });

  it.each([
    ['vscode', ['https://vscode.dev/redirect', 'https://insiders.vscode.dev/redirect']],
    ['cursor', ['https://www.cursor.com/agents/mcp/oauth/callback']],
    ['claude-desktop', ['https://claude.ai/api/mcp/auth_callback', 'https://claude.com/api/mcp/auth_callback']],
  ])('are registered for %s when named, and recorded in an output', (id, web) => {
    const { callbackUrls, outputs } = synth([id]);
    expect(callbackUrls.filter(isThirdPartyWeb)).toEqual(web);
    expect(outputs[OUTPUTS.thirdPartyRedirectUris]?.Value).toBe(web.join(','));
  });

  it('are the https ones of each client, and a deployment’s own https --callback-url is not one of them', () => {
    const all = CLIENTS.map((client) => client.id);
    expect(thirdPartyRedirectUris(all, 31927)).toEqual([
      'https://vscode.dev/redirect',
      'https://insiders.vscode.dev/redirect',
      'https://www.cursor.com/agents/mcp/oauth/callback',
      'https://claude.ai/api/mcp/auth_callback',
      'https://claude.com/api/mcp/auth_callback',
    ]);
    const own = resolveStackOptions({ extraCallbackUrls: ['https://app.example.com/cb'] });
    expect(own.callbackUrls).toContain('https://app.example.com/cb');
    expect(thirdPartyRedirectUris(own.clients, own.callbackPort)).toEqual([]);
  });
});
