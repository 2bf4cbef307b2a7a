/**
 * The people in a stack's user pool, for `mcp-lambda users`: list them with their groups, invite,
 * disable and remove (both sign them out everywhere: their refresh tokens stop working), enable,
 * and move them in and out of groups. Users are named by email; Cognito's own user names (a UUID here)
 * stay inside. None of these reach an access token already issued: the API checks its signature and
 * expiry only, so it works until it expires — {@link PoolUsers.accessTokenLifetime} says how long that is.
 *
 * No printing: results come back as values, failures as {@link UserError}s that name the user and pool.
 */
import type { CognitoIdentityProviderClient, UserType } from '@aws-sdk/client-cognito-identity-provider';
import { groupNameProblem } from '../../lambda/services/config.js';
import { explainAwsError } from '../aws/errors.js';
import { UsageError, UserError } from '../terminal/errors.js';

export interface PoolUser {
  readonly email: string;
  /** Cognito's status: CONFIRMED, UNCONFIRMED, FORCE_CHANGE_PASSWORD (invited, not signed in yet), … */
  readonly status: string;
  readonly enabled: boolean;
  readonly groups: readonly string[];
  /** ISO date. */
  readonly created?: string;
}

type Cognito = Pick<CognitoIdentityProviderClient, 'send'>;

/** Cognito's rule for a group name: 1–128 characters without whitespace (`\p{Z}`), per its API. */
const COGNITO_GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;

/**
 * Why a group name is refused, or undefined. A group to add someone to must be one that tool groups can
 * name: Cognito's rule, and no "," "[" or "]" (a member of `contractors,admins` could pass for `admins`;
 * see `groupNameProblem`). A group to take someone out of need only be one Cognito takes, so a group made
 * elsewhere can still be emptied.
 */
export function groupNameError(name: string, use: 'add' | 'remove'): string | undefined {
  const problem =
    use === 'add' ? groupNameProblem(name) : COGNITO_GROUP_NAME.test(name) ? undefined : 'use 1–128 characters without spaces';
  return problem === undefined ? undefined : `Group name ${JSON.stringify(name)} is not valid: ${problem}.`;
}

function checkGroupName(name: string, use: 'add' | 'remove'): void {
  const error = groupNameError(name, use);
  if (error !== undefined) throw new UsageError(error);
}

export class PoolUsers {
  constructor(
    private readonly cognito: Cognito,
    private readonly poolId: string,
  ) {}

  private async call<T>(doing: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'ResourceNotFoundException' && /pool/i.test((error as Error).message)) {
        throw new UserError(`The user pool ${this.poolId} does not exist (was the stack deleted?).`, {
          hint: 'Check the stack with: mcp-lambda status',
        });
      }
      throw explainAwsError(error, { doing }) ?? error;
    }
  }

  private static email(user: UserType): string {
    return user.Attributes?.find((attribute) => attribute.Name === 'email')?.Value ?? user.Username ?? '?';
  }

  /** Cognito's user name for an email; a plain error when there is no such user. */
  private async username(email: string): Promise<string> {
    const { ListUsersCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    const address = email.trim().toLowerCase();
    const answer = await this.call('find the user (cognito-idp:ListUsers)', () =>
      this.cognito.send(
        new ListUsersCommand({ UserPoolId: this.poolId, Filter: `email = "${address.replace(/"/g, '')}"`, Limit: 2 }),
      ),
    );
    const user = answer.Users?.find((candidate) => PoolUsers.email(candidate).toLowerCase() === address);
    if (!user?.Username) {
      throw new UserError(`No user ${address} in this server's user pool.`, {
        hint: 'See who is there with: mcp-lambda users list',
      });
    }
    return user.Username;
  }

  async list(): Promise<PoolUser[]> {
    const { ListUsersCommand, AdminListGroupsForUserCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    const users: UserType[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('list the users (cognito-idp:ListUsers)', () =>
        this.cognito.send(new ListUsersCommand({ UserPoolId: this.poolId, ...(token && { PaginationToken: token }) })),
      );
      users.push(...(page.Users ?? []));
      token = page.PaginationToken;
    } while (token);
    const rows: PoolUser[] = [];
    for (const user of users) {
      const groups = await this.call('list a user’s groups (cognito-idp:AdminListGroupsForUser)', () =>
        this.cognito.send(new AdminListGroupsForUserCommand({ UserPoolId: this.poolId, Username: user.Username })),
      );
      rows.push({
        email: PoolUsers.email(user),
        status: user.UserStatus ?? 'UNKNOWN',
        enabled: user.Enabled !== false,
        groups: (groups.Groups ?? []).map((group) => group.GroupName ?? '?').sort(),
        ...(user.UserCreateDate && { created: new Date(user.UserCreateDate).toISOString() }),
      });
    }
    return rows.sort((a, b) => a.email.localeCompare(b.email));
  }

  /** Creates the user; Cognito emails them a temporary password (the invitation). */
  async invite(email: string): Promise<void> {
    const { AdminCreateUserCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    const address = email.trim().toLowerCase();
    try {
      await this.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: this.poolId,
          Username: address,
          UserAttributes: [
            { Name: 'email', Value: address },
            { Name: 'email_verified', Value: 'true' },
          ],
          DesiredDeliveryMediums: ['EMAIL'],
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name === 'UsernameExistsException') {
        throw new UserError(`${address} already has an account on this server.`, {
          hint: `If it is disabled: mcp-lambda users enable ${address}`,
        });
      }
      throw explainAwsError(error, { doing: 'invite the user (cognito-idp:AdminCreateUser)' }) ?? error;
    }
  }

  /**
   * Disables the account and signs it out everywhere (AdminUserGlobalSignOut): its refresh tokens stop
   * working. Access tokens it already holds work at the API until they expire.
   */
  async disable(email: string): Promise<void> {
    const { AdminDisableUserCommand, AdminUserGlobalSignOutCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    const username = await this.username(email);
    await this.call('disable the user (cognito-idp:AdminDisableUser)', () =>
      this.cognito.send(new AdminDisableUserCommand({ UserPoolId: this.poolId, Username: username })),
    );
    await this.call('sign the user out (cognito-idp:AdminUserGlobalSignOut)', () =>
      this.cognito.send(new AdminUserGlobalSignOutCommand({ UserPoolId: this.poolId, Username: username })),
    );
  }

  async enable(email: string): Promise<void> {
    const { AdminEnableUserCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    const username = await this.username(email);
    await this.call('enable the user (cognito-idp:AdminEnableUser)', () =>
      this.cognito.send(new AdminEnableUserCommand({ UserPoolId: this.poolId, Username: username })),
    );
  }

  /**
   * Signs the account out everywhere (its refresh tokens stop working), then deletes it. Access tokens it
   * already holds work at the API until they expire.
   */
  async remove(email: string): Promise<void> {
    const { AdminDeleteUserCommand, AdminUserGlobalSignOutCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    const username = await this.username(email);
    await this.call('sign the user out (cognito-idp:AdminUserGlobalSignOut)', () =>
      this.cognito.send(new AdminUserGlobalSignOutCommand({ UserPoolId: this.poolId, Username: username })),
    );
    await this.call('remove the user (cognito-idp:AdminDeleteUser)', () =>
      this.cognito.send(new AdminDeleteUserCommand({ UserPoolId: this.poolId, Username: username })),
    );
  }

  /** Adds the user to a group, creating the group the first time it is used. */
  async addToGroup(email: string, group: string): Promise<{ createdGroup: boolean }> {
    const { AdminAddUserToGroupCommand, CreateGroupCommand, GetGroupCommand } =
      await import('@aws-sdk/client-cognito-identity-provider');
    checkGroupName(group, 'add');
    const username = await this.username(email);
    let createdGroup = false;
    try {
      await this.cognito.send(new GetGroupCommand({ UserPoolId: this.poolId, GroupName: group }));
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceNotFoundException') {
        throw explainAwsError(error, { doing: 'look up the group (cognito-idp:GetGroup)' }) ?? error;
      }
      await this.call('create the group (cognito-idp:CreateGroup)', () =>
        this.cognito.send(
          new CreateGroupCommand({
            UserPoolId: this.poolId,
            GroupName: group,
            Description: 'Created by mcp-lambda users groups add',
          }),
        ),
      );
      createdGroup = true;
    }
    await this.call('add the user to the group (cognito-idp:AdminAddUserToGroup)', () =>
      this.cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: this.poolId, Username: username, GroupName: group })),
    );
    return { createdGroup };
  }

  async removeFromGroup(email: string, group: string): Promise<void> {
    const { AdminRemoveUserFromGroupCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    checkGroupName(group, 'remove');
    const username = await this.username(email);
    try {
      await this.cognito.send(
        new AdminRemoveUserFromGroupCommand({ UserPoolId: this.poolId, Username: username, GroupName: group }),
      );
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') {
        throw new UserError(`There is no group ${group} in this server's user pool.`, {
          hint: 'See the groups with: mcp-lambda users list',
        });
      }
      throw explainAwsError(error, { doing: 'remove the user from the group (cognito-idp:AdminRemoveUserFromGroup)' }) ?? error;
    }
  }

  /**
   * How long the app client's access tokens live (DescribeUserPoolClient: the stack sets it from
   * `deploy --session-hours`): how long a token someone already holds keeps working after they are
   * disabled, removed or taken out of a group. The reason instead when it cannot be read (no permission).
   */
  async accessTokenLifetime(clientId: string): Promise<{ readonly minutes: number } | { readonly why: string }> {
    const { DescribeUserPoolClientCommand } = await import('@aws-sdk/client-cognito-identity-provider');
    try {
      const { UserPoolClient: client } = await this.cognito.send(
        new DescribeUserPoolClientCommand({ UserPoolId: this.poolId, ClientId: clientId }),
      );
      if (!client) return { why: `Cognito described no app client ${clientId}` };
      // Cognito's defaults: 60 minutes when unset; the value counts hours unless the units say otherwise.
      const value = client.AccessTokenValidity ?? 1;
      const unit = client.AccessTokenValidity === undefined ? 'hours' : (client.TokenValidityUnits?.AccessToken ?? 'hours');
      const perUnit: Record<string, number> = { seconds: 1 / 60, minutes: 1, hours: 60, days: 1440 };
      return { minutes: Math.ceil(value * (perUnit[unit] ?? 60)) };
    } catch (error) {
      return { why: (error as Error).message || (error as { name?: string }).name || String(error) };
    }
  }
}
