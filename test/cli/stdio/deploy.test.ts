/** `deploy --stdio` against a stand-in of the deployed stack (AWS is the only fake). */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkServersKept } from '../../../src/cli/plan/deploy-plan.js';
import { describePackageChanges, readPackagesOutput } from '../../../src/cli/stdio/prepare.js';
import { FakeCloud, OUTPUTS, scriptedPrompter } from '../../helpers/fake-engine.js';
import { runCli } from '../../helpers/run-cli.js';
import { type FakeSecrets, startFakeSecrets } from '../../helpers/fake-secrets.js';

const scratch = mkdtempSync(join(tmpdir(), 'stdio-deploy-'));
const MEMORY = '@modelcontextprotocol/server-memory';

describe('the Packages output', () => {
  it('reads one package or one per server, and says which versions change', () => {
    expect(readPackagesOutput(`${MEMORY}@2026.8.31`)).toEqual({ '': `${MEMORY}@2026.8.31` });
    expect(readPackagesOutput(`memory=${MEMORY}@1.0.0 fetch=mcp-fetch@2.0.0`)).toEqual({
      memory: `${MEMORY}@1.0.0`,
      fetch: 'mcp-fetch@2.0.0',
    });
    expect(readPackagesOutput(undefined)).toEqual({});
    expect(describePackageChanges(`${MEMORY}@2026.8.31`, { '': `${MEMORY}@2026.9.1` })).toEqual([
      'server-memory: 2026.8.31 → 2026.9.1',
    ]);
    expect(describePackageChanges(`memory=${MEMORY}@1.0.0`, { memory: 'other-server@3.0.0' })).toEqual([
      `memory: ${MEMORY}@1.0.0 → other-server@3.0.0`,
    ]);
    // The same version, a server that is new, or no packages at all: nothing to say.
    expect(describePackageChanges(`${MEMORY}@1.0.0`, { '': `${MEMORY}@1.0.0` })).toEqual([]);
    expect(describePackageChanges(undefined, { '': `${MEMORY}@1.0.0` })).toEqual([]);
    expect(describePackageChanges(`${MEMORY}@1.0.0`, undefined)).toEqual([]);
  });

  it('names the command a stack deployed with --stdio needs again', () => {
    expect(() => checkServersKept({ ServerCode: 'entry', Packages: `${MEMORY}@2026.8.31` }, undefined, ' --name memory')).toThrow(
      'This stack runs your own server (deployed with --stdio); a deploy without it would replace it with dog facts.',
    );
    try {
      checkServersKept({ ServerCode: 'entry', Packages: `${MEMORY}@2026.8.31` }, undefined, ' --name memory');
    } catch (error) {
      expect((error as { options: { hint: string } }).options.hint).toBe(
        `Deploy it again with its command: mcp-lambda deploy --name memory --stdio "npx -y ${MEMORY}@2026.8.31"`,
      );
    }
  });
});

describe('mcp-lambda deploy --stdio', () => {
  it('deploys the installed package and says when its version changes from the deployed one', async () => {
    const cloud = new FakeCloud();
    cloud.stacks.set('mcp-lambda-memory', {
      stackName: 'mcp-lambda-memory',
      status: 'UPDATE_COMPLETE',
      outputs: { ...OUTPUTS, ServerName: 'memory', ServerCode: 'entry', Packages: `${MEMORY}@2026.8.30` },
    });
    const result = await runCli(
      [
        'deploy',
        '--name',
        'memory',
        '--signup',
        'invite',
        '--stdio',
        `npx -y ${MEMORY}@2026.8.31`,
        '--env',
        'MEMORY_FILE_PATH=/tmp/memory.jsonl',
      ],
      { HOME: mkdtempSync(join(scratch, 'h-')) },
      { deployEngine: cloud.factory(), prompter: scriptedPrompter({}) },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('server-memory: 2026.8.30 → 2026.8.31');
    expect(cloud.lastRequest?.stack).toMatchObject({
      packages: { '': `${MEMORY}@2026.8.31` },
      environment: { MEMORY_FILE_PATH: '/tmp/memory.jsonl' },
    });
  }, 180_000);
});

describe('mcp-lambda deploy --stdio-from', () => {
  let aws: FakeSecrets;
  beforeAll(async () => {
    aws = await startFakeSecrets();
  });
  afterAll(() => aws.close());
  // The AWS SDK takes its region and credentials from the process's environment (the CLI's is the process's).
  let saved: NodeJS.ProcessEnv;
  beforeEach(() => {
    saved = { ...process.env };
    Object.assign(process.env, aws.env());
    delete process.env.AWS_PROFILE;
  });
  afterEach(() => {
    process.env = saved;
  });

  const TOKEN = `ghp_${'a1'.repeat(18)}`;
  const ENTRY = {
    type: 'stdio',
    command: 'npx',
    args: ['-y', `${MEMORY}@2026.8.31`],
    env: { MEMORY_FILE_PATH: '/tmp/memory.jsonl', GITHUB_TOKEN: TOKEN },
  };
  /** A home whose Claude Code runs server-memory as a user-scope stdio server. */
  function claudeHome(): { home: string; project: string } {
    const home = mkdtempSync(join(scratch, 'h-'));
    writeFileSync(join(home, '.claude.json'), JSON.stringify({ mcpServers: { memory: ENTRY } }, null, 2));
    return { home, project: mkdtempSync(join(scratch, 'p-')) };
  }

  it("deploys Claude Code's stdio entry: its package installed, its key stored and referenced, the entry pointed at the stack and kept in a backup", async () => {
    const { home, project } = claudeHome();
    const cloud = new FakeCloud();
    const url = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/mcp';
    cloud.outputs = { ...OUTPUTS, ServerName: 'memory', ServerCode: 'entry', McpOAuthScope: `${url}/memory` };
    const result = await runCli(
      ['deploy', '--stdio-from', 'claude-code:memory', '--signup', 'invite', '--repoint'],
      { HOME: home, ...aws.env() },
      { cwd: project, deployEngine: cloud.factory(), prompter: scriptedPrompter({ 'GITHUB_TOKEN looks like a key': true }) },
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toContain(`Moving Claude Code's "memory"`);
    expect(cloud.lastRequest?.stack).toMatchObject({
      stackName: 'mcp-lambda-memory',
      packages: { '': `${MEMORY}@2026.8.31` },
      environment: { MEMORY_FILE_PATH: '/tmp/memory.jsonl' },
      secrets: { GITHUB_TOKEN: 'mcp-lambda/mcp-lambda-memory/GITHUB_TOKEN' },
    });
    expect(JSON.stringify(cloud.lastRequest?.stack.environment)).not.toContain(TOKEN);
    // Stored before the deploy read it (checkSecretsExist found it), and never printed.
    expect(aws.secrets.get('mcp-lambda/mcp-lambda-memory/GITHUB_TOKEN')).toBe(TOKEN);
    expect(aws.calls.indexOf('CreateSecret mcp-lambda/mcp-lambda-memory/GITHUB_TOKEN')).toBeLessThan(
      aws.calls.findIndex((call) => call.startsWith('DescribeSecret')),
    );
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
    // Claude Code now reaches the deployed server under the same name; the stdio entry is in the backup.
    const config = JSON.parse(readFileSync(join(home, '.claude.json'), 'utf8')) as { mcpServers: Record<string, unknown> };
    expect(config.mcpServers.memory).toMatchObject({ type: 'http', url });
    const backups = join(home, '.config', 'mcp-lambda', 'backups');
    const [backup] = readdirSync(backups);
    expect(JSON.parse(readFileSync(join(backups, backup ?? ''), 'utf8'))).toMatchObject({ scope: 'user', entry: ENTRY });
  }, 180_000);

  it('leaves the entry alone when not interactive and --repoint is not given, and says how to switch', async () => {
    const { home, project } = claudeHome();
    const cloud = new FakeCloud();
    const before = readFileSync(join(home, '.claude.json'), 'utf8');
    aws.secrets.set('team/token', 'x');
    const result = await runCli(
      [
        'deploy',
        '--stdio-from',
        'claude-code:memory',
        '--signup',
        'invite',
        '--name',
        'notes',
        '--secret',
        'GITHUB_TOKEN=team/token',
      ],
      { HOME: home, ...aws.env() },
      { cwd: project, deployEngine: cloud.factory(), prompter: scriptedPrompter({}) },
    );
    expect(result.code, result.stderr).toBe(0);
    // --secret for the key wins: it is not asked about or stored.
    expect(cloud.lastRequest?.stack).toMatchObject({ stackName: 'mcp-lambda-notes', secrets: { GITHUB_TOKEN: 'team/token' } });
    expect(aws.calls.filter((call) => call.startsWith('CreateSecret mcp-lambda/mcp-lambda-notes'))).toEqual([]);
    expect(result.stderr).toContain(
      'still runs the server locally. To switch later: mcp-lambda write-config --entry-name memory --scope user',
    );
    expect(readFileSync(join(home, '.claude.json'), 'utf8')).toBe(before);
  }, 180_000);

  it.each([
    [['--stdio-from', 'cursor:memory'], 2, '--stdio-from "cursor:memory": expected <client>:<entry name>'],
    [['--stdio-from', 'claude-code:nosuch'], 1, 'Claude Code has no MCP server entry named "nosuch".'],
    [['--repoint'], 2, '--repoint goes with --stdio-from'],
    [['--no-repoint'], 2, '--no-repoint goes with --stdio-from'],
  ])('deploy %j is refused before anything is stored or deployed', async (args, code, message) => {
    const { home, project } = claudeHome();
    const cloud = new FakeCloud();
    const calls = aws.calls.length;
    const result = await runCli(
      ['deploy', '--signup', 'invite', ...args],
      { HOME: home, ...aws.env() },
      {
        cwd: project,
        deployEngine: cloud.factory(),
        prompter: scriptedPrompter({}),
      },
    );
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
    expect(cloud.calls).toEqual([]);
    expect(aws.calls.length).toBe(calls);
  });

  it("asks before moving an entry from the project's .mcp.json (it came with the repository), and stops on no", async () => {
    const home = mkdtempSync(join(scratch, 'h-'));
    const project = mkdtempSync(join(scratch, 'p-'));
    const entry = { type: 'stdio', command: 'npx', args: ['-y', `${MEMORY}@2026.8.31`] };
    writeFileSync(join(project, '.mcp.json'), JSON.stringify({ mcpServers: { memory: entry } }));
    const cloud = new FakeCloud();
    const result = await runCli(
      ['deploy', '--stdio-from', 'claude-code:memory', '--signup', 'invite'],
      { HOME: home, ...aws.env() },
      { cwd: project, deployEngine: cloud.factory(), prompter: scriptedPrompter({ '"memory" comes from': false }) },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Left "memory" as it was; nothing was run or deployed.');
    expect(result.stderr).not.toContain('Moving');
    expect(cloud.calls).toEqual([]);
  });

  it('refuses an entry that passes a key on its command line, naming the argument, never the key', async () => {
    const home = mkdtempSync(join(scratch, 'h-'));
    const key = 'BSA-do-not-print-42';
    const entry = { type: 'stdio', command: 'npx', args: ['-y', `${MEMORY}@2026.8.31`, '--api-key', key] };
    writeFileSync(join(home, '.claude.json'), JSON.stringify({ mcpServers: { memory: entry } }));
    const cloud = new FakeCloud();
    const calls = aws.calls.length;
    const result = await runCli(
      ['deploy', '--stdio-from', 'claude-code:memory', '--signup', 'invite'],
      { HOME: home, ...aws.env() },
      { cwd: mkdtempSync(join(scratch, 'p-')), deployEngine: cloud.factory(), prompter: scriptedPrompter({}) },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('passes what looks like a key on its command line (argument 4 (--api-key))');
    expect(result.stderr).toContain("Pass the key in the entry's env instead");
    expect(result.stdout + result.stderr).not.toContain(key);
    expect(cloud.calls).toEqual([]);
    expect(aws.calls.length).toBe(calls);
  });
});
