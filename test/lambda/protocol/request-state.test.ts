/**
 * The requestState codec mcp-lambda gives servers: the deployment's key, read once, bound to the caller
 * and to the tool (or prompt, or resource) the request asks for.
 */
import { inputRequired, McpServer } from '@modelcontextprotocol/server';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/v4';
import { ConfigError } from '../../../src/lambda/services/config.js';
import { createLazyCustomApp, type ServerContext, type UserModule } from '../../../src/lambda/custom.js';
import { currentRequest } from '../../../src/lambda/edge/request-context.js';
import { requestStateCodec } from '../../../src/lambda/protocol/request-state.js';
import type { SecretRef } from '../../../src/lambda/services/secrets.js';

const KEY = 'k'.repeat(64);
/** The part of the SDK's handler context the binding reads: the caller's verified token. */
const as = (clientId: string, sub?: string) =>
  ({ http: { authInfo: { clientId, scopes: [], token: 't', extra: { sub } } } }) as never;

describe('requestState codec', () => {
  it('round-trips a payload for the same caller, and refuses it for another', async () => {
    const codec = requestStateCodec({ MCP_REQUEST_STATE_KEY: KEY });
    const state = await codec.mint({ step: 2 }, as('client', 'ann'));
    expect(await codec.verify(state, as('client', 'ann'))).toEqual({ step: 2 });
    await expect(codec.verify(state, as('client', 'bob'))).rejects.toThrow('bind');
  });

  it('refuses state that was altered, or sealed with another deployment’s key', async () => {
    const codec = requestStateCodec({ MCP_REQUEST_STATE_KEY: KEY });
    const state = await codec.mint({ admin: false }, as('c'));
    const [version, body, mac] = state.split('.');
    const forged = `${version}.${Buffer.from(
      Buffer.from(body ?? '', 'base64url')
        .toString()
        .replace('false', 'true '),
    ).toString('base64url')}.${mac}`;
    await expect(codec.verify(forged, as('c'))).rejects.toThrow();
    const other = requestStateCodec({ MCP_REQUEST_STATE_KEY: 'x'.repeat(64) });
    await expect(other.verify(state, as('c'))).rejects.toThrow('mac');
  });

  it('reads the deployment’s key from Secrets Manager once, on first use, and tries again after a failure', async () => {
    const reads: SecretRef[] = [];
    let fail = true;
    const codec = requestStateCodec(
      { MCP_REQUEST_STATE_SECRET: 'arn:aws:secretsmanager:eu-west-1:1:secret:key-AbCdEf' },
      async (ref) => {
        reads.push(ref);
        if (fail) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        return KEY;
      },
    );
    expect(reads).toEqual([]); // nothing read until a request needs it
    await expect(codec.mint({}, as('c'))).rejects.toThrow(
      'Could not read the requestState key (arn:aws:secretsmanager:eu-west-1:1:secret:key-AbCdEf): ThrottlingException: Rate exceeded',
    );
    fail = false;
    const state = await codec.mint({ ok: 1 }, as('c'));
    expect(await codec.verify(state, as('c'))).toEqual({ ok: 1 });
    expect(reads).toHaveLength(2);
    // A second instance with the same key (another Lambda instance) accepts it: no memory is needed.
    expect(await requestStateCodec({ MCP_REQUEST_STATE_KEY: KEY }).verify(state, as('c'))).toEqual({ ok: 1 });
  });

  it('refuses a key shorter than 32 bytes', async () => {
    await expect(requestStateCodec({ MCP_REQUEST_STATE_KEY: 'short' }).mint({}, as('c'))).rejects.toThrow(ConfigError);
  });

  it('makes a key for the process when none is configured (dev: one process serves every round)', async () => {
    const codec = requestStateCodec({});
    const state = await codec.mint({ n: 1 }, as('c'));
    expect(await codec.verify(state, as('c'))).toEqual({ n: 1 });
    await expect(requestStateCodec({}).verify(state, as('c'))).rejects.toThrow('mac');
  });
});

describe('requestState bound to what the request asks for', () => {
  const KEYED = { MCP_REQUEST_STATE_KEY: KEY };
  /** The handler context of message `id` of a request holding `messages`, for caller `c`/`ann`. */
  const handlerCtx = (method: string) =>
    ({ http: { authInfo: { clientId: 'c', scopes: [], token: '', extra: { sub: 'ann' } } }, mcpReq: { id: 1, method } }) as never;
  const inRequest = <T>(message: Record<string, unknown>, work: () => Promise<T>) =>
    currentRequest.run({ requestId: 'r', messages: [{ jsonrpc: '2.0', id: 1, ...message }] }, work);
  const call = (name: string) => ({ method: 'tools/call', params: { name, arguments: {} } });

  it('takes state back in the same tool, and refuses it in another tool, a prompt or a resource read', async () => {
    const codec = requestStateCodec(KEYED);
    const state = await inRequest(call('forget'), () => codec.mint({ name: 'x' }, handlerCtx('tools/call')));
    expect(await inRequest(call('forget'), () => codec.verify(state, handlerCtx('tools/call')))).toEqual({ name: 'x' });
    await expect(inRequest(call('wipe'), () => codec.verify(state, handlerCtx('tools/call')))).rejects.toThrow('bind');
    await expect(
      inRequest({ method: 'prompts/get', params: { name: 'forget' } }, () => codec.verify(state, handlerCtx('prompts/get'))),
    ).rejects.toThrow('bind');
    const read = { method: 'resources/read', params: { uri: 'file:///a' } };
    const forA = await inRequest(read, () => codec.mint({}, handlerCtx('resources/read')));
    const other = { method: 'resources/read', params: { uri: 'file:///b' } };
    await expect(inRequest(other, () => codec.verify(forA, handlerCtx('resources/read')))).rejects.toThrow('bind');
  });

  it('refuses, through the deployed handler, state a client carries from one tool to another', async () => {
    const app = createLazyCustomApp(() => import('../../fixtures/conformance-server.js'), { env: KEYED, log: () => {} });
    const meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientInfo': { name: 'test', version: '1' },
      'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } },
    };
    const send = async (params: { name: string } & Record<string, unknown>) => {
      const result = await app.handler({
        httpMethod: 'POST',
        path: '/mcp',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2026-07-28',
          'mcp-method': 'tools/call',
          'mcp-name': params.name,
        },
        multiValueHeaders: {},
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { arguments: {}, ...params, _meta: meta } }),
        isBase64Encoded: false,
        requestContext: { requestId: 'r', authorizer: { claims: { token_use: 'access', client_id: 'c', sub: 'ann' } } },
      } as unknown as APIGatewayProxyEvent);
      return JSON.parse(result.body);
    };
    const tool = 'test_input_required_result_request_state';
    const first = await send({ name: tool });
    expect(first.result).toMatchObject({ resultType: 'input_required', requestState: expect.any(String) });
    const { requestState } = first.result;
    const inputResponses = { confirm: { action: 'accept', content: { ok: true } } };
    expect((await send({ name: tool, requestState, inputResponses })).result.content[0].text).toContain('state-ok');
    const elsewhere = await send({ name: 'test_input_required_result_multiple_inputs', requestState, inputResponses });
    expect(elsewhere.error).toMatchObject({ code: -32602, message: 'Invalid or expired requestState' });
  });
});

describe("requestState in a 2025-03-26 batch whose messages share an id (the review's report)", () => {
  const KEYED = { MCP_REQUEST_STATE_KEY: KEY };
  const CLAIMS = { sub: 'user-1', token_use: 'access', client_id: 'client-1', scope: 'openid x/own', username: 'user-1' };
  const META = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': { name: 'x', version: '1' },
    'io.modelcontextprotocol/clientCapabilities': {},
  };

  /** `quote` mints state saying "approved" for itself; `pay` trusts its own state as the user's approval. */
  function payments() {
    const acted: unknown[] = [];
    const module: UserModule = {
      default: (ctx: ServerContext) => {
        const server = new McpServer({ name: 'own', version: '1.0.0' }, { requestState: { verify: ctx.requestState.verify } });
        server.registerTool('quote', { inputSchema: z.object({}) }, async (_args, call) =>
          inputRequired({ requestState: await ctx.requestState.mint({ approved: true, amount: 1_000_000 }, call) }),
        );
        server.registerTool('pay', { inputSchema: z.object({}) }, async (_args, call) => {
          const state = call.mcpReq.requestState<{ approved?: boolean }>();
          if (state) acted.push(state);
          return { content: [{ type: 'text', text: JSON.stringify(state ?? null) }] };
        });
        return server;
      },
    };
    const app = createLazyCustomApp(async () => module, { env: { MCP_REQUIRE_CLAIMS: 'true', ...KEYED }, log: () => {} });
    const send = (body: unknown, headers: Record<string, string>) =>
      app.handler({
        httpMethod: 'POST',
        path: '/mcp',
        multiValueHeaders: {},
        isBase64Encoded: false,
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        requestContext: { requestId: 'r', authorizer: { claims: CLAIMS } },
      } as unknown as APIGatewayProxyEvent);
    return { acted, send };
  }

  it("refuses the batch, so pay never accepts quote's state", async () => {
    const { acted, send } = payments();
    const minted = await send(
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'quote', arguments: {}, _meta: META } },
      { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'quote' },
    );
    const state = JSON.parse(minted.body).result.requestState as string;
    expect(typeof state).toBe('string');

    const batch = await send(
      [
        { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'quote', arguments: {} } },
        { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'pay', arguments: {}, requestState: state } },
      ],
      { 'mcp-protocol-version': '2025-03-26' },
    );
    expect(batch.statusCode).toBe(400);
    expect(JSON.parse(batch.body).error.code).toBe(-32600);
    expect(acted).toEqual([]);

    // With ids of their own, each message is bound to its own tool: pay refuses quote's state.
    const distinct = await send(
      [
        { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'quote', arguments: {} } },
        { jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'pay', arguments: {}, requestState: state } },
      ],
      { 'mcp-protocol-version': '2025-03-26' },
    );
    expect(distinct.statusCode).toBe(200);
    expect(distinct.body).toContain('Invalid or expired requestState');
    expect(acted).toEqual([]);
  });

  it('neither mints nor accepts state when several messages of the request match the id and method', async () => {
    const codec = requestStateCodec(KEYED);
    const handlerCtx = {
      http: { authInfo: { clientId: 'c', scopes: [], token: '', extra: { sub: 'ann' } } },
      mcpReq: { id: 7, method: 'tools/call' },
    } as never;
    const one = (name: string) => ({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name, arguments: {} } });
    const state = await currentRequest.run({ requestId: 'r', messages: [one('quote')] }, () => codec.mint({ ok: 1 }, handlerCtx));
    const twice = { requestId: 'r', messages: [one('quote'), one('pay')] };
    await expect(currentRequest.run(twice, () => codec.mint({ ok: 1 }, handlerCtx))).rejects.toThrow('cannot be bound');
    await expect(currentRequest.run(twice, () => codec.verify(state, handlerCtx))).rejects.toThrow();
  });
});
