/**
 * deploy and who can get tokens: the redirect URIs on websites (VS Code's, Cursor's, Claude's) only when
 * `--clients` names their clients, and the client_credentials client only with `--machine-client`; what a
 * stack deployed before has is kept, and said (loudly for website URIs an older default registered).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeCloud, OUTPUTS } from '../../helpers/fake-engine.js';
import { runCli } from '../../helpers/run-cli.js';
import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';

// status reads the stack's resources and metrics for its health panel (test/cli/commands/status-health.test.ts
// covers it); here the stack has none to read.
mockClient(CloudFormationClient).on(DescribeStackResourcesCommand).resolves({ StackResources: [] });
mockClient(CloudWatchClient).on(GetMetricDataCommand).resolves({ MetricDataResults: [] });

const STACK = 'mcp-lambda-dog-facts';
let cloud: FakeCloud;
beforeEach(() => {
  cloud = new FakeCloud();
});

function deploy(args: string[] = []) {
  return runCli(
    ['deploy', '--allow', 'me@example.com', ...args],
    { HOME: mkdtempSync(join(tmpdir(), 'mcp-lambda-home-')) },
    {
      deployEngine: cloud.factory(),
    },
  );
}
const deployed = (outputs: Record<string, string>) =>
  cloud.stacks.set(STACK, { stackName: STACK, status: 'UPDATE_COMPLETE', outputs: { ...OUTPUTS, ...outputs } });

describe('redirect URIs on websites', () => {
  it('are not registered by a first deploy without --clients', async () => {
    const result = await deploy();
    expect(result.code, result.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.clients).toEqual(['claude-code', 'gemini']);
    expect(result.stderr).toContain('Clients: claude-code, gemini');
    expect(result.stderr).not.toContain('Redirect URIs on websites');
  });

  it('are registered when named, and said', async () => {
    const result = await deploy(['--clients', 'vscode,claude-desktop']);
    expect(result.code, result.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.clients).toEqual(['claude-code', 'vscode', 'claude-desktop']);
    expect(result.stderr).toContain(
      'Redirect URIs on websites (VS Code, Claude Desktop and claude.ai): vscode.dev, insiders.vscode.dev, claude.ai, claude.com receive the sign-in codes of whoever signs in through them.',
    );
    expect(result.stderr).not.toContain('warning: Redirect');
  });

  it('registered by an older default are kept, with a warning naming both ways out, until named', async () => {
    deployed({ Clients: 'claude-code,vscode,cursor,gemini,claude-desktop' });
    const kept = await deploy();
    expect(kept.code, kept.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.clients).toEqual(['claude-code', 'vscode', 'cursor', 'gemini', 'claude-desktop']);
    expect(kept.stderr).toContain('warning: Redirect URIs on websites (VS Code, Cursor, Claude Desktop and claude.ai)');
    expect(kept.stderr).toContain(
      'An earlier mcp-lambda registered them by default; now they are registered only when named. Keep them by naming them (--clients claude-code,vscode,cursor,gemini,claude-desktop), or drop them (--clients claude-code,gemini).',
    );

    // Named once, the stack records them (ThirdPartyRedirectUris): no warning on later deploys.
    deployed({
      Clients: 'claude-code,vscode',
      ThirdPartyRedirectUris: 'https://vscode.dev/redirect,https://insiders.vscode.dev/redirect',
    });
    const named = await deploy();
    expect(named.code, named.stderr).toBe(0);
    expect(named.stderr).toContain('Redirect URIs on websites (VS Code)');
    expect(named.stderr).not.toContain('warning: Redirect');

    deployed({ Clients: 'claude-code,vscode,cursor,gemini,claude-desktop' });
    const dropped = await deploy(['--clients', 'claude-code,gemini']);
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.clients).toEqual(['claude-code', 'gemini']);
    expect(dropped.stderr).not.toContain('Redirect URIs on websites');
  });
});

describe('the machine client (client_credentials)', () => {
  it('is not created unless asked for', async () => {
    const none = await deploy();
    expect(none.code, none.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.machineClient).toBe(false);
    expect(none.stderr).not.toContain('Machine client');

    cloud.stacks.clear();
    const asked = await deploy(['--machine-client']);
    expect(asked.code, asked.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.machineClient).toBe(true);
    expect(asked.stderr).toContain(
      'Machine client: on: whoever holds its secret (the AutomatedClientSecretArn output) calls every server',
    );
  });

  it('is kept on a stack that has one (every stack deployed before it became opt-in), unless removed', async () => {
    deployed({ AutomatedOAuthClientId: 'auto123', AutomatedClientSecretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:x' });
    const kept = await deploy();
    expect(kept.code, kept.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.machineClient).toBe(true);
    expect(kept.stderr).toContain('Machine client: on (as deployed; --no-machine-client removes it)');

    deployed({ AutomatedOAuthClientId: 'auto123', AutomatedClientSecretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:x' });
    const removed = await deploy(['--no-machine-client']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.machineClient).toBe(false);
    expect(removed.stderr).toContain(
      'warning: The machine client auto123 and its secret go away: anything calling with its client_credentials stops working.',
    );
  });

  it('is left out of status and destroy when absent, and named when there', async () => {
    deployed({ SignUpPolicy: 'allow-list' });
    const status = await runCli(
      ['status', '--region', 'eu-west-1'],
      { HOME: mkdtempSync(join(tmpdir(), 'mcp-lambda-home-')) },
      {
        deployEngine: cloud.factory(),
      },
    );
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).not.toContain('AutomatedOAuthClientId');
    const destroy = await runCli(
      ['destroy', '--region', 'eu-west-1', '--yes'],
      { HOME: mkdtempSync(join(tmpdir(), 'mcp-lambda-home-')) },
      {
        deployEngine: cloud.factory(),
      },
    );
    expect(destroy.code, destroy.stderr).toBe(0);
    expect(destroy.stderr).toContain('the MCP endpoint, the Lambda and its logs, and the OAuth client;');
  });
});
