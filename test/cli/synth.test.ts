import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { render } from '../helpers/render.js';
import { runCli } from '../helpers/run-cli.js';

const root = join(import.meta.dirname, '..', '..');

describe('mcp-lambda synth', () => {
  it('prints a summary of resources, outputs and sizes, and the next step', async () => {
    const result = await runCli(['synth']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('mcp-lambda-dog-facts  server dog-facts, scope <MCP URL>/dog-facts, stage prod, tokens 8 h');
    expect(result.stdout).toContain('Sign-up: allow-list, empty (no --allow or --signup given): nobody could register');
    expect(result.stdout).toMatch(/Resources \(\d+\)/);
    expect(result.stdout).toMatch(/ 1 {2}AWS::Cognito::UserPool\n/);
    expect(result.stdout).toContain('McpServerUrl');
    expect(result.stdout).toContain('SignInUrl');
    expect(result.stdout).toMatch(/Lambda bundle {2}\d+\.\d KiB \(\d+\.\d KiB gzip\)/);
    expect(result.stderr).toContain('Next: write the cloud assembly with --out DIR');
  });

  it('prints only the template with --json', async () => {
    const result = await runCli(['synth', '--json', '--name', 'cat-facts', '--stage', 'v2', '--session-hours', '12']);
    expect(result.code).toBe(0);
    const template = JSON.parse(result.stdout);
    expect(render(template.Outputs.McpOAuthScope.Value)).toMatch(/^https:\/\/<HttpApi\w+>\.execute-api\..*\/v2\/mcp\/cat-facts$/);
    const interactive = Object.values(template.Resources as Record<string, any>).find(
      (r) => r.Properties?.ClientName === 'cat-facts-interactive',
    );
    expect(interactive.Properties.AccessTokenValidity).toBe(720);
    expect(result.stderr).toBe('');
  });

  it('writes a cloud assembly with --out that the CDK CLI can deploy', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mcp-lambda-out-')), 'cdk.out');
    const result = await runCli(['synth', '--out', dir, '--stack-name', 'my-mcp', '--callback-port', '41000']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Wrote the cloud assembly to ${dir}`);
    expect(result.stderr).toContain(`npx aws-cdk deploy --app ${dir}`);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.artifacts)).toContain('my-mcp');
    const template = JSON.parse(readFileSync(join(dir, 'my-mcp.template.json'), 'utf8'));
    expect(template.Outputs.CallbackPort.Value).toBe('41000');
    expect(existsSync(join(dir, 'my-mcp.assets.json'))).toBe(true);
  });

  it.each([
    [['--signup', 'open'], 'Sign-up: OPEN to anyone'],
    [['--signup', 'invite'], 'Sign-up: invite only'],
    [['--allow', '@team.example'], 'Sign-up: allow-list: @team.example'],
  ])('says who may sign up with %j', async (args, line) => {
    const result = await runCli(['synth', ...args]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(line);
  });

  it('takes --tool-groups, repeatable and merged per tool', async () => {
    const result = await runCli([
      'synth',
      '--json',
      '--tool-groups',
      'getDogFacts=admins',
      '--tool-groups',
      'getDogFacts=team,ops',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const fn = Object.values(JSON.parse(result.stdout).Resources as Record<string, any>).find(
      (r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties?.Description).startsWith('MCP server'),
    );
    expect(JSON.parse(fn.Properties.Environment.Variables.MCP_TOOL_GROUPS)).toEqual({ getDogFacts: ['admins', 'team', 'ops'] });
  });

  it.each(['getDogFacts', 'getDogFacts=', '=admins', 'a b=c'])('refuses --tool-groups %s', async (value) => {
    const result = await runCli(['synth', '--tool-groups', value]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expected <tool>=<group>[,<group>…] such as getDogFacts=admins');
  });

  it.each([
    ['getDogFacts=[admins', '['],
    ['getDogFacts=admins]', ']'],
    ['getDogFacts=team,[admins]', '['],
  ])('refuses --tool-groups %s, naming the character', async (value, character) => {
    const result = await runCli(['synth', '--tool-groups', value]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`is not valid: it has "${character}", which separates groups`);
  });

  it('refuses --tool-groups for a tool named like an Object.prototype member, which dog facts does not have', async () => {
    const result = await runCli(['synth', '--json', '--tool-groups', 'constructor=ops', '--tool-groups', 'constructor=team']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--tool-groups names constructor, a tool the server does not have (its tools: getDogFacts, getDogFactsSlowly)',
    );
  });

  it('refuses --tool-groups for a tool the server does not have, naming the one it meant', async () => {
    const result = await runCli(['synth', '--tool-groups', 'getdogfacts=admins']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('a group for it would protect nothing');
    expect(result.stderr).toContain('Did you mean --tool-groups getDogFacts=admins?');
  });

  it("checks --tool-groups against an --entry server's own tools once it is bundled", async () => {
    const entry = join(import.meta.dirname, '..', 'fixtures', 'entries', 'ts-with-dep', 'server.ts');
    const synthWith = (toolGroups: string) =>
      runCli(['synth', '--entry', entry, '--name', 'fixture', '--signup', 'invite', '--tool-groups', toolGroups]);
    const wrong = await synthWith('Shout=ops');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--tool-groups names Shout, a tool the server does not have (its tools: shout)');
    expect(wrong.stderr).toContain('Did you mean --tool-groups shout=ops?');
    const right = await synthWith('shout=ops');
    expect(right.code, right.stderr).toBe(0);
  }, 60_000);

  it.each(['0', '25', '1.5', 'day'])('refuses --session-hours %s before building anything', async (value) => {
    const result = await runCli(['synth', '--session-hours', value]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`expected hours: a whole number from 1 to 24, got "${value}"`);
  });

  it.each([
    ['empty', () => '', '--out needs a path'],
    ['blank', () => '  ', '--out needs a path'],
    [
      'a file',
      () => {
        const f = join(mkdtempSync(join(tmpdir(), 'mcp-lambda-out-')), 'f');
        writeFileSync(f, 'x');
        return f;
      },
      'is a file, not a directory',
    ],
    [
      'a directory with other files',
      () => {
        const d = mkdtempSync(join(tmpdir(), 'mcp-lambda-out-'));
        writeFileSync(join(d, 'keep.txt'), 'x');
        return d;
      },
      'already holds other files',
    ],
  ])('refuses --out that is %s, writing nothing', async (_name, make, message) => {
    const target = make();
    const cwd = mkdtempSync(join(tmpdir(), 'mcp-lambda-cwd-'));
    const result = await runCli(['synth', '--out', target], {}, { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it.each([
    [['synth', '--entry', '', '--name', 'x'], '--entry needs a path, e.g. --entry ./server.ts'],
    [['dev', '--entry', ' '], '--entry needs a path'],
    [['init', ''], 'init needs a path, e.g. init my-tools'],
  ])('refuses the empty path in %j, writing nothing', async (args, message) => {
    const cwd = mkdtempSync(join(tmpdir(), 'mcp-lambda-cwd-'));
    const result = await runCli(args, {}, { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('rewrites a directory that already holds a cloud assembly', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mcp-lambda-out-')), 'cdk.out');
    expect((await runCli(['synth', '--out', dir])).code).toBe(0);
    expect((await runCli(['synth', '--out', dir])).code).toBe(0);
  });

  it('passes the built-in CloudFormation validation with --validate', async () => {
    const result = await runCli(['synth', '--validate', '--json']);
    expect(result.code).toBe(0);
  }, 90_000);

  it.each([
    [['--name', 'Bad_Name'], 'server name "Bad_Name" is not valid'],
    [['--name', 'amazon-tools'], 'may not contain "amazon"'],
    [['--stack-name', '9lives'], 'stack name "9lives" is not valid'],
    [['--stage', 'a/b'], 'stage "a/b" is not valid'],
    [['--callback-port', '80'], 'expected a port: a whole number from 1024 to 65535, got "80"'],
    [['--callback-port', 'http'], 'got "http"'],
    [['--callback-url', 'http://example.com/cb'], 'Cognito accepts plain http only for localhost'],
    [['--allowed-origin', 'example.com'], 'allowed origin "example.com" is not valid'],
    [['--memory', '64'], 'expected megabytes: a whole number from 128 to 10240, got "64"'],
    [['--log-retention', '10'], "log retention 10 is not valid: use one of CloudWatch's periods"],
    [['--log-retention', 'forever'], 'got "forever"'],
  ])('refuses %j as bad usage, naming the value', async (args, message) => {
    const result = await runCli(['synth', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });
});

describe('mcp-lambda/stack as a library', () => {
  it('imports McpServerStack by the package name and synthesizes in a user app', async () => {
    const script = `
      import { App } from 'aws-cdk-lib';
      import { McpServerStack, OUTPUTS } from 'mcp-lambda/stack';
      const app = new App({ outdir: process.argv[1] });
      const stack = new McpServerStack(app, 'users-mcp', { serverName: 'dog-facts' });
      const template = app.synth().getStackByName('users-mcp').template;
      console.log(JSON.stringify({ name: stack.stackName, url: Boolean(template.Outputs[OUTPUTS.mcpServerUrl]) }));
    `;
    const out = mkdtempSync(join(tmpdir(), 'mcp-lambda-lib-'));
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, out], { cwd: root });
    expect(JSON.parse(stdout)).toEqual({ name: 'users-mcp', url: true });
  }, 90_000);
});
