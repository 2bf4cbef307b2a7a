/**
 * The AWS SDK reads `AWS_ENDPOINT_URL_<SERVICE>` from `process.env`; commands read their environment
 * from the context (the same object in the real process, a test's in tests), so pass it on explicitly.
 */
type Env = Readonly<Record<string, string | undefined>>;

export function endpointFor(
  env: Env,
  service: 'COGNITO_IDENTITY_PROVIDER' | 'CLOUDFORMATION' | 'STS' | 'SSM' | 'SECRETS_MANAGER' | 'EC2',
): { endpoint?: string } {
  const endpoint = env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL;
  return endpoint ? { endpoint } : {};
}

/**
 * A Cognito client for the sign-in calls (InitiateAuth, SignUp, …): they are unauthenticated, so no AWS
 * credentials or profile are involved. Loaded on demand: `token`'s cached path must not load the SDK.
 */
export async function signInClient(env: Env, region: string) {
  const { CognitoIdentityProviderClient } = await import('@aws-sdk/client-cognito-identity-provider');
  return new CognitoIdentityProviderClient({ region, maxAttempts: 3, ...endpointFor(env, 'COGNITO_IDENTITY_PROVIDER') });
}
