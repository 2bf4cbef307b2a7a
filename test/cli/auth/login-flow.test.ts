/**
 * Cognito answers cognito-local cannot give (it answers a wrong password with InvalidPasswordException,
 * and has no ResendConfirmationCode, forgot-password or throttling): a fake for those calls only, through
 * aws-sdk-client-mock, driving the same login flow.
 */
import {
  AssociateSoftwareTokenCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { runLogin } from '../../../src/cli/auth/login-flow.js';
import type { CommandContext } from '../../../src/cli/context.js';
import type { StackOutputs } from '../../../src/cli/deployed/resolve.js';
import { type scriptedPrompter, testContext } from '../../helpers/fake-engine.js';

const cognitoMock = mockClient(CognitoIdentityProviderClient);
const client = new CognitoIdentityProviderClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
});
const fail = (name: string, message = name) => Object.assign(new Error(message), { name, $metadata: {} });
const TOKENS = { AuthenticationResult: { AccessToken: 'access', RefreshToken: 'refresh', IdToken: 'id', ExpiresIn: 3600 } };
const STACK = {
  stackName: 'mcp-lambda-dog-facts',
  region: 'eu-west-1',
  serverName: 'dog-facts',
  mcpServerUrl: 'https://x/prod/mcp',
  clientId: 'client',
  scope: 'https://x/prod/mcp/dog-facts',
  callbackPort: 31927,
  signInUrl: 'https://auth.example/signup',
  userPoolId: 'pool',
  issuerUrl: 'https://cognito-idp.eu-west-1.amazonaws.com/pool',
  servers: [{ name: 'dog-facts', url: 'https://x/prod/mcp', scope: 'https://x/prod/mcp/dog-facts', metadataUrl: '' }],
  raw: {},
} satisfies StackOutputs;

let stderr: string;
function context(answers: Parameters<typeof scriptedPrompter>[0], interactive = true): CommandContext {
  stderr = '';
  return testContext((chunk) => (stderr += chunk), { interactive, answers });
}

beforeEach(() => cognitoMock.reset());

describe('login flow with Cognito answers cognito-local cannot give', () => {
  it('says "Incorrect email or password" and retries when interactive', async () => {
    cognitoMock
      .on(InitiateAuthCommand)
      .rejectsOnce(fail('NotAuthorizedException', 'Incorrect username or password.'))
      .resolves(TOKENS);
    const result = await runLogin(
      context({ 'Email:': ['me@example.com', 'me@example.com'], 'Password:': ['wrong', 'right'] }),
      STACK,
      client,
      { browser: false, username: undefined },
    );
    expect(result.tokens.accessToken).toBe('access');
    expect(stderr).toContain('Incorrect email or password. Try again.');
    const passwords = cognitoMock.commandCalls(InitiateAuthCommand).map((call) => call.args[0].input.AuthParameters?.PASSWORD);
    expect(passwords).toEqual(['wrong', 'right']);
  });

  it('fails with one plain message after three wrong tries, and at once when not interactive', async () => {
    cognitoMock.on(InitiateAuthCommand).rejects(fail('NotAuthorizedException', 'Incorrect username or password.'));
    await expect(
      runLogin(context({ 'Email:': 'me@example.com', 'Password:': 'wrong' }), STACK, client, { browser: false }),
    ).rejects.toThrow('Incorrect email or password.');
    expect(cognitoMock.commandCalls(InitiateAuthCommand)).toHaveLength(3);
    cognitoMock.resetHistory();
    const scripted = context({}, false);
    await expect(
      runLogin({ ...scripted, readStdin: async () => 'wrong' }, STACK, client, {
        browser: false,
        username: 'me@example.com',
        passwordStdin: true,
      }),
    ).rejects.toThrow('Incorrect email or password.');
    expect(cognitoMock.commandCalls(InitiateAuthCommand)).toHaveLength(1);
  });

  it('treats an unknown user like a wrong password (no account enumeration)', async () => {
    cognitoMock.on(InitiateAuthCommand).rejects(fail('UserNotFoundException'));
    await expect(
      runLogin({ ...context({}, false), readStdin: async () => 'pw' }, STACK, client, {
        browser: false,
        username: 'nobody@example.com',
        passwordStdin: true,
      }),
    ).rejects.toThrow('Incorrect email or password.');
  });

  it('runs the forgot-password flow when a reset is required', async () => {
    cognitoMock.on(InitiateAuthCommand).rejectsOnce(fail('PasswordResetRequiredException')).resolves(TOKENS);
    cognitoMock.on(ForgotPasswordCommand).resolves({});
    cognitoMock.on(ConfirmForgotPasswordCommand).resolves({});
    const result = await runLogin(
      context({ 'Email:': 'me@example.com', 'Password:': 'old', 'Reset code': '123456', 'New password': 'New-Password-123!' }),
      STACK,
      client,
      {
        browser: false,
      },
    );
    expect(result.tokens.refreshToken).toBe('refresh');
    expect(cognitoMock.commandCalls(ConfirmForgotPasswordCommand)[0]?.args[0].input).toMatchObject({
      Username: 'me@example.com',
      ConfirmationCode: '123456',
      Password: 'New-Password-123!',
    });
    expect(cognitoMock.commandCalls(InitiateAuthCommand)[1]?.args[0].input.AuthParameters?.PASSWORD).toBe('New-Password-123!');
  });

  it('backs off when Cognito throttles, then signs in', async () => {
    cognitoMock
      .on(InitiateAuthCommand)
      .rejectsOnce(fail('TooManyRequestsException'))
      .rejectsOnce(fail('LimitExceededException'))
      .resolves(TOKENS);
    const started = Date.now();
    const result = await runLogin(context({ 'Email:': 'me@example.com', 'Password:': 'pw' }), STACK, client, {
      browser: false,
      backoffMs: 20,
    });
    expect(result.tokens.accessToken).toBe('access');
    expect(Date.now() - started).toBeGreaterThanOrEqual(55); // 20 + 40
  });

  it('gives up after repeated throttling with a clear message', async () => {
    cognitoMock.on(InitiateAuthCommand).rejects(fail('TooManyRequestsException'));
    await expect(
      runLogin(context({ 'Email:': 'me@example.com', 'Password:': 'pw' }), STACK, client, { browser: false, backoffMs: 1 }),
    ).rejects.toThrow('Cognito is limiting requests for this account.');
  });

  it('sends a new verification code on an empty answer', async () => {
    cognitoMock.on(InitiateAuthCommand).rejectsOnce(fail('UserNotConfirmedException')).resolves(TOKENS);
    cognitoMock.on(ResendConfirmationCodeCommand).resolves({});
    cognitoMock.on(ConfirmSignUpCommand).resolves({});
    await runLogin(
      context({ 'Email:': 'me@example.com', 'Password:': 'pw', 'Verification code': ['', '654321'] }),
      STACK,
      client,
      { browser: false },
    );
    expect(cognitoMock.commandCalls(ResendConfirmationCodeCommand)).toHaveLength(1);
    expect(stderr).toContain('Sent a new code to me@example.com.');
    expect(cognitoMock.commandCalls(ConfirmSignUpCommand)[0]?.args[0].input.ConfirmationCode).toBe('654321');
  });

  it('answers SOFTWARE_TOKEN_MFA with the authenticator code, asking again after a wrong one', async () => {
    cognitoMock.on(InitiateAuthCommand).resolves({ ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 's1' });
    cognitoMock
      .on(RespondToAuthChallengeCommand)
      .rejectsOnce(fail('CodeMismatchException', 'Invalid code received for user'))
      .resolves(TOKENS);
    const result = await runLogin(
      context({ 'Email:': 'me@example.com', 'Password:': 'pw', 'Code from your authenticator app:': ['111111', '222222'] }),
      STACK,
      client,
      { browser: false },
    );
    expect(result.tokens.accessToken).toBe('access');
    expect(stderr).toContain('That code is not right');
    const answers = cognitoMock.commandCalls(RespondToAuthChallengeCommand).map((call) => call.args[0].input);
    expect(
      answers.map((input) => [input.ChallengeName, input.Session, input.ChallengeResponses?.SOFTWARE_TOKEN_MFA_CODE]),
    ).toEqual([
      ['SOFTWARE_TOKEN_MFA', 's1', '111111'],
      ['SOFTWARE_TOKEN_MFA', 's1', '222222'],
    ]);
  });

  it('sets up an authenticator app when MFA is required and none is set up (MFA_SETUP)', async () => {
    cognitoMock.on(InitiateAuthCommand).resolves({ ChallengeName: 'MFA_SETUP', Session: 's1' });
    cognitoMock.on(AssociateSoftwareTokenCommand, { Session: 's1' }).resolves({ SecretCode: 'JBSWY3DPEHPK3PXP', Session: 's2' });
    cognitoMock
      .on(VerifySoftwareTokenCommand, { Session: 's2', UserCode: '123456' })
      .resolves({ Status: 'SUCCESS', Session: 's3' });
    cognitoMock.on(RespondToAuthChallengeCommand, { ChallengeName: 'MFA_SETUP', Session: 's3' }).resolves(TOKENS);
    const result = await runLogin(
      context({ 'Email:': 'me@example.com', 'Password:': 'pw', 'The 6-digit code the app now shows:': '123456' }),
      STACK,
      client,
      { browser: false },
    );
    expect(result.tokens.accessToken).toBe('access');
    expect(stderr).toContain('secret: JBSWY3DPEHPK3PXP');
    expect(stderr).toContain('otpauth://totp/dog-facts%20MCP%3Ame%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=dog-facts%20MCP');
    expect(stderr).toContain('Authenticator app set up');
  });

  it.each([
    ['SOFTWARE_TOKEN_MFA', 'signs in with a code from an authenticator app, and this session cannot ask for it'],
    ['MFA_SETUP', 'requires an authenticator app, and me@example.com has none set up yet'],
  ])('explains %s when no one can be asked', async (challenge, message) => {
    cognitoMock.on(InitiateAuthCommand).resolves({ ChallengeName: challenge as 'MFA_SETUP', Session: 's' });
    await expect(
      runLogin({ ...context({}, false), readStdin: async () => 'pw' }, STACK, client, {
        browser: false,
        username: 'me@example.com',
        passwordStdin: true,
      }),
    ).rejects.toThrow(message);
  });

  it('says which challenges it cannot answer (SMS, email codes) instead of hanging', async () => {
    cognitoMock.on(InitiateAuthCommand).resolves({ ChallengeName: 'SMS_MFA', Session: 's' });
    await expect(
      runLogin(context({ 'Email:': 'me@example.com', 'Password:': 'pw' }), STACK, client, { browser: false }),
    ).rejects.toThrow('Cognito asks for SMS_MFA, which mcp-lambda login cannot answer (it answers authenticator-app codes');
  });

  it('refuses a weak password for --signup before calling Cognito', async () => {
    await expect(
      runLogin({ ...context({}, false), readStdin: async () => 'short' }, STACK, client, {
        browser: false,
        signup: true,
        username: 'me@example.com',
        passwordStdin: true,
      }),
    ).rejects.toThrow("The password does not meet the pool's policy");
    expect(cognitoMock.calls()).toHaveLength(0);
  });
});
