/** write-config on real files in temporary HOME and project directories. */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { configTarget, writeEntry } from '../../../../src/cli/clients/claude-code/config-file.js';
import { writeConfig } from '../../../../src/cli/commands/write-config.js';
import { saveStackRecord } from '../../../../src/cli/state/stack-state.js';
import { FakeCloud, OUTPUTS, scriptedPrompter, testContext } from '../../../helpers/fake-engine.js';
import { runCli } from '../../../helpers/run-cli.js';

const STACK = 'mcp-lambda-dog-facts';
const ENTRY = {
  type: 'http',
  url: OUTPUTS.McpServerUrl,
  oauth: {
    clientId: 'client123',
    callbackPort: 31927,
    scopes: OUTPUTS.McpOAuthScope,
    authServerMetadataUrl: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_pool/.well-known/openid-configuration',
  },
};
let home: string;
let project: string;

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'mcp-lambda-home-'));
  project = mkdtempSync(join(tmpdir(), 'mcp-lambda-project-'));
  await saveStackRecord(
    { HOME: home },
    { stackName: STACK, region: 'eu-west-1', savedAt: '2026-11-24T04:00:00Z', outputs: OUTPUTS },
  );
});

function cli(args: string[], answers: Parameters<typeof scriptedPrompter>[0] = {}, env: Record<string, string> = {}) {
  return runCli(
    ['write-config', ...args],
    { HOME: home, AWS_REGION: 'eu-west-1', ...env },
    { cwd: project, prompter: scriptedPrompter(answers) },
  );
}
const claudeJson = () => join(home, '.claude.json');
const read = (file: string) => readFileSync(file, 'utf8');

describe('write-config', () => {
  it('creates ~/.claude.json with the entry (user scope, OAuth) and says what to do next', async () => {
    const result = await cli([]);
    expect(result.code).toBe(0);
    expect(JSON.parse(read(claudeJson()))).toEqual({ mcpServers: { 'dog-facts': ENTRY } });
    expect(read(claudeJson()).endsWith('}\n')).toBe(true);
    expect(statSync(claudeJson()).mode & 0o777).toBe(0o600);
    expect(result.stdout).toContain(`✓ Wrote "dog-facts" to ${claudeJson()}:`);
    expect(result.stderr).toContain('run /mcp, pick "dog-facts" and authenticate');
    expect(result.stderr).toContain('(or from a shell: claude mcp login dog-facts)');
    expect(result.stderr).toContain('If it does not connect: mcp-lambda doctor names the broken link.');
  });

  it('keeps every other key, server, the indentation and the missing trailing newline', async () => {
    const original =
      '{\n    "numStartups": 12,\n    "mcpServers": {\n        "other": { "type": "stdio", "command": "x" }\n    },\n    "projects": { "/a": { "allowedTools": [] } }\n}';
    writeFileSync(claudeJson(), original);
    expect((await cli([])).code).toBe(0);
    const after = read(claudeJson());
    expect(JSON.parse(after)).toEqual({
      numStartups: 12,
      mcpServers: { other: { type: 'stdio', command: 'x' }, 'dog-facts': ENTRY },
      projects: { '/a': { allowedTools: [] } },
    });
    // Lines outside mcpServers are untouched; the file's 4-space indentation is used for the new entry.
    expect(after.startsWith('{\n    "numStartups": 12,\n    "mcpServers": {\n')).toBe(true);
    expect(after).toContain('\n    "projects": { "/a": { "allowedTools": [] } }\n}');
    expect(after).toContain('\n        "dog-facts": {\n            "type": "http"');
    expect(after.endsWith('}')).toBe(true);
  });

  it('treats an empty file as empty', async () => {
    writeFileSync(claudeJson(), '');
    expect((await cli([])).code).toBe(0);
    expect(JSON.parse(read(claudeJson())).mcpServers['dog-facts']).toEqual(ENTRY);
  });

  it('writes the local scope under projects[<cwd>] and leaves other projects alone', async () => {
    writeFileSync(
      claudeJson(),
      JSON.stringify({ projects: { '/other': { mcpServers: { x: { type: 'http', url: 'https://x' } } } } }, null, 2),
    );
    expect((await cli(['--scope', 'local'])).code).toBe(0);
    const after = JSON.parse(read(claudeJson()));
    expect(after.projects['/other']).toEqual({ mcpServers: { x: { type: 'http', url: 'https://x' } } });
    expect(after.projects[project].mcpServers['dog-facts']).toEqual(ENTRY);
  });

  it('writes .mcp.json in the current directory for the project scope', async () => {
    const result = await cli(['--scope', 'project', '--entry-name', 'dogs']);
    expect(result.code).toBe(0);
    const file = join(project, '.mcp.json');
    expect(JSON.parse(read(file))).toEqual({ mcpServers: { dogs: ENTRY } });
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(existsSync(claudeJson())).toBe(false);
  });

  it('honours CLAUDE_CONFIG_DIR', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'claude-config-'));
    expect((await cli([], {}, { CLAUDE_CONFIG_DIR: dir })).code).toBe(0);
    expect(JSON.parse(read(join(dir, '.claude.json'))).mcpServers['dog-facts']).toEqual(ENTRY);
    expect(existsSync(claudeJson())).toBe(false);
  });

  it('says an identical entry is up to date, without writing', async () => {
    await cli([]);
    const before = statSync(claudeJson()).mtimeMs;
    const result = await cli([]);
    expect(result.stdout).toContain('already has this "dog-facts" entry.');
    expect(statSync(claudeJson()).mtimeMs).toBe(before);
  });

  it('shows a differing same-name entry and asks before replacing it', async () => {
    writeFileSync(
      claudeJson(),
      JSON.stringify({ mcpServers: { 'dog-facts': { type: 'http', url: 'https://old.example/mcp' } } }),
    );
    const declined = await cli([], { 'Replace the "dog-facts" entry?': false });
    expect(declined.code).toBe(3);
    expect(declined.stderr).toContain('now:   {"type":"http","url":"https://old.example/mcp"}');
    expect(JSON.parse(read(claudeJson())).mcpServers['dog-facts'].url).toBe('https://old.example/mcp');
    const accepted = await cli([], { 'Replace the "dog-facts" entry?': true });
    expect(accepted.code).toBe(0);
    expect(JSON.parse(read(claudeJson())).mcpServers['dog-facts']).toEqual(ENTRY);
  });

  it('shows the differing entry with the names in its env and headers but never their values (the user’s keys)', async () => {
    const old = {
      type: 'stdio',
      command: 'npx',
      args: ['-y', 'some-server'],
      env: { WEATHER_API_KEY: 'sk-live-do-not-print' },
      headers: { Authorization: 'Bearer do-not-print-either' },
    };
    writeFileSync(claudeJson(), JSON.stringify({ mcpServers: { 'dog-facts': old } }));
    const declined = await cli([], { 'Replace the "dog-facts" entry?': false });
    expect(declined.code).toBe(3);
    const shown = declined.stdout + declined.stderr;
    expect(shown).toContain('"env":{"WEATHER_API_KEY":"…"}');
    expect(shown).toContain('"headers":{"Authorization":"…"}');
    expect(shown).toContain('"args":["-y","some-server"]');
    expect(shown).not.toContain('do-not-print');
    expect(JSON.parse(read(claudeJson())).mcpServers['dog-facts']).toEqual(old);
  });

  it('replaces without asking with --yes, and refuses when not interactive without it', async () => {
    writeFileSync(
      claudeJson(),
      JSON.stringify({ mcpServers: { 'dog-facts': { type: 'http', url: 'https://old.example/mcp' } } }),
    );
    const refused = await runCli(['write-config'], { HOME: home, AWS_REGION: 'eu-west-1' }, { cwd: project });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('pass --yes');
    const yes = await runCli(['write-config', '--yes'], { HOME: home, AWS_REGION: 'eu-west-1' }, { cwd: project });
    expect(yes.code).toBe(0);
  });

  it.each([
    ['invalid JSON', '{"mcpServers": {', 'is not valid JSON'],
    ['a JSON array', '[]', 'does not hold a JSON object'],
    ['mcpServers that is not an object', '{"mcpServers": "nope"}', 'mcpServers is not an object'],
    ['a comment (Claude Code reads strict JSON)', '{ // hi\n}', 'is not valid JSON'],
  ])('refuses %s and leaves the file untouched', async (_name, content, message) => {
    writeFileSync(claudeJson(), content);
    const result = await cli([]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(read(claudeJson())).toBe(content);
  });

  it('refuses a read-only file and leaves it untouched', async () => {
    writeFileSync(claudeJson(), '{}\n');
    chmodSync(claudeJson(), 0o444);
    const result = await cli([]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/read-only|not writable|EACCES/);
    expect(read(claudeJson())).toBe('{}\n');
  });

  it('prints the result with --dry-run and writes nothing', async () => {
    writeFileSync(claudeJson(), '{\n  "x": 1\n}\n');
    const result = await cli(['--dry-run']);
    expect(JSON.parse(result.stdout)).toEqual({ x: 1, mcpServers: { 'dog-facts': ENTRY } });
    expect(read(claudeJson())).toBe('{\n  "x": 1\n}\n');
  });

  it('prints the equivalent claude mcp add-json command with --print', async () => {
    const result = await cli(['--print', '--scope', 'project']);
    expect(result.stdout.trim()).toBe(`claude mcp add-json dog-facts '${JSON.stringify(ENTRY)}' --scope project`);
    expect(existsSync(join(project, '.mcp.json'))).toBe(false);
  });

  it('writes a headersHelper that runs this CLI by absolute path, and that command works', async () => {
    const result = await cli(['--auth', 'helper'], {}, { PATH: '/usr/bin:/bin' });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('not signed in to mcp-lambda-dog-facts yet');
    // Not installed on PATH: the helper points into this copy, and the user is told what that means.
    expect(result.stderr).toContain('mcp-lambda is not installed on PATH');
    const entry = JSON.parse(read(claudeJson())).mcpServers['dog-facts'];
    expect(entry.oauth).toBeUndefined();
    expect(entry.headersHelper).toMatch(
      /^\/\S+node \/\S+\/bin\/mcp-lambda token --header-json --stack-name mcp-lambda-dog-facts --region eu-west-1$/,
    );
    // Run it the way Claude Code does (a shell, another directory): it must get as far as the token store.
    const run = await promisify(execFile)('sh', ['-c', entry.headersHelper], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH, HOME: home },
    }).catch((e) => e);
    expect(run.stderr).toContain('Not signed in to mcp-lambda-dog-facts in eu-west-1: run mcp-lambda login');
  });

  it('uses the mcp-lambda installed on PATH (npm link, npm install -g): it survives the clone moving', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'mcp-lambda-path-'));
    symlinkSync(join(import.meta.dirname, '..', '..', '..', '..', 'bin', 'mcp-lambda'), join(bin, 'mcp-lambda'));
    const result = await cli(['--auth', 'helper'], {}, { PATH: `${bin}:${process.env.PATH}` });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('not installed on PATH');
    expect(JSON.parse(read(claudeJson())).mcpServers['dog-facts'].headersHelper).toBe(
      `${join(bin, 'mcp-lambda')} token --header-json --stack-name mcp-lambda-dog-facts --region eu-west-1`,
    );
  });

  it("warns when the helper would run from npx's cache", async () => {
    let stderr = '';
    await writeConfig(
      testContext((chunk) => (stderr += chunk), { env: { HOME: home, AWS_REGION: 'eu-west-1' }, cwd: project }),
      { scope: 'user', auth: 'helper' },
      ['/usr/bin/node', '/home/me/.npm/_npx/1a2b/node_modules/mcp-lambda/bin/mcp-lambda'],
    );
    expect(stderr).toContain("this mcp-lambda runs from npx's cache");
    expect(JSON.parse(read(claudeJson())).mcpServers['dog-facts'].headersHelper).toContain('/_npx/1a2b/');
  });

  it('refuses a bad --entry-name and a bad --scope', async () => {
    expect((await cli(['--entry-name', 'has space'])).stderr).toContain('--entry-name "has space" is not valid');
    const scope = await cli(['--scope', 'global']);
    expect(scope.code).toBe(2);
    expect(scope.stderr).toContain("argument 'global' is invalid. Allowed choices are project, user, local.");
  });

  it('keeps both entries when two writers write at once', async () => {
    writeFileSync(claudeJson(), '{}\n');
    const target = configTarget('user', { HOME: home }, project);
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        writeEntry(target, `server-${i}`, { type: 'http', url: `https://s${i}.example/mcp` }, 0o600),
      ),
    );
    expect(Object.keys(JSON.parse(read(claudeJson())).mcpServers).sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => `server-${i}`),
    );
  });
});

describe('destroy removes what write-config wrote', () => {
  it('removes our entries, keeps entries the user repointed and everything else', async () => {
    writeFileSync(
      claudeJson(),
      JSON.stringify({ keep: true, mcpServers: { other: { type: 'http', url: 'https://o' } } }, null, 2),
    );
    await cli([]);
    await cli(['--scope', 'project']);
    await cli(['--scope', 'local', '--entry-name', 'repointed']);
    // The user points one entry elsewhere: it is no longer ours to remove.
    const config = JSON.parse(read(claudeJson()));
    config.projects[project].mcpServers.repointed.url = 'https://mine.example/mcp';
    writeFileSync(claudeJson(), JSON.stringify(config, null, 2));

    const cloud = new FakeCloud();
    cloud.stacks.set(STACK, { stackName: STACK, status: 'CREATE_COMPLETE', outputs: OUTPUTS });
    const result = await runCli(
      ['destroy', '--yes'],
      { HOME: home, AWS_REGION: 'eu-west-1' },
      { cwd: project, deployEngine: cloud.factory() },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Removed Claude Code entry "dog-facts" (user)');
    expect(result.stdout).toContain('Removed Claude Code entry "dog-facts" (project)');
    const after = JSON.parse(read(claudeJson()));
    expect(after).toEqual({
      keep: true,
      mcpServers: { other: { type: 'http', url: 'https://o' } },
      projects: {
        [project]: { mcpServers: { repointed: { type: 'http', url: 'https://mine.example/mcp', oauth: ENTRY.oauth } } },
      },
    });
    expect(JSON.parse(read(join(project, '.mcp.json')))).toEqual({ mcpServers: {} });
  });
});
