/** deploy orchestration against a stateful fake of CloudFormation and the CDK toolkit. */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeCloud, IDENTITY, OUTPUTS, scriptedPrompter } from '../../helpers/fake-engine.js';
import { runCli, startCli } from '../../helpers/run-cli.js';
import { printOutputs } from '../../../src/cli/deploy/outputs.js';
import { mcpUrlsAfterDeploy } from '../../../src/cli/plan/deploy-plan.js';
import type { Output } from '../../../src/cli/terminal/output.js';

let cloud: FakeCloud;
let home: string;
const STACK = 'mcp-lambda-dog-facts';

beforeEach(() => {
  cloud = new FakeCloud();
  home = mkdtempSync(join(tmpdir(), 'mcp-lambda-home-'));
});

/** `deploy ARGS`; a sign-up policy is added unless the test gives one (a new stack needs one). */
function deploy(args: string[] = [], answers: Record<string, boolean | string> = {}, options: { interactive?: boolean } = {}) {
  const prompter = scriptedPrompter(answers);
  const policy = args.some((arg) => arg === '--allow' || arg === '--signup' || arg === '--no-policy')
    ? []
    : ['--allow', 'dev@example.com'];
  const argv = ['deploy', ...args.filter((arg) => arg !== '--no-policy'), ...policy];
  return runCli(argv, { HOME: home }, { deployEngine: cloud.factory(), prompter, ...options }).then((result) => ({
    ...result,
    asked: prompter.asked,
  }));
}

const recordPath = () => join(home, '.config', 'mcp-lambda', 'stacks', 'eu-west-1', `${STACK}.json`);

describe('deploy: who may sign up', () => {
  it('stops before changing anything when a new stack has no policy and nobody can be asked', async () => {
    const result = await deploy(['--no-policy']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Choose who may sign up to this server before deploying it.');
    expect(result.stderr).toContain(
      '--allow you@example.com (repeatable; @example.com for a whole domain), --signup invite, or --signup open',
    );
    expect(cloud.calls.some((call) => call.startsWith('deploy'))).toBe(false);
  });

  it('deploys the allow-list the flags give, and says who may sign up', async () => {
    const result = await deploy(['--allow', 'Me@Example.com', '--allow', '@team.example']);
    expect(result.code, result.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.signUp).toEqual({ mode: 'allow-list', allow: ['Me@Example.com', '@team.example'] });
    expect(result.stderr).toContain('Sign-up: allow-list: Me@Example.com, @team.example');
  });

  it('says plainly that an open server lets anyone in', async () => {
    const result = await deploy(['--signup', 'open']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'warning: Sign-up: OPEN — anyone who finds the sign-up page can register and use this server',
    );
  });

  it.each([
    [['--allow', 'not-an-address'], 'allow-list entry "not-an-address" is not valid'],
    [['--signup', 'open', '--allow', 'me@example.com'], 'go with the allow-list policy only'],
    [['--signup', 'everyone'], "argument 'everyone' is invalid. Allowed choices are allow-list, invite, open."],
  ])('refuses %j before touching AWS', async (args, message) => {
    const result = await deploy(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(cloud.calls).toEqual([]);
  });

  it('asks in a terminal, suggesting an address, and deploys the answer', async () => {
    const result = await deploy(['--no-policy'], { Allow: 'me@example.com, @team.example' }, { interactive: true });
    expect(result.code, result.stderr).toBe(0);
    expect(result.asked.some((question) => question.startsWith('Allow'))).toBe(true);
    expect(cloud.lastRequest?.stack.signUp).toEqual({ mode: 'allow-list', allow: ['me@example.com', '@team.example'] });
  });

  it('keeps a deployed allow-list as it is now (edits made with users allow survive)', async () => {
    // SSM cannot run here: a fake for GetParameter only.
    const ssm = mockClient(SSMClient);
    ssm
      .on(GetParameterCommand, { Name: '/mcp/allow' })
      .resolves({ Parameter: { Value: '{"allow":["@team.example","added@example.com"]}' } });
    try {
      cloud.stacks.set(STACK, {
        stackName: STACK,
        status: 'UPDATE_COMPLETE',
        outputs: { ...OUTPUTS, SignUpPolicy: 'allow-list', AllowListParameter: '/mcp/allow' },
      });
      const result = await deploy(['--no-policy', '--region', 'eu-west-1']);
      expect(result.code, result.stderr).toBe(0);
      expect(cloud.lastRequest?.stack.signUp).toEqual({ mode: 'allow-list', allow: ['@team.example', 'added@example.com'] });

      ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'not json' } });
      cloud.stacks.set(STACK, {
        stackName: STACK,
        status: 'UPDATE_COMPLETE',
        outputs: { ...OUTPUTS, SignUpPolicy: 'allow-list', AllowListParameter: '/mcp/allow' },
      });
      const broken = await deploy(['--no-policy', '--region', 'eu-west-1']);
      expect(broken.code).toBe(1);
      expect(broken.stderr).toContain('The allow-list parameter /mcp/allow does not hold JSON.');
      expect(broken.stderr).toContain('The pre-sign-up trigger refuses everyone until it does.');
      expect(broken.stderr).toContain('aws ssm put-parameter --name /mcp/allow --type String --overwrite');
    } finally {
      ssm.restore();
    }
  });

  it.each(['invite', 'open'])('keeps a deployed %s policy when no flag says otherwise', async (mode) => {
    cloud.stacks.set(STACK, { stackName: STACK, status: 'UPDATE_COMPLETE', outputs: { ...OUTPUTS, SignUpPolicy: mode } });
    const result = await deploy(['--no-policy']);
    expect(result.code, result.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.signUp).toEqual({ mode });
  });
});

describe('deploy', () => {
  it('creates the stack, prints who and where, the outputs and the next steps, and caches the outputs', async () => {
    const result = await deploy();
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`Deploying ${STACK} to account ${IDENTITY.account} in eu-west-1 as ${IDENTITY.arn}`);
    expect(result.stdout).toMatch(new RegExp(`✓ Created ${STACK} in eu-west-1 \\(\\d+s\\)`));
    expect(result.stdout).toMatch(/ {2}McpServerUrl +https:\/\/abc123\.execute-api/);
    expect(result.stdout.indexOf('McpServerUrl')).toBeLessThan(result.stdout.indexOf('SignInUrl'));
    expect(result.stderr).toMatch(/1\. mcp-lambda login +register/);
    expect(result.stderr).toMatch(/2\. mcp-lambda write-config +add it to Claude Code/);
    const record = JSON.parse(readFileSync(recordPath(), 'utf8'));
    expect(record).toMatchObject({ stackName: STACK, region: 'eu-west-1', account: IDENTITY.account, outputs: OUTPUTS });
    expect(statSync(recordPath()).mode & 0o777).toBe(0o600);
    expect(cloud.calls).toEqual(['identity', `describe ${STACK}`, `deploy ${STACK}`]);
  });

  it('passes the stack options through', async () => {
    await deploy(['--name', 'cat-facts', '--callback-port', '41000', '--stage', 'v1', '--memory', '1024']);
    expect(cloud.lastRequest?.stack).toMatchObject({
      stackName: 'mcp-lambda-cat-facts',
      serverName: 'cat-facts',
      callbackPort: 41000,
      stage: 'v1',
      memoryMb: 1024,
    });
  });

  it('prints progress lines when stderr is not a terminal', async () => {
    const result = await deploy();
    expect(result.stderr).toContain('Building the stack mcp-lambda-dog-facts…');
    expect(result.stderr).toContain('[1/2] created Cognito UserPool Auth/UserPool');
    expect(result.stderr).toContain('[2/2] created Lambda Function Fn');
  });

  it('redraws one live line on a terminal', async () => {
    const result = await runCli(
      ['deploy', '--signup', 'invite'],
      { HOME: home },
      { deployEngine: cloud.factory(), prompter: scriptedPrompter({}), tty: true },
    );
    expect(result.stderr).toContain('\r\u001b[2K');
    expect(result.stderr).toMatch(/█+ \[2\/2\] created Lambda Function Fn/);
  });

  it('says quickly when nothing changed, and still prints the outputs', async () => {
    cloud.stacks.set(STACK, { stackName: STACK, status: 'CREATE_COMPLETE', outputs: OUTPUTS });
    cloud.plan = { kind: 'no-changes' };
    const result = await deploy();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`No changes: ${STACK} is up to date in eu-west-1.`);
    expect(result.stdout).toContain('McpServerUrl');
  });

  it('prints only one JSON document with --json', async () => {
    const result = await deploy(['--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      stackName: STACK,
      account: IDENTITY.account,
      region: 'eu-west-1',
      created: true,
      noChanges: false,
      signUp: { mode: 'allow-list', allow: ['dev@example.com'] },
      outputs: OUTPUTS,
      costEstimate: expect.objectContaining({ currency: 'USD', pricesAsOf: '2025-10' }),
    });
    expect(result.stderr).toContain('Deploying');
    expect(result.stderr).not.toContain('[1/2]');
  });

  it('reports the first failed resource, the resulting state and what to do', async () => {
    cloud.plan = {
      kind: 'fail',
      endStatus: 'ROLLBACK_COMPLETE',
      failure: {
        logicalId: 'AuthUserPoolHostedUi',
        resourceType: 'AWS::Cognito::UserPoolDomain',
        status: 'CREATE_FAILED',
        reason:
          'Domain already associated with another user pool. (Service: CognitoIdentityProvider, Status Code: 400, Request ID: abc)',
      },
    };
    const result = await deploy();
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      'error: AuthUserPoolHostedUi (AWS::Cognito::UserPoolDomain) failed: Domain already associated with another user pool.\n',
    );
    expect(result.stderr).toContain('The stack is now ROLLBACK_COMPLETE: nothing was created.');
    expect(result.stderr).toContain(
      'hint: Fix the cause, then run mcp-lambda deploy --region eu-west-1 again: it offers to delete the failed stack first.',
    );
    expect(result.stderr).toContain(
      '✗ [4/30] failed to create Cognito UserPoolDomain AuthUserPoolHostedUi: Domain already associated',
    );
  });

  it('explains an update that rolled back', async () => {
    cloud.stacks.set(STACK, { stackName: STACK, status: 'UPDATE_COMPLETE', outputs: OUTPUTS });
    cloud.plan = {
      kind: 'fail',
      endStatus: 'UPDATE_ROLLBACK_COMPLETE',
      failure: {
        logicalId: 'ServerFunction',
        resourceType: 'AWS::Lambda::Function',
        status: 'UPDATE_FAILED',
        reason: 'Memory size 99999 is invalid',
      },
    };
    const result = await deploy();
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('The stack rolled back to its previous version; it still serves as before.');
  });

  it('offers to delete a stack whose creation failed, then deploys', async () => {
    cloud.stacks.set(STACK, {
      stackName: STACK,
      status: 'ROLLBACK_COMPLETE',
      statusReason: 'The following resource(s) failed to create: [X].',
      outputs: {},
    });
    const result = await deploy([], { 'Delete mcp-lambda-dog-facts and deploy it again?': true });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('is ROLLBACK_COMPLETE: its first deployment failed');
    expect(cloud.calls).toEqual(['identity', `describe ${STACK}`, `destroy ${STACK} (retain user pool)`, `deploy ${STACK}`]);
    // The pool's deletion protection kept it through the rollback: say what was left, and how to remove it.
    expect(result.stderr).toContain('warning: the failed attempt left the user pool eu-west-1_pool behind');
  });

  it('stops at a failed creation when declined, with the command that cleans up', async () => {
    cloud.stacks.set(STACK, { stackName: STACK, status: 'ROLLBACK_COMPLETE', outputs: {} });
    const result = await deploy([], { 'Delete mcp-lambda-dog-facts': false });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`mcp-lambda destroy --stack-name ${STACK} --region eu-west-1`);
    expect(cloud.calls).not.toContain(`deploy ${STACK}`);
  });

  it('gives the continue-update-rollback command for UPDATE_ROLLBACK_FAILED', async () => {
    cloud.stacks.set(STACK, { stackName: STACK, status: 'UPDATE_ROLLBACK_FAILED', outputs: {} });
    const result = await deploy(['--profile', 'work']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      `hint: Continue the rollback, then deploy again: aws cloudformation continue-update-rollback --stack-name ${STACK} --region eu-west-1 --profile work`,
    );
  });

  it('waits for a stack that is being updated, then deploys', async () => {
    cloud.stacks.set(STACK, { stackName: STACK, status: 'UPDATE_IN_PROGRESS', outputs: OUTPUTS });
    const result = await deploy([], { 'Wait for it to finish': true });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`${STACK} is busy: UPDATE_IN_PROGRESS.`);
    expect(cloud.calls).toEqual(['identity', `describe ${STACK}`, `wait ${STACK}`, `deploy ${STACK}`]);
  });

  it('stops instead of waiting when declined', async () => {
    cloud.stacks.set(STACK, { stackName: STACK, status: 'UPDATE_IN_PROGRESS', outputs: OUTPUTS });
    const result = await deploy([], { 'Wait for it to finish': false });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`Check it with: mcp-lambda status --stack-name ${STACK} --region eu-west-1`);
  });

  it('explains bootstrapping, offers it, and continues', async () => {
    cloud.bootstrapVersion = undefined;
    const result = await deploy([], { 'Bootstrap aws://123456789012/eu-west-1 now?': true });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Account 123456789012 is not bootstrapped for the CDK in eu-west-1.');
    expect(result.stderr).toContain(
      "CloudFormation's execution role will have arn:aws:iam::aws:policy/AdministratorAccess (the CDK default)",
    );
    expect(cloud.calls).toEqual(['identity', `describe ${STACK}`, 'bootstrap', `deploy ${STACK}`]);
  });

  it('bootstraps with the execution policies given, and says which', async () => {
    cloud.bootstrapVersion = undefined;
    const policy = 'arn:aws:iam::123456789012:policy/mcp-deployer';
    const result = await deploy(['--bootstrap', '--cloudformation-execution-policies', policy]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.asked).toEqual([]);
    expect(result.stderr).toContain(`CloudFormation's execution role will have: ${policy}.`);
    expect(cloud.calls).toContain(`bootstrap ${policy}`);
  });

  it('refuses an execution policy that is not a managed policy ARN', async () => {
    const result = await deploy(['--cloudformation-execution-policies', 'AdministratorAccess']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expected an IAM managed policy ARN (arn:aws:iam::aws:policy/…), got "AdministratorAccess".');
  });

  it('offers to update a bootstrap stack that is too old', async () => {
    cloud.bootstrapVersion = 4;
    const result = await deploy([], { 'Bootstrap aws://': true });
    expect(result.stderr).toContain('is version 4; this deployment needs 6 or newer.');
    expect(cloud.calls).toContain('bootstrap');
  });

  it('does not deploy unbootstrapped when declined', async () => {
    cloud.bootstrapVersion = undefined;
    const result = await deploy([], { 'Bootstrap aws://': false });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('npx aws-cdk bootstrap aws://123456789012/eu-west-1');
    expect(cloud.calls).not.toContain(`deploy ${STACK}`);
  });

  it('offers to deploy without access logs when the account has no API Gateway CloudWatch role', async () => {
    cloud.logsRole = false;
    const result = await deploy([], { 'Deploy without API Gateway access logs': true });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('API Gateway has no CloudWatch role in eu-west-1 for account 123456789012');
    expect(cloud.lastRequest?.stack.accessLogs).toBe(false);
  });

  it('stops with the two ways out when access logs are wanted but the role is missing', async () => {
    cloud.logsRole = false;
    const result = await deploy([], { 'Deploy without API Gateway access logs': false });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('aws apigateway update-account');
    expect(result.stderr).toContain('--no-access-logs');
    expect(cloud.calls).not.toContain(`deploy ${STACK}`);
  });

  it('does not ask about the role with --no-access-logs, or when it cannot tell', async () => {
    cloud.logsRole = false;
    expect((await deploy(['--no-access-logs'])).code).toBe(0);
    cloud.logsRole = undefined;
    const unknown = await deploy();
    expect(unknown.code).toBe(0);
    expect(cloud.lastRequest?.stack.accessLogs).toBe(true);
  });

  it('shows broadening IAM changes on an update and asks', async () => {
    cloud.stacks.set(STACK, { stackName: STACK, status: 'CREATE_COMPLETE', outputs: OUTPUTS });
    cloud.plan = { kind: 'broadening', diff: 'IAM Statement Changes\n+ lambda:InvokeFunction' };
    const declined = await deploy([], { 'changes IAM permissions': false });
    expect(declined.code).toBe(3);
    expect(declined.stderr).toContain('+ lambda:InvokeFunction');
    expect(declined.stderr).toContain('Deployment cancelled; nothing was changed.');
    const accepted = await deploy([], { 'changes IAM permissions': true });
    expect(accepted.code).toBe(0);
  });

  it('does not ask about the IAM roles of a first deployment', async () => {
    cloud.plan = { kind: 'broadening', diff: 'IAM Statement Changes' };
    const result = await deploy();
    expect(result.code).toBe(0);
    expect(result.asked).toEqual([]);
  });

  it('will not bootstrap on --yes alone: bootstrapping needs its own --bootstrap', async () => {
    cloud.bootstrapVersion = undefined;
    for (const args of [[], ['--yes']]) {
      const result = await runCli(['deploy', '--signup', 'invite', ...args], { HOME: home }, { deployEngine: cloud.factory() });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'Bootstrap aws://123456789012/eu-west-1 now? (this needs an answer, and the session is not interactive)',
      );
      expect(result.stderr).toContain('hint: Run it in a terminal, or pass --bootstrap to answer yes.');
    }
    expect(cloud.calls).not.toContain('bootstrap');
    const go = await runCli(
      ['deploy', '--signup', 'invite', '--yes', '--bootstrap'],
      { HOME: home },
      { deployEngine: cloud.factory() },
    );
    expect(go.code).toBe(0);
  });

  it('refuses to ask when not interactive and tells the user to pass --yes', async () => {
    cloud.plan = { kind: 'broadening', diff: 'IAM Statement Changes' };
    cloud.stacks.set(STACK, { stackName: STACK, status: 'UPDATE_COMPLETE', outputs: OUTPUTS });
    const result = await runCli(['deploy', '--signup', 'invite'], { HOME: home }, { deployEngine: cloud.factory() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('hint: Run it in a terminal, or pass --yes to answer yes.');
    const yes = await runCli(['deploy', '--signup', 'invite', '--yes'], { HOME: home }, { deployEngine: cloud.factory() });
    expect(yes.code).toBe(0);
  });

  it('says CloudFormation goes on after Ctrl-C, and how to follow it', async () => {
    cloud.plan = { kind: 'hang' };
    const cli = startCli(
      ['deploy', '--region', 'eu-west-1', '--signup', 'invite'],
      { HOME: home },
      { deployEngine: cloud.factory(), prompter: scriptedPrompter({}) },
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    cli.interrupt();
    expect(await cli.exit).toBe(130);
    expect(cli.output().stderr).toContain(
      `Interrupted. CloudFormation goes on with ${STACK} without this command; follow it with: mcp-lambda status --stack-name ${STACK} --region eu-west-1`,
    );
  });

  it.each([
    [['--name', 'Bad_Name'], 'server name "Bad_Name" is not valid'],
    [['--memory', '64'], 'expected megabytes'],
    [['--callback-url', 'http://example.com/x'], 'Cognito accepts plain http only for localhost'],
    [['--stack-name', '-x'], 'stack name'],
  ])('refuses %j before calling AWS', async (args, message) => {
    const result = await deploy(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(cloud.calls).toEqual([]);
  });
});

describe('printOutputs with several servers', () => {
  const print = (outputs: Record<string, string>) => {
    const lines: string[] = [];
    printOutputs({ result: (line: string) => lines.push(line) } as unknown as Output, outputs);
    return lines;
  };

  it('lists each server by name and URL instead of the JSON', () => {
    const lines = print({
      McpServerUrl: 'https://x/prod/notes/mcp',
      Servers: JSON.stringify(
        ['notes', 'weather'].map((name) => ({
          name,
          url: `https://x/prod/${name}/mcp`,
          scope: `https://x/prod/${name}/mcp/${name}`,
          metadataUrl: `https://x/prod/.well-known/oauth-protected-resource/${name}/mcp`,
        })),
      ),
    });
    expect(lines).toEqual([
      '  McpServerUrl  https://x/prod/notes/mcp',
      '  Servers (each with its own scope; the sign-in covers all):',
      '    notes    https://x/prod/notes/mcp',
      '    weather  https://x/prod/weather/mcp',
    ]);
  });

  it.each(['not json', '[]', '[{"name":1}]', '[null]'])('prints a Servers output it cannot read (%s) as it is', (value) => {
    expect(print({ Servers: value })).toEqual([`  Servers  ${value}`]);
  });
});

describe('the MCP URLs a deploy knows beforehand (Codex registers a redirect URI per server URL)', () => {
  const api = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod';
  it('takes them from the deployed API, or from the domain, for one server or each of several', () => {
    expect(mcpUrlsAfterDeploy(undefined, undefined)).toBeUndefined();
    expect(mcpUrlsAfterDeploy({ McpServerUrl: `${api}/mcp` }, undefined)).toEqual([`${api}/mcp`]);
    // One server becoming several, a server added: every URL the deploy will serve.
    expect(mcpUrlsAfterDeploy({ McpServerUrl: `${api}/mcp` }, [{ name: 'notes' }, { name: 'weather' }])).toEqual([
      `${api}/notes/mcp`,
      `${api}/weather/mcp`,
    ]);
    const several = {
      McpServerUrl: `${api}/notes/mcp`,
      Servers: '[]',
      OAuthMetadataUrl: `${api}/.well-known/oauth-protected-resource`,
    };
    expect(mcpUrlsAfterDeploy(several, [{ name: 'notes' }, { name: 'mail' }])).toEqual([`${api}/notes/mcp`, `${api}/mail/mcp`]);
    expect(mcpUrlsAfterDeploy(undefined, undefined, 'MCP.example.com.')).toEqual(['https://mcp.example.com/mcp']);
    // Outputs that are not what deploy writes: nothing known.
    expect(mcpUrlsAfterDeploy({ McpServerUrl: 'http://x/mcp' }, undefined)).toBeUndefined();
    expect(mcpUrlsAfterDeploy({ ...several, OAuthMetadataUrl: 'nope' }, [{ name: 'notes' }])).toBeUndefined();
  });

  it('registers Codex once per server URL', async () => {
    const { resolveStackOptions } = await import('../../../src/stack/props.js');
    const urls = [`${api}/notes/mcp`, `${api}/weather/mcp`];
    const resolved = resolveStackOptions({
      clients: ['codex'],
      deployedMcpUrls: urls,
      servers: [{ name: 'notes' }, { name: 'weather' }],
    });
    const codex = resolved.callbackUrls.filter((url) => url.startsWith('http://localhost:31928/callback/'));
    expect(codex).toHaveLength(2);
    expect(resolved.clients).toContain('codex');
  });
});
