/**
 * Source of the V2 pre-token-generation trigger, deployed inline (no asset, no bundling).
 *
 * Cognito's access token from `USER_PASSWORD_AUTH` (and from refreshing it) carries only
 * `aws.cognito.signin.user.admin`, so API Gateway's scope-checking authorizer would refuse it. This
 * trigger adds the MCP scope to those tokens. It leaves hosted-UI tokens' scopes alone (there the client
 * asks for the scope itself).
 *
 * It also takes `aws.cognito.signin.user.admin` out of those tokens (`scopesToSuppress`), and out of any
 * other whose requested scopes (`request.scopes`) list it: that scope lets whoever holds the token call
 * Cognito's self-service API as the person — change the email address (and with it where password-reset
 * codes go), change attributes, set up MFA — so any server, log or proxy that saw the token could take the
 * account over. Nothing mcp-lambda does needs it: the CLI signs in with InitiateAuth and refreshes with
 * GetTokensFromRefreshToken, and RevokeToken takes the refresh token and the client id; none of them
 * takes an access token. (That Cognito then issues the token without the scope is AWS's documented
 * behaviour for `scopesToSuppress`; no local stand-in runs Cognito's side of it.)
 *
 * It cannot compare the caller's client id with the interactive client's: the client depends on the
 * pool, the pool on this trigger, so the trigger cannot know the client's id (a CloudFormation cycle).
 * It does not need to: the interactive client is the only client with user sign-in flows, and
 * client_credentials tokens (the automated client) never invoke a V2 trigger.
 */

/** Trigger sources of password sign-in and refresh. */
export const PASSWORD_TOKEN_SOURCES = [
  'TokenGeneration_Authentication',
  'TokenGeneration_RefreshTokens',
  'TokenGeneration_NewPasswordChallenge',
] as const;

/** The scope that lets a token's holder manage the person's Cognito account; suppressed in every token. */
export const COGNITO_SELF_SERVICE_SCOPE = 'aws.cognito.signin.user.admin';

/** CommonJS source of the trigger; reads the scopes to add from `MCP_SCOPE` (separated by spaces). */
export const PRE_TOKEN_TRIGGER_SOURCE = `'use strict';
const SOURCES = new Set(${JSON.stringify(PASSWORD_TOKEN_SOURCES)});
const SELF_SERVICE = ${JSON.stringify(COGNITO_SELF_SERVICE_SCOPE)};
exports.handler = async (event) => {
  const scopes = (process.env.MCP_SCOPE || '').split(' ').filter(Boolean);
  const password = SOURCES.has(event.triggerSource);
  const requested = event.request && Array.isArray(event.request.scopes) ? event.request.scopes : [];
  const access = {};
  if (password && scopes.length > 0) access.scopesToAdd = scopes;
  if (password || requested.includes(SELF_SERVICE)) access.scopesToSuppress = [SELF_SERVICE];
  if (Object.keys(access).length > 0) {
    event.response = event.response || {};
    event.response.claimsAndScopeOverrideDetails = { accessTokenGeneration: access };
  }
  return event;
};
`;
