/**
 * mcp-lambda.jsonc through synth (every key shows in the template) and deploy (flags beat the file, the
 * file beats what the deployed stack remembers, which beats the defaults).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeCloud, OUTPUTS, scriptedPrompter } from '../../helpers/fake-engine.js';
import { runCli } from '../../helpers/run-cli.js';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;
const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'entries');

function dirWith(file: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-lambda-config-'));
  writeFileSync(join(dir, 'mcp-lambda.jsonc'), `// a deployment\n${JSON.stringify(file, null, 2)}\n`);
  return dir;
}

/** `synth --out` in `cwd`: the stack's template. */
async function synth(
  cwd: string,
  stackName: string,
  args: string[] = [],
): Promise<{ Resources: Resources; Outputs: Record<string, any> }> {
  const out = join(cwd, 'cdk.out');
  const result = await runCli(['synth', '--out', out, ...args], {}, { cwd });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(readFileSync(join(out, `${stackName}.template.json`), 'utf8'));
}

const of = (resources: Resources, type: string) => Object.values(resources).filter((resource) => resource.Type === type);
const serverFunction = (resources: Resources) =>
  of(resources, 'AWS::Lambda::Function').find((fn) => String(fn.Properties.Description).startsWith('MCP server'))!;

describe('mcp-lambda.jsonc through synth', () => {
  it('puts every key in the template', async () => {
    const cwd = dirWith({
      $schema: './node_modules/mcp-lambda/schema/mcp-lambda.schema.json',
      name: 'cat-facts',
      stackName: 'my-cats',
      stage: 'v2',
      callbackPort: 41000,
      callbackUrls: ['https://app.example.com/callback'],
      allowedOrigins: ['https://app.example.com'],
      clients: ['claude-code', 'cursor'],
      machineClient: true,
      domain: 'mcp.example.com',
      certificate: CERT,
      timeout: 60,
      memory: 1024,
      reservedConcurrency: 7,
      slowDemo: true,
      perToolMetrics: true,
      signup: 'allow-list',
      allow: ['me@example.com', '@team.example'],
      mfa: 'optional',
      sessionHours: 12,
      toolGroups: { getDogFacts: ['admins', 'team'] },
      logRetention: 14,
      accessLogs: false,
      env: { API_BASE: 'https://api.example.com' },
      secrets: { API_KEY: 'my-app/api-key' },
      vpc: 'vpc-0123456789abcdef0',
      subnets: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
      securityGroup: 'sg-0123456789abcdef0',
      alarms: 'ops@example.com',
      latencyAlarmMs: 8000,
    });
    const { Resources, Outputs } = await synth(cwd, 'my-cats');
    const fn = serverFunction(Resources);
    const env = fn.Properties.Environment.Variables;
    const interactive = of(Resources, 'AWS::Cognito::UserPoolClient').find(
      (c) => c.Properties.ClientName === 'cat-facts-interactive',
    )!;
    expect(Outputs.ServerName.Value).toBe('cat-facts');
    expect(of(Resources, 'AWS::ApiGateway::Stage')[0]?.Properties.StageName).toBe('v2');
    expect(Outputs.CallbackPort.Value).toBe('41000');
    expect(interactive.Properties.CallbackURLs).toContain('https://app.example.com/callback');
    expect(env.MCP_ALLOWED_ORIGINS).toBe('https://app.example.com');
    expect(Outputs.Clients.Value).toBe('claude-code,cursor');
    expect(Outputs.AutomatedOAuthClientId).toBeDefined();
    expect(Outputs.CustomDomain.Value).toBe('mcp.example.com');
    expect(Outputs.DomainCertificate.Value).toBe(CERT);
    expect(Outputs.Timeout.Value).toBe('60');
    expect(fn.Properties.MemorySize).toBe(1024);
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(7);
    expect(Outputs.SlowDemo.Value).toBe('on');
    expect(Outputs.PerToolMetrics.Value).toBe('on');
    expect(Outputs.SignUpPolicy.Value).toBe('allow-list');
    expect(of(Resources, 'AWS::SSM::Parameter')[0]?.Properties.Value).toBe('{"allow":["@team.example","me@example.com"]}');
    expect(of(Resources, 'AWS::Cognito::UserPool')[0]?.Properties.MfaConfiguration).toBe('OPTIONAL');
    expect(interactive.Properties.AccessTokenValidity).toBe(720);
    expect(JSON.parse(env.MCP_TOOL_GROUPS)).toEqual({ getDogFacts: ['admins', 'team'] });
    expect(of(Resources, 'AWS::Logs::LogGroup').every((group) => group.Properties.RetentionInDays === 14)).toBe(true);
    expect(of(Resources, 'AWS::ApiGateway::Stage')[0]?.Properties.AccessLogSetting).toBeUndefined();
    expect(env.API_BASE).toBe('https://api.example.com');
    expect(JSON.parse(env.MCP_SECRETS)).toEqual([{ key: 'API_KEY', kind: 'secretsmanager', id: 'my-app/api-key' }]);
    expect(fn.Properties.VpcConfig).toEqual({
      SecurityGroupIds: ['sg-0123456789abcdef0'],
      SubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
    });
    expect(JSON.parse(Outputs.Alarms.Value)).toEqual({ email: 'ops@example.com', latencyMs: 8000 });
    expect(of(Resources, 'AWS::SNS::Subscription')[0]?.Properties.Endpoint).toBe('ops@example.com');
    expect(of(Resources, 'AWS::CloudWatch::Alarm').map((alarm) => alarm.Properties.Threshold)).toContain(8000);
  });

  it('takes a hosted zone, an open sign-up, no reservation and no VPC', async () => {
    const cwd = dirWith({
      domain: 'mcp.example.com',
      hostedZone: 'Z0123456789ABCDEFGHIJ',
      signup: 'open',
      reservedConcurrency: 'none',
      vpc: false,
      accessLogs: true,
    });
    const { Resources, Outputs } = await synth(cwd, 'mcp-lambda-dog-facts');
    expect(of(Resources, 'AWS::Route53::RecordSet')[0]?.Properties.HostedZoneId).toBe('Z0123456789ABCDEFGHIJ');
    expect(of(Resources, 'AWS::CertificateManager::Certificate')).toHaveLength(1);
    expect(Outputs.SignUpPolicy.Value).toBe('open');
    expect(serverFunction(Resources).Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(Outputs.ReservedConcurrency.Value).toBe('none');
    expect(serverFunction(Resources).Properties.VpcConfig).toBeUndefined();
    expect(of(Resources, 'AWS::ApiGateway::Stage')[0]?.Properties.AccessLogSetting).toBeDefined();
  });

  it('bundles the servers it names, relative to the file, from another directory with --config', async () => {
    const project = mkdtempSync(join(tmpdir(), 'mcp-lambda-config-'));
    mkdirSync(join(project, 'deploy'));
    copyFileSync(join(fixtures, 'cjs', 'server.cjs'), join(project, 'adder.cjs'));
    writeFileSync(
      join(project, 'deploy', 'team.jsonc'),
      JSON.stringify({ servers: { adder: { entry: '../adder.cjs' } }, signup: 'invite' }),
    );
    const cwd = mkdtempSync(join(tmpdir(), 'mcp-lambda-cwd-'));
    const { Outputs } = await synth(cwd, 'mcp-lambda-adder', ['--config', join(project, 'deploy', 'team.jsonc')]);
    expect(Outputs.ServerName.Value).toBe('adder');
    expect(Outputs.ServerCode.Value).toBe('entry');
  });

  it('lets a flag beat the file, a map key by key', async () => {
    const cwd = dirWith({
      timeout: 60,
      memory: 1024,
      env: { A: 'file', B: 'file' },
      domain: 'mcp.example.com',
      certificate: CERT,
    });
    const { Resources, Outputs } = await synth(cwd, 'mcp-lambda-dog-facts', [
      '--timeout',
      '90',
      '--env',
      'B=flag',
      '--hosted-zone',
      'Z0123456789ABCDEFGHIJ',
      '--domain',
      'other.example.com',
    ]);
    expect(Outputs.Timeout.Value).toBe('90');
    expect(serverFunction(Resources).Properties.MemorySize).toBe(1024);
    expect(serverFunction(Resources).Properties.Environment.Variables).toMatchObject({ A: 'file', B: 'flag' });
    // --domain with --hosted-zone replaces the file's domain and certificate together.
    expect(Outputs.CustomDomain.Value).toBe('other.example.com');
    expect(JSON.stringify(Outputs.DomainCertificate)).not.toContain(CERT);
    expect(of(Resources, 'AWS::Route53::RecordSet')[0]?.Properties.HostedZoneId).toBe('Z0123456789ABCDEFGHIJ');
  });
});

describe('mcp-lambda.jsonc through deploy', () => {
  const STACK = 'mcp-lambda-dog-facts';
  const remembered = {
    ...OUTPUTS,
    Timeout: '120',
    Clients: 'claude-code,cursor',
    SignUpPolicy: 'invite',
    ReservedConcurrency: 'none',
  };

  async function deploy(cwd: string, args: string[] = []) {
    const cloud = new FakeCloud();
    cloud.stacks.set(STACK, { stackName: STACK, status: 'UPDATE_COMPLETE', outputs: remembered });
    const home = mkdtempSync(join(tmpdir(), 'mcp-lambda-home-'));
    const result = await runCli(
      ['deploy', '--region', 'eu-west-1', ...args],
      { HOME: home },
      {
        cwd,
        deployEngine: cloud.factory(),
        prompter: scriptedPrompter({}),
      },
    );
    expect(result.code, result.stderr).toBe(0);
    return cloud.lastRequest?.stack;
  }

  it('takes what the stack remembers without a file (as before the file existed)', async () => {
    const stack = await deploy(mkdtempSync(join(tmpdir(), 'mcp-lambda-empty-')));
    expect(stack).toMatchObject({ timeoutSeconds: 120, clients: ['claude-code', 'cursor'], signUp: { mode: 'invite' } });
  });

  it('lets the file beat what the stack remembers, and a flag beat the file', async () => {
    const cwd = dirWith({ timeout: 60, clients: ['claude-code'], signup: 'open', memory: 256 });
    expect(await deploy(cwd)).toMatchObject({
      timeoutSeconds: 60,
      clients: ['claude-code'],
      signUp: { mode: 'open' },
      memoryMb: 256,
    });
    expect(await deploy(cwd, ['--timeout', '45', '--signup', 'invite'])).toMatchObject({
      timeoutSeconds: 45,
      clients: ['claude-code'],
      signUp: { mode: 'invite' },
    });
  });
});
