/**
 * `deploy --plan` against the fake engine: the fake synthesizes the stack for real and diffs it with the
 * CDK's own diff (@aws-cdk/cloudformation-diff) against the template a test says is deployed.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeCloud, OUTPUTS, scriptedPrompter } from '../../helpers/fake-engine.js';
import { runCli } from '../../helpers/run-cli.js';

let cloud: FakeCloud;
let home: string;
const STACK = 'mcp-lambda-dog-facts';
/** What the deployed stack remembers (its outputs), as a deploy of the default flags leaves them. */
const DEPLOYED = { ...OUTPUTS, SignUpPolicy: 'invite', Clients: 'claude-code', Timeout: '29', ServerCode: 'built-in dog-facts' };

beforeEach(() => {
  cloud = new FakeCloud();
  home = mkdtempSync(join(tmpdir(), 'mcp-lambda-home-'));
});

function run(args: string[], options: { json?: boolean } = {}) {
  const argv = ['deploy', '--plan', ...args, ...(options.json ? ['--json'] : [])];
  return runCli(argv, { HOME: home }, { deployEngine: cloud.factory(), prompter: scriptedPrompter({}) });
}

/** The stack exists, deployed as `deploy` with `args` would have made it. */
async function deployedWith(args: string[]): Promise<void> {
  cloud.stacks.set(STACK, { stackName: STACK, status: 'UPDATE_COMPLETE', outputs: DEPLOYED });
  cloud.templates.set(STACK, {});
  const first = await run(args);
  expect(first.code, first.stderr).toBe(0);
  const template = cloud.lastPlannedTemplate;
  if (template === undefined) throw new Error('the plan synthesized nothing');
  cloud.templates.set(STACK, template);
}

const recordDir = () => join(home, '.config', 'mcp-lambda');

/** Nothing was deployed, bootstrapped, deleted or recorded. */
function expectNothingChanged() {
  expect(cloud.calls.filter((call) => /^(deploy|bootstrap|destroy|unprotect) /.test(call) || call === 'bootstrap')).toEqual([]);
  expect(existsSync(recordDir())).toBe(false);
}

describe('deploy --plan', () => {
  it('shows a changed stack: what changes, what is replaced, the IAM changes and the remembered settings', async () => {
    await deployedWith([]);
    const result = await run(['--stage', 'v2', '--memory', '1024', '--timeout', '20']);
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toContain(`Plan: update ${STACK} in eu-west-1 (account 123456789012)`);
    expect(out).toContain('from a CloudFormation change set, created and deleted, not executed');
    expect(out).toMatch(/~ ServerFunction\w+\s+AWS::Lambda::Function {2}changed \([^)]*MemorySize[^)]*\)/);
    expect(out).toMatch(
      /! AuthUserPoolResourceServer\w+\s+AWS::Cognito::UserPoolResourceServer {2}replaced: a new one is created/,
    );
    expect(out).toMatch(/\+ HttpApiDeploymentStagev2\w+\s+AWS::ApiGateway::Stage {2}added/);
    expect(out).toMatch(/- HttpApiDeploymentStageprod\w+\s+AWS::ApiGateway::Stage {2}removed/);
    expect(out).toMatch(/Changes \(.*\): \d+ to add, \d+ to change, \d+ to replace, \d+ to remove\./);
    // IAM on its own: the API's invoke permission is replaced (its source ARN names the stage).
    const iam = out.slice(out.indexOf('IAM changes'));
    expect(iam).toMatch(/! AWS::Lambda::Permission HttpApimcpANY\w+ replaced \(SourceArn\)/);
    expect(iam).toMatch(/\+ Allow lambda:InvokeFunction on .* for Service:apigateway\.amazonaws\.com/);
    expect(iam).toMatch(/- Allow lambda:InvokeFunction on .* for Service:apigateway\.amazonaws\.com/);
    expect(iam).toMatch(
      /when \{"ArnLike":\{"AWS:SourceArn":"arn:aws:execute-api:eu-west-1:123456789012:\$\{HttpApi\w+\}\/\$\{HttpApiDeploymentStagev2\w+\}\/\*\/mcp"\}\}/,
    );
    expect(out).toMatch(
      /McpServerUrl: "https:\/\/\$\{HttpApi\w+\}\.execute-api\.\$\{AWS::Region\}\.\$\{AWS::URLSuffix\}\/prod\/mcp" → ".*\/v2\/mcp"/,
    );
    // Settings: effective, and the remembered one that changes.
    expect(out).toMatch(/ {2}stage +v2\n/);
    expect(out).toMatch(/ {2}memory +1024 MB\n/);
    expect(out).toContain('Settings the stack remembers that change:');
    expect(out).toMatch(/ {2}timeout +"29" → "20"/);
    expect(out).toContain('Nothing was changed.');
    expectNothingChanged();
  });

  it('says "no changes" when the deployed stack is what the flags make', async () => {
    await deployedWith(['--memory', '512']);
    const result = await run(['--memory', '512']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`No changes: ${STACK} is up to date`);
    expect(result.stdout).toContain('Settings the stack remembers: none change.');
    expect(result.stdout).not.toContain('IAM changes');
    const json = await run(['--memory', '512'], { json: true });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      pending: false,
      newStack: false,
      counts: { add: 0, change: 0, replace: 0, remove: 0 },
      resources: [],
      outputs: [],
      changedSettings: [],
    });
    expectNothingChanged();
  });

  it('lists what a new stack creates, by type and logical id', async () => {
    const result = await run(['--allow', 'dev@example.com']);
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toContain(`Plan: new stack ${STACK} in eu-west-1`);
    expect(out).toMatch(/To create: \d+ resources \(from the template\):/);
    expect(out).toMatch(/ {3}\d AWS::IAM::Role\n/);
    expect(out).toMatch(/ {3}1 AWS::Cognito::UserPool\n {8}AuthUserPool\w+\n/);
    expect(out).toMatch(/ {2}sign-up +allow-list: dev@example\.com\n/);
    expect(out).not.toContain('Settings the stack remembers');
    expect(cloud.calls).toContain(`plan ${STACK}`);
    expectNothingChanged();
  });

  it('gives scripts one JSON document', async () => {
    await deployedWith([]);
    const result = await run(['--stage', 'v2'], { json: true });
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as Record<string, unknown> & {
      resources: { logicalId: string; resourceType: string; action: string; replacedBy?: string[] }[];
      iam: { resources: unknown[]; statements: { change: string; actions: string }[]; broadened: boolean };
      settings: Record<string, string>;
      counts: Record<string, number>;
    };
    expect(plan).toMatchObject({
      stackName: STACK,
      account: '123456789012',
      region: 'eu-west-1',
      newStack: false,
      status: 'UPDATE_COMPLETE',
      pending: true,
      method: 'change-set',
      notes: [],
      changedSettings: [],
    });
    expect(plan.settings.stage).toBe('v2');
    expect(plan.resources.find((r) => r.resourceType === 'AWS::Cognito::UserPoolResourceServer')).toMatchObject({
      action: 'replace',
      replacedBy: ['Identifier'],
    });
    expect(plan.counts.replace).toBeGreaterThan(0);
    expect(plan.iam.statements.map((s) => s.change).sort()).toEqual(['added', 'removed']);
    expect(plan.iam.statements[0]?.actions).toBe('lambda:InvokeFunction');
    expectNothingChanged();
  });

  it('says so when no change set can be made, and compares the templates', async () => {
    await deployedWith([]);
    cloud.changeSetFails = 'User is not authorized to perform: cloudformation:CreateChangeSet';
    const result = await run(['--memory', '1024'], { json: false });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'from the templates (no change set: User is not authorized to perform: cloudformation:CreateChangeSet); a replacement may be missed',
    );
  });

  it('notes what a deploy would do first, and does none of it', async () => {
    cloud.bootstrapVersion = undefined;
    cloud.logsRole = false;
    cloud.stacks.set(STACK, { stackName: STACK, status: 'ROLLBACK_COMPLETE', outputs: {} });
    const result = await run(['--signup', 'invite'], { json: true });
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as {
      newStack: boolean;
      notes: string[];
      settings: Record<string, string>;
      created: Record<string, string[]>;
      counts: Record<string, number>;
    };
    expect(plan.newStack).toBe(true);
    expect(plan.created['AWS::Cognito::UserPool']).toEqual([expect.stringMatching(/^AuthUserPool[0-9A-F]{8}$/)]);
    expect(plan.counts.add).toBe(Object.values(plan.created).flat().length);
    expect(plan.notes).toEqual([
      `${STACK} is ROLLBACK_COMPLETE: a deploy would offer to delete it and create it again, as planned here.`,
      'aws://123456789012/eu-west-1 needs a CDK bootstrap (version 6 or newer): a deploy would offer it first.',
      'API Gateway has no CloudWatch role in eu-west-1: a deploy would offer to go without access logs (planned so here).',
    ]);
    expect(plan.settings['access logs']).toBe('off');
    expect(plan.settings.alarms).toBe('none');
    expect(cloud.stacks.get(STACK)?.status).toBe('ROLLBACK_COMPLETE');
    expectNothingChanged();
  });

  it.each([
    [['--bootstrap'], '--bootstrap acts only when deploying'],
    [
      ['--cloudformation-execution-policies', 'arn:aws:iam::aws:policy/PowerUserAccess'],
      '--cloudformation-execution-policies acts only',
    ],
  ])('refuses %j, which only a deploy acts on, before asking AWS', async (args, message) => {
    const result = await run(['--signup', 'invite', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--plan changes nothing, so it bootstraps nothing:');
    expect(result.stderr).toContain(message);
    expect(cloud.calls).toEqual([]);
  });

  it('lists the alarms it would deploy (deploy --alarms), and adds their topic and alarms', async () => {
    const result = await run(['--signup', 'invite', '--alarms', 'ops@example.com'], { json: true });
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as { settings: Record<string, string>; created: Record<string, string[]> };
    expect(plan.settings.alarms).toBe('mailed to ops@example.com, p95 over 5000 ms');
    expect(plan.created['AWS::CloudWatch::Alarm']).toHaveLength(4);
    expect(plan.created['AWS::SNS::Topic']).toHaveLength(1);
    expectNothingChanged();
  });

  it('takes --yes (it asks nothing it needs an answer to)', async () => {
    const result = await run(['--signup', 'invite', '--yes']);
    expect(result.code, result.stderr).toBe(0);
    expectNothingChanged();
  });
});
