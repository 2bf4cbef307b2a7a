/**
 * login, token and logout against cognito-local on 127.0.0.1 (the real Cognito API shapes), with the MCP
 * endpoint served by the dev server. Calls cognito-local answers differently from Cognito use a fake for
 * that call only (see the "Cognito answers cognito-local cannot give" block).
 */
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CognitoIdentityProviderClient,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from '../../../src/cli/dev/server.js';
import { createLambdaApp } from '../../../src/lambda/app.js';
import { saveStackRecord } from '../../../src/cli/state/stack-state.js';
import { type CognitoLocal, startCognitoLocal } from '../../helpers/cognito-local.js';
import { scriptedPrompter } from '../../helpers/fake-engine.js';
import { type FakeDogApi, startFakeDogApi } from '../../helpers/fake-dog-api.js';
import { runCli } from '../../helpers/run-cli.js';

const STACK = 'mcp-lambda-dog-facts';
const PASSWORD = 'Correct-Horse-42!';
let cognito: CognitoLocal;
let dogApi: FakeDogApi;
let mcp: DevServer;
let home: string;
let users = 0;

const email = () => `user${++users}@example.com`;

async function writeOutputs(mcpServerUrl = mcp.url) {
  await saveStackRecord(
    { HOME: home },
    {
      stackName: STACK,
      region: 'eu-west-1',
      savedAt: new Date().toISOString(),
      outputs: {
        McpServerUrl: mcpServerUrl,
        McpOAuthClientId: cognito.clientId,
        McpOAuthScope: 'mcp-dog-facts/dog-facts',
        CallbackPort: '31927',
        SignInUrl: 'https://mcp-dog-facts-1a2b3c4d.auth.eu-west-1.amazoncognito.com/signup?client_id=x',
        UserPoolId: cognito.userPoolId,
        IssuerUrl: `https://cognito-idp.eu-west-1.amazonaws.com/${cognito.userPoolId}`,
        ServerName: 'dog-facts',
      },
    },
  );
}

beforeAll(async () => {
  cognito = await startCognitoLocal();
  dogApi = await startFakeDogApi();
  const app = createLambdaApp({ DOG_API_BASE_URL: dogApi.baseUrl }, () => {});
  mcp = await startDevServer({ handler: app.handler, host: '127.0.0.1', port: 0 });
}, 30_000);

afterAll(async () => {
  await mcp?.close();
  await dogApi?.close();
  await cognito?.stop();
});

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'mcp-lambda-login-'));
  await writeOutputs();
});

/**
 * cognito-local, with the one call it lacks faked: GetTokensFromRefreshToken (the interactive client has
 * refresh-token rotation, so `token` uses it) is answered with cognito-local's own REFRESH_TOKEN_AUTH,
 * plus a new refresh token each time, as rotation does; retired ones are refused.
 */
const rotated = new Map<string, string>();
const refreshCalls: string[] = [];
function rotatingClient(): CognitoIdentityProviderClient {
  const real = cognito.client;
  return {
    send: async (command: unknown) => {
      if (command instanceof GetTokensFromRefreshTokenCommand) {
        const given = command.input.RefreshToken ?? '';
        refreshCalls.push(given);
        const original = rotated.get(given) ?? given;
        if (rotated.has(`retired:${given}`))
          throw Object.assign(new Error('Refresh Token has been revoked'), { name: 'NotAuthorizedException' });
        const answer = await real.send(
          new InitiateAuthCommand({
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            ClientId: command.input.ClientId,
            AuthParameters: { REFRESH_TOKEN: original },
          }),
        );
        const next = `rotated-${rotated.size}-${original.slice(0, 8)}`;
        rotated.set(next, original);
        rotated.set(`retired:${given}`, '');
        return { AuthenticationResult: { ...answer.AuthenticationResult, RefreshToken: next } };
      }
      return real.send(command as never);
    },
    destroy: () => {},
  } as unknown as CognitoIdentityProviderClient;
}

function cli(
  args: string[],
  answers: Parameters<typeof scriptedPrompter>[0] = {},
  extra: { stdin?: string; interactive?: boolean; opened?: string[] } = {},
) {
  const prompter = scriptedPrompter(answers);
  return runCli(
    args,
    { HOME: home, AWS_REGION: 'eu-west-1', ...cognito.env },
    {
      prompter,
      signInClient: async () => rotatingClient(),
      interactive: extra.interactive ?? true,
      ...(extra.stdin !== undefined && { stdin: extra.stdin }),
      openUrl: async (url) => {
        extra.opened?.push(url);
      },
    },
  ).then((result) => ({ ...result, asked: prompter.asked }));
}

const tokenFile = () => join(home, '.config', 'mcp-lambda', 'tokens', 'eu-west-1', `${STACK}.json`);

async function registered(address: string): Promise<void> {
  await cognito.adminCreateUser(address, 'Temp-Password-1!');
  await cognito.adminSetPassword(address, PASSWORD);
}

describe('login', () => {
  it('opens the sign-up page, checks the password, verifies the endpoint, and stores the sign-in (0600)', async () => {
    const address = email();
    await registered(address);
    const opened: string[] = [];
    const result = await cli(['login'], { 'Email:': address, 'Password:': PASSWORD }, { opened });
    expect(result.code).toBe(0);
    expect(opened).toEqual(['https://mcp-dog-facts-1a2b3c4d.auth.eu-west-1.amazoncognito.com/signup?client_id=x']);
    expect(result.stderr).toContain('Register with your email address and a password');
    expect(result.stderr).toContain('https://mcp-dog-facts-1a2b3c4d.auth.eu-west-1.amazoncognito.com/signup?client_id=x');
    expect(result.stdout).toContain(`✓ ${mcp.url} works with your sign-in. Tools:`);
    expect(result.stdout).toContain('getDogFacts');
    expect(result.stderr).toContain('Next: connect Claude Code with: mcp-lambda write-config');
    const stored = JSON.parse(readFileSync(tokenFile(), 'utf8'));
    expect(stored).toMatchObject({
      stackName: STACK,
      region: 'eu-west-1',
      username: address,
      clientId: cognito.clientId,
      mcpServerUrl: mcp.url,
    });
    expect(stored.refreshToken).toEqual(expect.any(String));
    expect(JSON.stringify(stored)).not.toContain(PASSWORD);
    expect(statSync(tokenFile()).mode & 0o777).toBe(0o600);
  });

  it('still asks for the email and password with --yes (it only answers yes/no questions)', async () => {
    const address = email();
    await registered(address);
    const result = await cli(['login', '--yes', '--no-browser'], { 'Email:': address, 'Password:': PASSWORD });
    expect(result.code).toBe(0);
    expect(result.asked).toEqual(['Email:', 'Password:']);
  });

  it('only prints the link with --no-browser', async () => {
    const address = email();
    await registered(address);
    const opened: string[] = [];
    const result = await cli(['login', '--no-browser'], { 'Email:': address, 'Password:': PASSWORD }, { opened });
    expect(result.code).toBe(0);
    expect(opened).toEqual([]);
  });

  it('registers with --signup, asks for the emailed code, and signs in', async () => {
    const address = email();
    const before = cognito.codeCount();
    const code = new Promise<string>((resolve) => setTimeout(() => resolve(cognito.codeFor(address, before)), 300));
    // The code only exists after SignUp: answer the prompt from cognito-local's "email".
    const answers = scriptedPrompter({ 'Email:': address, 'New password': PASSWORD });
    const result = await runCli(
      ['login', '--signup'],
      { HOME: home, AWS_REGION: 'eu-west-1', ...cognito.env },
      {
        interactive: true,
        prompter: {
          ...answers,
          input: async (message: string) => (message.startsWith('Verification code') ? code : answers.input(message)),
        },
      },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`Registered ${address}.`);
    expect(result.stderr).toContain(`Verified ${address}.`);
    expect(result.stdout).toContain('getDogFacts');
  });

  it('asks for the code when the account is not verified, and rejects a wrong one', async () => {
    const address = email();
    await runCli(
      ['login', '--signup'],
      { HOME: home, AWS_REGION: 'eu-west-1', ...cognito.env },
      {
        interactive: true,
        prompter: {
          ...scriptedPrompter({ 'Email:': address, 'New password': PASSWORD }),
          input: async (m: string) => (m.startsWith('Email') ? address : Promise.reject(new Error('stop here'))),
        },
      },
    );
    let calls = 0;
    const answers = scriptedPrompter({ 'Email:': address, 'Password:': PASSWORD });
    const result = await runCli(
      ['login'],
      { HOME: home, AWS_REGION: 'eu-west-1', ...cognito.env },
      {
        interactive: true,
        openUrl: async () => {},
        prompter: {
          ...answers,
          input: async (message: string) => {
            if (!message.startsWith('Verification code')) return answers.input(message);
            calls += 1;
            if (calls === 1) return '000000'; // wrong
            return cognito.codeFor(address);
          },
        },
      },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`${address} is not verified yet.`);
    expect(result.stderr).toContain('That code is not right.');
    expect(result.stderr).toContain(`Verified ${address}.`);
  });

  it('answers NEW_PASSWORD_REQUIRED for an account created with a temporary password', async () => {
    const address = email();
    await cognito.adminCreateUser(address, 'Temp-Password-1!');
    const result = await cli(['login'], { 'Email:': address, 'Password:': 'Temp-Password-1!', 'New password': PASSWORD });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Your account has a temporary password; choose a new one.');
    expect(result.stdout).toContain('getDogFacts');
  });

  it('signs in from a script with --username and --password-stdin', async () => {
    const address = email();
    await registered(address);
    const result = await cli(
      ['login', '--username', address, '--password-stdin', '--json'],
      {},
      { stdin: `${PASSWORD}\n`, interactive: false },
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      stackName: STACK,
      region: 'eu-west-1',
      username: address,
      mcpServerUrl: mcp.url,
      tools: ['getDogFacts'],
    });
  });

  it.each([
    [['--password-stdin'], '', '--password-stdin read an empty password.'],
    [['--password-stdin'], 'secret', '--password-stdin needs --username.'],
    [['--username', 'not-an-email', '--password-stdin'], 'secret', '--username "not-an-email" is not an email address.'],
  ])('refuses %j with a clear error', async (args, stdin, message) => {
    const result = await cli(['login', ...args], {}, { stdin, interactive: false });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
  });

  it('asks for --username when not interactive', async () => {
    const result = await runCli(['login'], { HOME: home, AWS_REGION: 'eu-west-1', ...cognito.env }, { interactive: false });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Email: this needs an answer, and the session is not interactive.');
    expect(result.stderr).toContain('hint: Run it in a terminal, or pass --username.');
  });

  it('names the failed link when the endpoint refuses the token', async () => {
    const refuser: Server = createServer((_req, res) => {
      res
        .writeHead(401, {
          'www-authenticate':
            'Bearer resource_metadata="https://x/.well-known/oauth-protected-resource/mcp", scope="mcp-dog-facts/dog-facts"',
        })
        .end();
    });
    await new Promise<void>((resolve) => refuser.listen(0, '127.0.0.1', resolve));
    try {
      await writeOutputs(`http://127.0.0.1:${(refuser.address() as AddressInfo).port}/mcp`);
      const address = email();
      await registered(address);
      const result = await cli(['login', '--username', address, '--password-stdin'], {}, { stdin: PASSWORD, interactive: false });
      expect(result.stderr).toContain(
        'The MCP endpoint refused the token with HTTP 401: the token lacks the scope mcp-dog-facts/dog-facts',
      );
      expect(result.stderr).toContain(
        'WWW-Authenticate: Bearer resource_metadata="https://x/.well-known/oauth-protected-resource/mcp"',
      );
      // The sign-in worked: it is kept, and the message says only the endpoint check failed.
      expect(existsSync(tokenFile())).toBe(true);
      expect(result.stderr).toContain('(Your sign-in is stored; only the endpoint check failed.)');
      expect(result.stderr).toContain('mcp-lambda doctor walks the whole chain.');
      expect(result.code).toBe(4);
    } finally {
      await new Promise<void>((resolve) => refuser.close(() => resolve()));
    }
  });
});

describe('token', () => {
  it('prints the stored token, and the header JSON for headersHelper', async () => {
    const address = email();
    await registered(address);
    await cli(['login', '--username', address, '--password-stdin'], {}, { stdin: PASSWORD, interactive: false });
    const stored = JSON.parse(readFileSync(tokenFile(), 'utf8'));
    const plain = await cli(['token', '--name', 'dog-facts']);
    expect(plain).toMatchObject({ code: 0, stdout: `${stored.accessToken}\n`, stderr: '' });
    const header = await cli(['token', '--header-json'], {}, {});
    expect(JSON.parse(header.stdout)).toEqual({ Authorization: `Bearer ${stored.accessToken}` });
  });

  it('refreshes a token with under half its life left, and stores the rotated refresh token', async () => {
    const address = email();
    await registered(address);
    await cli(['login', '--username', address, '--password-stdin'], {}, { stdin: PASSWORD, interactive: false });
    const stored = JSON.parse(readFileSync(tokenFile(), 'utf8'));
    const { iat } = JSON.parse(Buffer.from(stored.accessToken.split('.')[1], 'base64url').toString());
    const lifeMs = stored.expiresAt - iat * 1000;
    // Over half its life left: printed as it is.
    expect((await cli(['token'])).stdout).toBe(`${stored.accessToken}\n`);
    // Under half (the token was issued long ago): refreshed, although far from expiry.
    const oldToken = stored.accessToken.replace(
      /^([^.]+)\.([^.]+)\./,
      (_all: string, head: string) =>
        `${head}.${Buffer.from(JSON.stringify({ iat: iat - (2 * lifeMs) / 1000 })).toString('base64url')}.`,
    );
    writeFileSync(tokenFile(), JSON.stringify({ ...stored, accessToken: oldToken }));
    const result = await cli(['token']);
    expect(result.code).toBe(0);
    const after = JSON.parse(readFileSync(tokenFile(), 'utf8'));
    expect(after.expiresAt).toBeGreaterThan(Date.now() + lifeMs * 0.9);
    expect(refreshCalls.at(-1)).toBe(stored.refreshToken);
    expect(after.refreshToken).not.toBe(stored.refreshToken);
    expect(after.refreshToken).toMatch(/^rotated-/);
    expect(result.stdout).toBe(`${after.accessToken}\n`);
  });

  it('says to log in again when the refresh token is revoked, with nothing on stdout', async () => {
    const address = email();
    await registered(address);
    await cli(['login', '--username', address, '--password-stdin'], {}, { stdin: PASSWORD, interactive: false });
    const stored = JSON.parse(readFileSync(tokenFile(), 'utf8'));
    writeFileSync(tokenFile(), JSON.stringify({ ...stored, expiresAt: 0, refreshToken: 'revoked-refresh-token' }));
    const result = await cli(['token']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/run mcp-lambda login/);
  });

  it.each([
    ['no sign-in', null, 'Not signed in'],
    ['a damaged file', '{"stackName":"x"', 'is not valid JSON'],
    ['a file missing fields', JSON.stringify({ stackName: STACK, region: 'eu-west-1' }), 'is damaged'],
  ])('fails with one line for %s', async (_name, content, message) => {
    if (content !== null) {
      const dir = join(home, '.config', 'mcp-lambda', 'tokens', 'eu-west-1');
      (await import('node:fs')).mkdirSync(dir, { recursive: true });
      writeFileSync(tokenFile(), content);
    }
    const result = await cli(['token', '--name', 'dog-facts']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
  });

  it('picks the sign-in Claude Code names through CLAUDE_CODE_MCP_SERVER_URL', async () => {
    const address = email();
    await registered(address);
    await cli(['login', '--username', address, '--password-stdin'], {}, { stdin: PASSWORD, interactive: false });
    const hit = await runCli(['token'], { HOME: home, CLAUDE_CODE_MCP_SERVER_URL: mcp.url });
    expect(hit.code).toBe(0);
    const miss = await runCli(['token'], { HOME: home, CLAUDE_CODE_MCP_SERVER_URL: 'https://other.example/mcp' });
    expect(miss.code).toBe(1);
    expect(miss.stderr).toContain('Not signed in to https://other.example/mcp');
  });
});

describe('logout', () => {
  /** Whether cognito-local still takes a refresh token (REFRESH_TOKEN_AUTH checks the user's live ones). */
  const refreshes = (refreshToken: string) =>
    cognito.client
      .send(
        new InitiateAuthCommand({
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          ClientId: cognito.clientId,
          AuthParameters: { REFRESH_TOKEN: refreshToken },
        }),
      )
      .then(
        () => true,
        () => false,
      );

  it('revokes the refresh token with Cognito (RevokeToken, cognito-local), then removes the stored sign-in', async () => {
    const address = email();
    await registered(address);
    await cli(['login', '--username', address, '--password-stdin'], {}, { stdin: PASSWORD, interactive: false });
    const { refreshToken } = JSON.parse(readFileSync(tokenFile(), 'utf8'));
    expect(await refreshes(refreshToken)).toBe(true);
    const result = await cli(['logout']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Signed out ${address}: revoked the refresh token with Cognito and removed ${tokenFile()}.`);
    // Honest about what revocation does not reach: access tokens already handed out, until they expire.
    expect(result.stderr).toMatch(
      /Access tokens already issued with this sign-in .* still work at the MCP URL until they expire — the last in 1 h: the API checks a token's signature and expiry/,
    );
    expect(result.stderr).not.toContain('warning');
    expect(await refreshes(refreshToken)).toBe(false);
    expect(existsSync(tokenFile())).toBe(false);
    expect((await cli(['token'])).code).toBe(1);
  });

  it('says so, and still removes the files, when Cognito cannot be reached (offline)', async () => {
    const address = email();
    await registered(address);
    await cli(['login', '--username', address, '--password-stdin'], {}, { stdin: PASSWORD, interactive: false });
    // No region and an unreachable Cognito: logout finds the sign-in, cannot revoke it, removes it anyway.
    const result = await runCli(['logout'], { HOME: home, AWS_ENDPOINT_URL: 'http://127.0.0.1:1' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /warning: the refresh token of mcp-lambda-dog-facts was not revoked: .*ECONNREFUSED.*\. Whoever has a copy of it can get new access tokens until it expires/,
    );
    expect(result.stdout).toContain(`Signed out ${address}: removed ${tokenFile()}.`);
    expect(result.stdout).not.toContain('revoked the refresh token');
    expect(existsSync(tokenFile())).toBe(false);
    const again = await runCli(['logout'], { HOME: home });
    expect(again.stdout).toContain('Not signed in to mcp-lambda-dog-facts.');
  });

  it('says so when the refresh token was already revoked, and removes the files', async () => {
    const address = email();
    await registered(address);
    await cli(['login', '--username', address, '--password-stdin'], {}, { stdin: PASSWORD, interactive: false });
    const { refreshToken } = JSON.parse(readFileSync(tokenFile(), 'utf8'));
    await cognito.client.send(new RevokeTokenCommand({ ClientId: cognito.clientId, Token: refreshToken }));
    const result = await cli(['logout', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('was not revoked: Cognito refused it');
    expect(result.stderr).toContain('it was already revoked, or has expired');
    expect(JSON.parse(result.stdout)).toMatchObject({
      stackName: STACK,
      removed: true,
      revoked: false,
      notRevoked: [{ region: 'eu-west-1', reason: expect.stringContaining('already revoked') }],
    });
    expect(existsSync(tokenFile())).toBe(false);
  });

  it('prints revoked: true in --json when it worked', async () => {
    const address = email();
    await registered(address);
    await cli(['login', '--username', address, '--password-stdin'], {}, { stdin: PASSWORD, interactive: false });
    const result = await cli(['logout', '--json']);
    expect(JSON.parse(result.stdout)).toEqual({ stackName: STACK, regions: ['eu-west-1'], removed: true, revoked: true });
  });
});
