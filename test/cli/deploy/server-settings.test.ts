/**
 * deploy --secret <server>:KEY=… / --env <server>:KEY=… with several servers: only that server's function
 * gets the setting and only its role may read the secret; a server that is not one of the entries is
 * refused before anything is bundled or asked of AWS; a later deploy keeps the scoping.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/stack/app.js';
import type { ServerDefinition } from '../../../src/stack/props.js';
import { FakeCloud, OUTPUTS, scriptedPrompter } from '../../helpers/fake-engine.js';
import { startFakeSecrets, type FakeSecrets } from '../../helpers/fake-secrets.js';
import { render } from '../../helpers/render.js';
import { runCli } from '../../helpers/run-cli.js';

const root = join(import.meta.dirname, '..', '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'entries');
const STACK = 'mcp-lambda-team';
const BASE = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod';
/** A deployed stack with the servers weather and notes. */
const DEPLOYED = {
  ...OUTPUTS,
  McpServerUrl: `${BASE}/weather/mcp`,
  McpOAuthScope: `${BASE}/all-servers`,
  OAuthMetadataUrl: `${BASE}/.well-known/oauth-protected-resource`,
  ServerName: 'team',
  SignUpPolicy: 'invite',
  Servers: JSON.stringify(
    ['weather', 'notes'].map((name) => ({
      name,
      url: `${BASE}/${name}/mcp`,
      scope: `${BASE}/${name}/mcp/${name}`,
      metadataUrl: `${BASE}/.well-known/oauth-protected-resource/${name}/mcp`,
    })),
  ),
};

let cloud: FakeCloud;
let aws: FakeSecrets;
let saved: NodeJS.ProcessEnv;
beforeAll(async () => {
  aws = await startFakeSecrets();
});
afterAll(() => aws.close());
beforeEach(() => {
  cloud = new FakeCloud();
  cloud.outputs = DEPLOYED;
  aws.secrets.clear();
  aws.calls.length = 0;
  // The AWS SDK takes credentials from the process's environment (the CLI's is the process's).
  saved = { ...process.env };
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'not-a-real-key';
  delete process.env.AWS_PROFILE;
});
afterEach(() => {
  process.env = saved;
});

/** weather is a server that will not start without WEATHER_API_KEY; notes needs nothing. */
const ENTRIES = [
  '--name',
  'team',
  '--entry',
  `weather=${join(fixtures, 'with-key', 'server.ts')}`,
  '--entry',
  `notes=${join(fixtures, 'cjs', 'server.cjs')}`,
];

function deploy(args: string[]) {
  return runCli(
    ['deploy', '--region', 'eu-west-1', ...args],
    { HOME: mkdtempSync(join(tmpdir(), 'mcp-lambda-home-')), ...aws.env() },
    { cwd: root, deployEngine: cloud.factory(), prompter: scriptedPrompter({}) },
  );
}

const serversOf = () => (cloud.lastRequest?.stack.servers ?? []) as ServerDefinition[];
const serverOf = (name: string) => serversOf().find((server) => server.name === name);

describe('a setting for one server', () => {
  it("goes to that server's function only, and only its role may read the secret", async () => {
    aws.secrets.set('weather/api-key', 'k-1');
    const result = await deploy([
      ...ENTRIES,
      '--signup',
      'invite',
      '--env',
      'REGION_NAME=eu',
      '--env',
      'weather:WEATHER_API_URL=https://weather.example',
      '--secret',
      'weather:WEATHER_API_KEY=weather/api-key',
    ]);
    // weather started in the entry check: it got its key, as its function will.
    expect(result.code, result.stderr).toBe(0);
    expect(aws.calls).toEqual(['DescribeSecret weather/api-key']);
    expect(cloud.lastRequest?.stack).toMatchObject({ environment: { REGION_NAME: 'eu' }, secrets: {} });
    expect(serverOf('weather')).toMatchObject({
      environment: { WEATHER_API_URL: 'https://weather.example' },
      secrets: { WEATHER_API_KEY: 'weather/api-key' },
    });
    expect(serverOf('notes')).toMatchObject({ environment: {}, secrets: {} });
    expect(result.stderr).toContain(
      'Settings: REGION_NAME, weather:WEATHER_API_URL · Secrets: weather:WEATHER_API_KEY (weather/api-key)',
    );

    // What CloudFormation gets from that request: notes' role may read no secret at all.
    const { app, stack } = buildApp({ ...cloud.lastRequest!.stack, outdir: mkdtempSync(join(tmpdir(), 'mcp-lambda-synth-')) });
    const template = app.synth().getStackByName(stack.stackName).template as {
      Resources: Record<string, { Type: string; Properties: Record<string, any> }>;
    };
    const readsOf = (server: string) => {
      const fn = Object.values(template.Resources).find((r) => r.Properties.Description === `MCP server ${server} (mcp-lambda)`)!;
      const roleId = fn.Properties.Role['Fn::GetAtt'][0];
      return Object.values(template.Resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: any) => role.Ref === roleId))
        .flatMap((r) => r.Properties.PolicyDocument.Statement)
        .filter((statement: any) => statement.Action === 'secretsmanager:GetSecretValue')
        .flatMap((statement: any) => [statement.Resource].flat().map((resource: unknown) => render(resource)));
    };
    expect(readsOf('weather')).toEqual(['arn:aws:secretsmanager:eu-west-1:<AWS::AccountId>:secret:weather/api-key-??????']);
    expect(readsOf('notes')).toEqual([]);
  });

  it('is checked with the server it is for: a key given to another server does not start this one', async () => {
    aws.secrets.set('weather/api-key', 'k-1');
    const result = await deploy([...ENTRIES, '--signup', 'invite', '--secret', 'notes:WEATHER_API_KEY=weather/api-key']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('WEATHER_API_KEY is not set');
    expect(cloud.lastRequest).toBeUndefined();
  });

  it.each([
    [
      ['--secret', 'wether:API_KEY=x/y'],
      '--secret wether:API_KEY=…: there is no server wether in this stack; its servers are weather, notes.',
    ],
    [['--env', 'Notes:A=1'], 'there is no server Notes in this stack; its servers are weather, notes.'],
    [['--env', 'A=1', '--env', 'notes:A=2'], 'A is also given for every server'],
    [['--env', 'notes:BAD-NAME=1'], 'setting "BAD-NAME" is not valid'],
  ])('refuses %j before bundling or calling AWS (exit 2)', async (args, message) => {
    const result = await deploy([...ENTRIES, '--signup', 'invite', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain('Bundling');
    expect(cloud.calls).toEqual([]);
  });

  it('is refused by synth too when it names no server of the entries', async () => {
    const result = await runCli(['synth', ...ENTRIES, '--env', 'tasks:A=1'], {}, { cwd: root });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--env tasks:A=…: there is no server tasks in this stack; its servers are weather, notes.');
    expect(result.stderr).not.toContain('Bundling');
  });

  it('is refused with one server, which every setting is for', async () => {
    const result = await deploy(['--allow', 'me@example.com', '--secret', 'dog-facts:API_KEY=x/y']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('a setting for one server (dog-facts:API_KEY) is for a stack of several');
    expect(result.stderr).toContain('Drop the prefix: --secret API_KEY=…');
    expect(cloud.calls).toEqual([]);
  });
});

describe('a later deploy', () => {
  const notesAndShouter = [
    '--name',
    'team',
    '--entry',
    `shouter=${join(fixtures, 'ts-with-dep', 'server.ts')}`,
    '--entry',
    `notes=${join(fixtures, 'cjs', 'server.cjs')}`,
  ];
  const deployedWith = (settings: object) =>
    cloud.stacks.set(STACK, {
      stackName: STACK,
      status: 'UPDATE_COMPLETE',
      outputs: { ...DEPLOYED, ServerSettings: JSON.stringify(settings) },
    });

  it('keeps each setting with its server when no flag changes them', async () => {
    aws.secrets.set('notes/token', 't');
    deployedWith({ env: { REGION_NAME: 'eu' }, secrets: { 'notes:NOTES_TOKEN': 'notes/token' } });
    const result = await deploy(notesAndShouter);
    expect(result.code, result.stderr).toBe(0);
    expect(cloud.lastRequest?.stack).toMatchObject({ environment: { REGION_NAME: 'eu' }, secrets: {} });
    expect(serverOf('notes')?.secrets).toEqual({ NOTES_TOKEN: 'notes/token' });
    expect(serverOf('shouter')?.secrets).toEqual({});
    expect(result.stderr).toContain('Secrets: notes:NOTES_TOKEN (notes/token) (kept from the deployed stack');
  });

  it('drops, saying so, the settings of a server it removes', async () => {
    deployedWith({ env: {}, secrets: { 'weather:WEATHER_API_KEY': 'weather/api-key' } });
    const result = await deploy(notesAndShouter);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'warning: Dropping --secret weather:WEATHER_API_KEY (kept from the deployed stack): there is no server weather in this stack; its servers are shouter, notes.',
    );
    expect(serversOf().flatMap((server) => Object.keys(server.secrets ?? {}))).toEqual([]);
    expect(aws.calls).toEqual([]);
  });
});
