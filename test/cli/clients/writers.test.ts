/**
 * write-config --client for VS Code, Cursor, Gemini CLI and Claude Desktop, on real files in temporary
 * HOME and project folders: each client's file, in its documented place and schema (golden), merged
 * without touching other entries, refused when invalid, remembered for destroy.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { vscode } from '../../../src/cli/clients/vscode.js';
import { listLocalArtifacts, removeLocalArtifacts } from '../../../src/cli/state/local-artifacts.js';
import { readStackRecord, saveStackRecord } from '../../../src/cli/state/stack-state.js';
import { OUTPUTS, scriptedPrompter } from '../../helpers/fake-engine.js';
import { runCli } from '../../helpers/run-cli.js';

const STACK = 'mcp-lambda-dog-facts';
const URL = OUTPUTS.McpServerUrl;
const SCOPE = OUTPUTS.McpOAuthScope;
const HOSTED_UI = 'https://mcp-dog-facts-1a2b3c4d.auth.eu-west-1.amazoncognito.com';
let home: string;
let project: string;

async function deployed(clients = 'claude-code,vscode,cursor,gemini,claude-desktop', more: Record<string, string> = {}) {
  await saveStackRecord(
    { HOME: home },
    {
      stackName: STACK,
      region: 'eu-west-1',
      savedAt: '2026-11-25T04:00:00Z',
      outputs: { ...OUTPUTS, Clients: clients, ...more },
    },
  );
}

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'mcp-lambda-home-'));
  project = mkdtempSync(join(tmpdir(), 'mcp-lambda-project-'));
  await deployed();
});

function cli(args: string[], answers: Parameters<typeof scriptedPrompter>[0] = {}) {
  return runCli(
    ['write-config', ...args],
    { HOME: home, AWS_REGION: 'eu-west-1' },
    { cwd: project, prompter: scriptedPrompter(answers) },
  );
}
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;

describe('each client, in its own file and schema', () => {
  it.each([
    [
      'vscode',
      'project',
      () => join(project, '.vscode', 'mcp.json'),
      { servers: { 'dog-facts': { type: 'http', url: URL, oauth: { clientId: 'client123' } } } },
    ],
    [
      'vscode',
      'user',
      () => join(home, '.config', 'Code', 'User', 'mcp.json'),
      { servers: { 'dog-facts': { type: 'http', url: URL, oauth: { clientId: 'client123' } } } },
    ],
    [
      'cursor',
      'project',
      () => join(project, '.cursor', 'mcp.json'),
      { mcpServers: { 'dog-facts': { url: URL, auth: { CLIENT_ID: 'client123', scopes: [SCOPE] } } } },
    ],
    [
      'cursor',
      'user',
      () => join(home, '.cursor', 'mcp.json'),
      { mcpServers: { 'dog-facts': { url: URL, auth: { CLIENT_ID: 'client123', scopes: [SCOPE] } } } },
    ],
    [
      'gemini',
      'user',
      () => join(home, '.gemini', 'settings.json'),
      {
        mcpServers: {
          'dog-facts': {
            httpUrl: URL,
            oauth: {
              enabled: true,
              clientId: 'client123',
              authorizationUrl: `${HOSTED_UI}/oauth2/authorize`,
              tokenUrl: `${HOSTED_UI}/oauth2/token`,
              scopes: [SCOPE],
            },
          },
        },
      },
    ],
  ])('%s (%s scope)', async (client, scope, file, expected) => {
    const result = await cli(['--client', client, '--scope', scope]);
    expect(result.code, result.stderr).toBe(0);
    expect(json(file())).toEqual(expected);
    expect(result.stdout).toContain(`Wrote "dog-facts" to ${file()}`);
    const record = await readStackRecord({ HOME: home }, 'eu-west-1', STACK);
    expect(record?.claudeEntries?.[0]).toMatchObject({ client, file: file(), entryName: 'dog-facts', url: URL });
  });

  it('puts VS Code’s user config where each platform keeps it', () => {
    const env = { HOME: '/home/me', APPDATA: 'C:\\Users\\me\\AppData\\Roaming' };
    expect(vscode.target('user', env, '/p', 'darwin').file).toBe('/home/me/Library/Application Support/Code/User/mcp.json');
    expect(vscode.target('user', env, '/p', 'linux').file).toBe('/home/me/.config/Code/User/mcp.json');
    expect(vscode.target('user', env, '/p', 'win32').file).toContain(join('Code', 'User', 'mcp.json'));
  });

  it('prints the values to paste for Claude Desktop and claude.ai, and writes nothing', async () => {
    const result = await cli(['--client', 'claude-desktop']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Settings → Connectors → Add custom connector');
    expect(result.stdout).toContain(`Remote MCP server URL: ${URL}`);
    expect(result.stdout).toContain('OAuth Client ID: client123');
    expect(existsSync(join(home, '.claude.json'))).toBe(false);
  });
});

describe('the same merge discipline as Claude Code’s', () => {
  it('keeps other entries, keys and formatting; asks before replacing a different entry', async () => {
    const file = join(project, '.cursor', 'mcp.json');
    mkdirSync(join(project, '.cursor'));
    const before =
      '{\n    "mcpServers": {\n        "other": { "url": "https://other.example/mcp" }\n    },\n    "theme": "dark"\n}\n';
    writeFileSync(file, before);
    expect((await cli(['--client', 'cursor', '--scope', 'project'])).code).toBe(0);
    const after = json(file);
    expect(after.theme).toBe('dark');
    expect(after.mcpServers.other).toEqual({ url: 'https://other.example/mcp' });
    expect(readFileSync(file, 'utf8')).toContain('        "other": { "url": "https://other.example/mcp" }');

    // A different entry under the name: asked, and "no" leaves the file as it was (exit 3).
    const changed = readFileSync(file, 'utf8').replace('client123', 'someone-else');
    writeFileSync(file, changed);
    const declined = await cli(['--client', 'cursor', '--scope', 'project'], { 'Replace the "dog-facts" entry?': false });
    expect(declined.code).toBe(3);
    expect(readFileSync(file, 'utf8')).toBe(changed);
  });

  it.each([
    ['{ "servers": ', 'is not valid JSON'],
    ['[1, 2]', 'does not hold a JSON object'],
    ['{ "servers": [] }', 'servers is not an object'],
    ['{ "servers": {}, // a comment\n }', 'is not valid JSON'],
  ])('refuses %j untouched', async (text, message) => {
    mkdirSync(join(project, '.vscode'));
    const file = join(project, '.vscode', 'mcp.json');
    writeFileSync(file, text);
    const result = await cli(['--client', 'vscode', '--scope', 'project']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('shows the file with --dry-run and the entry with --print, writing nothing', async () => {
    const dry = await cli(['--client', 'gemini', '--dry-run']);
    expect(JSON.parse(dry.stdout).mcpServers['dog-facts'].httpUrl).toBe(URL);
    const printed = await cli(['--client', 'gemini', '--print']);
    expect(JSON.parse(printed.stdout)['dog-facts'].oauth.scopes).toEqual([SCOPE]);
    expect(existsSync(join(home, '.gemini'))).toBe(false);
  });

  it('is listed by status and removed by destroy, like Claude Code’s entries; a repointed entry is left alone', async () => {
    await cli(['--client', 'cursor', '--scope', 'user']);
    await cli(['--client', 'vscode', '--scope', 'project']);
    const listed = await listLocalArtifacts({ HOME: home }, 'eu-west-1', STACK);
    expect(listed.map((a) => a.description)).toEqual(
      expect.arrayContaining(['Cursor entry "dog-facts" (user)', 'VS Code entry "dog-facts" (project)']),
    );
    // The user points the VS Code entry elsewhere: destroy must not remove it.
    const vscodeFile = join(project, '.vscode', 'mcp.json');
    writeFileSync(vscodeFile, readFileSync(vscodeFile, 'utf8').replace(URL, 'https://mine.example/mcp'));
    await removeLocalArtifacts({ HOME: home }, 'eu-west-1', STACK);
    expect(json(join(home, '.cursor', 'mcp.json')).mcpServers).toEqual({});
    expect(json(vscodeFile).servers['dog-facts'].url).toBe('https://mine.example/mcp');
  });
});

describe('a streaming deployment (deploy --timeout over 29 s)', () => {
  it('gives each client that has a setting the deployment’s limit plus 10 s', async () => {
    await deployed('claude-code,vscode,cursor,gemini,codex,claude-desktop', { Timeout: '300' });
    expect((await cli(['--client', 'gemini', '--scope', 'user'])).code).toBe(0);
    expect(json(join(home, '.gemini', 'settings.json')).mcpServers['dog-facts'].timeout).toBe(310_000);
    expect((await cli(['--client', 'codex'])).code).toBe(0);
    expect(readFileSync(join(home, '.codex', 'config.toml'), 'utf8')).toContain('tool_timeout_sec = 310');
    const claude = await cli(['--client', 'claude-code', '--scope', 'user']);
    expect(claude.code, claude.stderr).toBe(0);
    expect(json(join(home, '.claude.json')).mcpServers['dog-facts'].timeout).toBe(310_000);
    // VS Code has no such setting: its entry is as before.
    expect((await cli(['--client', 'vscode', '--scope', 'user'])).code).toBe(0);
    expect(json(join(home, '.config', 'Code', 'User', 'mcp.json')).servers['dog-facts'].timeout).toBeUndefined();
  });

  it.each([['29'], ['10'], ['soon'], ['9999']])(
    'writes no timeout for Timeout %s (buffered, or not a value deploy writes)',
    async (value) => {
      await deployed('claude-code,gemini', { Timeout: value });
      expect((await cli(['--client', 'gemini', '--scope', 'user'])).code).toBe(0);
      expect(json(join(home, '.gemini', 'settings.json')).mcpServers['dog-facts'].timeout).toBeUndefined();
    },
  );
});

describe('refusals and warnings', () => {
  it.each([
    [['--client', 'vim'], 2, 'Allowed choices are claude-code, vscode, cursor, gemini, codex, claude-desktop'],
    [['--client', 'cursor', '--scope', 'local'], 2, "--scope local is Claude Code's"],
    [['--client', 'vscode', '--auth', 'helper'], 2, '--auth helper is for Claude Code'],
    [['--client', 'gemini', '--entry-name', 'bad name'], 2, '--entry-name "bad name" is not valid'],
  ])('%j', async (args, code, message) => {
    const result = await cli(args);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
  });

  it('warns when the stack does not register the client, with the deploy that adds it', async () => {
    await deployed('claude-code,cursor');
    const result = await cli(['--client', 'gemini']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      "mcp-lambda-dog-facts does not register Gemini CLI's redirect URIs, so its sign-in would be refused. Add it: mcp-lambda deploy --clients claude-code,cursor,gemini",
    );
  });
});

describe('Codex (config.toml)', () => {
  const codexFile = () => join(home, '.codex', 'config.toml');
  const ENTRY_TOML = [
    '[mcp_servers.dog-facts]',
    `url = "${URL}"`,
    `scopes = [ "${SCOPE}" ]`,
    '',
    '[mcp_servers.dog-facts.oauth]',
    'client_id = "client123"',
  ];

  it('writes the server’s tables and the callback settings Codex needs, in the documented shape', async () => {
    const result = await cli(['--client', 'codex']);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(codexFile(), 'utf8')).toBe(
      [
        'mcp_oauth_callback_port = 31928',
        'mcp_oauth_callback_url = "http://localhost:31928/callback"',
        '',
        ...ENTRY_TOML,
        '',
      ].join('\n'),
    );
  });

  it('keeps every other byte: comments, order, other servers; replaces only our tables', async () => {
    mkdirSync(join(home, '.codex'));
    const mine = [
      '# my Codex settings',
      'model = "gpt-5"  # the one I like',
      '',
      '[mcp_servers.other]',
      'command = "other-server"',
      '',
      '[mcp_servers.dog-facts]',
      'url = "https://old.example/mcp"',
      '',
      '[profiles.work]',
      'model = "o3"',
      '',
    ].join('\n');
    writeFileSync(codexFile(), mine);
    const result = await cli(['--client', 'codex'], { 'Replace the "dog-facts" entry?': true });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(codexFile(), 'utf8')).toBe(
      [
        '# my Codex settings',
        'model = "gpt-5"  # the one I like',
        'mcp_oauth_callback_port = 31928',
        'mcp_oauth_callback_url = "http://localhost:31928/callback"',
        '',
        '[mcp_servers.other]',
        'command = "other-server"',
        '',
        '[profiles.work]',
        'model = "o3"',
        '',
        ...ENTRY_TOML,
        '',
      ].join('\n'),
    );
    // And destroy takes out exactly what it wrote.
    await removeLocalArtifacts({ HOME: home }, 'eu-west-1', STACK);
    expect(readFileSync(codexFile(), 'utf8')).not.toContain('dog-facts');
    expect(readFileSync(codexFile(), 'utf8')).toContain('[mcp_servers.other]\ncommand = "other-server"');
  });

  it.each([
    ['model = ', 'is not valid TOML at line 1'],
    ['mcp_oauth_callback_url = "http://127.0.0.1:9999/cb"\n', 'sets mcp_oauth_callback_url = "http://127.0.0.1:9999/cb"'],
    [
      'mcp_servers = { dog-facts = { url = "https://x.example" } }\n',
      'in a way mcp-lambda cannot edit without touching the rest',
    ],
    ['mcp_servers = 3\n', 'mcp_servers is not a table'],
  ])('refuses %j untouched', async (text, message) => {
    mkdirSync(join(home, '.codex'));
    writeFileSync(codexFile(), text);
    const result = await cli(['--client', 'codex'], { 'Replace the "dog-facts" entry?': true });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(readFileSync(codexFile(), 'utf8')).toBe(text);
  });

  it('prints the TOML with --print, writing nothing', async () => {
    const printed = await cli(['--client', 'codex', '--print']);
    expect(printed.stdout).toContain('mcp_oauth_callback_url = "http://localhost:31928/callback"');
    expect(printed.stdout).toContain('[mcp_servers.dog-facts.oauth]');
    expect(existsSync(codexFile())).toBe(false);
  });
});
