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
 * State is bound to the caller (OAuth client and user) and to what the request asks for (the method and
 * the tool or prompt name, or the resource URI): a value minted for one person is refused when another
 * echoes it, and a value minted in one tool's round is refused by another tool. It is signed, not
 * encrypted: the client can read the payload (base64url JSON), so it must hold nothing secret. Sealed
 * state expires after ten minutes.
 */
import type { RequestStateCodec, ServerContext as SdkContext } from '@modelcontextprotocol/server';
import { ConfigError } from '../services/config.js';
import { currentRequest } from '../edge/request-context.js';
import type { SecretReader } from '../services/secrets.js';
import { awsSecretReader } from '../services/secrets.js';

export type { RequestStateCodec };

/**
 * What a request asks for: its method and the tool or prompt it names (`params.name`) or the resource it
 * reads (`params.uri`), from the request's own message (the SDK's context has the method and id, not the
 * params). Empty parts when the message cannot be found (outside a request). When several messages of the
 * request have this id and method (a batch the HTTP handler should have refused), it cannot tell which
 * one is asking, and throws: no state is minted or accepted.
 */
function target(ctx: SdkContext): string {
  const { id, method } = ctx.mcpReq ?? {};
  const matches = (currentRequest.getStore()?.messages ?? []).filter(
    (candidate) =>
      typeof candidate === 'object' &&
      candidate !== null &&
      (candidate as { id?: unknown }).id === id &&
      (candidate as { method?: unknown }).method === method,
  ) as { params?: { name?: unknown; uri?: unknown } | null }[];
  if (matches.length > 1) {
    throw new Error('requestState cannot be bound: several messages of this request have the same id and method');
  }
  const message = matches[0];
  const subject = method === 'resources/read' ? message?.params?.uri : message?.params?.name;
  return `${typeof method === 'string' ? method : ''}\0${typeof subject === 'string' ? subject : ''}`;
}

/**
 * The binding: `<client id>\0<sub>\0<method>\0<tool, prompt or URI>` (the caller from the verified token,
 * empty in dev; what the request asks for from its message).
 */
function binding(ctx: SdkContext): string {
  const auth = ctx.http?.authInfo;
  const sub = auth?.extra?.sub;
  return `${auth?.clientId ?? ''}\0${typeof sub === 'string' ? sub : ''}\0${target(ctx)}`;
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
    return createRequestStateCodec({ key: key ?? process.getBuiltinModule('node:crypto').randomBytes(32), bind: binding });
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
