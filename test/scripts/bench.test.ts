/**
 * `npm run bench` as a smoke (`--smoke`: one run of everything): scripts/bench.mjs and scripts/bench-stdio.mjs
 * complete and print every block of their tables. Only the shape is checked — which blocks, on which node, each figure a number with its
 * ratio to bare node — never a time: these machines are too noisy for that, and a smoke's figures mean
 * nothing. Needs the build (`npm run build`, which `npm test` runs first) and, for Node 24, the registry
 * once (the bench installs it into node_modules/.cache, as the conformance test installs Node 22).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
/** Where the bench finds Node 24: the registry's package exists for these. */
const node24Here = process.platform === 'linux' && process.arch === 'x64';

let output = '';
let stdioOutput = '';

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'cli', 'entry', 'bundle.js')))
    throw new Error('dist/ is missing: run `npm run build` first.');
  const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'scripts', 'bench.mjs'), '--smoke'], {
    cwd: root,
    timeout: 400_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  output = stdout;
  const stdio = await promisify(execFile)(process.execPath, [join(root, 'scripts', 'bench-stdio.mjs'), '--smoke'], {
    cwd: root,
    timeout: 300_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  stdioOutput = stdio.stdout;
}, 720_000);

/** The lines of the block whose heading starts with `heading` (or matches it), up to the next blank line. */
function block(heading: string | RegExp, text = output): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => (typeof heading === 'string' ? line.startsWith(heading) : heading.test(line)));
  expect(start, `no block "${heading}" in:\n${output}`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((line, index) => index > start && line.trim() === '');
  return lines.slice(start, end === -1 ? undefined : end);
}

const MS = /\d+\.\d ms/;
const RATIO = /\(\d+\.\d\dx bare node/;

describe('npm run bench --smoke', () => {
  it('says it is a smoke run, and runs the Lambda on Node 24 and the CLI on this node and on 24', () => {
    const first = output.split('\n')[0] ?? '';
    expect(first).toContain('smoke run: figures mean nothing');
    if (node24Here)
      expect(first).toMatch(new RegExp(`Lambda on node v24\\.\\d+\\.\\d+, CLI on node ${process.version} and v24\\.`));
  });

  it('prints the bundle sizes against the SDK as-is', () => {
    const lines = block('Lambda bundle');
    expect(lines.join('\n')).toMatch(/loaded at cold start +\d+\.\d KiB/);
    expect(lines.join('\n')).toMatch(/SDK as-is .*\(baseline\)/);
  });

  it('prints the cold starts, each against bare node of the same version', () => {
    const dog = block(/^Cold start on node v[\d.]+ \(fresh process/).join('\n');
    expect(dog).toMatch(/bare node -e 0 +\d+\.\d ms wall/);
    expect(dog).toMatch(new RegExp(`bundle, whole process +${MS.source} wall +${RATIO.source}\\)`));
    expect(dog).toMatch(/SDK as-is, whole process .*baseline/);
    expect(dog).toMatch(/bundle phases: import \d+\.\d ms, initialize \d+\.\d ms/);
    const custom = block(/^Cold start on node v[\d.]+, custom server/);
    const lines = custom.join('\n');
    expect(lines).toMatch(/manifest recorded/);
    expect(lines).toMatch(/connect \(initialize \+ tools\/list\)/);
    expect(lines).toMatch(/connect \+ its first tools\/call/);
    expect(lines).toMatch(new RegExp(`with Node's Web classes +${MS.source} wall +${RATIO.source}, before`));
    expect(lines.match(new RegExp(RATIO.source, 'g'))).toHaveLength(5);
  });

  it('prints the custom server under the CPU share of 256/512/1,024 MB, or why it cannot', () => {
    const lines = block(/^CPU share of the memory size on node v[\d.]+/).join('\n');
    if (lines.includes('not measured:')) return expect(lines).toMatch(/not measured: .+/);
    for (const mb of [256, 512, 1024]) {
      expect(lines).toMatch(
        new RegExp(`${mb} MB \\(\\d+% of a vCPU\\) +bare node ${MS.source} +custom ${MS.source} \\(\\d+\\.\\d\\dx bare node`),
      );
    }
  });

  it('prints warm latency and memory', () => {
    expect(block('Warm tools/list on node').join('\n')).toMatch(/p50 \d+\.\d{3} ms +p99 \d+\.\d{3} ms/);
    const memory = block('Memory on node').join('\n');
    // Under the function's memory as a limit where a cgroup allows it; else it says it had none, and why.
    expect(memory).toMatch(/under a 512 MB memory limit, the function's default|without a memory limit \(.+\)/);
    expect(memory).toMatch(/dog facts +after cold start +\d+\.\d MB +after \d+ more calls +\d+\.\d MB +after [\d,]+ +\d+\.\d MB/);
    expect(memory).toMatch(/custom \(lazy\) +after cold start +\d+\.\d MB .* after [\d,]+ +\d+\.\d MB/);
  });

  it('prints the CLI figures on each node, each against bare node of that node', () => {
    const nodes = node24Here ? [process.version, 'v24.'] : [process.version];
    for (const version of nodes) {
      const startUp = block(`CLI start-up on node ${version}`).join('\n');
      expect(startUp).toMatch(new RegExp(`--help +${MS.source} +${RATIO.source}`));
      expect(startUp).toMatch(new RegExp(`--version +${MS.source} +${RATIO.source}`));
      expect(block(`Synth on node ${version}`).join('\n')).toMatch(/template +\d+\.\d KiB/);
      expect(block(`Token on node ${version}`).join('\n')).toMatch(new RegExp(`mcp-lambda token +${MS.source} +${RATIO.source}`));
    }
  });

  it('bench-stdio: server-memory bundled with its manifest, connect and first call against bare node and a fresh child per request, warm, memory', () => {
    const lines = block(/^stdio server on node v[\d.]+ \(@modelcontextprotocol\/server-memory/, stdioOutput).join('\n');
    if (node24Here) expect(lines).toMatch(/^stdio server on node v24\./);
    expect(lines).toMatch(/manifest recorded/);
    expect(lines).toMatch(/wrapper bundle: connect loads \d+\.\d KiB; \d+\.\d KiB in \d+ files; as one file \d+\.\d KiB/);
    expect(lines).toMatch(new RegExp(`cold connect \\(manifest, no child\\) +${MS.source} wall +${RATIO.source}\\)`));
    expect(lines).toMatch(new RegExp(`connect \\+ first read_graph \\(child starts\\) +${MS.source} wall +${RATIO.source}\\)`));
    expect(lines).toMatch(new RegExp(`a fresh child per request \\(AWS Labs\\) +${MS.source} wall +${RATIO.source}\\)`));
    expect(lines).toMatch(/warm read_graph through the bridge +p50 \d+\.\d{3} ms +p99 \d+\.\d{3} ms/);
    expect(lines).toMatch(/a fresh child per call \(AWS Labs\) +p50 \d+\.\d{3} ms/);
    expect(lines).toMatch(
      /memory after \d+ calls: handler \d+\.\d MB \+ child (\d+\.\d MB|n\/a) = \d+\.\d MB resident, (under a 512 MB memory limit|without a memory limit \(.+\))/,
    );
  });

  it('ends with Claude Code connecting to mcp-lambda dev', () => {
    expect(block('Claude Code ').join('\n')).toMatch(/dog-facts on dev +\d+\.\d ms/);
  });
});
