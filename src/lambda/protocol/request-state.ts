/**
 * The key that seals multi-round-trip `requestState` (protocol revision 2026-07-28), and the codec a
 * server uses with it.
 *
 * A Lambda keeps no memory between requests and a later round may reach another instance, so the state a
 * server needs in the next round travels with the client — and comes back as attacker-controlled input.
 * The SDK's HMAC codec seals it; the key must be the same in every instance of a deployment: the stack
 * generates one in Secrets Manager (never in the template or a log) and the function reads it the first
 * time a request mints or verifies state (`MCP_REQUEST_STATE_SECRET`), so a cold start that needs none
 * pays nothing. `MCP_REQUEST_STATE_KEY` gives the key directly (tests); without either (`dev`), a key
 * made for the process serves, which is right for one process.
 *
 * State is bound to the caller (OAuth client and user): a value minted for one person is refused when
 * another echoes it. Sealed state expires after ten minutes.
 */
import type { RequestStateCodec, ServerContext as SdkContext } from '@modelcontextprotocol/server';
import { ConfigError } from '../services/config.js';
import type { SecretReader } from '../services/secrets.js';
import { awsSecretReader } from '../services/secrets.js';

export type { RequestStateCodec };

/** The caller, as the binding: `<client id>\0<sub>` (both from the verified token; empty in dev). */
function caller(ctx: SdkContext): string {
  const auth = ctx.http?.authInfo;
  const sub = auth?.extra?.sub;
  return `${auth?.clientId ?? ''}\0${typeof sub === 'string' ? sub : ''}`;
}

/** A codec whose key is found on first use, then kept for the life of the process. */
export function requestStateCodec(
  env: Readonly<Record<string, string | undefined>>,
  read: SecretReader = awsSecretReader(),
): RequestStateCodec {
  let codec: Promise<RequestStateCodec> | undefined;
  const load = async (): Promise<RequestStateCodec> => {
    let key = env.MCP_REQUEST_STATE_KEY;
    const secret = env.MCP_REQUEST_STATE_SECRET;
    if (key === undefined && secret !== undefined && secret !== '') {
      try {
        key = await read({ key: 'MCP_REQUEST_STATE_SECRET', kind: 'secretsmanager', id: secret });
      } catch (error) {
        throw new ConfigError(
          `Could not read the requestState key (${secret}): ${(error as Error).name}: ${(error as Error).message}`,
        );
      }
    }
    if (key !== undefined && Buffer.byteLength(key) < 32) {
      throw new ConfigError('The requestState key must be at least 32 bytes long.');
    }
    // The SDK is loaded here, not at start: a cold start whose requests the fast path answers needs none.
    const { createRequestStateCodec } = await import('@modelcontextprotocol/server');
    // node:crypto too (not imported at the top): a cold start that mints no state never loads it.
    return createRequestStateCodec({ key: key ?? process.getBuiltinModule('node:crypto').randomBytes(32), bind: caller });
  };
  const get = () => {
    codec ??= load().catch((error: unknown) => {
      codec = undefined; // a failed read is tried again by the next request
      throw error;
    });
    return codec;
  };
  return {
    mint: async (payload, ctx) => (await get()).mint(payload, ctx),
    verify: async (state, ctx) => (await get()).verify(state, ctx),
  };
}
