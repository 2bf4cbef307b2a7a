/**
 * `deploy --stdio-from`: reading a stdio entry from Claude Code's and Claude Desktop's own files, splitting
 * its environment into settings and keys, storing the keys (a local Secrets Manager stand-in), and keeping
 * the old entry in a backup before the client is pointed at the deployed server.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'shell-quote';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsContext } from '../../../src/cli/aws/context.js';
import {
  claudeDesktopConfigFile,
  keyLikeArguments,
  looksLikeSecret,
  parseStdioFrom,
  readStdioEntry,
  splitEnvironment,
} from '../../../src/cli/stdio/from-client.js';
import { chooseMovedEnvironment, offerToRepoint, storeSecrets } from '../../../src/cli/stdio/move-secrets.js';
import { UsageError, UserError } from '../../../src/cli/terminal/errors.js';
import { testContext } from '../../helpers/fake-engine.js';
import { type FakeSecrets, startFakeSecrets } from '../../helpers/fake-secrets.js';

let home: string;
let project: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'stdio-from-'));
  project = join(home, 'project');
  await mkdir(project);
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const MEMORY = {
  command: 'npx',
  args: ['-y', '@modelcontextprotocol/server-memory@2026.8.31', '--note', "it's quoted"],
  env: { MEMORY_FILE_PATH: '/tmp/memory.json', GITHUB_TOKEN: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' },
};

async function claudeJson(value: unknown): Promise<void> {
  await writeFile(join(home, '.claude.json'), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

describe('--stdio-from <client>:<entry>', () => {
  it('reads the two clients and an entry name with a colon in it', () => {
    expect(parseStdioFrom('claude-code:memory')).toEqual({ client: 'claude-code', entry: 'memory' });
    expect(parseStdioFrom('claude-desktop:a:b')).toEqual({ client: 'claude-desktop', entry: 'a:b' });
  });

  it.each(['memory', 'claude-code:', ':memory', 'cursor:memory', ''])('refuses %j, naming the form', (value) => {
    expect(() => parseStdioFrom(value)).toThrow(UsageError);
    expect(() => parseStdioFrom(value)).toThrow(/expected <client>:<entry name>, the client one of claude-code, claude-desktop/);
  });
});

describe('reading the entry', () => {
  it("finds Claude Code's entry in the scope Claude Code reads first, as a command line that parses back to its words", async () => {
    await claudeJson({
      mcpServers: { memory: { command: 'node', args: ['user-scope.js'] } },
      projects: { [project]: { mcpServers: { memory: { type: 'stdio', ...MEMORY } } } },
    });
    const entry = await readStdioEntry(parseStdioFrom('claude-code:memory'), { HOME: home }, project);
    expect(entry.scope).toBe('local');
    expect(entry.file).toBe(join(home, '.claude.json'));
    expect(parse(entry.commandLine)).toEqual(['npx', ...MEMORY.args]);
    expect(entry.env).toEqual(MEMORY.env);
    expect(entry.raw).toEqual({ type: 'stdio', ...MEMORY });
  });

  it("reads Claude Desktop's file where each platform keeps it", async () => {
    expect(claudeDesktopConfigFile({ HOME: '/h' }, 'darwin')).toBe(
      '/h/Library/Application Support/Claude/claude_desktop_config.json',
    );
    expect(claudeDesktopConfigFile({ HOME: '/h', XDG_CONFIG_HOME: '/x' }, 'linux')).toBe('/x/Claude/claude_desktop_config.json');
    expect(claudeDesktopConfigFile({ HOME: '/h', APPDATA: 'C:/Users/me/AppData/Roaming' }, 'win32')).toContain(
      join('Roaming', 'Claude', 'claude_desktop_config.json'),
    );
    const dir = join(home, 'Library', 'Application Support', 'Claude');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'claude_desktop_config.json'), JSON.stringify({ mcpServers: { memory: MEMORY } }));
    const entry = await readStdioEntry(parseStdioFrom('claude-desktop:memory'), { HOME: home }, project, 'darwin');
    expect(entry.client).toBe('claude-desktop');
    expect(entry.args).toEqual(MEMORY.args);
  });

  it('names the entries there are when the one asked for is missing', async () => {
    await claudeJson({ mcpServers: { weather: { command: 'node', args: ['w.js'] } } });
    const reading = readStdioEntry(parseStdioFrom('claude-code:memory'), { HOME: home }, project);
    await expect(reading).rejects.toThrow(UserError);
    await expect(reading).rejects.toThrow('Claude Code has no MCP server entry named "memory".');
    await expect(reading).rejects.toMatchObject({ options: { hint: 'Its entries: weather.' } });
  });

  it('says when Claude Desktop has no config file at all', async () => {
    await expect(readStdioEntry(parseStdioFrom('claude-desktop:x'), { HOME: home }, project, 'linux')).rejects.toThrow(
      /Claude Desktop's config .*claude_desktop_config.json does not exist/,
    );
  });

  it.each([
    ['a remote server', { type: 'http', url: 'https://x.example/mcp' }, /is a remote server \(http\), not a stdio program/],
    ['a url without a type', { url: 'https://x.example/mcp' }, /is a remote server/],
    ['no command', { args: ['x'] }, /has no "command" to run/],
    ['an empty command', { command: '  ' }, /has no "command" to run/],
    ['args that are not strings', { command: 'node', args: ['a', 1] }, /"args" is not a list of strings/],
    ['args that are not a list', { command: 'node', args: 'a b' }, /"args" is not a list of strings/],
    ['env that is a list', { command: 'node', env: ['A=1'] }, /"env" is not an object/],
    ['an env value that is a number', { command: 'node', env: { PORT: 3000 } }, /env PORT is not a string/],
    ['an env name that is no variable', { command: 'node', env: { 'A B': '1' } }, /env "A B" is not a variable name/],
  ])('refuses %s with a sentence naming the entry and file', async (_what, entry, message) => {
    await claudeJson({ mcpServers: { memory: entry } });
    await expect(readStdioEntry(parseStdioFrom('claude-code:memory'), { HOME: home }, project)).rejects.toThrow(message);
    await expect(readStdioEntry(parseStdioFrom('claude-code:memory'), { HOME: home }, project)).rejects.toThrow(
      `Claude Code's entry "memory" in ${join(home, '.claude.json')}`,
    );
  });

  it('refuses a Claude Desktop entry that is not an object', async () => {
    const dir = join(home, '.config', 'Claude');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'claude_desktop_config.json'), JSON.stringify({ mcpServers: { memory: 'npx server' } }));
    await expect(readStdioEntry(parseStdioFrom('claude-desktop:memory'), { HOME: home }, project, 'linux')).rejects.toThrow(
      /Claude Desktop's entry "memory" in .* is not an object/,
    );
  });

  it('refuses a config file that does not parse, and leaves it as it was', async () => {
    await claudeJson('{ "mcpServers": { "memory": ');
    await expect(readStdioEntry(parseStdioFrom('claude-code:memory'), { HOME: home }, project)).rejects.toThrow(UserError);
    expect(await readFile(join(home, '.claude.json'), 'utf8')).toBe('{ "mcpServers": { "memory": ');
  });
});

describe('which settings look like keys', () => {
  it.each([
    ['GITHUB_TOKEN', 'anything'],
    ['BRAVE_API_KEY', 'BSA123'],
    ['DB_PASSWORD', 'hunter2'],
    ['OPENAI', 'sk-proj-abc'],
    ['SLACK', 'xoxb-1-2-3'],
    ['AWS_ID', 'AKIAIOSFODNN7EXAMPLE'],
    ['DATABASE_URL', 'postgres://app:s3cret@db.internal:5432/app'],
    ['RANDOM', 'q8Zr4mN2pX7vL0aK5sD9fG3h'],
  ])('%s=%s is a key', (key, value) => expect(looksLikeSecret(key, value)).toBe(true));

  it.each([
    ['MEMORY_FILE_PATH', '/tmp/memory.json'],
    ['LOG_LEVEL', 'debug'],
    ['API_URL', 'https://api.example.com/v1'],
    ['KEYBOARD_LAYOUT', 'us'],
    ['GITHUB_TOKEN', ''],
    ['ALLOWED_DIRECTORIES', '/home/me/projects/some-long-folder-name'],
  ])('%s=%s is a plain setting', (key, value) => expect(looksLikeSecret(key, value)).toBe(false));

  it('finds keys on a command line by position and flag, never printing them', () => {
    expect(keyLikeArguments(['-y', '@modelcontextprotocol/server-filesystem', '/home/me/projects'])).toEqual([]);
    expect(keyLikeArguments(['--port', '8080', '--verbose', '--log-level=debug'])).toEqual([]);
    expect(keyLikeArguments(['-y', 'server', '--api-key', 'BSA123'])).toEqual(['argument 4 (--api-key)']);
    expect(keyLikeArguments(['--token=abc', 'x'])).toEqual(['argument 1 (--token)']);
    expect(keyLikeArguments(['postgres://app:s3cret@db.internal:5432/app'])).toEqual(['argument 1']);
    expect(keyLikeArguments(['run', 'sk-proj-abc123'])).toEqual(['argument 2']);
  });

  it('splits an environment', () => {
    expect(splitEnvironment(MEMORY.env)).toEqual({
      plain: { MEMORY_FILE_PATH: '/tmp/memory.json' },
      keyLike: { GITHUB_TOKEN: MEMORY.env.GITHUB_TOKEN },
    });
  });
});

describe('moving the keys to Secrets Manager', () => {
  let aws: FakeSecrets;
  let saved: NodeJS.ProcessEnv;
  beforeAll(async () => {
    aws = await startFakeSecrets();
  });
  afterAll(async () => {
    await aws.close();
  });
  beforeEach(() => {
    saved = { ...process.env };
    // The AWS SDK takes credentials from the process's environment.
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'not-a-real-key';
    delete process.env.AWS_PROFILE;
    aws.secrets.clear();
    aws.tags.clear();
    aws.denied.clear();
    aws.calls.length = 0;
  });
  afterEach(() => {
    process.env = saved;
  });

  async function entry() {
    await claudeJson({ mcpServers: { memory: MEMORY } });
    return readStdioEntry(parseStdioFrom('claude-code:memory'), { HOME: home }, project);
  }

  it('asks for each key, stores it, and never prints a value', async () => {
    let printed = '';
    const ctx = testContext((chunk) => (printed += chunk), { answers: { 'GITHUB_TOKEN looks like a key': true } });
    const moved = await chooseMovedEnvironment(ctx, await entry(), 'memory', {});
    expect(moved.environment).toEqual({ MEMORY_FILE_PATH: '/tmp/memory.json' });
    expect(moved.secrets).toEqual({ GITHUB_TOKEN: 'mcp-lambda/memory/GITHUB_TOKEN' });
    await storeSecrets(ctx, new AwsContext({ region: 'eu-west-1', env: aws.env() }), moved);
    expect(aws.secrets.get('mcp-lambda/memory/GITHUB_TOKEN')).toBe(MEMORY.env.GITHUB_TOKEN);
    expect(printed).toContain('Stored GITHUB_TOKEN in Secrets Manager as mcp-lambda/memory/GITHUB_TOKEN.');
    expect(printed).not.toContain(MEMORY.env.GITHUB_TOKEN);
  });

  it('gives a secret stored by an earlier move (tagged) the new value', async () => {
    aws.secrets.set('mcp-lambda/memory/GITHUB_TOKEN', 'old');
    aws.tags.set('mcp-lambda/memory/GITHUB_TOKEN', [{ Key: 'mcp-lambda:moved', Value: 'GITHUB_TOKEN' }]);
    const ctx = testContext(() => {}, { answers: { 'looks like a key': true } });
    await storeSecrets(
      ctx,
      new AwsContext({ region: 'eu-west-1', env: aws.env() }),
      await chooseMovedEnvironment(ctx, await entry(), 'memory', {}),
    );
    expect(aws.calls).toEqual([
      'CreateSecret mcp-lambda/memory/GITHUB_TOKEN',
      'DescribeSecret mcp-lambda/memory/GITHUB_TOKEN',
      'PutSecretValue mcp-lambda/memory/GITHUB_TOKEN',
    ]);
    expect(aws.secrets.get('mcp-lambda/memory/GITHUB_TOKEN')).toBe(MEMORY.env.GITHUB_TOKEN);
  });

  it('tags what it stores, and leaves a same-name secret it did not make alone, stopping before the deploy', async () => {
    const ctx = testContext(() => {}, { answers: { 'looks like a key': true } });
    await storeSecrets(
      ctx,
      new AwsContext({ region: 'eu-west-1', env: aws.env() }),
      await chooseMovedEnvironment(ctx, await entry(), 'memory', {}),
    );
    expect(aws.tags.get('mcp-lambda/memory/GITHUB_TOKEN')).toEqual([{ Key: 'mcp-lambda:moved', Value: 'GITHUB_TOKEN' }]);

    aws.secrets.set('mcp-lambda/other/GITHUB_TOKEN', 'someone else’s');
    const storing = storeSecrets(
      ctx,
      new AwsContext({ region: 'eu-west-1', env: aws.env() }),
      await chooseMovedEnvironment(ctx, await entry(), 'other', {}),
    );
    await expect(storing).rejects.toThrow(
      'A secret named mcp-lambda/other/GITHUB_TOKEN already exists, and mcp-lambda did not make it: GITHUB_TOKEN was not stored in it.',
    );
    await expect(storing).rejects.toMatchObject({ options: { hint: expect.stringContaining('Nothing was deployed') } });
    expect(aws.secrets.get('mcp-lambda/other/GITHUB_TOKEN')).toBe('someone else’s');
    expect(aws.calls).not.toContain('PutSecretValue mcp-lambda/other/GITHUB_TOKEN');
  });

  it('stops with a clear error when it may not check who made a same-name secret', async () => {
    aws.secrets.set('mcp-lambda/memory/GITHUB_TOKEN', 'old');
    aws.denied.add('DescribeSecret mcp-lambda/memory/GITHUB_TOKEN');
    const ctx = testContext(() => {}, { answers: { 'looks like a key': true } });
    const storing = storeSecrets(
      ctx,
      new AwsContext({ region: 'eu-west-1', env: aws.env() }),
      await chooseMovedEnvironment(ctx, await entry(), 'memory', {}),
    );
    await expect(storing).rejects.toThrow(/mcp-lambda\/memory\/GITHUB_TOKEN exists, and mcp-lambda could not check who made it/);
    await expect(storing).rejects.toMatchObject({ options: { hint: expect.stringContaining('secretsmanager:DescribeSecret') } });
    expect(aws.secrets.get('mcp-lambda/memory/GITHUB_TOKEN')).toBe('old');
  });

  it('says what to do when the key may not be stored, before anything is deployed', async () => {
    aws.denied.add('mcp-lambda/memory/GITHUB_TOKEN');
    const ctx = testContext(() => {}, { answers: { 'looks like a key': true } });
    const moved = await chooseMovedEnvironment(ctx, await entry(), 'memory', {});
    const storing = storeSecrets(ctx, new AwsContext({ region: 'eu-west-1', env: aws.env() }), moved);
    await expect(storing).rejects.toThrow('Could not store GITHUB_TOKEN in Secrets Manager as mcp-lambda/memory/GITHUB_TOKEN');
    await expect(storing).rejects.toMatchObject({ options: { hint: expect.stringContaining('Nothing was deployed') } });
  });

  it('stops, naming the two ways on, when the user will not store a key', async () => {
    const ctx = testContext(() => {}, { answers: { 'looks like a key': false } });
    await expect(chooseMovedEnvironment(ctx, await entry(), 'memory', {})).rejects.toMatchObject({
      message: 'GITHUB_TOKEN was not stored, and mcp-lambda does not put a key in the template unasked.',
      options: {
        hint: 'Store it yourself and pass --secret GITHUB_TOKEN=<its name>, or pass --env GITHUB_TOKEN=… to deploy it in the clear.',
      },
    });
  });

  it('does not ask about a key an --env or --secret flag already sets', async () => {
    const ctx = testContext(() => {}, { answers: {} });
    const moved = await chooseMovedEnvironment(ctx, await entry(), 'memory', {
      secret: { GITHUB_TOKEN: 'team/github' },
      env: { MEMORY_FILE_PATH: '/tmp/other.json' },
    });
    expect(moved).toEqual({ environment: {}, toStore: new Map(), secrets: {} });
  });
});

describe('pointing the client at the deployed server', () => {
  it("keeps Claude Code's stdio entry in a backup with the command that restores it, then writes the new entry in its scope", async () => {
    await claudeJson({ projects: { [project]: { mcpServers: { memory: MEMORY } } } });
    const entry = await readStdioEntry(parseStdioFrom('claude-code:memory'), { HOME: home }, project);
    const writes: unknown[] = [];
    const ctx = testContext(() => {}, { answers: { 'Point Claude Code\'s "memory"': true }, env: { HOME: home } });
    await offerToRepoint(ctx, entry, async (options) => {
      writes.push(options);
    });
    expect(writes).toEqual([{ client: 'claude-code', scope: 'local', entryName: 'memory' }]);
    const dir = join(home, '.config', 'mcp-lambda', 'backups');
    const [file] = await readdir(dir);
    const backup = JSON.parse(await readFile(join(dir, file ?? ''), 'utf8')) as Record<string, unknown>;
    expect(backup).toMatchObject({ client: 'claude-code', scope: 'local', name: 'memory', entry: MEMORY });
    // The restore command holds no key: it reads the entry from the backup when run. Run it with a
    // `claude` that prints what it was given.
    expect(String(backup.restore)).not.toContain(JSON.stringify(MEMORY));
    const bin = join(home, 'bin');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'claude'), '#!/bin/sh\nnode -e "console.log(JSON.stringify(process.argv.slice(1)))" -- "$@"\n', {
      mode: 0o755,
    });
    const { stdout } = await promisify(execFile)('sh', ['-c', String(backup.restore)], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
    });
    expect(JSON.parse(stdout)).toEqual(['mcp', 'add-json', 'memory', JSON.stringify(MEMORY), '--scope', 'local']);
  });

  it('leaves the entry alone when the user says no', async () => {
    await claudeJson({ mcpServers: { memory: MEMORY } });
    const entry = await readStdioEntry(parseStdioFrom('claude-code:memory'), { HOME: home }, project);
    let printed = '';
    const ctx = testContext((chunk) => (printed += chunk), { answers: { 'Point Claude Code': false }, env: { HOME: home } });
    await offerToRepoint(ctx, entry, async () => {
      throw new Error('must not write');
    });
    expect(printed).toContain('still runs the server locally');
  });

  it("prints Claude Desktop's connector steps and leaves its file as it is", async () => {
    const dir = join(home, '.config', 'Claude');
    await mkdir(dir, { recursive: true });
    const text = JSON.stringify({ mcpServers: { memory: MEMORY } });
    await writeFile(join(dir, 'claude_desktop_config.json'), text);
    const entry = await readStdioEntry(parseStdioFrom('claude-desktop:memory'), { HOME: home }, project, 'linux');
    const writes: unknown[] = [];
    let printed = '';
    await offerToRepoint(
      testContext((chunk) => (printed += chunk), { env: { HOME: home } }),
      entry,
      async (options) => {
        writes.push(options);
      },
    );
    expect(writes).toEqual([{ client: 'claude-desktop', scope: 'user', entryName: 'memory' }]);
    expect(printed).toContain('remove the stdio entry "memory"');
    expect(await readFile(join(dir, 'claude_desktop_config.json'), 'utf8')).toBe(text);

    // --no-repoint: no connector steps, and the way to add it later.
    printed = '';
    const repointed = await offerToRepoint(
      testContext((chunk) => (printed += chunk), { env: { HOME: home } }),
      entry,
      async () => {
        throw new Error('must not write');
      },
      false,
    );
    expect(repointed).toBe(false);
    expect(printed).toContain('To add the connector later: mcp-lambda write-config --client claude-desktop');
  });
});
