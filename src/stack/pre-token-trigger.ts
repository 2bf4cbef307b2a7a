/**
 * Source of the V2 pre-token-generation trigger, deployed inline (no asset, no bundling).
 *
 * Cognito's access token from `USER_PASSWORD_AUTH` (and from refreshing it) carries only
 * `aws.cognito.signin.user.admin`, so API Gateway's scope-checking authorizer would refuse it. This
 * trigger adds the MCP scope to those tokens. It leaves hosted-UI tokens alone (there the client asks
 * for the scope itself).
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

/** CommonJS source of the trigger; reads the scopes to add from `MCP_SCOPE` (separated by spaces). */
export const PRE_TOKEN_TRIGGER_SOURCE = `'use strict';
const SOURCES = new Set(${JSON.stringify(PASSWORD_TOKEN_SOURCES)});
exports.handler = async (event) => {
  const scopes = (process.env.MCP_SCOPE || '').split(' ').filter(Boolean);
  if (scopes.length > 0 && SOURCES.has(event.triggerSource)) {
    event.response = event.response || {};
    event.response.claimsAndScopeOverrideDetails = { accessTokenGeneration: { scopesToAdd: scopes } };
  }
  return event;
};
`;
