/** The requestState codec mcp-lambda gives servers: the deployment's key, read once, bound to the caller. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/lambda/services/config.js';
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
