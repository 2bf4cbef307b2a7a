/**
 * Live suite: deploy → sign a user in with the password check → MCP tools/call through API Gateway with
 * the access token → destroy, in a real account. Skipped unless MCP_LAMBDA_LIVE=1 (it creates billable
 * resources and needs credentials that may create IAM roles and a Cognito user pool).
 *
 *   MCP_LAMBDA_LIVE=1 AWS_PROFILE=sandbox AWS_REGION=eu-west-1 npm run test:aws
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, describe, expect, it } from 'vitest';
import { connectClient } from '../helpers/mcp-client.js';

const enabled = process.env.MCP_LAMBDA_LIVE === '1';
const run = promisify(execFile);
const bin = join(import.meta.dirname, '..', '..', 'bin', 'mcp-lambda');
const name = `live-${randomBytes(3).toString('hex')}`;
const stackName = `mcp-lambda-${name}`;

async function cli(...args: string[]) {
  const { stdout } = await run(process.execPath, [bin, ...args, '--json', '--yes'], { maxBuffer: 10 * 1024 * 1024 });
  return JSON.parse(stdout);
}

describe.skipIf(!enabled)('live: deploy, authenticate, call, destroy', () => {
  let outputs: Record<string, string> = {};

  afterAll(async () => {
    if (enabled) await cli('destroy', '--name', name).catch(() => undefined);
  });

  it('deploys', async () => {
    const result = await cli('deploy', '--name', name);
    outputs = result.outputs;
    expect(outputs.McpServerUrl).toMatch(/^https:\/\/.+\/prod\/mcp$/);
  });

  it('answers an anonymous request with the RFC 9728 challenge, and serves the metadata', async () => {
    const response = await fetch(outputs.McpServerUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${outputs.OAuthMetadataUrl}", scope="${outputs.McpOAuthScope}"`,
    );
    const metadata = await (await fetch(outputs.OAuthMetadataUrl!)).json();
    expect(metadata).toMatchObject({ resource: outputs.McpServerUrl, authorization_servers: [outputs.IssuerUrl] });
  });

  it('signs in with a password, gets the MCP scope from the trigger, and calls the tool', async () => {
    const cognito = new CognitoIdentityProviderClient({ region: outputs.Region });
    const email = `live+${randomBytes(4).toString('hex')}@example.com`;
    const password = `Aa1!${randomBytes(12).toString('base64url')}`;
    await cognito.send(
      new AdminCreateUserCommand({ UserPoolId: outputs.UserPoolId, Username: email, MessageAction: 'SUPPRESS' }),
    );
    await cognito.send(
      new AdminSetUserPasswordCommand({ UserPoolId: outputs.UserPoolId, Username: email, Password: password, Permanent: true }),
    );
    const auth = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: outputs.McpOAuthClientId,
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
    const token = auth.AuthenticationResult?.AccessToken ?? '';
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
    expect(claims.scope.split(' ')).toContain(outputs.McpOAuthScope);

    const client = await connectClient(outputs.McpServerUrl!, '2026-07-28', { Authorization: `Bearer ${token}` });
    const result = await client.callTool({ name: 'getDogFacts', arguments: { limit: 2 } });
    expect(result.isError).toBeFalsy();
    await client.close();
  });

  it('destroys', async () => {
    const result = await cli('destroy', '--name', name);
    expect(result).toMatchObject({ stackName, deleted: true });
  });
});
