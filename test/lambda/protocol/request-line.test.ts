/**
 * The per-request log line: OpenTelemetry's MCP names, our own fields and the embedded-metric block, built
 * by the real handler (dog facts, a local Dog API) and checked against the EMF rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaApp, type LambdaApp } from '../../../src/lambda/app.js';
import { HeaderMap } from '../../../src/lambda/edge/http.js';
import { answerOutcome, createRequestLine, summarize } from '../../../src/lambda/protocol/request-line.js';
import type { RequestLogRecord } from '../../../src/lambda/services/log.js';
import { methodDimension } from '../../../src/lambda/services/metrics.js';
import { emfProblems } from '../../helpers/emf.js';
import { type FakeDogApi, startFakeDogApi } from '../../helpers/fake-dog-api.js';

const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-11-25',
};
const CLAIMS = { sub: 'sub-ann', client_id: 'client-1', email: 'ann@example.com', scope: 'mcp', token_use: 'access' };

let dogApi: FakeDogApi;
const logs: RequestLogRecord[] = [];
const apps: Record<string, LambdaApp> = {};

beforeAll(async () => {
  dogApi = await startFakeDogApi();
  const env = { DOG_API_BASE_URL: dogApi.baseUrl, MCP_SERVER_LABEL: 'facts' };
  apps.plain = createLambdaApp(env, (record) => logs.push(record));
  apps.perTool = createLambdaApp({ ...env, MCP_PER_TOOL_METRICS: 'true' }, (record) => logs.push(record));
});
afterAll(async () => {
  await dogApi.close();
});

async function send(app: LambdaApp, body: unknown): Promise<RequestLogRecord> {
  const before = logs.length;
  await app.mcp(
    { method: 'POST', url: 'https://x/mcp', headers: new HeaderMap(Object.entries(HEADERS)), body: JSON.stringify(body) },
    { requestId: `r${before}`, claims: CLAIMS },
  );
  expect(logs.length).toBe(before + 1);
  return logs.at(-1) as RequestLogRecord;
}

const call = (name: string, args: unknown = {}) => ({
  jsonrpc: '2.0',
  id: 'call-7',
  method: 'tools/call',
  params: { name, arguments: args },
});

describe('the request line', () => {
  it('carries OpenTelemetry names, our fields and a valid metric block; only the first request is a cold start', async () => {
    const list = await send(apps.plain as LambdaApp, { jsonrpc: '2.0', id: 3, method: 'tools/list' });
    expect(list).toMatchObject({
      msg: 'request',
      'mcp.method.name': 'tools/list',
      'jsonrpc.request.id': '3',
      status: 200,
      coldStart: true,
      server: 'facts',
      era: 'legacy',
      user: 'sub-ann',
      clientId: 'client-1',
      Server: 'facts',
      Method: 'tools/list',
      Requests: 1,
      Errors: 0,
      ToolErrors: 0,
      ColdStart: 1,
    });
    expect(list.Latency).toBe(list.durationMs);
    expect(list['error.type']).toBeUndefined();
    expect(emfProblems(list)).toEqual([]);
    expect(list._aws.CloudWatchMetrics[0].Namespace).toBe('mcp-lambda');
    expect(list._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Server'], ['Server', 'Method']]);
    expect(list._aws.CloudWatchMetrics[0].Metrics.map((metric) => metric.Name)).toEqual([
      'Requests',
      'Errors',
      'ToolErrors',
      'Latency',
      'ColdStart',
    ]);

    const second = await send(apps.perTool as LambdaApp, { jsonrpc: '2.0', id: 4, method: 'ping' });
    expect(second).toMatchObject({ coldStart: false, ColdStart: 0, Method: 'ping' });
  });

  it('names the tool, and never the arguments, the result, the email or the token', async () => {
    const line = await send(apps.plain as LambdaApp, call('getDogFacts', { limit: 2, secret: 'ARGUMENT-VALUE' }));
    expect(line).toMatchObject({
      'gen_ai.tool.name': 'getDogFacts',
      tool: 'getDogFacts',
      'jsonrpc.request.id': 'call-7',
      Errors: 0,
    });
    expect(line.Tool).toBeUndefined();
    const text = JSON.stringify(line);
    expect(text).not.toContain('ARGUMENT-VALUE');
    expect(text).not.toContain('ann@example.com');
    expect(text).not.toContain('Dog fact number'); // the result
  });

  it('marks a tool error as tool_error, and a JSON-RPC error by its code', async () => {
    dogApi.behave({ kind: 'status', status: 500 });
    try {
      const failed = await send(apps.plain as LambdaApp, call('getDogFacts'));
      expect(failed).toMatchObject({ level: 'error', toolError: true, 'error.type': 'tool_error', ToolErrors: 1, Errors: 0 });
      expect(emfProblems(failed)).toEqual([]);
    } finally {
      dogApi.behave({ kind: 'ok' });
    }
    const unknown = await send(apps.plain as LambdaApp, { jsonrpc: '2.0', id: 5, method: 'no/such/method' });
    expect(unknown).toMatchObject({ 'error.type': '-32601', Errors: 1, Method: 'other', 'mcp.method.name': 'no/such/method' });
    expect(emfProblems(unknown)).toEqual([]);
  });

  it('adds the Tool dimension with --per-tool-metrics, for tools the call reached only', async () => {
    const line = await send(apps.perTool as LambdaApp, call('getDogFacts'));
    expect(line.Tool).toBe('getDogFacts');
    expect(line._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Server'], ['Server', 'Method'], ['Server', 'Tool']]);
    expect(emfProblems(line)).toEqual([]);
    const unknown = await send(apps.perTool as LambdaApp, call('made-up-tool-name'));
    expect(unknown.Tool).toBeUndefined();
    expect(unknown._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Server'], ['Server', 'Method']]);
  });
});

describe('its parts', () => {
  it('summarizes the first message: method, tool, id (truncated), nothing for junk', () => {
    expect(summarize([{ method: 'tools/call', params: { name: 't' }, id: 1 }, { method: 'ping' }])).toEqual({
      rpcMethod: 'tools/call',
      tool: 't',
      id: '1',
    });
    expect(summarize({ method: 'ping', id: 'x'.repeat(300) }).id).toHaveLength(100);
    expect(summarize({ method: 'ping', id: { nested: true } })).toEqual({ rpcMethod: 'ping' });
    for (const junk of [null, 3, 'text', [], [null], { method: 5 }]) expect(summarize(junk)).toEqual({});
  });

  it('reads the outcome from JSON, batches and SSE data lines, and ignores text that is not JSON', () => {
    expect(answerOutcome('{"jsonrpc":"2.0","id":1,"result":{"content":[]}}', true)).toEqual({ toolError: false });
    expect(answerOutcome('{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"x"}}', true)).toEqual({
      errorCode: -32602,
      toolError: false,
    });
    expect(answerOutcome('[{"id":1,"result":{}},{"id":2,"error":{"code":-32601}}]', false)).toEqual({
      errorCode: -32601,
      toolError: false,
    });
    expect(answerOutcome('event: message\ndata: {"id":1,"result":{"isError":true}}\n\n', true)).toEqual({ toolError: true });
    expect(answerOutcome('{"result":{"isError":true}}', false)).toEqual({ toolError: false });
    expect(answerOutcome('{"error": not json', true)).toEqual({ toolError: false });
    expect(answerOutcome('{"error":{"code":"a string"}}', false)).toEqual({ toolError: false });
    expect(answerOutcome('', false)).toEqual({ toolError: false });
  });

  it('keeps the Method dimension to MCP method names', () => {
    expect(methodDimension('tools/call')).toBe('tools/call');
    expect(methodDimension('x'.repeat(50))).toBe('other');
    expect(methodDimension(undefined)).toBe('none');
  });

  it('writes an HTTP rejection with its status and code, and a metric timestamp from the wall clock', () => {
    const line = createRequestLine({ server: 's', wallClock: () => 1_700_000_000_000 })({
      requestId: 'r',
      httpMethod: 'GET',
      summary: {},
      status: 405,
      body: '{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"Method not allowed"}}',
      bytes: 10,
      durationMs: 1.234,
      coldStart: false,
      reason: 'method_not_allowed',
    });
    expect(line).toMatchObject({ level: 'warn', status: 405, 'error.type': '-32000', Errors: 1, Method: 'none', Latency: 1.23 });
    expect(line._aws.Timestamp).toBe(1_700_000_000_000);
    expect(emfProblems(line)).toEqual([]);
    expect(emfProblems({ ...line, Server: undefined })).toContain('dimension Server is not a string member');
    expect(emfProblems({ ...line, Latency: 'slow' })).toEqual(['metric Latency is not a number member']);
    expect(emfProblems({ _aws: { Timestamp: 1.5, CloudWatchMetrics: [] } }).length).toBeGreaterThan(0);
  });
});
