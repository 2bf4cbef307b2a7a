/**
 * The fast path answers exactly as the MCP SDK does. Every request here goes to two handlers built from
 * the same configuration — one with the fast path (its manifest recorded from the SDK, as the bundle's
 * is), one that sends everything to the SDK — and the answers must be byte-identical: status, headers,
 * body. The well-formed requests must also really have taken the fast path (the log says so), and the
 * near-misses must not have. Then fast-check throws thousands of near-valid messages at both.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiGatewayHandler } from '../../../src/lambda/edge/api-gateway.js';
import { createLambdaApp } from '../../../src/lambda/app.js';
import { createSdkLeg } from '../../../src/lambda/protocol/sdk-leg.js';
import { LEGACY_VERSIONS, MODERN_VERSION } from '../../../src/lambda/protocol/fast-path.js';
import type { RequestLogRecord } from '../../../src/lambda/services/log.js';
import { deriveManifest } from '../../../src/lambda/protocol/manifest.js';
import { createDogFactsFactory } from '../../../src/lambda/servers/dog-facts/server.js';
import { createLazyCustomApp, recordManifest } from '../../../src/lambda/custom.js';
import { type FakeDogApi, startFakeDogApi } from '../../helpers/fake-dog-api.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
const SEED = process.env.FUZZ_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED);

let dogApi: FakeDogApi;
let fast: ApiGatewayHandler;
let sdk: ApiGatewayHandler;
// A custom server with every kind of feature (the conformance suite's): fast path from its recorded
// manifest vs the same module served by the SDK alone.
let customFast: ApiGatewayHandler;
let customSdk: ApiGatewayHandler;
const fastLogs: RequestLogRecord[] = [];

beforeAll(async () => {
  dogApi = await startFakeDogApi();
  const env = { DOG_API_BASE_URL: dogApi.baseUrl, DOG_API_TIMEOUT_MS: '500' };
  // The manifest as the bundle records it (scripts/build-lambda.mjs): from the SDK leg, before any request.
  const manifest = await deriveManifest(createSdkLeg({ factory: createDogFactsFactory(), maxBodyBytes: 1024 * 1024 }));
  fast = createLambdaApp(env, (record) => fastLogs.push(record), { manifests: { 'dog-facts': manifest } }).handler;
  sdk = createLambdaApp(env, () => {}, { fast: false }).handler;
  const load = () => import('../../fixtures/conformance-server.js');
  const recorded = await recordManifest(load, {});
  if (!('manifest' in recorded)) throw new Error(`no manifest for the conformance server: ${recorded.skipped}`);
  customFast = createLazyCustomApp(load, {
    env: {},
    log: (record) => fastLogs.push(record),
    manifest: recorded.manifest,
  }).handler;
  // No manifest: every request to the SDK.
  customSdk = createLazyCustomApp(load, { env: {}, log: () => {} }).handler;
});
afterAll(() => dogApi.close());

/** What the real Claude Code 2.1.328 sends (captured from `claude mcp list`). */
const CLAUDE_CODE_INFO = {
  name: 'claude-code',
  title: 'Claude Code',
  version: '2.1.328',
  description: "Anthropic's agentic coding tool",
  websiteUrl: 'https://claude.com/claude-code',
};
const CLAUDE_CODE_CAPABILITIES = { roots: { listChanged: true }, elicitation: { form: {}, url: {} } };
const CLAUDE_CODE_ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': CLAUDE_CODE_INFO,
  'io.modelcontextprotocol/clientCapabilities': CLAUDE_CODE_CAPABILITIES,
};

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
  'io.modelcontextprotocol/clientInfo': { name: 'test', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

function event(body: unknown, headers: Record<string, string>): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    path: '/mcp',
    headers: {
      host: 'test.local',
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    multiValueHeaders: {},
    body: typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { requestId: 'r' },
  } as unknown as APIGatewayProxyEvent;
}

/** Both handlers' answers to the same request, and whether the fast one answered without the SDK. */
async function both(body: unknown, headers: Record<string, string> = {}, server: 'dog-facts' | 'custom' = 'dog-facts') {
  fastLogs.length = 0;
  const viaFast = await (server === 'custom' ? customFast : fast)(event(body, headers));
  const tookFastPath = fastLogs.some((record) => record.path === 'fast');
  const viaSdk = await (server === 'custom' ? customSdk : sdk)(event(body, headers));
  return { viaFast, viaSdk, tookFastPath };
}

const comparable = (result: APIGatewayProxyResult) => ({ status: result.statusCode, headers: result.headers, body: result.body });

const legacy = (version: string) => ({ 'mcp-protocol-version': version });
const modern = (method: string, extra: Record<string, string> = {}) => ({
  'mcp-protocol-version': MODERN_VERSION,
  'mcp-method': method,
  ...extra,
});
const initialize = (protocolVersion: unknown, extra: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion, capabilities: {}, clientInfo: { name: 'c', version: '1' }, ...extra },
});
const call = (args: unknown, extra: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id: 7,
  method: 'tools/call',
  params: { name: 'getDogFacts', arguments: args, ...extra },
});

/** Requests the fast path answers. */
const ANSWERED: Array<[string, unknown, Record<string, string>]> = [
  ...LEGACY_VERSIONS.map((v): [string, unknown, Record<string, string>] => [`initialize ${v}`, initialize(v), {}]),
  ['initialize with the version header too', initialize('2025-11-25'), legacy('2025-11-25')],
  [
    'initialize with a string id and sampling capability',
    {
      ...initialize('2025-06-18'),
      id: 'abc',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: { sampling: {}, roots: { listChanged: true } },
        clientInfo: { name: 'c', version: '1' },
      },
    },
    {},
  ],
  ['initialize with a clientInfo title', initialize('2025-11-25', { clientInfo: { name: 'c', version: '1', title: 'C' } }), {}],
  [
    'initialize as Claude Code sends it',
    {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: CLAUDE_CODE_CAPABILITIES, clientInfo: CLAUDE_CODE_INFO },
    },
    {},
  ],
  [
    'server/discover as Claude Code sends it',
    { jsonrpc: '2.0', id: 'server-discover-probe-1', method: 'server/discover', params: { _meta: CLAUDE_CODE_ENVELOPE } },
    modern('server/discover'),
  ],
  [
    'tools/list as Claude Code sends it',
    { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: CLAUDE_CODE_ENVELOPE } },
    modern('tools/list'),
  ],
  ['notifications/initialized', { jsonrpc: '2.0', method: 'notifications/initialized' }, legacy('2025-11-25')],
  ['ping', { jsonrpc: '2.0', id: 3, method: 'ping' }, legacy('2025-06-18')],
  ...LEGACY_VERSIONS.map((v): [string, unknown, Record<string, string>] => [
    `tools/list ${v}`,
    { jsonrpc: '2.0', id: 2, method: 'tools/list' },
    legacy(v),
  ]),
  ['tools/list without a version header (2025-03-26)', { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} }, {}],
  ['tools/call, event stream accepted', call({ limit: 2 }), legacy('2025-11-25')],
  ['tools/call, JSON only', call({}), { ...legacy('2025-06-18'), accept: 'application/json' }],
  ['tools/call, limit 10', call({ limit: 10 }), legacy('2025-11-25')],
  [
    'server/discover',
    { jsonrpc: '2.0', id: 'd', method: 'server/discover', params: { _meta: ENVELOPE } },
    modern('server/discover'),
  ],
  ['tools/list 2026-07-28', { jsonrpc: '2.0', id: 4, method: 'tools/list', params: { _meta: ENVELOPE } }, modern('tools/list')],
  ['tools/call 2026-07-28', call({ limit: 1 }, { _meta: ENVELOPE }), modern('tools/call', { 'mcp-name': 'getDogFacts' })],
  [
    'tools/call 2026-07-28, JSON only',
    call({}, { _meta: ENVELOPE }),
    modern('tools/call', { 'mcp-name': 'getDogFacts', accept: 'application/json' }),
  ],
];

/** Near-misses the fast path must leave to the SDK (and whose answers must still match). */
const DECLINED: Array<[string, unknown, Record<string, string>]> = [
  ['initialize of an unknown version', initialize('2024-10-07'), {}],
  ['initialize with a number for a version', initialize(20250618), {}],
  [
    'initialize without clientInfo',
    { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {} } },
    {},
  ],
  ['initialize without params', { jsonrpc: '2.0', id: 1, method: 'initialize' }, {}],
  [
    'initialize with a website that is not text',
    initialize('2025-11-25', { clientInfo: { ...CLAUDE_CODE_INFO, websiteUrl: 7 } }),
    {},
  ],
  [
    'initialize with icons',
    initialize('2025-11-25', { clientInfo: { name: 'c', version: '1', icons: [{ src: 'https://x.example/i.png' }] } }),
    {},
  ],
  [
    'initialize with roots.listChanged not a flag',
    initialize('2025-11-25', { capabilities: { roots: { listChanged: 'yes' } } }),
    {},
  ],
  [
    'initialize with elicitation.form.applyDefaults not a flag',
    initialize('2025-11-25', { capabilities: { elicitation: { form: { applyDefaults: 'x' } } } }),
    {},
  ],
  ['initialize with a capability this path does not know', initialize('2025-11-25', { capabilities: { tasks: {} } }), {}],
  ['initialize with a capability that is not an object', initialize('2025-11-25', { capabilities: { roots: true } }), {}],
  ['initialize with a null id', { ...initialize('2025-11-25'), id: null }, {}],
  ['initialize with an unsupported version header', initialize('2025-11-25'), legacy('1999-01-01')],
  ['tools/list with a cursor', { jsonrpc: '2.0', id: 2, method: 'tools/list', params: { cursor: 'x' } }, legacy('2025-11-25')],
  [
    'tools/list with a progress token',
    { jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: { progressToken: 1 } } },
    legacy('2025-11-25'),
  ],
  ['tools/list with an unsupported version header', { jsonrpc: '2.0', id: 2, method: 'tools/list' }, legacy('2099-01-01')],
  ['tools/list as a notification', { jsonrpc: '2.0', method: 'tools/list' }, legacy('2025-11-25')],
  ['tools/list with jsonrpc 1.0', { jsonrpc: '1.0', id: 2, method: 'tools/list' }, legacy('2025-11-25')],
  ['a batch', [{ jsonrpc: '2.0', id: 2, method: 'tools/list' }], legacy('2025-03-26')],
  ['notifications/initialized with an id', { jsonrpc: '2.0', id: 9, method: 'notifications/initialized' }, legacy('2025-11-25')],
  ['an unknown method', { jsonrpc: '2.0', id: 2, method: 'resources/list' }, legacy('2025-11-25')],
  ['tools/call, limit 0', call({ limit: 0 }), legacy('2025-11-25')],
  ['tools/call, limit 11', call({ limit: 11 }), legacy('2025-11-25')],
  ['tools/call, limit 2.5', call({ limit: 2.5 }), legacy('2025-11-25')],
  ['tools/call, limit "3"', call({ limit: '3' }), legacy('2025-11-25')],
  ['tools/call, limit null', call({ limit: null }), legacy('2025-11-25')],
  ['tools/call, an unknown argument', call({ limit: 1, colour: 'red' }), legacy('2025-11-25')],
  ['tools/call, arguments a list', call([1]), legacy('2025-11-25')],
  [
    'tools/call without arguments',
    { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'getDogFacts' } },
    legacy('2025-11-25'),
  ],
  ['tools/call of an unknown tool', { ...call({}), params: { name: 'nope', arguments: {} } }, legacy('2025-11-25')],
  ['tools/call with a progress token', call({ limit: 1 }, { _meta: { progressToken: 't' } }), legacy('2025-11-25')],
  [
    'server/discover without the method header',
    { jsonrpc: '2.0', id: 'd', method: 'server/discover', params: { _meta: ENVELOPE } },
    { 'mcp-protocol-version': MODERN_VERSION },
  ],
  [
    'server/discover with a mismatched method header',
    { jsonrpc: '2.0', id: 'd', method: 'server/discover', params: { _meta: ENVELOPE } },
    modern('tools/list'),
  ],
  ['server/discover without the envelope', { jsonrpc: '2.0', id: 'd', method: 'server/discover' }, modern('server/discover')],
  [
    'server/discover with an envelope of another version',
    {
      jsonrpc: '2.0',
      id: 'd',
      method: 'server/discover',
      params: { _meta: { ...ENVELOPE, 'io.modelcontextprotocol/protocolVersion': '2025-11-25' } },
    },
    modern('server/discover'),
  ],
  [
    'server/discover without capabilities in the envelope',
    {
      jsonrpc: '2.0',
      id: 'd',
      method: 'server/discover',
      params: { _meta: { ...ENVELOPE, 'io.modelcontextprotocol/clientCapabilities': undefined } },
    },
    modern('server/discover'),
  ],
  [
    'tools/list 2026-07-28 with a cursor',
    { jsonrpc: '2.0', id: 4, method: 'tools/list', params: { _meta: ENVELOPE, cursor: 'c' } },
    modern('tools/list'),
  ],
  [
    'tools/call 2026-07-28 with a mismatched name header',
    call({ limit: 1 }, { _meta: ENVELOPE }),
    modern('tools/call', { 'mcp-name': 'other' }),
  ],
  [
    'tools/call 2026-07-28 with a bad limit',
    call({ limit: 99 }, { _meta: ENVELOPE }),
    modern('tools/call', { 'mcp-name': 'getDogFacts' }),
  ],
  [
    'the 2026 envelope under a 2025 header',
    { jsonrpc: '2.0', id: 4, method: 'tools/list', params: { _meta: ENVELOPE } },
    legacy('2025-11-25'),
  ],
];

describe('fast path ≡ SDK', () => {
  it.each(ANSWERED)('answers %s as the SDK does, without it', async (_name, body, headers) => {
    const { viaFast, viaSdk, tookFastPath } = await both(body, headers);
    expect(comparable(viaFast)).toEqual(comparable(viaSdk));
    expect(tookFastPath).toBe(true);
  });

  it.each(DECLINED)('leaves %s to the SDK', async (_name, body, headers) => {
    const { viaFast, viaSdk, tookFastPath } = await both(body, headers);
    expect(comparable(viaFast)).toEqual(comparable(viaSdk));
    expect(tookFastPath).toBe(false);
  });

  it.each(ANSWERED.filter(([name]) => !name.startsWith('tools/call')))(
    'answers %s for a custom server (conformance fixture) as the SDK does, without it',
    async (_name, body, headers) => {
      const { viaFast, viaSdk, tookFastPath } = await both(body, headers, 'custom');
      expect(comparable(viaFast)).toEqual(comparable(viaSdk));
      expect(tookFastPath).toBe(true);
    },
  );

  it.each(DECLINED)('leaves %s to the SDK for a custom server too', async (_name, body, headers) => {
    const { viaFast, viaSdk, tookFastPath } = await both(body, headers, 'custom');
    expect(comparable(viaFast)).toEqual(comparable(viaSdk));
    expect(tookFastPath).toBe(false);
  });

  it('answers a failing Dog API with the same tool error', async () => {
    dogApi.behave({ kind: 'status', status: 404 });
    try {
      const { viaFast, viaSdk, tookFastPath } = await both(call({ limit: 1 }), legacy('2025-11-25'));
      expect(comparable(viaFast)).toEqual(comparable(viaSdk));
      expect(viaFast.body).toContain('"isError":true');
      expect(tookFastPath).toBe(true);
    } finally {
      dogApi.behave({ kind: 'ok' });
    }
  });

  it.each([
    ['dog-facts', RUNS],
    ['custom', Math.ceil(RUNS / 3)],
  ] as const)('matches the SDK on thousands of near-valid messages (%s)', { timeout: 180_000 }, async (server, runs) => {
    // Each case is a request the fast path answers, changed in up to three places: a key removed, a
    // value replaced by another of any type, a key added, a header removed or changed.
    const anyValue = fc.oneof(
      fc.integer({ min: -2, max: 12 }),
      fc.double({ noNaN: true }),
      fc.string({ maxLength: 4 }),
      fc.constantFrom(
        null,
        true,
        [],
        {},
        '2025-11-25',
        MODERN_VERSION,
        'getDogFacts',
        ENVELOPE,
        { name: 'c', version: '1' },
        CLAUDE_CODE_INFO,
        CLAUDE_CODE_CAPABILITIES,
        { listChanged: 'yes' },
        { form: { applyDefaults: 1 } },
        { form: {}, url: { x: 1 } },
        { context: {} },
        [{ src: 'https://x.example/i.png' }],
      ),
    );
    const key = fc.constantFrom(
      'roots',
      'elicitation',
      'sampling',
      'websiteUrl',
      'icons',
      'title',
      'jsonrpc',
      'id',
      'method',
      'params',
      'name',
      'arguments',
      'limit',
      '_meta',
      'protocolVersion',
      'capabilities',
      'clientInfo',
      'cursor',
      'x',
    );
    const header = fc.constantFrom('mcp-protocol-version', 'mcp-method', 'mcp-name', 'accept', 'mcp-session-id');
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('delete' as const), key }),
      fc.record({ kind: fc.constant('set' as const), key, value: anyValue, depth: fc.nat(2) }),
      fc.record({
        kind: fc.constant('header' as const),
        header,
        value: fc.option(
          fc.constantFrom(...LEGACY_VERSIONS, MODERN_VERSION, 'tools/list', 'tools/call', 'getDogFacts', 'application/json', 'x'),
        ),
      }),
    );
    type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;
    const apply = (body: unknown, headers: Record<string, string>, change: Mutation): [unknown, Record<string, string>] => {
      const copy = structuredClone(body) as Record<string, unknown>;
      if (change.kind === 'header') {
        const next = { ...headers };
        if (change.value === null) delete next[change.header];
        else next[change.header] = change.value;
        return [copy, next];
      }
      // The object at the chosen depth: the message, its params, or the arguments / _meta inside them.
      let target: Record<string, unknown> = copy;
      for (let level = 0; level < (change.kind === 'set' ? change.depth : 1); level += 1) {
        const inner = Object.values(target).find((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
        if (inner === undefined) break;
        target = inner as Record<string, unknown>;
      }
      if (change.kind === 'delete') delete target[change.key];
      else target[change.key] = change.value;
      return [copy, headers];
    };
    const request = fc
      .tuple(fc.constantFrom(...ANSWERED), fc.array(mutation, { maxLength: 3 }))
      .map(([[, body, headers], changes]) =>
        changes.reduce<[unknown, Record<string, string>]>((acc, change) => apply(acc[0], acc[1], change), [body, headers]),
      );
    let answeredFast = 0;
    await fc.assert(
      fc.asyncProperty(request, async ([body, headers]) => {
        const { viaFast, viaSdk, tookFastPath } = await both(body, headers, server);
        if (tookFastPath) answeredFast += 1;
        expect(comparable(viaFast)).toEqual(comparable(viaSdk));
      }),
      { numRuns: runs, seed: SEED },
    );
    // The property is only worth something if a fair share of the messages really took the fast path.
    expect(answeredFast).toBeGreaterThan(runs / 10);
  });
});
