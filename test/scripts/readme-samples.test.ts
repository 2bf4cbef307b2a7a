/**
 * scripts/readme-samples.mjs: the README's samples are what the built CLI prints (run spawned, as a user
 * runs it), and the check fails when they drift — but not over a bundle size.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const script = join(root, 'scripts', 'readme-samples.mjs');
const run = promisify(execFile);

async function check(readme?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [script, ...(readme ? ['--readme', readme] : [])], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('README samples', () => {
  it('match what the CLI prints (--help, synth, deploy without a region, tools --url against dev)', async () => {
    const result = await check();
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^\d+ README samples match the CLI\.\n$/);
    expect(result.code).toBe(0);
  }, 60_000);

  it('fail with the difference when a sample drifts, and not over a size', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'mcp-lambda-readme-test-'));
    const resized = join(dir, 'resized.md');
    writeFileSync(resized, readme.replace(/Lambda bundle {2}[\d.]+ KiB/, 'Lambda bundle  999.9 KiB'));
    expect((await check(resized)).code).toBe(0);

    const stale = join(dir, 'stale.md');
    writeFileSync(stale, readme.replace(/^Resources \(\d+\)$/m, 'Resources (1)'));
    const result = await check(stale);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`README.md's sample "$ npx mcp-lambda synth" differs from what the command prints now:`);
    expect(result.stderr).toContain('Resources (1)');
    expect(result.stderr).toContain('1 of 4 samples drifted: run node scripts/readme-samples.mjs --write');
  }, 60_000);
});
