/**
 * `npm run test:aws` (test/live/run.mjs) without MCP_LAMBDA_LIVE=1: says what a live run needs and costs,
 * and exits 0 at once, reaching nothing; an argument it does not take is a usage error.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, 'run.mjs');

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 10_000 },
      (error, stdout, stderr) => {
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
          ms: performance.now() - started,
        });
      },
    );
  });
}

describe('npm run test:aws', () => {
  it('without MCP_LAMBDA_LIVE=1 lists what a run needs, its cost and duration, and exits 0 at once', async () => {
    for (const env of [{}, { MCP_LAMBDA_LIVE: '0' }] as Record<string, string>[]) {
      const answer = await run([], env);
      expect(answer.code).toBe(0);
      expect(answer.stdout).toContain('MCP_LAMBDA_LIVE=1 npm run test:aws');
      for (const need of ['AWS_REGION', 'MCP_LAMBDA_LIVE_EMAIL_DOMAIN', 'chromium', 'MCP_LAMBDA_LIVE_DOMAIN', '--keep']) {
        expect(answer.stdout).toContain(need);
      }
      expect(answer.stdout).toMatch(/Cost: under \$0\.10/);
      expect(answer.stdout).toMatch(/Duration: .*25 at most/);
      expect(answer.ms).toBeLessThan(5_000);
    }
  });

  it('refuses an argument other than --keep, before anything runs', async () => {
    const answer = await run(['--kep'], { MCP_LAMBDA_LIVE: '1' });
    expect(answer.code).toBe(2);
    expect(answer.stderr).toContain('test:aws takes only --keep, not --kep');
    expect(answer.stdout).toBe('');
  });
});
