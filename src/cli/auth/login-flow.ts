/**
 * `login`: from "I have no account" to a verified, stored sign-in. Handles every answer a real pool
 * gives to the password check: unconfirmed account (code, with resend), wrong email or password (retry),
 * NEW_PASSWORD_REQUIRED, a required password reset, and throttling (back off).
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { CommandContext } from '../context.js';
import { AbortError, UserError } from '../terminal/errors.js';
import type { StackOutputs } from '../deployed/resolve.js';
import {
  answerMfaCode,
  type AuthClient,
  AuthError,
  finishTotpSetup,
  otpauthUri,
  startTotpSetup,
  confirmSignUp,
  finishPasswordReset,
  passwordSignIn,
  resendConfirmationCode,
  setNewPassword,
  signUp,
  startPasswordReset,
  type Tokens,
} from './cognito-auth.js';

export interface LoginOptions {
  readonly username?: string;
  readonly passwordStdin?: boolean;
  readonly signup?: boolean;
  /** Open the sign-up page in a browser. */
  readonly browser: boolean;
  /** Pause before retrying a throttled call. @default 1000 ms, doubling */
  readonly backoffMs?: number;
}

const MAX_ATTEMPTS = 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const PASSWORD_RULES = 'at least 12 characters with upper and lower case letters, a digit and a symbol';
function checkPassword(value: string): string | true {
  if (value.length < 12 || !/[a-z]/.test(value) || !/[A-Z]/.test(value) || !/\d/.test(value) || !/[^A-Za-z0-9]/.test(value)) {
    return `Use ${PASSWORD_RULES}.`;
  }
  return true;
}
function checkEmail(value: string): string | true {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim()) ? true : 'Enter an email address.';
}

async function openBrowser(ctx: CommandContext, url: string): Promise<boolean> {
  try {
    if (ctx.openUrl) await ctx.openUrl(url);
    else {
      const { default: open } = await import('open');
      await open(url, { wait: false });
    }
    return true;
  } catch {
    return false;
  }
}

export interface LoginResult {
  readonly username: string;
  readonly tokens: Tokens & { readonly refreshToken: string };
}

export async function runLogin(
  ctx: CommandContext,
  stack: StackOutputs,
  cognito: CognitoIdentityProviderClient,
  options: LoginOptions,
): Promise<LoginResult> {
  const { out, prompt } = ctx;
  const auth: AuthClient = { cognito, clientId: stack.clientId };
  const interactive = ctx.interactive && !options.passwordStdin;

  let username = options.username?.trim();
  let password: string | undefined;
  if (options.passwordStdin) {
    if (!ctx.readStdin) throw new UserError('--password-stdin needs standard input.');
    password = (await ctx.readStdin()).replace(/\r?\n$/, '');
    if (password === '')
      throw new UserError('--password-stdin read an empty password.', {
        hint: 'Pipe the password in: printf %s "$PASSWORD" | mcp-lambda login --username you@example.com --password-stdin',
      });
    if (!username)
      throw new UserError('--password-stdin needs --username.', {
        hint: 'mcp-lambda login --username you@example.com --password-stdin',
      });
  }
  if (username !== undefined && checkEmail(username) !== true)
    throw new UserError(`--username ${JSON.stringify(username)} is not an email address.`);

  const askEmail = () => prompt.input('Email:', { flag: '--username', validate: checkEmail }).then((v) => v.trim());
  const askPassword = (message = 'Password:') => prompt.password(message, { flag: '--password-stdin' });
  const askTotp = (message: string) =>
    prompt.input(message, {
      flag: '(an interactive terminal)',
      validate: (v) => (/^\d{6}$/.test(v.trim()) ? true : 'The code has 6 digits.'),
    });
  const askCode = (message: string) =>
    prompt.input(message, {
      flag: '(an interactive terminal)',
      validate: (v) => (/^\d{6}$/.test(v.trim()) || v.trim() === '' ? true : 'The code has 6 digits.'),
    });

  if (options.signup) {
    username ??= await askEmail();
    password ??= await prompt.password(`New password (${PASSWORD_RULES}):`, {
      flag: '--password-stdin',
      validate: checkPassword,
    });
    if (checkPassword(password) !== true)
      throw new UserError(`The password does not meet the pool's policy: use ${PASSWORD_RULES}.`);
    try {
      const result = await signUp(auth, username, password);
      if (!result.confirmed) {
        out.info(`Registered ${username}. Cognito sent a verification code to ${result.destination ?? 'your email'}.`);
        await confirmWithCode(username);
      }
    } catch (error) {
      if (error instanceof AuthError && error.kind === 'user-exists') out.info(`${username} is registered already; signing in.`);
      else if (error instanceof AuthError && error.kind === 'invalid-password')
        throw new UserError(`Cognito refused the password: ${error.message}`);
      else throw error;
    }
  } else if (!options.username && !options.passwordStdin) {
    out.info('Register with your email address and a password, verify the email, then come back here to sign in:');
    out.info(`  ${stack.signInUrl}`);
    if (options.browser && ctx.interactive) {
      const opened = await openBrowser(ctx, stack.signInUrl);
      if (!opened) out.info(out.style.dim('(Could not open a browser; open the link above yourself.)'));
    }
    out.info(out.style.dim('Already registered? Sign in below.'));
  }

  async function confirmWithCode(email: string): Promise<void> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const code = (await askCode('Verification code from the email (leave empty to send a new one):')).trim();
      if (code === '') {
        await resendConfirmationCode(auth, email);
        out.info(`Sent a new code to ${email}.`);
        continue;
      }
      try {
        await confirmSignUp(auth, email, code);
        out.info(`Verified ${email}.`);
        return;
      } catch (error) {
        if (error instanceof AuthError && (error.kind === 'bad-code' || error.kind === 'expired-code')) {
          out.warn(
            error.kind === 'bad-code'
              ? 'That code is not right.'
              : 'That code has expired; leave the answer empty to get a new one.',
          );
          continue;
        }
        throw error;
      }
    }
    throw new UserError('The email was not verified.', { hint: 'Run mcp-lambda login again to get a new code.' });
  }

  /** Answers what Cognito asks after the password: a new password, an authenticator code, or MFA setup. */
  async function answerChallenges(user: string, first: Awaited<ReturnType<typeof passwordSignIn>>): Promise<Tokens> {
    let outcome = first;
    for (;;) {
      switch (outcome.kind) {
        case 'tokens':
          return outcome.tokens;
        case 'new-password-required': {
          out.info('Your account has a temporary password; choose a new one.');
          const next = await prompt.password(`New password (${PASSWORD_RULES}):`, {
            flag: '(an interactive terminal)',
            validate: checkPassword,
          });
          return setNewPassword(auth, user, outcome.session, next);
        }
        case 'mfa-code': {
          if (!interactive) {
            throw new UserError(`${user} signs in with a code from an authenticator app, and this session cannot ask for it.`, {
              hint: 'Run mcp-lambda login in a terminal.',
            });
          }
          const session = outcome.session;
          for (let attempt = 1; ; attempt += 1) {
            const code = (await askTotp('Code from your authenticator app:')).trim();
            try {
              outcome = await answerMfaCode(auth, user, session, code);
              break;
            } catch (error) {
              if (!(error instanceof AuthError && error.kind === 'bad-code') || attempt >= MAX_ATTEMPTS) throw error;
              out.warn('That code is not right (is the phone’s clock right?). Try the next one.');
            }
          }
          break;
        }
        case 'mfa-setup': {
          if (!interactive) {
            throw new UserError(`This server requires an authenticator app, and ${user} has none set up yet.`, {
              hint: 'Run mcp-lambda login in a terminal once to set it up.',
            });
          }
          const setup = await startTotpSetup(auth, outcome.session);
          out.info(
            'This server requires a second factor. Add it to your authenticator app (1Password, Google Authenticator, …):',
          );
          out.info(`  secret: ${setup.secret}`);
          out.info(`  or open: ${otpauthUri(`${stack.serverName} MCP`, user, setup.secret)}`);
          const code = (await askTotp('The 6-digit code the app now shows:')).trim();
          const tokens = await finishTotpSetup(auth, user, setup.session, code);
          out.info('Authenticator app set up; it will be asked for at each sign-in.');
          return tokens;
        }
      }
    }
  }

  username ??= await askEmail();
  password ??= await askPassword();
  let throttled = 0;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const tokens = await answerChallenges(username, await passwordSignIn(auth, username, password));
      if (!tokens.refreshToken) throw new UserError('Cognito signed you in but returned no refresh token.');
      return { username, tokens: { ...tokens, refreshToken: tokens.refreshToken } };
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      switch (error.kind) {
        case 'not-confirmed':
          if (!interactive) {
            throw new UserError(`${username} has not verified the email address yet.`, {
              hint: 'Verify it through the link in the email, or run mcp-lambda login in a terminal to enter the code.',
            });
          }
          out.info(`${username} is not verified yet.`);
          await confirmWithCode(username);
          break;
        case 'wrong-credentials':
          if (!interactive || attempt >= MAX_ATTEMPTS) {
            throw new UserError('Incorrect email or password.', {
              hint: `Not registered yet? Sign up at ${stack.signInUrl} or run mcp-lambda login --signup`,
            });
          }
          out.warn('Incorrect email or password. Try again.');
          username = await askEmail();
          password = await askPassword();
          break;
        case 'password-reset-required': {
          if (!interactive)
            throw new UserError(`${username} must reset the password first.`, {
              hint: 'Run mcp-lambda login in a terminal to reset it.',
            });
          out.info('Your password must be reset. Cognito is sending a code to your email.');
          await startPasswordReset(auth, username);
          const code = (await askCode('Reset code from the email:')).trim();
          password = await prompt.password(`New password (${PASSWORD_RULES}):`, {
            flag: '(an interactive terminal)',
            validate: checkPassword,
          });
          await finishPasswordReset(auth, username, code, password);
          out.info('Password changed.');
          break;
        }
        case 'too-many-requests':
          throttled += 1;
          if (throttled > MAX_ATTEMPTS)
            throw new UserError('Cognito is limiting requests for this account.', {
              hint: 'Wait a few minutes and run mcp-lambda login again.',
            });
          await sleep((options.backoffMs ?? 1000) * 2 ** (throttled - 1));
          break;
        case 'unsupported-challenge':
          throw new UserError(error.message);
        default:
          throw new UserError(`Signing in failed: ${error.message}`, { cause: error });
      }
    }
    if (ctx.signal.aborted) throw new AbortError('Cancelled.');
  }
}
