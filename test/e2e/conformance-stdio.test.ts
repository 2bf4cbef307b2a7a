/**
 * The official MCP conformance suite against our conformance fixture run as a stdio program through the
 * bridge (`mcp-lambda dev --stdio "node server.mjs"`): the same server the suite checks as an `--entry`
 * module (conformance.test.ts), started as a child that speaks 2025-11-25 over stdio, with our front
 * serving both eras. What passes, and why the rest cannot, is the report below:
 *
 * - 2026-07-28 multi-round requests (`input_required`) are the child's to make, and a 2025-11-25 child
 *   over stdio cannot: it asks the client mid-call instead (sampling, elicitation), and the bridge
 *   answers such a request with an error at once (a Lambda host cannot hold the call open for the
 *   client's answer), so the call says the feature is not available here.
 * - The same requests fail in the 2025-11-25 run for the same reason, as they do for every stateless
 *   server; subscriptions need a server that remembers the subscriber between requests.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  conformanceSupported as supported,
  installConformance,
  runConformance,
  STATELESS_LIMITS,
} from '../helpers/conformance.js';
import { startCli, type RunningCli } from '../helpers/run-cli.js';

const root = join(import.meta.dirname, '..', '..');

/**
 * 2026-07-28 scenarios a 2025-11-25 stdio child cannot pass through a host that refuses its requests to the
 * client: every `input_required` scenario, and in `server-stateless` the two checks of a tool that needs the
 * client's sampling (the child's SDK declines it itself — our client to it declares no sampling — and
 * answers with a tool error, so no -32021/400 reaches the client; a child that does ask gets the client a
 * -32021, see test/lambda/bridge/faults.test.ts).
 */
const MODERN_THROUGH_STDIO = [
  'server-stateless',
  'input-required-result-basic-elicitation',
  'input-required-result-basic-sampling',
  'input-required-result-basic-list-roots',
  'input-required-result-request-state',
  'input-required-result-multiple-input-requests',
  'input-required-result-multi-round',
  'input-required-result-non-tool-request',
  'input-required-result-result-type',
  'input-required-result-tampered-state',
  'input-required-result-capability-check',
];
let dev: RunningCli | undefined;
let url = '';

beforeAll(async () => {
  if (!supported) return;
  await installConformance();
  // The fixture as a stdio program: its factory connected to stdin/stdout, bundled into one file.
  const dir = mkdtempSync(join(tmpdir(), 'mcp-lambda-conformance-stdio-'));
  writeFileSync(join(dir, 'package.json'), '{ "name": "conformance-stdio", "private": true, "type": "module" }\n');
  await build({
    stdin: {
      contents: `import createServer from ${JSON.stringify(join(root, 'test', 'fixtures', 'conformance-server.ts'))};
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
await createServer({}).connect(new StdioServerTransport());`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: join(dir, 'server.mjs'),
    logLevel: 'silent',
  });
  dev = startCli(['dev', '--port', '0', '--json', '--stdio', `node ${join(dir, 'server.mjs')}`]);
  url = (JSON.parse(await dev.waitForStdout('}\n', 120_000)) as { url: string }).url;
}, 300_000);

afterAll(async () => {
  dev?.interrupt();
  await dev?.exit;
});

describe.skipIf(!supported)('the conformance suite against the fixture as a stdio program, through the bridge', () => {
  it('2026-07-28: passes all but what a 2025 child asks of the client (input_required, and the sampling tool)', async () => {
    const result = await runConformance(url, '2026-07-28');
    console.log(`2026-07-28 through the bridge: passed ${result.passed.length}; failed ${result.failed.join(', ') || 'none'}`);
    expect(result.failed.sort(), result.output.slice(-4000)).toEqual([...MODERN_THROUGH_STDIO].sort());
    expect(result.passed.length).toBeGreaterThanOrEqual(26);
    // Of server-stateless, only the sampling tool's two checks fail: logs go only to a request that asks.
    expect(result.output).toMatch(/✗ server-stateless: \d+ passed, 2 failed/);
  }, 300_000);

  it('2025-11-25: passes what a stateless host can, progress, logging and completion included', async () => {
    const result = await runConformance(url, '2025-11-25');
    console.log(`2025-11-25 through the bridge: passed ${result.passed.length}; failed ${result.failed.join(', ') || 'none'}`);
    expect(result.failed.sort(), result.output.slice(-4000)).toEqual([...STATELESS_LIMITS].sort());
    expect(result.passed).toEqual(
      expect.arrayContaining(['tools-call-with-progress', 'tools-call-with-logging', 'completion-complete']),
    );
  }, 300_000);
});
