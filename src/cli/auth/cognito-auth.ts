/**
 * The Cognito calls behind `login` and `token`, and what each answer means. Cognito's /oauth2/token has
 * no password grant: the password check is InitiateAuth USER_PASSWORD_AUTH on the interactive client
 * (whose access token gets the MCP scope from the stack's pre-token trigger).
 *
 * No printing and no prompting here: every outcome is a return value or an {@link AuthError} with a kind.
 */
import {
  AssociateSoftwareTokenCommand,
  type AuthenticationResultType,
  type CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SignUpCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';

export interface Tokens {
  readonly accessToken: string;
  readonly idToken?: string;
  /** Absent after a refresh: REFRESH_TOKEN_AUTH returns no new refresh token. */
  readonly refreshToken?: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

export type AuthErrorKind =
  | 'not-confirmed'
  | 'wrong-credentials'
  | 'password-reset-required'
  | 'too-many-requests'
  | 'bad-code'
  | 'expired-code'
  | 'invalid-password'
  | 'user-exists'
  | 'refresh-expired'
  | 'unsupported-challenge'
  | 'other';

export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(
    readonly kind: AuthErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type SignInOutcome =
  | { readonly kind: 'tokens'; readonly tokens: Tokens }
  | { readonly kind: 'new-password-required'; readonly session: string }
  /** The account has a TOTP app: answer with its current code ({@link answerMfaCode}). */
  | { readonly kind: 'mfa-code'; readonly session: string }
  /** MFA is required and the account has no TOTP app yet ({@link startTotpSetup}). */
  | { readonly kind: 'mfa-setup'; readonly session: string };

export interface AuthClient {
  readonly cognito: CognitoIdentityProviderClient;
  readonly clientId: string;
  readonly now?: () => number;
}

/** Maps Cognito's exceptions to kinds; the message stays Cognito's own where it helps. */
export function toAuthError(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  const name = (error as { name?: string })?.name ?? '';
  const message = (error as Error)?.message ?? String(error);
  const kinds: Record<string, AuthErrorKind> = {
    UserNotConfirmedException: 'not-confirmed',
    NotAuthorizedException: 'wrong-credentials',
    UserNotFoundException: 'wrong-credentials',
    PasswordResetRequiredException: 'password-reset-required',
    TooManyRequestsException: 'too-many-requests',
    LimitExceededException: 'too-many-requests',
    TooManyFailedAttemptsException: 'too-many-requests',
    CodeMismatchException: 'bad-code',
    ExpiredCodeException: 'expired-code',
    InvalidPasswordException: 'invalid-password',
    UsernameExistsException: 'user-exists',
  };
  return new AuthError(kinds[name] ?? 'other', message, { cause: error });
}

function tokensFrom(result: AuthenticationResultType | undefined, now: number, refreshToken?: string): Tokens {
  if (!result?.AccessToken) throw new AuthError('other', 'Cognito answered without an access token.');
  const refresh = result.RefreshToken ?? refreshToken;
  return {
    accessToken: result.AccessToken,
    ...(result.IdToken && { idToken: result.IdToken }),
    ...(refresh && { refreshToken: refresh }),
    expiresAt: now + (result.ExpiresIn ?? 3600) * 1000,
  };
}

async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toAuthError(error);
  }
}

/** The password check: USER_PASSWORD_AUTH. */
export async function passwordSignIn(auth: AuthClient, username: string, password: string): Promise<SignInOutcome> {
  const now = auth.now ?? Date.now;
  const answer = await call(() =>
    auth.cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: auth.clientId,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      }),
    ),
  );
  if (answer.AuthenticationResult) return { kind: 'tokens', tokens: tokensFrom(answer.AuthenticationResult, now()) };
  return challengeOutcome(answer.ChallengeName, answer.Session);
}

function challengeOutcome(challenge: string | undefined, session: string | undefined): SignInOutcome {
  if (session) {
    if (challenge === 'NEW_PASSWORD_REQUIRED') return { kind: 'new-password-required', session };
    if (challenge === 'SOFTWARE_TOKEN_MFA') return { kind: 'mfa-code', session };
    if (challenge === 'MFA_SETUP') return { kind: 'mfa-setup', session };
  }
  throw new AuthError(
    'unsupported-challenge',
    `Cognito asks for ${challenge ?? 'an unknown challenge'}, which mcp-lambda login cannot answer (it answers authenticator-app codes, not SMS or email codes).`,
  );
}

/** Answers SOFTWARE_TOKEN_MFA with the authenticator app's current code. */
export async function answerMfaCode(auth: AuthClient, username: string, session: string, code: string): Promise<SignInOutcome> {
  const now = auth.now ?? Date.now;
  const answer = await call(() =>
    auth.cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: auth.clientId,
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: session,
        ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code },
      }),
    ),
  );
  if (answer.AuthenticationResult) return { kind: 'tokens', tokens: tokensFrom(answer.AuthenticationResult, now()) };
  return challengeOutcome(answer.ChallengeName, answer.Session);
}

/** MFA_SETUP, first half: a new TOTP secret for the person's authenticator app. */
export async function startTotpSetup(auth: AuthClient, session: string): Promise<{ secret: string; session: string }> {
  const answer = await call(() => auth.cognito.send(new AssociateSoftwareTokenCommand({ Session: session })));
  if (!answer.SecretCode || !answer.Session) throw new AuthError('other', 'Cognito answered the MFA setup without a secret.');
  return { secret: answer.SecretCode, session: answer.Session };
}

/** MFA_SETUP, second half: the app's first code proves the setup; then the sign-in completes. */
export async function finishTotpSetup(auth: AuthClient, username: string, session: string, code: string): Promise<Tokens> {
  const now = auth.now ?? Date.now;
  const verified = await call(() =>
    auth.cognito.send(new VerifySoftwareTokenCommand({ Session: session, UserCode: code, FriendlyDeviceName: 'mcp-lambda' })),
  );
  if (verified.Status !== 'SUCCESS' || !verified.Session) throw new AuthError('bad-code', 'Cognito did not accept that code.');
  const answer = await call(() =>
    auth.cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: auth.clientId,
        ChallengeName: 'MFA_SETUP',
        Session: verified.Session,
        ChallengeResponses: { USERNAME: username },
      }),
    ),
  );
  return tokensFrom(answer.AuthenticationResult, now());
}

/** The otpauth:// URI an authenticator app takes (as a QR code or pasted). */
export function otpauthUri(issuer: string, account: string, secret: string): string {
  return `otpauth://totp/${encodeURIComponent(`${issuer}:${account}`)}?secret=${secret}&issuer=${encodeURIComponent(issuer)}`;
}

/** Answers NEW_PASSWORD_REQUIRED (an account an administrator created with a temporary password). */
export async function setNewPassword(auth: AuthClient, username: string, session: string, newPassword: string): Promise<Tokens> {
  const now = auth.now ?? Date.now;
  const answer = await call(() =>
    auth.cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: auth.clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: session,
        ChallengeResponses: { USERNAME: username, NEW_PASSWORD: newPassword },
      }),
    ),
  );
  return tokensFrom(answer.AuthenticationResult, now());
}

export async function signUp(
  auth: AuthClient,
  email: string,
  password: string,
): Promise<{ confirmed: boolean; destination?: string }> {
  const answer = await call(() =>
    auth.cognito.send(
      new SignUpCommand({
        ClientId: auth.clientId,
        Username: email,
        Password: password,
        UserAttributes: [{ Name: 'email', Value: email }],
      }),
    ),
  );
  return {
    confirmed: answer.UserConfirmed === true,
    ...(answer.CodeDeliveryDetails?.Destination && { destination: answer.CodeDeliveryDetails.Destination }),
  };
}

export async function confirmSignUp(auth: AuthClient, email: string, code: string): Promise<void> {
  await call(() =>
    auth.cognito.send(new ConfirmSignUpCommand({ ClientId: auth.clientId, Username: email, ConfirmationCode: code })),
  );
}

export async function resendConfirmationCode(auth: AuthClient, email: string): Promise<void> {
  await call(() => auth.cognito.send(new ResendConfirmationCodeCommand({ ClientId: auth.clientId, Username: email })));
}

export async function startPasswordReset(auth: AuthClient, email: string): Promise<void> {
  await call(() => auth.cognito.send(new ForgotPasswordCommand({ ClientId: auth.clientId, Username: email })));
}

export async function finishPasswordReset(auth: AuthClient, email: string, code: string, newPassword: string): Promise<void> {
  await call(() =>
    auth.cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId: auth.clientId,
        Username: email,
        ConfirmationCode: code,
        Password: newPassword,
      }),
    ),
  );
}

/**
 * GetTokensFromRefreshToken: with refresh-token rotation (the interactive client has it) the answer holds a
 * new refresh token and the old one is retired; without rotation it holds none, and the old one is kept.
 */
export async function refreshTokens(auth: AuthClient, refreshToken: string): Promise<Tokens> {
  const now = auth.now ?? Date.now;
  try {
    const answer = await auth.cognito.send(
      new GetTokensFromRefreshTokenCommand({ ClientId: auth.clientId, RefreshToken: refreshToken }),
    );
    return tokensFrom(answer.AuthenticationResult, now(), refreshToken);
  } catch (error) {
    const e = toAuthError(error);
    if (e.kind === 'wrong-credentials')
      throw new AuthError('refresh-expired', 'The stored sign-in has expired or was revoked.', { cause: error });
    throw e;
  }
}

/**
 * RevokeToken (the interactive client has token revocation on, and no secret): the refresh token stops
 * working at once, and Cognito's own APIs refuse the access tokens issued from it. Those access tokens are
 * JWTs: wherever only their signature and expiry are checked (API Gateway's Cognito authorizer), they keep
 * working until they expire.
 */
export async function revokeRefreshToken(auth: AuthClient, refreshToken: string, signal?: AbortSignal): Promise<void> {
  await call(() =>
    auth.cognito.send(
      new RevokeTokenCommand({ ClientId: auth.clientId, Token: refreshToken }),
      signal ? { abortSignal: signal } : {},
    ),
  );
}
