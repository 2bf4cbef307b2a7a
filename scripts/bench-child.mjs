// Run by scripts/bench.mjs in a fresh process. argv: <bundle> <mode: cold|connect|warm|memory> [iterations].
// BENCH_TOOL_CALL (JSON params of tools/call) picks the tool; dog facts' getDogFacts by default.
// BENCH_ERA=modern speaks 2026-07-28 as Claude Code 2.1.328 does (server/discover first, its own envelope).
// cold: import the bundle and answer initialize + tools/list + tools/call once; print timings.
// connect: the same without the tools/call (what a client does to connect).
// memory: the resident set after the cold sequence, and after each of `iterations` (e.g. 1000,10000) more calls.
// warm: time `iterations` tools/list calls in-process right after the cold start, then as many more; print percentiles.
import { pathToFileURL } from 'node:url';

const [bundle, mode, iterationsArg] = process.argv.slice(2);
// performance.now() counts from process start, so t0 is node's own bootstrap time.
const t0 = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const imported = performance.now();

const modern = process.env.BENCH_ERA === 'modern';
const baseHeaders = {
  host: 'bench.local',
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};
const headersFor = (body) =>
  modern
    ? {
        ...baseHeaders,
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': body.method,
        ...(body.method === 'tools/call' && { 'mcp-name': body.params.name }),
      }
    : { ...baseHeaders, 'mcp-protocol-version': '2025-11-25' };
/** Claude Code 2.1.328's envelope, as captured from `claude mcp list`. */
const envelope = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': {
    name: 'claude-code',
    title: 'Claude Code',
    version: '2.1.328',
    description: "Anthropic's agentic coding tool",
    websiteUrl: 'https://claude.com/claude-code',
  },
  'io.modelcontextprotocol/clientCapabilities': { roots: { listChanged: true }, elicitation: { form: {}, url: {} } },
};
const withEnvelope = (body) => (modern ? { ...body, params: { ...body.params, _meta: envelope } } : body);
const event = (body) => ({
  httpMethod: 'POST',
  path: '/mcp',
  headers: headersFor(body),
  multiValueHeaders: {},
  body: JSON.stringify(body),
  isBase64Encoded: false,
  requestContext: { requestId: 'bench' },
});
/** The JSON-RPC answer in a response: a JSON body, or the last data line of a (buffered) event stream. */
const answer = (body) =>
  JSON.parse(
    body.startsWith('{')
      ? body
      : (body
          .match(/^data: (.*)$/gm)
          ?.at(-1)
          ?.slice(6) ?? 'null'),
  );
async function call(plain) {
  const body = withEnvelope(plain);
  const result = await handler(event(body));
  if (result.statusCode !== 200) throw new Error(`status ${result.statusCode}: ${result.body}`);
  return result;
}
const initialize = modern
  ? { jsonrpc: '2.0', id: 'server-discover-probe-1', method: 'server/discover', params: {} }
  : {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
    };
const toolsList = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
const toolsCall = {
  jsonrpc: '2.0',
  id: 3,
  method: 'tools/call',
  params: JSON.parse(process.env.BENCH_TOOL_CALL ?? '{"name":"getDogFacts","arguments":{"limit":3}}'),
};

if (mode === 'cold' || mode === 'connect') {
  await call(initialize);
  const afterInit = performance.now();
  await call(toolsList);
  if (mode === 'cold') {
    const result = await call(toolsCall);
    const called = answer(result.body);
    if (!called?.result?.content || called.result.isError) throw new Error(`tools/call failed: ${result.body}`);
  }
  const done = performance.now();
  process.stderr.write(
    `${JSON.stringify({ bootMs: t0, importMs: imported - t0, initializeMs: afterInit - imported, restMs: done - afterInit, doneAt: done })}\n`,
  );
} else if (mode === 'memory') {
  // Resident memory after the cold sequence, and after each count of more calls in `iterations` (comma-
  // separated, ascending: tools/list and tools/call in turn), after a GC.
  await call(initialize);
  await call(toolsList);
  await call(toolsCall);
  const mb = () => process.memoryUsage().rss / 1024 / 1024;
  const cold = mb();
  const checkpoints = String(iterationsArg ?? 1000)
    .split(',')
    .map(Number);
  const after = {};
  let done = 0;
  for (const calls of checkpoints) {
    for (; done < calls; done += 2) {
      await call(toolsList);
      await call(toolsCall);
    }
    globalThis.gc?.();
    after[calls] = mb();
  }
  process.stderr.write(`${JSON.stringify({ coldMb: cold, afterMb: after[checkpoints[0]], after })}\n`);
} else {
  // warm: 1,000 tools/list right after the cold start, then 1,000 more on the now-warm instance.
  const iterations = Number(iterationsArg ?? 1000);
  const run = async () => {
    const samples = [];
    for (let i = 0; i < iterations; i += 1) {
      const start = performance.now();
      await call(toolsList);
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
    return { p50: at(0.5), p99: at(0.99), max: samples.at(-1) };
  };
  await call(toolsList);
  const first = await run();
  const steady = await run();
  process.stderr.write(`${JSON.stringify({ first, steady, n: iterations })}\n`);
}
