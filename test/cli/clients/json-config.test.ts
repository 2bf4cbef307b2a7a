/**
 * Project-scope config files that lead out of their project (issue #30, item 11), on real temporary
 * folders and symlinks. A repository can carry `.mcp.json` (or `.vscode/`, `.cursor/`, `.gemini/`,
 * `.codex/`) as a symlink to somewhere else, and write-file-atomic writes through a file's link (and into
 * a linked folder): write-config must refuse, leaving the link and what it points at untouched. Links that
 * stay inside the project, a project reached through a link, and user-scope links (a dotfile manager's)
 * keep working.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { landingPath } from '../../../src/cli/state/files.js';
import { listLocalArtifacts, removeLocalArtifacts } from '../../../src/cli/state/local-artifacts.js';
import { saveStackRecord } from '../../../src/cli/state/stack-state.js';
import { OUTPUTS } from '../../helpers/fake-engine.js';
import { runCli } from '../../helpers/run-cli.js';

const STACK = 'mcp-lambda-dog-facts';
let home: string;
let project: string;
let outside: string;

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'mcp-lambda-home-'));
  project = mkdtempSync(join(tmpdir(), 'mcp-lambda-project-'));
  outside = mkdtempSync(join(tmpdir(), 'mcp-lambda-outside-'));
  await saveStackRecord(
    { HOME: home },
    {
      stackName: STACK,
      region: 'eu-west-1',
      savedAt: '2026-11-25T04:00:00Z',
      outputs: { ...OUTPUTS, Clients: 'claude-code,vscode,cursor,gemini,codex' },
    },
  );
});

const writeConfig = (args: string[], cwd = project) =>
  runCli(['write-config', '--scope', 'project', '--yes', ...args], { HOME: home, AWS_REGION: 'eu-west-1' }, { cwd });

describe("a project's .mcp.json that is a symlink out of the project", () => {
  it('is refused: the file it points at and the link stay as they were', async () => {
    const victim = join(outside, 'settings.json');
    const before = '{\n  "keep": true\n}\n';
    writeFileSync(victim, before);
    symlinkSync(victim, join(project, '.mcp.json'));
    const result = await writeConfig([]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${join(project, '.mcp.json')} is a symlink (or inside one) that leads out of the project`);
    expect(result.stderr).toContain('it was left untouched');
    expect(readFileSync(victim, 'utf8')).toBe(before);
    expect(lstatSync(join(project, '.mcp.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(project, '.mcp.json'))).toBe(victim);
    // No lock, temp file or anything else was left beside the target.
    expect(readdirSync(outside)).toEqual(['settings.json']);
  });

  it.each([
    ['to a file that does not exist yet', (target: string) => target],
    ['by a relative path', (target: string) => join('..', target.split('/').slice(-2).join('/'))],
  ])('is refused when it points %s, and nothing is created there', async (_name, link) => {
    const target = join(outside, 'new.json');
    symlinkSync(link(target), join(project, '.mcp.json'));
    const result = await writeConfig([]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('leads out of the project');
    expect(existsSync(target)).toBe(false);
    expect(lstatSync(join(project, '.mcp.json')).isSymbolicLink()).toBe(true);
  });

  it('--dry-run is refused the same way, without showing the file it leads to', async () => {
    writeFileSync(join(outside, 'settings.json'), '{"private": "not for the terminal"}\n');
    symlinkSync(join(outside, 'settings.json'), join(project, '.mcp.json'));
    const result = await writeConfig(['--dry-run']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('leads out of the project');
    expect(result.stdout).not.toContain('not for the terminal');
  });

  it('--print still shows the entry to add by hand', async () => {
    symlinkSync(join(outside, 'settings.json'), join(project, '.mcp.json'));
    const result = await writeConfig(['--print']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('claude mcp add-json dog-facts');
  });
});

describe("other clients' project folders that are symlinks out of the project", () => {
  it.each([
    ['vscode', '.vscode', 'mcp.json'],
    ['cursor', '.cursor', 'mcp.json'],
    ['gemini', '.gemini', 'settings.json'],
    ['codex', '.codex', 'config.toml'],
  ])('%s: a linked %s is refused, and nothing is written where it leads', async (client, folder, file) => {
    const elsewhere = join(outside, 'elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(project, folder));
    const result = await writeConfig(['--client', client]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('leads out of the project');
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(existsSync(join(elsewhere, file))).toBe(false);
  });

  it('a linked folder that leads nowhere yet is refused, and not created', async () => {
    const nowhere = join(outside, 'not-yet');
    symlinkSync(nowhere, join(project, '.cursor'));
    const result = await writeConfig(['--client', 'cursor']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('leads out of the project');
    expect(existsSync(nowhere)).toBe(false);
  });

  it("a client's file that is itself a link out of the project is refused", async () => {
    const victim = join(outside, 'mcp.json');
    writeFileSync(victim, '{}\n');
    mkdirSync(join(project, '.vscode'));
    symlinkSync(victim, join(project, '.vscode', 'mcp.json'));
    const result = await writeConfig(['--client', 'vscode']);
    expect(result.code).toBe(1);
    expect(readFileSync(victim, 'utf8')).toBe('{}\n');
  });
});

describe('links that stay inside, and user scope', () => {
  it('writes through a link to a file inside the project; the link stays a link', async () => {
    mkdirSync(join(project, 'config'));
    writeFileSync(join(project, 'config', 'mcp.json'), '{}\n');
    symlinkSync(join('config', 'mcp.json'), join(project, '.mcp.json'));
    const result = await writeConfig([]);
    expect(result.code, result.stderr).toBe(0);
    expect(lstatSync(join(project, '.mcp.json')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(join(project, 'config', 'mcp.json'), 'utf8')).mcpServers['dog-facts'].url).toBe(
      OUTPUTS.McpServerUrl,
    );
  });

  it('writes in a project reached through a symlink (the project is where the link leads)', async () => {
    const link = join(outside, 'project-link');
    symlinkSync(project, link);
    const result = await writeConfig(['--client', 'cursor'], link);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(project, '.cursor', 'mcp.json'))).toBe(true);
  });

  it('still writes through a user-scope link (a dotfile manager keeps ~/.claude.json elsewhere)', async () => {
    const kept = join(outside, 'claude.json');
    writeFileSync(kept, '{}\n');
    symlinkSync(kept, join(home, '.claude.json'));
    const result = await runCli(['write-config', '--scope', 'user', '--yes'], { HOME: home, AWS_REGION: 'eu-west-1' });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(readFileSync(kept, 'utf8')).mcpServers['dog-facts']).toBeDefined();
  });
});

describe('destroy and a project file that now leads out of the project', () => {
  it('leaves an entry whose file became a link out of the project alone', async () => {
    expect((await writeConfig([])).code).toBe(0);
    // The project's .mcp.json is swapped for a link to another file holding the same entry.
    const other = join(outside, 'other.json');
    writeFileSync(other, readFileSync(join(project, '.mcp.json')));
    const before = readFileSync(other, 'utf8');
    await import('node:fs/promises').then(({ rm }) => rm(join(project, '.mcp.json')));
    symlinkSync(other, join(project, '.mcp.json'));
    const env = { HOME: home };
    expect((await listLocalArtifacts(env, 'eu-west-1', STACK)).map((a) => a.kind)).not.toContain('claude-entry');
    await removeLocalArtifacts(env, 'eu-west-1', STACK);
    expect(readFileSync(other, 'utf8')).toBe(before);
  });
});

describe('landingPath', () => {
  it('follows links of the file and its folders, including ones that lead nowhere yet', async () => {
    const real = join(outside, 'real');
    mkdirSync(real);
    symlinkSync(real, join(project, 'linked'));
    expect(await landingPath(join(project, 'linked', 'a', 'b.json'))).toBe(join(real, 'a', 'b.json'));
    symlinkSync(join(outside, 'missing.json'), join(project, 'dangling.json'));
    expect(await landingPath(join(project, 'dangling.json'))).toBe(join(outside, 'missing.json'));
    symlinkSync('loop', join(project, 'loop'));
    await expect(landingPath(join(project, 'loop'))).rejects.toThrow();
  });
});
