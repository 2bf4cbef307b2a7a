import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { saveStackRecord } from '../../../src/cli/state/stack-state.js';
import { FakeCloud, OUTPUTS, scriptedPrompter } from '../../helpers/fake-engine.js';
import { runCli } from '../../helpers/run-cli.js';
import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';

// status reads the stack's resources and metrics for its health panel (test/cli/commands/status-health.test.ts
// covers it); here the stack has none to read.
mockClient(CloudFormationClient).on(DescribeStackResourcesCommand).resolves({ StackResources: [] });
mockClient(CloudWatchClient).on(GetMetricDataCommand).resolves({ MetricDataResults: [] });

let cloud: FakeCloud;
let home: string;
const STACK = 'mcp-lambda-dog-facts';
const record = () => join(home, '.config', 'mcp-lambda', 'stacks', 'eu-west-1', `${STACK}.json`);

beforeEach(async () => {
  cloud = new FakeCloud();
  home = mkdtempSync(join(tmpdir(), 'mcp-lambda-home-'));
  cloud.stacks.set(STACK, {
    stackName: STACK,
    status: 'CREATE_COMPLETE',
    outputs: OUTPUTS,
    lastUpdated: new Date('2026-11-24T04:00:00Z'),
  });
  await saveStackRecord(
    { HOME: home },
    { stackName: STACK, region: 'eu-west-1', savedAt: '2026-11-24T04:00:00Z', outputs: OUTPUTS },
  );
});

function cli(args: string[], answers: Record<string, boolean> = {}) {
  return runCli(args, { HOME: home }, { deployEngine: cloud.factory(), prompter: scriptedPrompter(answers) });
}

describe('an AWS answer no command explains', () => {
  it('exits 4 naming the AWS error code, the stack and the next command, not as a bug', async () => {
    cloud.describeFails = Object.assign(new Error('Rate of requests to the stack exceeds the account quota'), {
      name: 'LimitExceededException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, requestId: 'req-9' },
    });
    const result = await cli(['status', '--name', 'tools', '--region', 'eu-west-1']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      'AWS refused a request: Rate of requests to the stack exceeds the account quota (AWS error LimitExceededException, stack mcp-lambda-tools).',
    );
    expect(result.stderr).toContain('mcp-lambda status --stack-name mcp-lambda-tools --region eu-west-1');
    expect(result.stderr).not.toContain('bug');
    const verbose = await cli(['status', '--name', 'tools', '--region', 'eu-west-1', '--verbose']);
    expect(verbose.stderr).toContain('AWS: {"name":"LimitExceededException","httpStatusCode":400,"requestId":"req-9"}');
  });

  it('is still a bug (exit 70) when it is not an AWS answer', async () => {
    cloud.describeFails = new TypeError("Cannot read properties of undefined (reading 'StackStatus')");
    const result = await cli(['status', '--region', 'eu-west-1']);
    expect(result.code, result.stderr).toBe(70);
    expect(result.stderr).toContain('This is a bug in mcp-lambda');
  });
});

describe('destroy', () => {
  it('says what goes (stack, region, users), asks, deletes, and removes the local files', async () => {
    const result = await cli(['destroy'], { 'Delete mcp-lambda-dog-facts and its 3 users?': true });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`This deletes ${STACK} in eu-west-1 (account 123456789012), status CREATE_COMPLETE:`);
    expect(result.stderr).toContain(
      "and the user pool with its 3 registered users (Cognito's estimate). They cannot be recovered",
    );
    // Deletion protection is lifted only after the question was answered.
    expect(cloud.calls.slice(-2)).toEqual([`unprotect ${STACK}`, `destroy ${STACK}`]);
    expect(result.stdout).toContain(`✓ Deleted ${STACK} from eu-west-1.`);
    expect(result.stdout).toContain(`Removed cached stack outputs: ${record()}`);
    expect(existsSync(record())).toBe(false);
    expect(cloud.stacks.has(STACK)).toBe(false);
  });

  it('keeps local files with --keep-local', async () => {
    const result = await cli(['destroy', '--keep-local'], { Delete: true });
    expect(result.stdout).toContain('Kept local files (--keep-local).');
    expect(existsSync(record())).toBe(true);
  });

  it('keeps the user pool and its users with --keep-users, leaving its protection on', async () => {
    const result = await cli(['destroy', '--keep-users'], { [`Delete ${STACK}?`]: true });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('it keeps the user pool eu-west-1_pool with its 3 registered users');
    expect(cloud.calls).not.toContain(`unprotect ${STACK}`);
    expect(cloud.calls).toContain(`destroy ${STACK} (retain user pool)`);
    expect(result.stdout).toContain('Kept the user pool eu-west-1_pool and its users.');
  });

  it('cannot keep the users of an older stack whose pool is unprotected, and says what to do', async () => {
    cloud.poolProtected = false;
    const result = await cli(['destroy', '--keep-users'], { Delete: true });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('has no deletion protection (deployed by an older mcp-lambda)');
    expect(result.stderr).toContain('Deploy once with this version');
    expect(cloud.calls.some((call) => call.startsWith('destroy'))).toBe(false);
  });

  it('asks plainly when the pool holds no users, and deletes an unprotected older pool without lifting anything', async () => {
    cloud.users = 0;
    cloud.poolProtected = false;
    const result = await cli(['destroy'], { [`Delete ${STACK}?`]: true });
    expect(result.code, result.stderr).toBe(0);
    expect(cloud.calls).not.toContain(`unprotect ${STACK}`);
  });

  it('deletes nothing when declined, and names --keep-users', async () => {
    const result = await cli(['destroy'], { Delete: false });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('Nothing was deleted. To keep the users: mcp-lambda destroy --keep-users');
    expect(cloud.stacks.has(STACK)).toBe(true);
    expect(existsSync(record())).toBe(true);
  });

  it('is idempotent: a stack already gone is reported plainly and local clean-up still happens', async () => {
    cloud.stacks.clear();
    const result = await cli(['destroy']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `Stack ${STACK} does not exist in eu-west-1 (account 123456789012): nothing to delete there.`,
    );
    expect(result.stdout).toContain('Removed cached stack outputs');
    const again = await cli(['destroy']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing of it was stored on this machine.');
  });

  it('reports a deletion that fails with what to do', async () => {
    cloud.destroyFails = 'Deleting mcp-lambda-dog-facts ended in DELETE_FAILED: AuthUserPool: user pool has deletion protection';
    const result = await cli(['destroy', '--yes']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('DELETE_FAILED: AuthUserPool: user pool has deletion protection');
    expect(result.stderr).toContain('hint: Look at the stack');
    expect(existsSync(record())).toBe(true);
  });

  it('refuses a busy stack', async () => {
    cloud.stacks.set(STACK, { stackName: STACK, status: 'UPDATE_IN_PROGRESS', outputs: OUTPUTS });
    const result = await cli(['destroy', '--yes']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is busy (UPDATE_IN_PROGRESS)');
  });

  it('prints one JSON document with --json', async () => {
    const result = await cli(['destroy', '--yes', '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({
      stackName: STACK,
      region: 'eu-west-1',
      deleted: true,
      alreadyGone: false,
      removedLocal: [{ kind: 'outputs' }],
    });
  });

  it('refuses a bad name before calling AWS', async () => {
    const result = await cli(['destroy', '--name', 'Nope!']);
    expect(result.code).toBe(2);
    expect(cloud.calls).toEqual([]);
  });
});

describe('status', () => {
  it('shows status, last update, outputs and local files', async () => {
    const result = await runCli(['status', '--region', 'eu-west-1'], { HOME: home }, { deployEngine: cloud.factory() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`● ${STACK} in eu-west-1: CREATE_COMPLETE (created)`);
    expect(result.stdout).toContain('last update: 2026-11-24T04:00:00.000Z');
    expect(result.stdout).toMatch(/McpServerUrl +https:/);
    expect(result.stdout).toContain(`cached stack outputs: ${record()}`);
    // A stack from before sign-up policies has no SignUpPolicy output: anyone could register.
    expect(result.stdout).toContain('Sign-up: open to anyone (deployed by an older mcp-lambda');
  });

  it.each([
    ['allow-list', 'Sign-up: allow-list (mcp-lambda users allow <address>)'],
    ['invite', 'Sign-up: invite only (mcp-lambda users invite <address>)'],
    ['open', 'Sign-up: OPEN — anyone who finds the sign-up page can register and use this server'],
  ])('says who may sign up (%s)', async (mode, line) => {
    cloud.stacks.set(STACK, { ...cloud.stacks.get(STACK)!, outputs: { ...OUTPUTS, SignUpPolicy: mode } });
    const result = await runCli(['status', '--region', 'eu-west-1'], { HOME: home }, { deployEngine: cloud.factory() });
    expect(result.stdout).toContain(line);
  });

  it('names the failure that started a rollback, from the events (text and JSON)', async () => {
    cloud.stacks.set(STACK, { ...cloud.stacks.get(STACK)!, status: 'UPDATE_ROLLBACK_COMPLETE' });
    cloud.failuresSince = [
      {
        logicalId: 'HttpApiStage',
        resourceType: 'AWS::ApiGateway::Stage',
        status: 'UPDATE_FAILED',
        reason: 'CloudWatch Logs role ARN must be set in account settings to enable logging',
      },
      { logicalId: 'Other', resourceType: 'AWS::IAM::Role', status: 'UPDATE_FAILED', reason: 'Resource update cancelled' },
    ];
    const text = await runCli(['status', '--region', 'eu-west-1'], { HOME: home }, { deployEngine: cloud.factory() });
    expect(text.stdout).toContain(
      'first failure: HttpApiStage (AWS::ApiGateway::Stage): CloudWatch Logs role ARN must be set in account settings to enable logging',
    );
    const json = await runCli(['status', '--json', '--region', 'eu-west-1'], { HOME: home }, { deployEngine: cloud.factory() });
    expect(JSON.parse(json.stdout).firstFailure).toMatchObject({ logicalId: 'HttpApiStage' });
  });

  it('prints JSON with --json', async () => {
    const result = await runCli(['status', '--json', '--region', 'eu-west-1'], { HOME: home }, { deployEngine: cloud.factory() });
    expect(JSON.parse(result.stdout)).toMatchObject({
      stackName: STACK,
      deployed: true,
      status: 'CREATE_COMPLETE',
      outputs: OUTPUTS,
      local: [{ kind: 'outputs' }],
    });
  });

  it('says a missing stack is not deployed, and how to deploy it', async () => {
    cloud.stacks.clear();
    const result = await runCli(['status', '--region', 'eu-west-1'], { HOME: home }, { deployEngine: cloud.factory() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${STACK} is not deployed in eu-west-1 (local files remain`);
    expect(result.stderr).toContain('hint: Deploy it with: mcp-lambda deploy --region eu-west-1');
  });
});
