/**
 * dog facts' slow demo is opt-in: without `MCP_SLOW_DEMO=1` (deploy --slow-demo) there is no
 * getDogFactsSlowly to call, so a caller cannot hold a function for as long as they ask. With it, the tool
 * is listed from a manifest recorded for that configuration, byte for byte as the SDK would list it.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaApp } from '../../../src/lambda/app.js';
import { ConfigError } from '../../../src/lambda/services/config.js';
import { MODERN_VERSION } from '../../../src/lambda/protocol/fast-path.js';
import type { RequestLogRecord } from '../../../src/lambda/services/log.js';
import { deriveManifest } from '../../../src/lambda/protocol/manifest.js';
import { createSdkLeg } from '../../../src/lambda/protocol/sdk-leg.js';
import { dogFacts, SLOW_DEMO_MANIFEST } from '../../../src/lambda/servers/dog-facts/index.js';
import { createDogFactsFactory } from '../../../src/lambda/servers/dog-facts/server.js';
import { realClock } from '../../../src/lambda/services/clock.js';
import { type FakeDogApi, startFakeDogApi } from '../../helpers/fake-dog-api.js';

let dogApi: FakeDogApi;
beforeAll(async () => {
  dogApi = await startFakeDogApi();
});
afterAll(() => dogApi.close());

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
  'io.modelcontextprotocol/clientInfo': { name: 'test', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

function event(method: string, params: Record<string, unknown> = {}, name?: string): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    path: '/mcp',
    headers: {
      host: 'test.local',
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': MODERN_VERSION,
      'mcp-method': method,
      ...(name !== undefined && { 'mcp-name': name }),
    },
    multiValueHeaders: {},
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: { ...params, _meta: ENVELOPE } }),
    isBase64Encoded: false,
    requestContext: { requestId: 'r' },
  } as unknown as APIGatewayProxyEvent;
}

const record = (slowDemo: boolean) =>
  deriveManifest(createSdkLeg({ factory: createDogFactsFactory({}, { slowDemo }), maxBodyBytes: 1024 * 1024 }));

describe('configuration', () => {
  it('names the manifest recorded for the slow demo only when MCP_SLOW_DEMO is 1', () => {
    const deps = { clock: realClock, timeoutSeconds: 29 };
    expect(dogFacts.configure({}, deps).manifestKey).toBeUndefined();
    expect(dogFacts.configure({ MCP_SLOW_DEMO: '' }, deps).manifestKey).toBeUndefined();
    expect(dogFacts.configure({ MCP_SLOW_DEMO: '1' }, deps).manifestKey).toBe(SLOW_DEMO_MANIFEST);
    expect(() => dogFacts.configure({ MCP_SLOW_DEMO: 'yes' }, deps)).toThrow(ConfigError);
    expect(() => dogFacts.configure({ MCP_SLOW_DEMO: 'yes' }, deps)).toThrow('MCP_SLOW_DEMO must be 1');
    // The build records a manifest for each of these.
    expect(dogFacts.listVariants).toEqual([{ MCP_SLOW_DEMO: '1' }]);
  });
});

describe.each([
  ['by default', {}, ['getDogFacts']],
  ['with MCP_SLOW_DEMO=1', { MCP_SLOW_DEMO: '1' }, ['getDogFacts', 'getDogFactsSlowly']],
])('dog facts %s', (_name, settings, tools) => {
  it('lists its tools from the recorded manifest, exactly as the SDK does', async () => {
    const manifests = { 'dog-facts': await record(false), [SLOW_DEMO_MANIFEST]: await record(true) };
    const env = { DOG_API_BASE_URL: dogApi.baseUrl, ...settings };
    const logs: RequestLogRecord[] = [];
    const fast = await createLambdaApp(env, (entry) => logs.push(entry), { manifests }).handler(event('tools/list'));
    const sdk = await createLambdaApp(env, () => {}, { fast: false }).handler(event('tools/list'));
    expect(logs.at(-1)?.path).toBe('fast');
    expect(fast.body).toBe(sdk.body);
    expect((JSON.parse(fast.body).result.tools as { name: string }[]).map((tool) => tool.name)).toEqual(tools);
  });
});

it('has no getDogFactsSlowly to call by default: a call asking for a 25 s wait is refused at once', async () => {
  const app = createLambdaApp({ DOG_API_BASE_URL: dogApi.baseUrl }, () => {});
  const started = performance.now();
  const answer = await app.handler(
    event('tools/call', { name: 'getDogFactsSlowly', arguments: { seconds: 25 } }, 'getDogFactsSlowly'),
  );
  expect(performance.now() - started).toBeLessThan(5000);
  const body = JSON.parse(answer.body) as {
    error?: { message: string };
    result?: { isError?: boolean; content: { text: string }[] };
  };
  const message = body.error?.message ?? body.result?.content[0]?.text ?? '';
  expect(body.error !== undefined || body.result?.isError === true).toBe(true);
  expect(message).toMatch(/getDogFactsSlowly not found/);
});
