/** `status` says where the next deploy takes each setting from: the file, the stack, or the defaults. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { FakeCloud, OUTPUTS } from '../../helpers/fake-engine.js';
import { runCli } from '../../helpers/run-cli.js';

// The health panel has nothing to read here (test/cli/commands/status-health.test.ts covers it).
mockClient(CloudFormationClient).on(DescribeStackResourcesCommand).resolves({ StackResources: [] });
mockClient(CloudWatchClient).on(GetMetricDataCommand).resolves({ MetricDataResults: [] });

const STACK = 'mcp-lambda-cat-facts';

function setup(file?: string) {
  const cloud = new FakeCloud();
  cloud.stacks.set(STACK, {
    stackName: STACK,
    status: 'UPDATE_COMPLETE',
    outputs: { ...OUTPUTS, ServerName: 'cat-facts', Timeout: '120', SignUpPolicy: 'invite', Clients: 'claude-code' },
  });
  const cwd = mkdtempSync(join(tmpdir(), 'mcp-lambda-status-'));
  if (file !== undefined) writeFileSync(join(cwd, 'mcp-lambda.jsonc'), file);
  const home = mkdtempSync(join(tmpdir(), 'mcp-lambda-home-'));
  return (args: string[]) =>
    runCli(['status', '--region', 'eu-west-1', ...args], { HOME: home }, { cwd, deployEngine: cloud.factory() });
}

describe('status: where each setting comes from', () => {
  it('finds the stack the file names, and says file, stack or default for each setting', async () => {
    const status = setup('{\n  // committed\n  "name": "cat-facts",\n  "timeout": 60,\n  "memory": 1024,\n}\n');
    const json = await status(['--json']);
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.stackName).toBe(STACK);
    expect(parsed.configFile).toMatch(/mcp-lambda\.jsonc$/);
    expect(parsed.settings).toMatchObject({
      name: { source: 'file', value: 'cat-facts' },
      timeout: { source: 'file', value: 60 },
      memory: { source: 'file', value: 1024 },
      signup: { source: 'stack', value: 'invite' },
      clients: { source: 'stack', value: ['claude-code'] },
      mfa: { source: 'default' },
      sessionHours: { source: 'default' },
    });
    const text = await status([]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      'Settings a deploy takes: from mcp-lambda.jsonc: name, timeout, memory · kept by the stack: clients, signup · defaults for the rest (flags beat all)',
    );
  });

  it('says the stack and the defaults when there is no file', async () => {
    const status = setup();
    const json = JSON.parse((await status(['--json', '--name', 'cat-facts'])).stdout);
    expect(json.configFile).toBeUndefined();
    expect(json.settings.timeout).toEqual({ source: 'stack', value: 120 });
    expect(json.settings.memory).toEqual({ source: 'default' });
  });

  it('refuses a file with a mistake, at its position', async () => {
    const status = setup('{ "nmae": "cat-facts" }');
    const result = await status([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('mcp-lambda.jsonc:1:3: nmae: unknown key; did you mean "name"?');
  });
});
