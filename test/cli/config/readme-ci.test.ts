/**
 * The README's deployment file and GitHub Actions workflow: the file is read as the CLI reads it, the
 * workflow is valid YAML that takes OIDC credentials, and its mcp-lambda commands run against the stand-ins
 * (synth for real, deploy and status against the fake engine) with the README's file in the directory.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/cli/config/read.js';
import { FakeCloud, scriptedPrompter } from '../../helpers/fake-engine.js';
import { runCli } from '../../helpers/run-cli.js';

const root = join(import.meta.dirname, '..', '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
// A YAML parser already in node_modules (aws-cdk-lib's own): nothing added for one test.
const YAML = createRequire(join(root, 'node_modules', 'aws-cdk-lib', 'package.json'))('yaml') as { parse(text: string): unknown };

const mocks = [
  mockClient(CloudFormationClient).on(DescribeStackResourcesCommand).resolves({ StackResources: [] }),
  mockClient(CloudWatchClient).on(GetMetricDataCommand).resolves({ MetricDataResults: [] }),
  mockClient(SecretsManagerClient).on(DescribeSecretCommand).resolves({ Name: 'team-facts/api-key' }),
];
afterAll(() => mocks.forEach((mock) => mock.restore()));

/** The fenced block after `<!-- marker -->`. */
function block(marker: string): string {
  const match = new RegExp(`<!-- ${marker} -->\\n\\n\`\`\`\\w+\\n([\\s\\S]*?)\`\`\`\\n`).exec(readme);
  expect(match, marker).not.toBeNull();
  return match?.[1] ?? '';
}

interface Workflow {
  permissions: Record<string, string>;
  jobs: Record<string, { steps: { uses?: string; run?: string; with?: Record<string, unknown> }[] }>;
}

describe("the README's deployment file and CI workflow", () => {
  const file = block('deployment-file');

  it('holds a file the CLI reads as written', () => {
    expect(parseConfigText(file, 'mcp-lambda.jsonc')).toMatchObject({
      name: 'team-facts',
      signup: 'allow-list',
      allow: ['@team.example'],
      secrets: { API_KEY: 'team-facts/api-key' },
    });
  });

  it('is a workflow with OIDC credentials whose commands run against the stand-ins', async () => {
    const workflow = YAML.parse(block('ci-workflow')) as Workflow;
    expect(workflow.permissions['id-token']).toBe('write');
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    const credentials = steps.find((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(credentials?.with?.['role-to-assume']).toMatch(/^arn:aws:iam::\d{12}:role\//);
    expect(credentials?.with?.['aws-access-key-id']).toBeUndefined();
    const region = String(credentials?.with?.['aws-region']);
    const commands = steps.flatMap((step) => (step.run?.startsWith('npx mcp-lambda ') ? [step.run.split(' ').slice(2)] : []));
    expect(commands.map((args) => args[0])).toEqual(['synth', 'deploy', 'status']);
    expect(commands.find((args) => args[0] === 'deploy')).toContain('--yes');

    const cwd = mkdtempSync(join(tmpdir(), 'mcp-lambda-ci-'));
    writeFileSync(join(cwd, 'mcp-lambda.jsonc'), file);
    const cloud = new FakeCloud();
    const home = mkdtempSync(join(tmpdir(), 'mcp-lambda-home-'));
    for (const args of commands) {
      // CI: not interactive. The credentials step exports AWS_REGION; the SDK's clients read process.env, which a
      // test leaves alone, so the same region is given as --region.
      const result = await runCli(
        [...args, '--region', region],
        { HOME: home, AWS_REGION: region },
        { cwd, deployEngine: cloud.factory(), prompter: scriptedPrompter({}) },
      );
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      if (args[0] === 'synth') expect(result.stdout).toContain('mcp-lambda-team-facts  server team-facts');
      if (args[0] === 'status') expect(JSON.parse(result.stdout).settings.timeout).toEqual({ source: 'file', value: 60 });
    }
    expect(cloud.lastRequest?.stack).toMatchObject({
      stackName: 'mcp-lambda-team-facts',
      signUp: { mode: 'allow-list', allow: ['@team.example'] },
      mfa: 'optional',
      timeoutSeconds: 60,
      memoryMb: 1024,
    });
  });
});
