/** `mcp-lambda config export`: the file from what a stack remembers, refused over a file, and read back the same. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/cli/config/read.js';
import { FakeCloud, OUTPUTS, scriptedPrompter } from '../../helpers/fake-engine.js';
import { runCli } from '../../helpers/run-cli.js';

const STACK = 'mcp-lambda-cat-facts';
const ssm = mockClient(SSMClient);
ssm
  .on(GetParameterCommand, { Name: '/mcp/allow' })
  .resolves({ Parameter: { Value: '{"allow":["@team.example","me@example.com"]}' } });
// deploy checks that each secret exists.
const secrets = mockClient(SecretsManagerClient);
secrets.on(DescribeSecretCommand).resolves({ Name: 'my-app/api-key' });
afterAll(() => {
  ssm.restore();
  secrets.restore();
});

const REMEMBERED = {
  ...OUTPUTS,
  ServerName: 'cat-facts',
  OAuthMetadataUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/v2/.well-known/oauth-protected-resource',
  CallbackPort: '41000',
  Timeout: '120',
  Clients: 'claude-code,cursor',
  SignUpPolicy: 'allow-list',
  AllowListParameter: '/mcp/allow',
  ReservedConcurrency: '5',
  SlowDemo: 'on',
  PerToolMetrics: 'on',
  AutomatedOAuthClientId: 'machine123',
  ServerSettings: JSON.stringify({ env: { API_BASE: 'https://api.example.com' }, secrets: { API_KEY: 'my-app/api-key' } }),
  Vpc: JSON.stringify({ vpc: 'vpc-0123456789abcdef0', subnets: ['subnet-0aaaaaaaaaaaaaaaa'] }),
};

function setup(outputs: Record<string, string> = REMEMBERED) {
  const cloud = new FakeCloud();
  cloud.stacks.set(STACK, { stackName: STACK, status: 'UPDATE_COMPLETE', outputs });
  const cwd = mkdtempSync(join(tmpdir(), 'mcp-lambda-export-'));
  const home = mkdtempSync(join(tmpdir(), 'mcp-lambda-home-'));
  const cli = (args: string[]) =>
    runCli(
      [...args, '--region', 'eu-west-1'],
      { HOME: home },
      { cwd, deployEngine: cloud.factory(), prompter: scriptedPrompter({}) },
    );
  return { cloud, cwd, cli };
}

describe('mcp-lambda config export', () => {
  it('writes every setting the stack remembers, with $schema, and reads back the same', async () => {
    const { cwd, cli } = setup();
    const result = await cli(['config', 'export', '--name', 'cat-facts']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Wrote mcp-lambda.jsonc from mcp-lambda-cat-facts in eu-west-1');
    const text = readFileSync(join(cwd, 'mcp-lambda.jsonc'), 'utf8');
    expect(text).toContain('"$schema": "./node_modules/mcp-lambda/schema/mcp-lambda.schema.json"');
    expect(parseConfigText(text, 'mcp-lambda.jsonc')).toEqual({
      name: 'cat-facts',
      stage: 'v2',
      callbackPort: 41000,
      clients: ['claude-code', 'cursor'],
      machineClient: true,
      timeout: 120,
      reservedConcurrency: 5,
      slowDemo: true,
      perToolMetrics: true,
      signup: 'allow-list',
      allow: ['@team.example', 'me@example.com'],
      env: { API_BASE: 'https://api.example.com' },
      secrets: { API_KEY: 'my-app/api-key' },
      vpc: 'vpc-0123456789abcdef0',
      subnets: ['subnet-0aaaaaaaaaaaaaaaa'],
    });
  });

  it('round-trips: a deploy from the exported file deploys what a deploy from the stack alone does', async () => {
    // (The VPC's round trip is the first test's: a deploy with one asks EC2, which test/cli/deploy/vpc.test.ts fakes.)
    const { Vpc: _vpc, ...remembered } = REMEMBERED;
    const { cloud, cli } = setup(remembered);
    expect((await cli(['config', 'export', '--name', 'cat-facts', '--config', 'exported.jsonc'])).code).toBe(0);
    const first = await cli(['deploy', '--name', 'cat-facts']);
    expect(first.code, first.stderr).toBe(0);
    const fromStack = cloud.lastRequest?.stack;
    // The stack forgets (its outputs as a bare deploy leaves them): the file alone says it all, name included.
    cloud.stacks.set(STACK, { stackName: STACK, status: 'UPDATE_COMPLETE', outputs: { ...OUTPUTS, ServerName: 'cat-facts' } });
    const result = await cli(['deploy', '--config', 'exported.jsonc']);
    expect(result.code, result.stderr).toBe(0);
    const { deployedMcpUrls: _a, ...fromFile } = cloud.lastRequest?.stack as unknown as Record<string, unknown>;
    const { deployedMcpUrls: _b, ...expected } = fromStack as unknown as Record<string, unknown>;
    // Same, and better: a deploy without flags takes the default stage and callback port (the stack does not keep
    // them), the exported file names the ones the stack has.
    expect(fromFile).toEqual({ ...expected, stage: 'v2', callbackPort: 41000 });
  });

  it('refuses to overwrite a file without --force, and overwrites it with --force', async () => {
    const { cwd, cli } = setup();
    writeFileSync(join(cwd, 'mcp-lambda.jsonc'), '{ "memory": 2048 }\n');
    const refused = await cli(['config', 'export', '--name', 'cat-facts']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('mcp-lambda.jsonc exists; config export leaves it as it is.');
    expect(readFileSync(join(cwd, 'mcp-lambda.jsonc'), 'utf8')).toBe('{ "memory": 2048 }\n');
    const forced = await cli(['config', 'export', '--name', 'cat-facts', '--force', '--config', 'mcp-lambda.jsonc']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'mcp-lambda.jsonc'), 'utf8')).toContain('"timeout": 120');
  });

  it('names in a comment the module it cannot know, and writes the stdio packages it can', async () => {
    const { cwd, cli } = setup({
      ...OUTPUTS,
      ServerName: 'cat-facts',
      ServerCode: 'entry',
      SignUpPolicy: 'invite',
      Servers: JSON.stringify([{ name: 'notes' }, { name: 'memory' }]),
      Packages: 'memory=@modelcontextprotocol/server-memory@2026.8.31',
    });
    const result = await cli(['config', 'export', '--name', 'cat-facts', '--config', 'out/team.jsonc']);
    expect(result.code, result.stderr).toBe(0);
    const note =
      'The stack runs your own module (notes) and does not know the file: add "servers": {"notes":{"entry":"<its file>"},"memory":{"stdio":"npx -y @modelcontextprotocol/server-memory@2026.8.31"}} with the file named.';
    expect(result.stderr).toContain(note);
    const text = readFileSync(join(cwd, 'out', 'team.jsonc'), 'utf8');
    expect(text).toContain(`// ${note}`);
    const values = parseConfigText(text, 'team.jsonc');
    expect(values).toMatchObject({ name: 'cat-facts', signup: 'invite' });
    expect(values.servers).toBeUndefined();
  });

  it('says a stack that is not deployed has nothing to export, and writes nothing', async () => {
    const { cwd, cli } = setup();
    const result = await cli(['config', 'export', '--name', 'nope']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('mcp-lambda-nope is not deployed in eu-west-1: there is nothing to export.');
    expect(existsSync(join(cwd, 'mcp-lambda.jsonc'))).toBe(false);
  });
});
