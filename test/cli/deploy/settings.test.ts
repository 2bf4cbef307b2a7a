/** deploy --env / --secret / --clear-settings, and dev --env-from (once --env-file) / --env. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeCloud, OUTPUTS, scriptedPrompter } from '../../helpers/fake-engine.js';
import { startFakeDogApi, type FakeDogApi } from '../../helpers/fake-dog-api.js';
import { startFakeSecrets, type FakeSecrets } from '../../helpers/fake-secrets.js';
import { connectClient } from '../../helpers/mcp-client.js';
import { runCli, startCli } from '../../helpers/run-cli.js';

let cloud: FakeCloud;
let home: string;
let aws: FakeSecrets;
const STACK = 'mcp-lambda-dog-facts';

beforeAll(async () => {
  aws = await startFakeSecrets();
});
afterAll(() => aws.close());
beforeEach(() => {
  cloud = new FakeCloud();
  home = mkdtempSync(join(tmpdir(), 'mcp-lambda-home-'));
  aws.secrets.clear();
  aws.parameters.clear();
  aws.denied.clear();
  aws.calls.length = 0;
});

function deploy(args: string[]) {
  return runCli(
    ['deploy', '--region', 'eu-west-1', '--allow', 'dev@example.com', ...args],
    { HOME: home, ...aws.env() },
    { deployEngine: cloud.factory(), prompter: scriptedPrompter({}) },
  );
}

/** Deploys again without flags over a stack deployed with these outputs (what a later deploy keeps). */
function redeployOver(outputs: Record<string, string>) {
  cloud.stacks.set(STACK, { stackName: STACK, status: 'UPDATE_COMPLETE', outputs });
  return runCli(['deploy', '--region', 'eu-west-1'], { HOME: home, ...aws.env() }, { deployEngine: cloud.factory() });
}

describe('deploy --env / --secret', () => {
  // The AWS SDK takes credentials from the process's environment (the CLI's is the process's).
  let saved: NodeJS.ProcessEnv;
  beforeEach(() => {
    saved = { ...process.env };
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'not-a-real-key';
    delete process.env.AWS_PROFILE;
  });
  afterEach(() => {
    process.env = saved;
  });

  it('gives the server its settings and secret references, after checking each secret exists', async () => {
    aws.secrets.set('weather/api-key', 'k-1');
    aws.parameters.set('/weather/db-url', 'postgres://…');
    const result = await deploy([
      '--env',
      'WEATHER_API_URL=https://weather.example/v1?a=b',
      '--secret',
      'WEATHER_API_KEY=weather/api-key',
      '--secret',
      'DB_URL=/weather/db-url',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.environment).toEqual({ WEATHER_API_URL: 'https://weather.example/v1?a=b' });
    expect(cloud.lastRequest?.stack.secrets).toEqual({ WEATHER_API_KEY: 'weather/api-key', DB_URL: '/weather/db-url' });
    expect(result.stderr).toContain(
      'Settings: WEATHER_API_URL · Secrets: WEATHER_API_KEY (weather/api-key), DB_URL (/weather/db-url)',
    );
    // Existence is checked without reading a value.
    expect(aws.calls.sort()).toEqual(['DescribeParameters /weather/db-url', 'DescribeSecret weather/api-key']);
    expect(result.stdout + result.stderr).not.toContain('k-1');
  });

  it('stops before deploying when a secret does not exist, with the command that creates it', async () => {
    const result = await deploy(['--secret', 'WEATHER_API_KEY=weather/api-key']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      '--secret WEATHER_API_KEY: Secrets Manager secret weather/api-key does not exist in eu-west-1.',
    );
    expect(result.stderr).toContain(
      "aws secretsmanager create-secret --name weather/api-key --secret-string '…' --region eu-west-1",
    );
    expect(cloud.calls.some((call) => call.startsWith('deploy'))).toBe(false);
    const parameter = await deploy(['--secret', 'DB_URL=ssm:db-url']);
    expect(parameter.stderr).toContain("aws ssm put-parameter --name db-url --type SecureString --value '…'");
  });

  it('goes on, saying so, when AWS does not let it look', async () => {
    aws.denied.add('weather/api-key');
    const result = await deploy(['--secret', 'WEATHER_API_KEY=weather/api-key']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('warning: Could not check --secret WEATHER_API_KEY: AWS denied access');
    expect(result.stderr).toContain('The function reads it at cold start.');
  });

  it('warns when a plain setting looks like a secret', async () => {
    const result = await deploy(['--env', 'STRIPE_API_KEY=sk_live_x']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: --env STRIPE_API_KEY: its value goes into the CloudFormation template');
    expect(result.stderr).toContain('--secret STRIPE_API_KEY=stripe_api_key');
  });

  it('keeps the deployed settings when a later deploy names none, and drops them on --clear-settings', async () => {
    // A deployed stack with settings (set again before each deploy: the fake's deploy replaces the outputs).
    const seed = () =>
      cloud.stacks.set(STACK, {
        stackName: STACK,
        status: 'UPDATE_COMPLETE',
        outputs: {
          ...OUTPUTS,
          SignUpPolicy: 'invite',
          ServerSettings: JSON.stringify({ env: { A: '1' }, secrets: { KEY: '/p' } }),
        },
      });
    seed();
    aws.parameters.set('/p', 'v');
    const kept = await runCli(
      ['deploy', '--region', 'eu-west-1'],
      { HOME: home, ...aws.env() },
      { deployEngine: cloud.factory() },
    );
    expect(kept.code, kept.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.environment).toEqual({ A: '1' });
    expect(cloud.lastRequest?.stack.secrets).toEqual({ KEY: '/p' });
    expect(kept.stderr).toContain('Settings: A · Secrets: KEY (/p) (kept from the deployed stack; --clear-settings drops them)');

    seed();
    const cleared = await runCli(
      ['deploy', '--region', 'eu-west-1', '--clear-settings'],
      { HOME: home, ...aws.env() },
      { deployEngine: cloud.factory() },
    );
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.environment).toEqual({});
    expect(cloud.lastRequest?.stack.secrets).toEqual({});

    seed();
    const replaced = await runCli(
      ['deploy', '--region', 'eu-west-1', '--env', 'B=2'],
      { HOME: home, ...aws.env() },
      { deployEngine: cloud.factory() },
    );
    expect(replaced.code).toBe(0);
    expect(cloud.lastRequest?.stack.environment).toEqual({ B: '2' });
    expect(cloud.lastRequest?.stack.secrets).toEqual({});
  });

  it('checks a custom server that reads its secret at start with a stand-in value, never the real one', async () => {
    aws.secrets.set('weather/api-key', 'k-real');
    const entry = join(process.cwd(), 'test/fixtures/entries/with-key/server.ts');
    const result = await deploy(['--name', 'weather', '--entry', entry, '--secret', 'WEATHER_API_KEY=weather/api-key']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('it starts and lists 1 tool (forecast)');
    expect(aws.calls).toEqual(['DescribeSecret weather/api-key']);
  }, 60_000);

  it('says so, and deploys without settings, when the stack’s record of them is unreadable', async () => {
    const result = await redeployOver({ ...OUTPUTS, SignUpPolicy: 'invite', ServerSettings: '{"env": [1, 2' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('warning: The stack’s ServerSettings output is not readable');
    expect(cloud.lastRequest?.stack.environment).toEqual({});
  });

  it.each([
    [['--env', 'NOEQUALS'], 'expected KEY=VALUE such as API_BASE_URL=https://api.example.com, got "NOEQUALS"'],
    [['--env', '=value'], 'expected KEY=VALUE'],
    [['--env', 'A=1', '--env', 'A=2'], 'A is given twice with --env'],
    [['--env', 'AWS_REGION=us-east-1'], 'setting "AWS_REGION" is not valid: names starting with AWS_ are reserved'],
    [['--secret', 'KEY'], 'expected KEY=VALUE such as API_KEY=my-app/api-key'],
    [['--secret', 'KEY=arn:aws:s3:::bucket'], 'use a Secrets Manager secret ARN or an SSM parameter ARN'],
    [['--env', 'KEY=x', '--secret', 'KEY=name'], 'it is also given as a plain setting (--env); give it once'],
    [['--clients', ' , '], 'expected client names such as claude-code,cursor.'],
  ])('refuses %j before touching AWS (exit 2)', async (args, message) => {
    const result = await deploy(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(cloud.calls).toEqual([]);
  });
});

describe('dev --env-from / --env', () => {
  let dogApi: FakeDogApi;
  beforeAll(async () => {
    dogApi = await startFakeDogApi();
  });
  afterAll(() => dogApi.close());

  it('gives the server the file’s settings: dog-facts calls the Dog API the file names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-lambda-envfile-'));
    writeFileSync(
      join(dir, '.env'),
      `# local settings\nDOG_API_BASE_URL=${dogApi.baseUrl}\nexport IGNORED_STYLE="quoted value"\n`,
    );
    const dev = startCli(['dev', '--port', '0', '--json', '--env-from', '.env'], { HOME: home }, { cwd: dir });
    try {
      const url = (JSON.parse(await dev.waitForStdout('}\n')) as { url: string }).url;
      const client = await connectClient(url, '2025-11-25');
      try {
        const result = await client.callTool({ name: 'getDogFacts', arguments: { limit: 1 } });
        // (the fake Dog API numbers its facts)
        expect(JSON.stringify(result.content)).toContain('Dog fact number 1.');
      } finally {
        await client.close();
      }
      expect(dogApi.requests.length).toBeGreaterThan(0);
    } finally {
      dev.interrupt();
      expect(await dev.exit).toBe(0);
    }
  });

  it('says which settings it gave the server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-lambda-envfile-'));
    writeFileSync(join(dir, '.env'), `DOG_API_BASE_URL=${dogApi.baseUrl}\nFROM_FILE=1\n`);
    const dev = startCli(
      ['dev', '--port', '0', '--env-file', '.env', '--env', 'EXTRA=2'],
      { HOME: home, FROM_FILE: 'shell' },
      { cwd: dir },
    );
    try {
      await dev.waitForStdout('/mcp"}\n');
      // The shell's FROM_FILE wins over the file's, as with Node's own --env-file.
      expect(dev.output().stderr).toContain('Settings for the server: DOG_API_BASE_URL, EXTRA');
    } finally {
      dev.interrupt();
      expect(await dev.exit).toBe(0);
    }
  });

  it('lets a custom server read its key at its top level, and removes it from process.env after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-lambda-envfile-'));
    writeFileSync(join(dir, '.env'), 'WEATHER_API_KEY=from-file\n');
    const entry = join(process.cwd(), 'test/fixtures/entries/with-key/server.ts');
    const dev = startCli(
      ['dev', '--port', '0', '--entry', entry, '--env-from', '.env', '--env', 'WEATHER_API_URL=http://127.0.0.1:9/nowhere'],
      { HOME: home },
      { cwd: dir },
    );
    try {
      const stdout = await dev.waitForStdout('/mcp"}\n', 30_000);
      const url = stdout.match(/listening on (\S+)/)?.[1] ?? '';
      const client = await connectClient(url, '2025-11-25');
      try {
        const tools = await client.listTools();
        expect(tools.tools.map((tool) => tool.name)).toEqual(['forecast']);
        expect(process.env.WEATHER_API_KEY).toBe('from-file');
      } finally {
        await client.close();
      }
    } finally {
      dev.interrupt();
      expect(await dev.exit, dev.output().stderr).toBe(0);
    }
    expect(process.env.WEATHER_API_KEY).toBeUndefined();
    expect(process.env.WEATHER_API_URL).toBeUndefined();
  });

  it.each([
    [['--env-from', 'missing.env'], '--env-from missing.env: there is no such file'],
    [['--env-file', 'missing.env'], '--env-file missing.env: there is no such file'],
    [['--env-from', 'adir'], '--env-from adir: it is a directory, not a file of KEY=VALUE lines.'],
    [['--env-from', 'binary.env'], '--env-from binary.env: it is not a text file of KEY=VALUE lines.'],
    [['--env-from', ''], '--env-from'],
    [['--env', 'NOPE'], 'expected KEY=VALUE'],
  ])('refuses %j plainly', async (args, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-lambda-envfile-'));
    mkdirSync(join(dir, 'adir'));
    writeFileSync(join(dir, 'binary.env'), Buffer.from([0x41, 0x3d, 0x00, 0x01]));
    const result = await runCli(['dev', '--port', '0', ...args], { HOME: home }, { cwd: dir });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBe(70);
    expect(result.stderr).toContain(message);
  });
});

describe('deploy --clients', () => {
  it('registers the clients named, keeps them on a later deploy, and refuses an unknown one', async () => {
    const first = await deploy(['--clients', 'cursor,gemini']);
    expect(first.code, first.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.clients).toEqual(['claude-code', 'cursor', 'gemini']);
    expect(first.stderr).toContain('Clients: claude-code, cursor, gemini');

    const kept = await redeployOver({ ...OUTPUTS, SignUpPolicy: 'invite', Clients: 'claude-code,cursor' });
    expect(kept.code, kept.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.clients).toEqual(['claude-code', 'cursor']);
    expect(kept.stderr).toContain('Clients: claude-code, cursor (as deployed; --clients changes them)');

    const bad = await deploy(['--clients', 'cursor,emacs']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      'client "emacs" is not valid: use one or more of claude-code, vscode, cursor, gemini, codex, claude-desktop.',
    );
  });
});

describe('deploy --timeout', () => {
  it('sets the timeout, says that tool calls stream, and keeps it on a later deploy', async () => {
    const first = await deploy(['--timeout', '300']);
    expect(first.code, first.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.timeoutSeconds).toBe(300);
    expect(first.stderr).toContain('Timeout: 300 s. Tool calls stream their progress');

    const kept = await redeployOver({ ...OUTPUTS, SignUpPolicy: 'invite', Timeout: '300' });
    expect(kept.code, kept.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.timeoutSeconds).toBe(300);
    expect(kept.stderr).toContain('Timeout: 300 s (as deployed; --timeout changes it)');
  });

  it.each([['4'], ['901'], ['1.5'], ['a minute'], ['']])('refuses --timeout %j before AWS', async (value) => {
    const result = await deploy(['--timeout', value]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expected seconds: a whole number from 5 to 900');
  });
});

describe('deploy --domain', () => {
  const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';

  it('deploys on the domain, says what to point at it, and keeps it on a later deploy', async () => {
    cloud.outputs = {
      ...OUTPUTS,
      McpServerUrl: 'https://mcp.example.com/mcp',
      CustomDomain: 'mcp.example.com',
      DomainTarget: 'd-abc123.execute-api.eu-west-1.amazonaws.com',
      DomainRecord: 'to create',
      DomainCertificate: CERT,
    };
    try {
      const first = await deploy(['--domain', 'mcp.example.com', '--certificate', CERT]);
      expect(first.code, first.stderr).toBe(0);
      expect(cloud.lastRequest?.stack.domain).toEqual({ name: 'mcp.example.com', certificateArn: CERT });
      expect(first.stderr).toContain('Domain: https://mcp.example.com/mcp; the execute-api URL is turned off.');
      expect(first.stderr).toContain(
        'Create the DNS record: mcp.example.com CNAME d-abc123.execute-api.eu-west-1.amazonaws.com (or an alias A record to it).',
      );

      cloud.stacks.set(STACK, {
        stackName: STACK,
        status: 'UPDATE_COMPLETE',
        outputs: { ...cloud.outputs, SignUpPolicy: 'invite' },
      });
      const kept = await runCli(
        ['deploy', '--region', 'eu-west-1'],
        { HOME: home, ...aws.env() },
        { deployEngine: cloud.factory() },
      );
      expect(kept.code, kept.stderr).toBe(0);
      expect(cloud.lastRequest?.stack.domain).toEqual({ name: 'mcp.example.com', certificateArn: CERT });
      expect(kept.stderr).toContain('Domain: https://mcp.example.com/mcp (as deployed)');
    } finally {
      cloud.outputs = OUTPUTS;
    }
  });

  it('warns that a stack moving to a domain needs a new sign-in and configs', async () => {
    cloud.stacks.set(STACK, { stackName: STACK, status: 'UPDATE_COMPLETE', outputs: { ...OUTPUTS, SignUpPolicy: 'invite' } });
    const moved = await deploy(['--domain', 'mcp.example.com', '--hosted-zone', 'Z0123456789ABCDEFGHIJ']);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stderr).toContain(`The server moves from ${OUTPUTS.McpServerUrl} to https://mcp.example.com/mcp`);
    expect(moved.stderr).toContain('run mcp-lambda login and mcp-lambda write-config again');
  });

  it.each([
    [['--certificate', CERT], '--certificate is for --domain'],
    [['--hosted-zone', 'Z0123456789ABCDEFGHIJ'], '--hosted-zone is for --domain'],
    [['--domain', 'mcp.example.com'], 'it needs a certificate'],
    [['--domain', 'mcp.example.com', '--certificate', 'nope'], 'certificate "nope" is not valid'],
    [['--domain', 'bad_name', '--hosted-zone', 'Z0123456789ABCDEFGHIJ'], 'domain "bad_name" is not valid'],
  ])('refuses %j before AWS', async (args, message) => {
    const result = await deploy(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe('what a deployed stack says about its timeout and domain', () => {
  it('ignores outputs it did not write: the defaults serve', async () => {
    const result = await redeployOver({
      ...OUTPUTS,
      SignUpPolicy: 'invite',
      Timeout: 'soon',
      CustomDomain: '',
      DomainRecord: 'junk',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.timeoutSeconds).toBe(29);
    expect(cloud.lastRequest?.stack.domain).toBeUndefined();
  });

  it('stops with the flags to give when a deployed domain has lost what it needs', async () => {
    cloud.stacks.set(STACK, {
      stackName: STACK,
      status: 'UPDATE_COMPLETE',
      outputs: {
        ...OUTPUTS,
        SignUpPolicy: 'invite',
        CustomDomain: 'mcp.example.com',
        DomainRecord: 'junk',
        DomainCertificate: 'issued',
      },
    });
    const result = await runCli(
      ['deploy', '--region', 'eu-west-1'],
      { HOME: home, ...aws.env() },
      { deployEngine: cloud.factory() },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('domain "mcp.example.com" is not valid: it needs a certificate: --certificate');
  });
});
