#!/usr/bin/env node
// `npm run bench`: the figures the issues ask for, each against a baseline measured in the same run.
// Timings are medians over fresh processes; nothing here passes or fails.
// The Lambda figures run on Node.js 24 (what the function runs; installed from the registry on first run,
// see bench-node.mjs), the CLI figures on the node running this (the oldest supported, in CI) and on 24.
// Every ratio is to bare node of the same version, in the same run.
// `--smoke` (or BENCH_SMOKE=1): one run of everything, to check that the bench works (CI); no figure of a
// smoke run means anything.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleLambda } from './build-lambda.mjs';
import { node24 } from './bench-node.mjs';
import { cpuShareRunner, MB_PER_VCPU } from './bench-cpu-share.mjs';
import { memoryLimitRunner } from './bench-memory-limit.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'lambda-bundle', 'index.mjs');
const baselineDir = join(root, '.bench', 'sdk-as-is');
const smoke = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';
const runs = smoke ? 1 : Number(process.env.BENCH_RUNS ?? 15);
/** In-process calls of the warm and memory figures. */
const calls = smoke ? 100 : 1000;

/** Runs a command to completion; resolves with its wall time in ms and its stderr. */
function time(command, args, env = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve({ ms, stderr });
    });
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (ms) => `${ms.toFixed(1)} ms`;
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Interleaves the commands run by run, so drift on a noisy machine hits all of them alike. */
async function medians(commands) {
  const samples = commands.map(() => []);
  const stderrs = commands.map(() => []);
  for (let i = 0; i < runs; i += 1) {
    for (const [index, [command, args, env]] of commands.entries()) {
      const { ms, stderr } = await time(command, args, env);
      samples[index].push(ms);
      stderrs[index].push(stderr);
    }
  }
  return samples.map((values, index) => ({ median: median(values), stderr: stderrs[index] }));
}

// A local Dog API so tools/call does real HTTP without the internet.
const dogApi = createServer((req, res) => {
  const limit = Number(new URL(req.url, 'http://x').searchParams.get('limit') ?? 1);
  const data = Array.from({ length: limit }, (_, i) => ({ id: String(i), type: 'fact', attributes: { body: `Fact ${i}.` } }));
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data }));
});
await new Promise((resolve) => dogApi.listen(0, '127.0.0.1', resolve));
const lambdaEnv = { DOG_API_BASE_URL: `http://127.0.0.1:${dogApi.address().port}` };

const found = await node24();
/** The node the Lambda figures run on: Node 24 when there is one for this platform. */
const lambdaNode = found.node ?? process.execPath;
/** A node binary's version (`v24.22.3`). */
const versionOf = (node) =>
  node === process.execPath
    ? Promise.resolve(process.version)
    : new Promise((resolve, reject) => {
        const child = spawn(node, ['--version'], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        child.on('error', reject);
        child.on('close', () => resolve(out.trim()));
      });
const lambdaVersion = await versionOf(lambdaNode);
/** The CLI's figures: on this node, and on Node 24 when that is another one. */
const cliNodes = [process.execPath, ...(lambdaNode === process.execPath ? [] : [lambdaNode])];

console.log(
  `mcp-lambda benchmarks (${runs} run${runs === 1 ? '' : 's'} per median${smoke ? ', smoke run: figures mean nothing' : ''}; Lambda on node ${lambdaVersion}, CLI on node ${cliNodes.length === 2 ? `${process.version} and ${lambdaVersion}` : process.version})`,
);
if (found.missing) console.log(`  no Node 24 here: ${found.missing}; the Lambda figures are on node ${process.version}`);
console.log('');

// 1. Bundle size, against the same code bundled with the SDK as-is. A cold start loads the entry and its
// static imports; the SDK's chunks load on the first request the fast path does not answer.
const bundleMeta = JSON.parse(await readFile(join(dirname(bundle), 'meta.json'), 'utf8'));
const outputsSize = async (dir) => {
  const files = (await readdir(dir, { recursive: true })).filter((name) => name.endsWith('.mjs'));
  const sizes = await Promise.all(files.map(async (name) => (await stat(join(dir, name))).size));
  return sizes.reduce((a, b) => a + b, 0);
};
const eagerSize = await bundleLambda({ outdir: join(root, '.bench', 'fast-copy') });
const totalSize = await outputsSize(dirname(bundle));
const gzip = gzipSync(await readFile(bundle)).length;
const baselineSize = await bundleLambda({ outdir: baselineDir, replaceSdkShims: false });
const baselineBundle = join(baselineDir, 'index.mjs');
const baselineTotal = await outputsSize(baselineDir);
console.log('Lambda bundle (dist/lambda-bundle)');
console.log(`  loaded at cold start   ${kib(eagerSize)} (entry ${kib((await stat(bundle)).size)}, ${kib(gzip)} gzip)`);
console.log(`  with the SDK chunks    ${kib(totalSize)} in ${Object.keys(bundleMeta.outputs).length} files`);
console.log(`  SDK as-is              ${kib(baselineSize)} at cold start, ${kib(baselineTotal)} in all (baseline)`);

// 2. Cold start: a fresh node imports the bundle and answers initialize + tools/list + tools/call.
// Lambda never exits the process, so the figure that matters is the time from node's own boot to the
// third response (measured inside the child). Whole-process wall time is shown too; it also includes
// ~100 ms that node spends at exit closing the keep-alive connection fetch() left to the Dog API.
const child = join(root, 'scripts', 'bench-child.mjs');
const modernEnv = { ...lambdaEnv, BENCH_ERA: 'modern' };
const [bare, cold, coldBaseline, coldModern, coldModernBaseline] = await medians([
  [lambdaNode, ['-e', '0']],
  [lambdaNode, [child, bundle, 'cold'], lambdaEnv],
  [lambdaNode, [child, baselineBundle, 'cold'], lambdaEnv],
  [lambdaNode, [child, bundle, 'cold'], modernEnv],
  [lambdaNode, [child, baselineBundle, 'cold'], modernEnv],
]);
const phasesOf = (result) => result.stderr.map((text) => JSON.parse(text.trim().split('\n').at(-1)));
const inside = (result, key) => median(phasesOf(result).map((p) => p[key]));
const overhead = (result) => median(phasesOf(result).map((p) => p.doneAt - p.bootMs));
const ratio = (ms, base) => `${(ms / base).toFixed(2)}x bare node`;
console.log(
  `\nCold start on node ${lambdaVersion} (fresh process: import + initialize + tools/list + tools/call to a local Dog API)`,
);
console.log(`  bare node -e 0                ${fmt(bare.median)} wall`);
console.log(`  bundle, whole process         ${fmt(cold.median)} wall  (${ratio(cold.median, bare.median)})`);
console.log(
  `  SDK as-is, whole process      ${fmt(coldBaseline.median)} wall  (${ratio(coldBaseline.median, bare.median)}, baseline)`,
);
console.log(`  bundle overhead over boot     ${fmt(overhead(cold))}   SDK as-is ${fmt(overhead(coldBaseline))}`);
console.log(
  `  bundle phases: import ${fmt(inside(cold, 'importMs'))}, initialize ${fmt(inside(cold, 'initializeMs'))}, tools/list + tools/call ${fmt(inside(cold, 'restMs'))}`,
);
console.log(`  as Claude Code connects (2026-07-28: server/discover + tools/list + tools/call, its own envelope):`);
console.log(
  `    bundle ${fmt(coldModern.median)} wall (${ratio(coldModern.median, bare.median)})   SDK as-is ${fmt(coldModernBaseline.median)} (${ratio(coldModernBaseline.median, bare.median)}, baseline)`,
);

// The same for a custom server (--entry): bundled and recorded as `deploy` does it, against the same bundle
// with its manifest removed (every request loads the module and the SDK, as before the fast path).
const { bundleEntry, checkAndRecord } = await import('../dist/cli/entry/bundle.js');
const customEntry = join(root, 'test', 'fixtures', 'entries', 'lazy', 'server.ts');
const customDir = join(root, '.bench', 'custom');
const customBaseDir = join(root, '.bench', 'custom-no-manifest');
const { file: customBundle } = await bundleEntry({ entry: customEntry, outdir: customDir, cwd: root });
const recorded = await checkAndRecord(customBundle);
const { file: customBaseBundle } = await bundleEntry({ entry: customEntry, outdir: customBaseDir, cwd: root });
// The same with Node's own Web classes for the SDK (undici loads at the first call), recorded as deploy does.
const customNodeWebDir = join(root, '.bench', 'custom-node-web');
const { file: customNodeWeb } = await bundleEntry({
  entry: customEntry,
  outdir: customNodeWebDir,
  cwd: root,
  webClasses: 'node',
});
await checkAndRecord(customNodeWeb);
const customEnv = { BENCH_TOOL_CALL: JSON.stringify({ name: 'echo', arguments: { text: 'hi' } }) };
const [bareC, connectCustom, coldCustom, connectCustomBase, coldCustomBase, coldNodeWeb] = await medians([
  [lambdaNode, ['-e', '0']],
  [lambdaNode, [child, customBundle, 'connect'], customEnv],
  [lambdaNode, [child, customBundle, 'cold'], customEnv],
  [lambdaNode, [child, customBaseBundle, 'connect'], customEnv],
  [lambdaNode, [child, customBaseBundle, 'cold'], customEnv],
  [lambdaNode, [child, customNodeWeb, 'cold'], customEnv],
]);
console.log(
  `\nCold start on node ${lambdaVersion}, custom server (test/fixtures/entries/lazy; manifest ${recorded.manifest === 'recorded' ? 'recorded' : 'NOT recorded'})`,
);
console.log(`  bare node -e 0                ${fmt(bareC.median)} wall`);
console.log(`  connect (initialize + tools/list), whole process:`);
console.log(`    with the manifest           ${fmt(connectCustom.median)} wall  (${ratio(connectCustom.median, bareC.median)})`);
console.log(
  `    without it (all via the SDK) ${fmt(connectCustomBase.median)} wall  (${ratio(connectCustomBase.median, bareC.median)}, baseline)`,
);
console.log(`  connect + its first tools/call (echo), whole process:`);
console.log(`    with the manifest           ${fmt(coldCustom.median)} wall  (${ratio(coldCustom.median, bareC.median)})`);
console.log(
  `    without it (all via the SDK) ${fmt(coldCustomBase.median)} wall  (${ratio(coldCustomBase.median, bareC.median)}, baseline)`,
);
console.log(
  `    with Node's Web classes     ${fmt(coldNodeWeb.median)} wall  (${ratio(coldNodeWeb.median, bareC.median)}, before: the SDK loads undici)`,
);
console.log(
  `  phases with the manifest: import ${fmt(inside(coldCustom, 'importMs'))}, initialize ${fmt(inside(coldCustom, 'initializeMs'))}, tools/list + tools/call ${fmt(inside(coldCustom, 'restMs'))} (the call loads the module and the SDK)`,
);

// What node itself charges for the first Request/Response: undici is loaded lazily on first use.
const undiciProbe =
  "const t=performance.now();new Request('http://x',{method:'POST',body:'{}'});new Response('x');process.stderr.write(String(performance.now()-t))";
const undiciSamples = [];
for (let i = 0; i < Math.min(runs, 7); i += 1) undiciSamples.push(Number((await time(lambdaNode, ['-e', undiciProbe])).stderr));
const undiciMs = median(undiciSamples);

console.log(`  first use of Request/Response (node loads undici lazily): ${fmt(undiciMs)}; the fast path never uses them`);

// 3. Warm: in-process tools/list latency, right after the cold start (JIT still compiling) and on an
// instance that has served 1,000 requests.
const { stderr: warmOut } = await time(lambdaNode, [child, bundle, 'warm', String(calls)], lambdaEnv);
const warm = JSON.parse(warmOut.trim().split('\n').at(-1));
const { stderr: warmBaseOut } = await time(lambdaNode, [child, baselineBundle, 'warm', String(calls)], lambdaEnv);
const warmBase = JSON.parse(warmBaseOut.trim().split('\n').at(-1));
const pct = (w) => `p50 ${w.p50.toFixed(3)} ms   p99 ${w.p99.toFixed(3)} ms   max ${w.max.toFixed(3)} ms`;
const n = calls.toLocaleString('en-US');
console.log(`\nWarm tools/list on node ${lambdaVersion} (${warm.n} in-process calls through the API Gateway handler)`);
console.log(`  first ${n} after cold start     ${pct(warm.first)}`);
console.log(`  after ${n} requests             ${pct(warm.steady)}`);
console.log(`  SDK as-is, after ${n} requests  ${pct(warmBase.steady)}  (baseline)`);

// 3b. Memory: the handler's resident set after cold start, after 1,000 calls and after 10,000 (the function's
// memory size is chosen from this and the cold-start figure; see src/stack/props.ts DEFAULT_MEMORY_MB), under
// the default memory size as a memory limit: V8 sizes its heap from it (./bench-memory-limit.mjs).
const FUNCTION_MB = 512;
const limit = memoryLimitRunner(FUNCTION_MB);
const limited = (command, args) => (limit.missing ? [command, args] : limit.wrap(command, args));
const longer = calls * 10;
const memoryOf = async (file, env) =>
  JSON.parse(
    (await time(...limited(lambdaNode, ['--expose-gc', child, file, 'memory', `${calls},${longer}`]), env)).stderr
      .trim()
      .split('\n')
      .at(-1),
  );
let memory, memoryCustom, memoryBare;
try {
  [memory, memoryCustom, memoryBare] = [
    await memoryOf(bundle, lambdaEnv),
    await memoryOf(customBundle, customEnv),
    JSON.parse(
      (await time(...limited(lambdaNode, ['-e', 'process.stderr.write(String(process.memoryUsage().rss / 1048576))']))).stderr,
    ),
  ];
} finally {
  limit.close?.();
}
console.log(
  `\nMemory on node ${lambdaVersion} (resident set of the process, node included; bare node ${memoryBare.toFixed(1)} MB), ${
    limit.missing
      ? `without a memory limit (${limit.missing}): V8 sizes its heap for this machine, so the figures after calls run high`
      : `under a ${FUNCTION_MB} MB memory limit, the function's default: V8 sizes its heap from it`
  }`,
);
const longN = longer.toLocaleString('en-US');
console.log(
  `  dog facts       after cold start  ${memory.coldMb.toFixed(1)} MB   after ${n} more calls  ${memory.afterMb.toFixed(1)} MB   after ${longN}  ${memory.after[longer].toFixed(1)} MB`,
);
console.log(
  `  custom (lazy)   after cold start  ${memoryCustom.coldMb.toFixed(1)} MB   after ${n} more calls  ${memoryCustom.afterMb.toFixed(1)} MB   after ${longN}  ${memoryCustom.after[longer].toFixed(1)} MB`,
);

// 3c. The function's memory size sets its CPU share (1,769 MB = 1 vCPU): the custom server's cold sequence
// under the CPU quota of 256, 512 and 1,024 MB (a cgroup CFS quota, as Lambda's own), against bare node
// under the same quota. Where no quota can be set, says so (src/stack/props.ts keeps 512 MB by reasoning).
const shareSizes = [256, 512, 1024];
const shares = cpuShareRunner(shareSizes);
console.log(`\nCPU share of the memory size on node ${lambdaVersion} (custom server: connect + first tools/call, fresh process)`);
if (shares.missing) {
  console.log(`  not measured: ${shares.missing}`);
} else {
  try {
    const under = (mb, args, env) => [...shares.wrap(mb, lambdaNode, args), env];
    const results = await medians(
      shareSizes.flatMap((mb) => [under(mb, ['-e', '0']), under(mb, [child, customBundle, 'cold'], customEnv)]),
    );
    for (const [index, mb] of shareSizes.entries()) {
      const [bareAt, coldAt] = [results[2 * index], results[2 * index + 1]];
      const share = `(${((mb / MB_PER_VCPU) * 100).toFixed(0)}% of a vCPU)`.padEnd(19);
      console.log(
        `  ${String(mb).padStart(4)} MB ${share} bare node ${fmt(bareAt.median)}   custom ${fmt(coldAt.median)} (${ratio(coldAt.median, bareAt.median)}; ${(coldAt.median / coldCustom.median).toFixed(1)}x unthrottled), tools/list + call ${fmt(inside(coldAt, 'restMs'))}`,
      );
    }
  } finally {
    shares.close();
  }
}

// 4–6. The CLI, on each node: start-up, synth, and `token`. Every figure against bare node of its version.
const bin = join(root, 'bin', 'mcp-lambda');
const synthOut = join(root, '.bench', 'synth-out');
const tokenHome = join(root, '.bench', 'token-home');
const tokenDir = join(tokenHome, '.config', 'mcp-lambda', 'tokens', 'eu-west-1');
await mkdir(tokenDir, { recursive: true });
await writeFile(
  join(tokenDir, 'mcp-lambda-dog-facts.json'),
  JSON.stringify({
    stackName: 'mcp-lambda-dog-facts',
    region: 'eu-west-1',
    serverName: 'dog-facts',
    mcpServerUrl: 'https://example.invalid/prod/mcp',
    clientId: 'bench',
    username: 'bench@example.com',
    accessToken: 'bench-token',
    expiresAt: Date.now() + 24 * 3600_000,
    refreshToken: 'bench-refresh',
  }),
  { mode: 0o600 },
);
const tokenEnv = { HOME: tokenHome, MCP_LAMBDA_CONFIG_DIR: '' };
for (const node of cliNodes) {
  const version = await versionOf(node);
  // 4. Start-up.
  const [bare2, help, versionRun] = await medians([
    [node, ['-e', '0']],
    [node, [bin, '--help']],
    [node, [bin, '--version']],
  ]);
  console.log(`\nCLI start-up on node ${version}`);
  console.log(`  bare node -e 0          ${fmt(bare2.median)}`);
  console.log(`  mcp-lambda --help       ${fmt(help.median)}  (${ratio(help.median, bare2.median)})`);
  console.log(`  mcp-lambda --version    ${fmt(versionRun.median)}  (${ratio(versionRun.median, bare2.median)})`);

  // 5. Synth: a fresh process builds the whole stack in memory and writes the assembly.
  const [bare3, synthRun] = await medians([
    [node, ['-e', '0']],
    [node, [bin, 'synth', '--out', synthOut]],
  ]);
  const templateBytes = (await readFile(join(synthOut, 'mcp-lambda-dog-facts.template.json'))).length;
  console.log(`\nSynth on node ${version} (mcp-lambda synth --out, fresh process)`);
  console.log(`  bare node -e 0          ${fmt(bare3.median)}`);
  console.log(`  mcp-lambda synth        ${fmt(synthRun.median)}  (${ratio(synthRun.median, bare3.median)})`);
  console.log(`  template                ${kib(templateBytes)} (${templateBytes} bytes)`);

  // 6. `mcp-lambda token` with a cached, valid token (Claude Code runs it on every connect).
  const [bare4, tokenRun] = await medians([
    [node, ['-e', '0']],
    [node, [bin, 'token', '--header-json'], tokenEnv],
  ]);
  console.log(`\nToken on node ${version} (mcp-lambda token --header-json, cached token)`);
  console.log(`  bare node -e 0          ${fmt(bare4.median)}`);
  console.log(`  mcp-lambda token        ${fmt(tokenRun.median)}  (${ratio(tokenRun.median, bare4.median)})`);
}

// 7. The real Claude Code against `mcp-lambda dev`: from "claude starts" to "tools listed" (`claude mcp
// list` checks each server: server/discover, then tools/list). Baseline: the same command with no server.
const require = createRequire(import.meta.url);
const claudeDir = dirname(require.resolve('@anthropic-ai/claude-code/package.json'));
const claudeVersion = JSON.parse(await readFile(join(claudeDir, 'package.json'), 'utf8')).version;
// The wrapper's bin once its install step placed the binary, else the platform package's (as in test/helpers).
const wrapper = join(claudeDir, 'bin', 'claude.exe');
const claude =
  existsSync(wrapper) && statSync(wrapper).size > 1_000_000
    ? wrapper
    : join(dirname(require.resolve(`@anthropic-ai/claude-code-${process.platform}-${process.arch}/package.json`)), 'claude');
const dev = spawn(process.execPath, [bin, 'dev', '--port', '0', '--json'], {
  env: { ...process.env, ...lambdaEnv },
  stdio: ['ignore', 'pipe', 'ignore'],
});
const devUrl = await new Promise((resolve, reject) => {
  let out = '';
  dev.stdout.on('data', (chunk) => {
    out += chunk;
    if (out.includes('}\n')) resolve(JSON.parse(out).url);
  });
  dev.on('error', reject);
});
const claudeEnv = async () => {
  const home = await mkdtemp(join(tmpdir(), 'mcp-lambda-bench-claude-'));
  return {
    HOME: home,
    CLAUDE_CONFIG_DIR: join(home, '.claude'),
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
};
const [withServer, withoutServer] = [await claudeEnv(), await claudeEnv()];
await time(claude, ['mcp', 'add', '--transport', 'http', '--scope', 'user', 'dog-facts', devUrl], withServer);
const [claudeBare, claudeDev] = await medians([
  [claude, ['mcp', 'list'], withoutServer],
  [claude, ['mcp', 'list'], withServer],
]);
dev.kill('SIGINT');
console.log(`\nClaude Code ${claudeVersion} connecting to mcp-lambda dev (claude mcp list: discover + tools/list)`);
console.log(`  no server configured    ${fmt(claudeBare.median)}  (baseline: Claude Code's own start)`);
console.log(`  dog-facts on dev        ${fmt(claudeDev.median)}  (starts → tools listed)`);

dogApi.close();
