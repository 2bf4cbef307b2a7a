#!/usr/bin/env node
// `npm run bench`, part 2: a stdio server (`--stdio`) on Lambda, issue #24's figures. The server is
// @modelcontextprotocol/server-memory, bundled as `synth --stdio "npx -y @modelcontextprotocol/server-memory"`
// does (installed into the bundle, its answers recorded into manifest.json), run on Node.js 24 as the
// Lambda runs it. Every ratio is to bare node of the same version in the same run; nothing passes or fails.
// `--smoke` (or BENCH_SMOKE=1): one run of everything, to check that the bench works (CI).
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryLimitRunner } from './bench-memory-limit.mjs';
import { node24 } from './bench-node.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
const runs = smoke ? 1 : Number(process.env.BENCH_RUNS ?? 15);
const calls = smoke ? 20 : 1000;
const freshCalls = smoke ? 3 : 50;

/** Runs node with args; resolves with the wall time and the JSON of its last stderr line. */
function run(node, args, env = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(node, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
      const last = stderr.trim().split('\n').at(-1) ?? '';
      resolve({ ms, out: last.startsWith('{') ? JSON.parse(last) : {} });
    });
  });
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
/** Interleaved runs (drift on a noisy machine hits every command alike); the median wall time of each. */
async function medians(commands) {
  const samples = commands.map(() => []);
  const outs = commands.map(() => []);
  for (let i = 0; i < runs; i += 1) {
    for (const [index, [node, args, env]] of commands.entries()) {
      const { ms, out } = await run(node, args, env);
      samples[index].push(ms);
      outs[index].push(out);
    }
  }
  return samples.map((values, index) => ({ median: median(values), outs: outs[index] }));
}
const fmt = (ms) => `${ms.toFixed(1)} ms`;
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const ratio = (ms, base) => `${(ms / base).toFixed(2)}x bare node`;
const inside = (result, key) => median(result.outs.map((out) => out[key]));

const found = await node24();
const node = found.node ?? process.execPath;
const version = await new Promise((resolve) => {
  const child = spawn(node, ['--version'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.on('close', () => resolve(out.trim()));
});

// The bundle, as synth --stdio builds it (the package from devDependencies' pinned version).
const memoryVersion = JSON.parse(
  await readFile(join(root, 'node_modules', '@modelcontextprotocol', 'server-memory', 'package.json'), 'utf8'),
).version;
const { bundleStdio, recordStdio } = await import('../dist/cli/stdio/bundle.js');
const dir = join(root, '.bench', 'stdio-memory');
await rm(dir, { recursive: true, force: true });
const work = await mkdtemp(join(tmpdir(), 'mcp-lambda-bench-stdio-'));
// The server's state goes to a file of this run (on Lambda: /tmp), as the README says to set it.
const env = { PATH: process.env.PATH, MEMORY_FILE_PATH: join(work, 'memory.jsonl'), TMPDIR: work };
await bundleStdio(
  { kind: 'package', name: '@modelcontextprotocol/server-memory', version: memoryVersion, args: [] },
  'memory',
  dir,
);
const recorded = await recordStdio(dir, env);

// What the connect path loads: the entry (its static imports are all in it), against the whole wrapper
// in one file as it was before the split (the same code bundled without splitting).
const files = (await readdir(dir, { recursive: true })).filter((name) => /^(index|chunks\/.*)\.mjs$/.test(name));
const sizes = Object.fromEntries(await Promise.all(files.map(async (name) => [name, (await stat(join(dir, name))).size])));
const oneFileDir = join(root, '.bench', 'stdio-memory-one-file');
await rm(oneFileDir, { recursive: true, force: true });
const { build } = await import('esbuild');
await build({
  entryPoints: [join(dir, 'index.mjs')],
  outfile: join(oneFileDir, 'index.mjs'),
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  external: ['@aws-sdk/*'],
  logLevel: 'silent',
});
// The one-file bundle reads stdio.json, manifest.json and the server beside itself.
for (const name of ['stdio.json', 'manifest.json']) await writeFile(join(oneFileDir, name), await readFile(join(dir, name)));
const { symlink } = await import('node:fs/promises');
await symlink(join(dir, 'server'), join(oneFileDir, 'server'));
const oneFile = (await stat(join(oneFileDir, 'index.mjs'))).size;

console.log(
  `\nstdio server on node ${version} (@modelcontextprotocol/server-memory ${memoryVersion}, bundled as synth --stdio does; manifest ${recorded.manifest === 'recorded' ? 'recorded' : 'NOT recorded'})`,
);
if (found.missing) console.log(`  no Node 24 here: ${found.missing}`);
const total = Object.values(sizes).reduce((a, b) => a + b, 0);
console.log(
  `  wrapper bundle: connect loads ${kib(sizes['index.mjs'])}; ${kib(total)} in ${files.length} files; as one file ${kib(oneFile)} (before the split)`,
);

// Cold connect (initialize + tools/list from the manifest), and the first tool call (starts the child),
// side by side with a fresh child per request (AWS Labs' run-mcp-servers-with-aws-lambda).
const child = join(root, 'scripts', 'bench-stdio-child.mjs');
const toolEnv = { ...env, BENCH_TOOL_CALL: JSON.stringify({ name: 'read_graph', arguments: {} }) };
const [bare, connect, connectOneFile, cold, fresh] = await medians([
  [node, ['-e', '0']],
  [node, [child, 'connect', dir], toolEnv],
  [node, [child, 'connect', oneFileDir], toolEnv],
  [node, [child, 'cold', dir], toolEnv],
  [node, [child, 'fresh-cold', dir], toolEnv],
]);
console.log('  cold connect: initialize + tools/list, answered from the manifest; then a tool call (read_graph)');
console.log(`  bare node -e 0                             ${fmt(bare.median)} wall`);
console.log(`  cold connect (manifest, no child)          ${fmt(connect.median)} wall  (${ratio(connect.median, bare.median)})`);
console.log(
  `    the wrapper as one file                  ${fmt(connectOneFile.median)} wall  (${ratio(connectOneFile.median, bare.median)}, before the split)`,
);
console.log(
  `  connect + first read_graph (child starts)  ${fmt(cold.median)} wall  (${ratio(cold.median, bare.median)}); the call ${fmt(inside(cold, 'callMs'))}`,
);
console.log(
  `    a fresh child per request (AWS Labs)     ${fmt(fresh.median)} wall  (${ratio(fresh.median, bare.median)}); connect ${fmt(inside(fresh, 'connectMs'))}, the call ${fmt(inside(fresh, 'callMs'))}`,
);

// Warm: tool calls through the bridge to the running child, against a fresh child per call; memory.
// Under the function's default memory as a limit (./bench-memory-limit.mjs): V8 in both processes sizes
// its heap from it, as on Lambda, where the child shares the function's memory.
const limit = memoryLimitRunner(512);
const warmArgs = ['--expose-gc', child, 'warm', dir, String(calls)];
let warm;
try {
  warm = (await (limit.missing ? run(node, warmArgs, toolEnv) : run(...limit.wrap(node, warmArgs), toolEnv))).out;
} finally {
  limit.close?.();
}
const freshWarm = (await run(node, [child, 'fresh-warm', dir, String(freshCalls)], toolEnv)).out;
const pct = (w) => `p50 ${w.p50.toFixed(3)} ms   p99 ${w.p99.toFixed(3)} ms`;
console.log(`  warm read_graph through the bridge         ${pct(warm)}  (${calls} calls)`);
console.log(`    a fresh child per call (AWS Labs)        ${pct(freshWarm)}  (${freshCalls} calls)`);
const child_ = warm.childRssMb === null ? 'child n/a' : `child ${warm.childRssMb.toFixed(1)} MB`;
console.log(
  `  memory after ${calls} calls: handler ${warm.rssMb.toFixed(1)} MB + ${child_} = ${(warm.rssMb + (warm.childRssMb ?? 0)).toFixed(1)} MB resident, ${limit.missing ? `without a memory limit (${limit.missing}): figures run high` : "under a 512 MB memory limit, the function's default"}`,
);
await rm(work, { recursive: true, force: true });
