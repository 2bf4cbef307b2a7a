/**
 * What the live run asks of AWS itself, besides `deploy` and `destroy` (which the built CLI does): the
 * run's secret, users with passwords and groups, Cognito's own APIs the checks call (sign-up,
 * GetTokensFromRefreshToken), the deployed function's configuration, and the last look for anything the
 * run left. Clients are made by the caller (the standard credential chain, the run's region).
 */
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  DescribeUserPoolCommand,
  DescribeUserPoolDomainCommand,
  GetTokensFromRefreshTokenCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  ListSecretsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { randomBytes } from 'node:crypto';
import type { CognitoHooks } from '../checks/stack-checks.js';

/** The tag key on what the run creates itself (its secret); stacks carry the run's tag in their names. */
export const RUN_TAG_KEY = 'mcp-lambda-live-run';

export interface Clients {
  readonly cloudFormation: CloudFormationClient;
  readonly cognito: CognitoIdentityProviderClient;
  readonly secrets: SecretsManagerClient;
  readonly lambda: LambdaClient;
}

export function awsClients(region: string): Clients {
  return {
    cloudFormation: new CloudFormationClient({ region }),
    cognito: new CognitoIdentityProviderClient({ region }),
    secrets: new SecretsManagerClient({ region }),
    lambda: new LambdaClient({ region }),
  };
}

/** A password Cognito's policy takes (12+, upper, lower, digit, symbol). */
export function livePassword(): string {
  return `Aa1!${randomBytes(12).toString('base64url')}`;
}

/** The run's Secrets Manager secret, tagged with the run: its ARN. */
export async function createRunSecret(clients: Clients, runTag: string): Promise<string> {
  const answer = await clients.secrets.send(
    new CreateSecretCommand({
      Name: `mcp-lambda-live/${runTag}`,
      SecretString: randomBytes(16).toString('hex'),
      Tags: [{ Key: RUN_TAG_KEY, Value: runTag }],
    }),
  );
  if (answer.ARN === undefined) throw new Error('CreateSecret returned no ARN');
  return answer.ARN;
}

export async function deleteRunSecret(clients: Clients, arn: string): Promise<void> {
  await clients.secrets.send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }));
}

export interface PoolUser {
  readonly email: string;
  readonly password: string;
}

/** A confirmed user with a password (invited by the admin API: the allow-list checks only self sign-up), in `groups`. */
export async function createPoolUser(
  clients: Clients,
  poolId: string,
  email: string,
  groups: readonly string[] = [],
): Promise<PoolUser> {
  const password = livePassword();
  await clients.cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  await clients.cognito.send(
    new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: email, Password: password, Permanent: true }),
  );
  for (const group of groups) {
    await clients.cognito.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: group })).catch((error: Error) => {
      if (error.name !== 'GroupExistsException') throw error;
    });
    await clients.cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: email, GroupName: group }));
  }
  return { email, password };
}

/** The password check (USER_PASSWORD_AUTH): the pre-token trigger adds the MCP scope to its access token. */
export async function passwordAccessToken(clients: Clients, clientId: string, user: PoolUser): Promise<string> {
  const answer = await clients.cognito.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: clientId,
      AuthParameters: { USERNAME: user.email, PASSWORD: user.password },
    }),
  );
  const token = answer.AuthenticationResult?.AccessToken;
  if (token === undefined)
    throw new Error(`USER_PASSWORD_AUTH answered a challenge (${answer.ChallengeName ?? 'none'}), not tokens`);
  return token;
}

/** Cognito's own APIs for the checks, with the interactive (public) client. */
export function cognitoHooks(clients: Clients, clientId: string): CognitoHooks {
  return {
    async getTokensFromRefreshToken(refreshToken) {
      const answer = await clients.cognito.send(
        new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: refreshToken }),
      );
      return {
        ...(answer.AuthenticationResult?.AccessToken !== undefined && { accessToken: answer.AuthenticationResult.AccessToken }),
        ...(answer.AuthenticationResult?.RefreshToken !== undefined && {
          refreshToken: answer.AuthenticationResult.RefreshToken,
        }),
      };
    },
    async managedLoginVersion(domainPrefix) {
      const answer = await clients.cognito.send(new DescribeUserPoolDomainCommand({ Domain: domainPrefix }));
      return answer.DomainDescription?.ManagedLoginVersion;
    },
    async signUp(email, password) {
      await clients.cognito.send(
        new SignUpCommand({
          ClientId: clientId,
          Username: email,
          Password: password,
          UserAttributes: [{ Name: 'email', Value: email }],
        }),
      );
    },
  };
}

/** The environment of the stack's MCP function (the one whose environment names MCP_SECRETS). */
export async function mcpFunctionEnvironment(clients: Clients, stackName: string): Promise<Record<string, string>> {
  const resources = await clients.cloudFormation.send(new DescribeStackResourcesCommand({ StackName: stackName }));
  for (const resource of resources.StackResources ?? []) {
    if (resource.ResourceType !== 'AWS::Lambda::Function' || resource.PhysicalResourceId === undefined) continue;
    const config = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: resource.PhysicalResourceId }));
    const variables = config.Environment?.Variables ?? {};
    if (variables.MCP_SECRETS !== undefined) return { ...variables, RUNTIME: config.Runtime ?? '' };
  }
  throw new Error(`no function of ${stackName} has MCP_SECRETS`);
}

export async function poolDeletionProtection(clients: Clients, poolId: string): Promise<string | undefined> {
  return (await clients.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool?.DeletionProtection;
}

export async function poolExists(clients: Clients, poolId: string): Promise<boolean> {
  return clients.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId })).then(
    () => true,
    (error: Error) => {
      if (error.name === 'ResourceNotFoundException') return false;
      throw error;
    },
  );
}

export async function stackExists(clients: Clients, stackName: string): Promise<boolean> {
  return clients.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName })).then(
    (answer) => (answer.Stacks ?? []).some((stack) => stack.StackStatus !== 'DELETE_COMPLETE'),
    (error: Error) => {
      if (/does not exist/.test(error.message)) return false;
      throw error;
    },
  );
}

/**
 * What remains of the run: stacks named with its tag (deploy sets no stack tags), secrets tagged with it,
 * and the user pools it deployed (by id: CloudFormation names a pool after its logical id, not the stack).
 */
export async function leftovers(clients: Clients, runTag: string, poolIds: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const poolId of poolIds) if (await poolExists(clients, poolId)) found.push(`user pool ${poolId}`);
  let next: string | undefined;
  do {
    const page = await clients.cloudFormation.send(new ListStacksCommand({ NextToken: next }));
    for (const stack of page.StackSummaries ?? []) {
      if (stack.StackStatus !== 'DELETE_COMPLETE' && stack.StackName?.includes(runTag))
        found.push(`stack ${stack.StackName} (${stack.StackStatus})`);
    }
    next = page.NextToken;
  } while (next !== undefined);
  const secrets = await clients.secrets.send(new ListSecretsCommand({ Filters: [{ Key: 'tag-value', Values: [runTag] }] }));
  for (const secret of secrets.SecretList ?? []) found.push(`secret ${secret.Name}`);
  return found;
}
