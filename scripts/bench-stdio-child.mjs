// Run by scripts/bench-stdio.mjs in a fresh process. argv: <mode> <bundle dir> [iterations].
// BENCH_TOOL_CALL: the JSON params of tools/call. Every mode prints one JSON line on stderr and exits.
// connect | cold: the bridge bundle imported and asked initialize + tools/list (+ the tool call, which starts
//   the child); exits without waiting for the child (Lambda keeps the process; this times node's boot to
//   the last answer as the whole process).
// warm: after the cold sequence, `iterations` tool calls through the bridge; percentiles, and the resident
//   set of this process (after a GC when run with --expose-gc) and of its child.
// fresh-cold | fresh-warm: the AWS Labs model (run-mcp-servers-with-aws-lambda): every request gets a new
//   child (spawn, initialize, the request, kill); fresh-cold does initialize + tools/list + the call that way
//   in a fresh process, fresh-warm times `iterations` calls in one process.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [mode, dir, iterationsArg] = process.argv.slice(2);
const iterations = Number(iterationsArg ?? 100);
const toolCall = JSON.parse(process.env.BENCH_TOOL_CALL ?? '{"name":"read_graph","arguments":{}}');
const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
};
const toolsList = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
const call = (id) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: toolCall });
const done = (result) => {
  process.stderr.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
};
const percentiles = (samples) => {
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { p50: at(0.5), p99: at(0.99), max: samples.at(-1) };
};
/** Resident set in MB of a process, from /proc (Linux); undefined elsewhere. */
const rssOf = (pid) => {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
};
const childrenOf = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

if (mode === 'connect' || mode === 'cold' || mode === 'warm') {
  const t0 = performance.now();
  const { handler } = await import(pathToFileURL(join(dir, 'index.mjs')).href);
  const headers = {
    host: 'bench.local',
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-11-25',
  };
  const send = async (body) => {
    const result = await handler({
      httpMethod: 'POST',
      path: '/mcp',
      headers,
      multiValueHeaders: {},
      body: JSON.stringify(body),
      isBase64Encoded: false,
      requestContext: { requestId: 'bench' },
    });
    if (result.statusCode !== 200 || result.body.includes('"isError":true')) {
      throw new Error(`status ${result.statusCode}: ${result.body}`);
    }
  };
  await send(initialize);
  await send(toolsList);
  const connected = performance.now();
  if (mode === 'connect') done({ bootMs: t0, doneAt: connected });
  await send(call(3));
  const called = performance.now();
  if (mode === 'cold') done({ bootMs: t0, connectMs: connected - t0, callMs: called - connected });
  const samples = [];
  for (let i = 0; i < iterations; i += 1) {
    const start = performance.now();
    await send(call(4 + i));
    samples.push(performance.now() - start);
  }
  globalThis.gc?.();
  const child = childrenOf(process.pid)
    .map(rssOf)
    .find((mb) => mb !== undefined);
  done({ ...percentiles(samples), rssMb: process.memoryUsage().rss / 1048576, childRssMb: child ?? null });
}

// The AWS Labs model: a child per request.
const spec = JSON.parse(readFileSync(join(dir, 'stdio.json'), 'utf8'));
/** Spawns the server, initializes it, sends one request, kills it; resolves with the answer. */
function freshChild(request) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(dir, spec.program), ...spec.args], {
      cwd: process.env.TMPDIR ?? '/tmp',
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let buffer = '';
    child.on('error', reject);
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        let message;
        try {
          message = JSON.parse(line);
        } catch {
          continue;
        }
        if (message.id === 1 && request.method !== 'initialize') {
          child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
          child.stdin.write(`${JSON.stringify(request)}\n`);
        } else if (message.id === request.id) {
          child.kill();
          resolve(message);
        }
      }
    });
    child.stdin.write(`${JSON.stringify(initialize)}\n`);
  });
}

if (mode === 'fresh-cold') {
  const t0 = performance.now();
  await freshChild(initialize);
  await freshChild(toolsList);
  const connected = performance.now();
  await freshChild(call(3));
  done({ bootMs: t0, connectMs: connected - t0, callMs: performance.now() - connected });
} else if (mode === 'fresh-warm') {
  const samples = [];
  for (let i = 0; i < iterations; i += 1) {
    const start = performance.now();
    await freshChild(call(4 + i));
    samples.push(performance.now() - start);
  }
  done(percentiles(samples));
} else if (!['connect', 'cold', 'warm'].includes(mode)) {
  throw new Error(`unknown mode ${mode}`);
}
