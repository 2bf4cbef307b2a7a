/**
 * The V2 pre-token-generation trigger, run as Lambda would run its inline source, on events shaped as
 * AWS documents them: it adds the MCP scope to password sign-in and refresh tokens and takes Cognito's
 * self-service scope out of them. (That Cognito then issues tokens without it is AWS's documented
 * behaviour for `scopesToSuppress`; no local stand-in runs that side.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { COGNITO_SELF_SERVICE_SCOPE, PRE_TOKEN_TRIGGER_SOURCE } from '../../src/stack/index.js';

const SCOPE = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/mcp/dog-facts';
const ADMIN = 'aws.cognito.signin.user.admin';

function trigger(mcpScope: string) {
  const module = { exports: {} as { handler: (event: unknown) => Promise<any> } };
  runInNewContext(PRE_TOKEN_TRIGGER_SOURCE, { module, exports: module.exports, process: { env: { MCP_SCOPE: mcpScope } } });
  return (triggerSource: string, scopes?: string[]) =>
    module.exports.handler({
      version: '2',
      triggerSource,
      callerContext: { clientId: 'interactive' },
      request: { userAttributes: { sub: 'u' }, groupConfiguration: {}, ...(scopes && { scopes }) },
      response: { claimsAndScopeOverrideDetails: null },
    });
}

describe('pre-token trigger', () => {
  it('is about the scope that lets a token manage the account', () => {
    expect(COGNITO_SELF_SERVICE_SCOPE).toBe(ADMIN);
  });

  it.each(['TokenGeneration_Authentication', 'TokenGeneration_RefreshTokens', 'TokenGeneration_NewPasswordChallenge'])(
    'adds the MCP scope to a %s token and suppresses the self-service scope',
    async (source) => {
      const event = await trigger(SCOPE)(source, [ADMIN]);
      expect(event.response.claimsAndScopeOverrideDetails).toEqual({
        accessTokenGeneration: { scopesToAdd: [SCOPE], scopesToSuppress: [ADMIN] },
      });
    },
  );

  it('suppresses it in a password sign-in even when the event lists no scopes', async () => {
    const event = await trigger(SCOPE)('TokenGeneration_Authentication');
    expect(event.response.claimsAndScopeOverrideDetails.accessTokenGeneration.scopesToSuppress).toEqual([ADMIN]);
  });

  it('suppresses it with no MCP scope to add', async () => {
    const event = await trigger('')('TokenGeneration_RefreshTokens', [ADMIN]);
    expect(event.response.claimsAndScopeOverrideDetails).toEqual({ accessTokenGeneration: { scopesToSuppress: [ADMIN] } });
  });

  it('leaves a hosted-UI token alone, unless its scopes hold the self-service one', async () => {
    const run = trigger(SCOPE);
    const plain = await run('TokenGeneration_HostedAuth', ['openid', 'email', 'profile', SCOPE]);
    expect(plain.response.claimsAndScopeOverrideDetails).toBeNull();
    const admin = await run('TokenGeneration_HostedAuth', ['openid', ADMIN, SCOPE]);
    expect(admin.response.claimsAndScopeOverrideDetails).toEqual({ accessTokenGeneration: { scopesToSuppress: [ADMIN] } });
  });

  it('is safe to add: no mcp-lambda code sends Cognito an access token (the only use of that scope)', () => {
    // GetUser, ChangePassword, UpdateUserAttributes, GlobalSignOut, DeleteUser, … take `AccessToken`; the
    // CLI signs in, refreshes (GetTokensFromRefreshToken) and revokes (RevokeToken) with other inputs.
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
      );
    const senders = files('src').filter((file) => /\bAccessToken\s*:/.test(readFileSync(file, 'utf8')));
    expect(senders).toEqual([]);
  });
});
