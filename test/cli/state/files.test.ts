/**
 * Files as users keep them, and locks that recover — on real temp files: symlinks written through, owner,
 * group and mode kept, a byte-order mark kept, other entries' text untouched, temporary files of a killed
 * write cleaned, a dead process's lock taken over, a lock wait that ends at once on SIGTERM, concurrent
 * writers that lose nothing, and writers killed at random points that never leave a broken file.
 */
import { spawn } from 'node:child_process';
import {
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lock } from 'proper-lockfile';
import { beforeEach, describe, expect, it } from 'vitest';
import { configTarget, writeEntry } from '../../../src/cli/clients/claude-code/config-file.js';
import { withFileLock } from '../../../src/cli/state/lock.js';
import { readStackRecord, saveStackRecord, updateStackRecord } from '../../../src/cli/state/stack-state.js';
import { OUTPUTS } from '../../helpers/fake-engine.js';
import { runCli } from '../../helpers/run-cli.js';

const ENTRY = { type: 'http', url: 'https://example.invalid/prod/mcp' };
let home: string;
const claudeJson = () => join(home, '.claude.json');
const user = () => configTarget('user', { HOME: home }, home);

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'mcp-lambda-files-'));
});

describe('config files, as users keep them', () => {
  it('writes through a symlink: the link stays a link', async () => {
    mkdirSync(join(home, 'dotfiles'));
    writeFileSync(join(home, 'dotfiles', 'claude.json'), '{}\n');
    symlinkSync(join(home, 'dotfiles', 'claude.json'), claudeJson());
    await writeEntry(user(), 'dog', ENTRY, 0o600);
    expect(lstatSync(claudeJson()).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(join(home, 'dotfiles', 'claude.json'), 'utf8')).mcpServers.dog).toEqual(ENTRY);
  });

  it("keeps the file's owner, group and mode (written as root for another user)", async () => {
    writeFileSync(claudeJson(), '{}\n', { mode: 0o640 });
    if (process.getuid?.() === 0) chownSync(claudeJson(), 65534, 65534);
    const before = statSync(claudeJson());
    await writeEntry(user(), 'dog', ENTRY, 0o600);
    const after = statSync(claudeJson());
    expect([after.uid, after.gid, after.mode & 0o777]).toEqual([before.uid, before.gid, 0o640]);
  });

  it('gives a new file the mode asked for', async () => {
    await writeEntry(user(), 'dog', ENTRY, 0o600);
    expect(statSync(claudeJson()).mode & 0o777).toBe(0o600);
  });

  it('keeps a byte-order mark', async () => {
    writeFileSync(claudeJson(), '\uFEFF{\n  "theme": "dark"\n}\n');
    await writeEntry(user(), 'dog', ENTRY, 0o600);
    const text = readFileSync(claudeJson(), 'utf8');
    expect(text.startsWith('\uFEFF{')).toBe(true);
    expect(JSON.parse(text.slice(1))).toEqual({ theme: 'dark', mcpServers: { dog: ENTRY } });
  });

  it("changes only the entry's own text: other entries keep their hand formatting byte for byte", async () => {
    const other = '"other": {"type":"stdio",   "command": "x",\n      "args": [ "a","b" ]}';
    writeFileSync(claudeJson(), `{\n  "mcpServers": {\n    ${other}\n  },\n  "numStartups": 3\n}\n`);
    await writeEntry(user(), 'dog', ENTRY, 0o600);
    const text = readFileSync(claudeJson(), 'utf8');
    expect(text).toContain(other);
    expect(text).toContain('\n  "numStartups": 3\n}\n');
    expect(JSON.parse(text).mcpServers.dog).toEqual(ENTRY);
  });

  it('removes temporary files a killed write left behind (once they are over a minute old)', async () => {
    writeFileSync(claudeJson(), '{}\n');
    const old = join(home, '.claude.json.1234567');
    const fresh = join(home, '.claude.json.7654321');
    writeFileSync(old, 'half a file');
    writeFileSync(fresh, 'another writer, now');
    utimesSync(old, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    writeFileSync(join(home, '.claude.json.backup'), 'not ours');
    await writeEntry(user(), 'dog', ENTRY, 0o600);
    expect(readdirSync(home).sort()).toEqual(['.claude.json', '.claude.json.7654321', '.claude.json.backup']);
  });
});

describe('locks that recover', () => {
  it("takes over a dead process's lock with a one-line notice", async () => {
    const file = join(home, 'state.json');
    mkdirSync(`${file}.lock`);
    const past = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, past, past);
    const notices: string[] = [];
    const started = Date.now();
    expect(await withFileLock(file, async () => 'done', { onNotice: (line) => notices.push(line) })).toBe('done');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(notices).toEqual([`took over ${file}.lock, left by an mcp-lambda that stopped without releasing it.`]);
  });

  it('stops waiting at once on SIGTERM / Ctrl-C, without writing', async () => {
    writeFileSync(claudeJson(), '{}\n');
    const release = await lock(claudeJson(), { realpath: false, stale: 5000 });
    try {
      const controller = new AbortController();
      const waiting = writeEntry(user(), 'dog', ENTRY, 0o600, { signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = Date.now();
      controller.abort();
      await expect(waiting).rejects.toThrow('Stopped while waiting for a lock; nothing was written.');
      expect(Date.now() - started).toBeLessThan(300);
      expect(readFileSync(claudeJson(), 'utf8')).toBe('{}\n');
    } finally {
      await release();
    }
  });

  it('gives up on a live lock after the wait, with a plain error', async () => {
    const file = join(home, 'busy.json');
    writeFileSync(file, '{}');
    const release = await lock(file, { realpath: false, stale: 5000 });
    try {
      await expect(withFileLock(file, async () => 'never', { waitMs: 300 })).rejects.toThrow(
        'is still being changed by another mcp-lambda',
      );
    } finally {
      await release();
    }
  });

  it('loses no write from 40 concurrent writers of the clean-up record', async () => {
    const env = { HOME: home };
    await saveStackRecord(env, { stackName: 's', region: 'eu-west-1', savedAt: 'now', outputs: {} });
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        updateStackRecord(env, 'eu-west-1', 's', (record) => ({
          ...(record ?? { stackName: 's', region: 'eu-west-1', savedAt: 'now', outputs: {} }),
          claudeEntries: [...(record?.claudeEntries ?? []), { scope: 'user', file: `f${i}`, entryName: `e${i}`, url: 'u' }],
        })),
      ),
    );
    const record = await readStackRecord(env, 'eu-west-1', 's');
    expect(record?.claudeEntries?.map((e) => e.entryName).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `e${i}`).sort());
  }, 60_000);
});

describe('writers killed at random points', () => {
  it('never leave a broken or half-written config, and lose no other entry', async () => {
    const bin = join(import.meta.dirname, '..', '..', '..', 'bin', 'mcp-lambda');
    writeFileSync(claudeJson(), JSON.stringify({ mcpServers: { keep: { type: 'stdio', command: 'x' } }, projects: {} }, null, 2));
    await saveStackRecord(
      { HOME: home },
      { stackName: 'mcp-lambda-dog-facts', region: 'eu-west-1', savedAt: 'now', outputs: OUTPUTS },
    );
    for (let i = 0; i < 12; i += 1) {
      const child = spawn(process.execPath, [bin, 'write-config', '--yes', '--entry-name', `e${i}`, '--region', 'eu-west-1'], {
        env: { PATH: process.env.PATH, HOME: home },
        stdio: 'ignore',
      });
      const closed = new Promise((resolve) => child.on('close', resolve));
      await new Promise((resolve) => setTimeout(resolve, 150 + Math.floor(Math.random() * 250)));
      child.kill('SIGKILL');
      await closed;
      const config = JSON.parse(readFileSync(claudeJson(), 'utf8'));
      expect(config.mcpServers.keep).toEqual({ type: 'stdio', command: 'x' });
    }
    // A writer after the kills still gets in (no lock left to block it for good).
    const last = await runCli(['write-config', '--yes', '--entry-name', 'last', '--region', 'eu-west-1'], { HOME: home });
    expect(last.code, last.stderr).toBe(0);
    expect(JSON.parse(readFileSync(claudeJson(), 'utf8')).mcpServers.last).toBeDefined();
  }, 60_000);
});
