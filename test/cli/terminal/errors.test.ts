/** Errors the machine causes (full disk, permissions) are told as such, with the path: not as a bug. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveStackRecord } from '../../../src/cli/state/stack-state.js';
import { ExitCode, fileSystemError, reportError } from '../../../src/cli/terminal/errors.js';
import { runCli } from '../../helpers/run-cli.js';

function report(error: unknown) {
  const lines: string[] = [];
  const out = {
    error: (l: string) => lines.push(`error: ${l}`),
    info: (l: string) => lines.push(l),
    style: { dim: (t: string) => t },
  };
  return { code: reportError(error, out, false), lines };
}
const errno = (code: string, syscall: string, path: string) =>
  Object.assign(new Error(`${code}: failed, ${syscall} '${path}'`), { code, syscall, path });

describe('file-system errors', () => {
  it.each([
    ['ENOSPC', 'write', 'the disk is full'],
    ['EACCES', 'open', 'permission denied'],
    ['EROFS', 'mkdir', 'the file system is read-only'],
    ['EDQUOT', 'write', 'the disk quota is used up'],
  ])('%s at %s is a user error naming the path (fault injected at the write call)', (code, syscall, what) => {
    const { code: exit, lines } = report(errno(code, syscall, '/home/me/.claude.json'));
    expect(exit).toBe(ExitCode.error);
    expect(lines[0]).toBe(`error: Could not write /home/me/.claude.json: ${what} (${code}).`);
    expect(lines[1]).toMatch(/^hint: /);
  });

  it('leaves other errors alone', () => {
    expect(fileSystemError(new Error('boom'))).toBeUndefined();
    expect(fileSystemError(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBeUndefined();
    expect(report(new Error('boom')).code).toBe(ExitCode.internal);
  });

  it('a real one: the config directory is a file', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mcp-lambda-home-'));
    writeFileSync(join(home, '.config'), 'not a directory');
    await expect(
      saveStackRecord({ HOME: home }, { stackName: 's', region: 'r', savedAt: 'now', outputs: {} }),
    ).rejects.toMatchObject({ code: 'ENOTDIR' });
    const result = await runCli(['logout', '--region', 'eu-west-1'], { HOME: home });
    expect(result.code).not.toBe(ExitCode.internal);
  });
});
