/**
 * `mcp-lambda users` against cognito-local (ListUsers, AdminCreateUser, AdminDisable/Enable/DeleteUser,
 * groups, DescribeUserPoolClient). Two calls have no local stand-in and are faked, each said where it is:
 * SSM (the allow-list parameter: a stateful fake of Get/PutParameter) and AdminUserGlobalSignOut, which
 * cognito-local does not implement (answered and recorded by a proxy in front of it, helpers/cognito-local.ts).
 */
import {
  AdminUserGlobalSignOutCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { saveStackRecord } from '../../src/cli/state/stack-state.js';
import { PoolUsers } from '../../src/cli/users/pool-users.js';
import { type CognitoLocal, type SignOutProxy, signOutProxy, startCognitoLocal } from '../helpers/cognito-local.js';
import { OUTPUTS, scriptedPrompter } from '../helpers/fake-engine.js';
import { runCli } from '../helpers/run-cli.js';

const STACK = 'mcp-lambda-dog-facts';
let cognito: CognitoLocal;
let proxy: SignOutProxy;
let home: string;
let allowList: string;
const ssm = mockClient(SSMClient);

beforeAll(async () => {
  cognito = await startCognitoLocal();
  // The AWS SDK's credential chain reads the process environment (cognito-local takes any key).
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  // cognito-local answers GetGroup with a 500 while a pool has no group at all (its store has no
  // "Groups" key yet); real Cognito answers ResourceNotFoundException. One group makes it answer properly.
  await cognito.client.send(new CreateGroupCommand({ UserPoolId: cognito.userPoolId, GroupName: 'readers' }));
  // As the stack sets it from --session-hours 8 (CloudFormation gets minutes).
  await cognito.client.send(
    new UpdateUserPoolClientCommand({
      UserPoolId: cognito.userPoolId,
      ClientId: cognito.clientId,
      AccessTokenValidity: 480,
      TokenValidityUnits: { AccessToken: 'minutes' },
    }),
  );
  proxy = await signOutProxy(cognito);
});
afterAll(async () => {
  ssm.restore();
  await proxy.close();
  await cognito.stop();
});

async function stackWith(outputs: Record<string, string>) {
  await saveStackRecord(
    { HOME: home },
    {
      stackName: STACK,
      region: 'eu-west-1',
      savedAt: new Date().toISOString(),
      outputs: { ...OUTPUTS, UserPoolId: cognito.userPoolId, McpOAuthClientId: cognito.clientId, ...outputs },
    },
  );
}

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'mcp-lambda-users-'));
  allowList = '{"allow":["me@example.com"]}';
  ssm.reset();
  ssm.on(GetParameterCommand, { Name: '/mcp/allow' }).callsFake(async () => ({ Parameter: { Value: allowList } }));
  ssm.on(PutParameterCommand, { Name: '/mcp/allow' }).callsFake(async (input: { Value: string }) => {
    allowList = input.Value;
    return {};
  });
  await stackWith({ SignUpPolicy: 'allow-list', AllowListParameter: '/mcp/allow' });
});

const env = () => ({
  HOME: home,
  AWS_REGION: 'eu-west-1',
  ...cognito.env,
  AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: proxy.endpoint,
});
const users = (args: string[], answers: Record<string, boolean> = {}) =>
  runCli(['users', ...args], env(), { prompter: scriptedPrompter(answers) });
const address = () => `person-${Math.random().toString(36).slice(2, 8)}@example.com`;

describe('users list, invite, enable, remove, groups (cognito-local)', () => {
  it('invites a user, who shows up in the list as waiting for a first sign-in', async () => {
    const who = address();
    const invited = await users(['invite', who.toUpperCase()]);
    expect(invited.code, invited.stderr).toBe(0);
    expect(invited.stdout).toContain(`✓ Invited ${who}: Cognito emails them a temporary password`);
    const list = await users(['list', '--json']);
    const row = JSON.parse(list.stdout).users.find((u: { email: string }) => u.email === who);
    expect(row).toMatchObject({ email: who, status: 'FORCE_CHANGE_PASSWORD', enabled: true, groups: [] });
    const table = await users(['list']);
    expect(table.stdout).toMatch(/^EMAIL +STATUS +ENABLED +CREATED +GROUPS$/m);
    expect(table.stdout).toMatch(
      new RegExp(`^${who.replace('.', '\\.')} +FORCE_CHANGE_PASSWORD +yes +\\d{4}-\\d\\d-\\d\\d +-$`, 'm'),
    );
  });

  it('says so when the address already has an account', async () => {
    const who = address();
    await users(['invite', who]);
    const again = await users(['invite', who]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${who} already has an account on this server.`);
  });

  it('adds users to groups (creating a new group) and takes them out', async () => {
    const who = address();
    await users(['invite', who]);
    const added = await users(['groups', 'add', who, 'admins']);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain(`Added ${who} to admins (a new group).`);
    expect((await users(['groups', 'add', who, 'admins'])).stdout).not.toContain('a new group');
    let row = JSON.parse((await users(['list', '--json'])).stdout).users.find((u: { email: string }) => u.email === who);
    expect(row.groups).toEqual(['admins']);
    expect((await users(['groups', 'remove', who, 'admins'])).code).toBe(0);
    row = JSON.parse((await users(['list', '--json'])).stdout).users.find((u: { email: string }) => u.email === who);
    expect(row.groups).toEqual([]);
  });

  it('enables a user', async () => {
    const who = address();
    await users(['invite', who]);
    const enabled = await users(['enable', who]);
    expect(enabled).toMatchObject({ code: 0, stdout: `✓ Enabled ${who}.\n` });
  });

  it('asks before removing, keeps the user when declined, removes with yes', async () => {
    const who = address();
    await users(['invite', who]);
    const declined = await users(['remove', who], { Remove: false });
    expect(declined.code).toBe(3);
    expect(declined.stderr).toContain(`Kept ${who}.`);
    const removed = await users(['remove', who, '--yes']);
    expect(removed.code, removed.stderr).toBe(0);
    const list = JSON.parse((await users(['list', '--json'])).stdout);
    expect(list.users.map((u: { email: string }) => u.email)).not.toContain(who);
  });

  it('will not remove without an answer when nobody can be asked', async () => {
    const who = address();
    await users(['invite', who]);
    const result = await runCli(['users', 'remove', who], env());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('pass --yes');
  });

  it('disables a user and signs them out everywhere (AdminUserGlobalSignOut faked: cognito-local lacks it)', async () => {
    const who = address();
    await users(['invite', who]);
    const signedOut: string[] = [];
    const real = new CognitoIdentityProviderClient({
      region: 'eu-west-1',
      endpoint: cognito.endpoint,
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    });
    const client = {
      send: (command: unknown) => {
        if (command instanceof AdminUserGlobalSignOutCommand) {
          signedOut.push(String(command.input.Username));
          return Promise.resolve({});
        }
        return real.send(command as never);
      },
    } as Pick<CognitoIdentityProviderClient, 'send'>;
    await new PoolUsers(client, cognito.userPoolId).disable(who);
    expect(signedOut).toHaveLength(1);
    const row = (await new PoolUsers(client, cognito.userPoolId).list()).find((u) => u.email === who);
    expect(row?.enabled).toBe(false);
    real.destroy();
  });

  /** Cognito's user name (a UUID) for an address, as AdminUserGlobalSignOut is called with it. */
  const usernameOf = async (who: string) => {
    const { ListUsersCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    const found = await cognito.client.send(new ListUsersCommand({ UserPoolId: cognito.userPoolId, Filter: `email = "${who}"` }));
    return found.Users?.[0]?.Username;
  };
  const EIGHT_HOURS =
    "at most 8 h after it was issued (the app client's access-token validity): the API checks a token's signature and expiry, and no Cognito call withdraws it sooner.";

  it('disable says what is true: refresh tokens revoked, an access token already held works until it expires (≤ 8 h)', async () => {
    const who = address();
    await users(['invite', who]);
    const username = await usernameOf(who);
    const result = await users(['disable', who]);
    expect(result.code, result.stderr).toBe(0);
    expect(proxy.signedOut).toContain(username);
    expect(result.stdout).toBe(
      `✓ Disabled ${who}: they can no longer sign in, and their refresh tokens are revoked (signed out everywhere), so they get no new tokens.\n`,
    );
    expect(result.stderr).toContain(
      `An access token they already hold still works at the MCP URL until it expires, ${EIGHT_HOURS}`,
    );
    expect(result.stdout + result.stderr).not.toContain('signed them out everywhere');
    const json = await users(['enable', who]).then(() => users(['disable', who, '--json']));
    expect(JSON.parse(json.stdout)).toEqual({
      stackName: STACK,
      disabled: who,
      refreshTokensRevoked: true,
      accessTokensValidForMinutes: 480,
    });
  });

  it('remove signs the user out everywhere before deleting, and says how long a held access token lasts', async () => {
    const who = address();
    await users(['invite', who]);
    const username = await usernameOf(who);
    const before = proxy.operations.length;
    const result = await users(['remove', who, '--yes']);
    expect(result.code, result.stderr).toBe(0);
    const calls = proxy.operations.slice(before);
    expect(calls.indexOf('AdminUserGlobalSignOut')).toBeLessThan(calls.indexOf('AdminDeleteUser'));
    expect(proxy.signedOut).toContain(username);
    expect(result.stdout).toContain(`✓ Removed ${who}: signed out everywhere (their refresh tokens are revoked), then deleted.`);
    expect(result.stderr).toContain(`still works at the MCP URL until it expires, ${EIGHT_HOURS}`);
  });

  it('taking a user out of a group says their current token still carries it until it expires', async () => {
    const who = address();
    await users(['invite', who]);
    await users(['groups', 'add', who, 'admins']);
    const result = await users(['groups', 'remove', who, 'admins']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`✓ Removed ${who} from admins: tokens issued from now on (their next refresh) leave it out.`);
    expect(result.stderr).toContain(
      `An access token they already hold still carries admins (and its tools) until it expires, ${EIGHT_HOURS}`,
    );
  });

  it("falls back to the stack's --session-hours, with the reason, when the app client cannot be read", async () => {
    await stackWith({ McpOAuthClientId: 'not-a-client', SignUpPolicy: 'invite' });
    const who = address();
    await users(['invite', who]);
    const result = await users(['disable', who]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /still works at the MCP URL until it expires, at most the stack's --session-hours after it was issued \(8 h unless deployed otherwise; the app client's validity could not be read: .+\)/,
    );
    expect(JSON.parse((await users(['enable', who]).then(() => users(['disable', who, '--json']))).stdout)).toMatchObject({
      accessTokensValidForMinutes: null,
    });
  });

  it.each([
    [['disable', 'nobody@example.com'], "No user nobody@example.com in this server's user pool."],
    [['enable', 'nobody@example.com'], 'No user nobody@example.com'],
    [['groups', 'add', 'nobody@example.com', 'admins'], 'No user nobody@example.com'],
  ])('says plainly that %j names no user', async (args, message) => {
    const result = await users(args);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('hint: See who is there with: mcp-lambda users list');
  });

  it.each([
    [['groups', 'add', 'a@example.com', 'contractors,admins'], 'Group name "contractors,admins" is not valid: it has ","'],
    [['groups', 'add', 'a@example.com', '[admins'], 'Group name "[admins" is not valid: it has "["'],
    [['groups', 'add', 'a@example.com', 'admins]'], 'Group name "admins]" is not valid: it has "]"'],
    [['groups', 'add', 'a@example.com', '   '], 'Group name "   " is not valid: it is empty'],
    [['groups', 'add', 'a@example.com', 'two words'], 'Group name "two words" is not valid: it has whitespace'],
    [['groups', 'remove', 'a@example.com', 'two words'], 'Group name "two words" is not valid'],
  ])('refuses %j before calling AWS, as a usage error', async (args, message) => {
    const result = await users(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('use 1–128 characters without spaces');
  });

  it('still takes a user out of a group whose name has a comma (made elsewhere), so it can be emptied', async () => {
    const result = await users(['groups', 'remove', 'nobody@example.com', 'contractors,admins']);
    // Past the name check: the pool is asked, and knows no such user.
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No user nobody@example.com');
  });

  it.each([
    [['invite', 'not-an-address'], '"not-an-address" is not an email address.'],
    [['groups', 'add', 'a@example.com', 'two words'], 'Group name "two words" is not valid'],
    [['allow', 'nope'], 'allow-list entry "nope" is not valid'],
    [['invite'], "missing required argument 'email'"],
  ])('refuses %j', async (args, message) => {
    const result = await users(args);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });

  it('explains a stack whose pool is gone', async () => {
    await stackWith({ UserPoolId: 'eu-west-1_gone', SignUpPolicy: 'invite' });
    const result = await users(['list']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: The user pool eu-west-1_gone does not exist (was the stack deleted?).');
    expect(result.stderr).toContain('hint: Check the stack with: mcp-lambda status');
  });
});

describe('users allow / disallow (the allow-list; SSM faked)', () => {
  it('adds addresses and domains at once, without a deploy', async () => {
    const result = await users(['allow', 'New@Example.com', '@team.example', 'me@example.com']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(allowList).allow).toEqual(['@team.example', 'me@example.com', 'new@example.com']);
    expect(result.stderr).toContain('me@example.com was already on the list.');
    expect(result.stdout).toContain('Sign-up allow-list of mcp-lambda-dog-facts: @team.example, me@example.com, new@example.com');
  });

  it('takes entries off, and says that registered users keep their accounts', async () => {
    const result = await users(['disallow', 'me@example.com', 'other@example.com']);
    expect(result.code).toBe(0);
    expect(JSON.parse(allowList).allow).toEqual([]);
    expect(result.stderr).toContain('other@example.com was not on the list.');
    expect(result.stdout).toContain('(empty: nobody can register)');
    expect(result.stderr).toContain('mcp-lambda users disable <address> shuts one out');
  });

  it('prints JSON with --json', async () => {
    const result = await users(['allow', '@team.example', '--json']);
    expect(JSON.parse(result.stdout)).toEqual({ stackName: STACK, allow: ['@team.example', 'me@example.com'], unchanged: [] });
  });

  it.each([
    ['invite', { SignUpPolicy: 'invite' }, 'sign-up policy is invite, not an allow-list', 'mcp-lambda users invite'],
    ['open', { SignUpPolicy: 'open' }, 'sign-up policy is open', 'mcp-lambda deploy --allow'],
    ['older', { SignUpPolicy: '' }, 'deployed by an older mcp-lambda', 'mcp-lambda deploy --allow'],
  ])('explains a stack with no allow-list (%s)', async (_name, outputs, message, hint) => {
    await stackWith(outputs.SignUpPolicy === '' ? {} : outputs);
    if (outputs.SignUpPolicy === '') {
      const { SignUpPolicy: _p, AllowListParameter: _a, ...rest } = { ...OUTPUTS, SignUpPolicy: '', AllowListParameter: '' };
      await saveStackRecord(
        { HOME: home },
        {
          stackName: STACK,
          region: 'eu-west-1',
          savedAt: new Date().toISOString(),
          outputs: { ...rest, UserPoolId: cognito.userPoolId },
        },
      );
    }
    const result = await users(['allow', 'me@example.com']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain(hint);
  });

  it('refuses an allow-list parameter that is not ours, untouched', async () => {
    allowList = '{"people":[]}';
    const result = await users(['allow', 'x@example.com']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('does not hold {"allow": [...]}');
    expect(allowList).toBe('{"people":[]}');
    // A list the trigger would refuse as damaged (not lower case) is not ours either.
    allowList = '{"allow":["Me@Example.com"]}';
    const upper = await users(['allow', 'x@example.com']);
    expect(upper.code).toBe(1);
    expect(upper.stderr).toContain('holds "Me@Example.com", which is not a lower-case address or @domain');
    expect(allowList).toBe('{"allow":["Me@Example.com"]}');
  });

  it('needs at least one entry', async () => {
    const result = await users(['allow']);
    expect(result.code).toBe(2);
  });
});
