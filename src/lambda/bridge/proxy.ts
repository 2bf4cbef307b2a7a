/**
 * An MCP server that is another server, reached through an SDK v2 `Client`: the `McpServerFactory` our
 * front serves for a stdio child (./child.ts), and for anything else that can be reached by a client (an
 * SDK v1 server over an in-memory transport, say).
 *
 * Each request gets a fresh low-level `Server` advertising what the upstream advertised (tools, resources,
 * prompts, completions, logging; lists fixed, as for every server here) whose handlers forward to the
 * upstream's client: our front serves both protocol eras, so a 2026-07-28 client gets 2026-07-28 answers
 * although the upstream speaks 2025-11-25.
 *
 * What crosses, and what does not:
 * - Params pass through as sent (cursors included), without the client's `_meta` envelope keys
 *   (`io.modelcontextprotocol/…`) and with the proxy's own progress token in place of the client's.
 * - Progress the upstream reports for a request reaches the client that sent it, under that client's
 *   own progress token (only when it asked for progress).
 * - Log messages (`notifications/message`) carry no request id on stdio: one the upstream sends while
 *   exactly one request is in flight goes to that request's client — a 2026-07-28 client only when its
 *   request asked for logs (`io.modelcontextprotocol/logLevel`), at that level or above; otherwise (none,
 *   several at once, or not asked for) it goes to the function's log (`onUnrouted`).
 * - Requests from the upstream to the client (sampling/createMessage, elicitation/create, roots/list)
 *   are answered at once with `-32601` to the upstream: the proxy's client advertises none of those
 *   capabilities, and a stateless HTTP front cannot hold a call open for the client's answer. A tool
 *   call in flight alone when that happens gets a last text content saying the feature is not available
 *   on this host, and is marked `isError`. A 2026-07-28 client that did not declare the capability gets
 *   `-32021` (MissingRequiredClientCapability, naming it) instead, as a server of that era answers.
 * - A request the upstream cannot answer (it exited, it took longer than `requestTimeoutMs`) fails as a
 *   JSON-RPC error naming why.
 */
import type { Client } from '@modelcontextprotocol/client';
import { ProtocolError as ClientProtocolError, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import type { RequestMethod } from '@modelcontextprotocol/client';
import {
  type Implementation,
  type McpServerFactory,
  type Notification,
  MissingRequiredClientCapabilityError,
  ProtocolError,
  Server,
  type ServerCapabilities,
  type ServerContext,
} from '@modelcontextprotocol/server';

/** A connected client and what its server said when it was initialized. */
export interface Upstream {
  readonly client: Client;
  readonly capabilities: ServerCapabilities;
  readonly serverInfo: Implementation;
  readonly instructions?: string;
  /** How long a forwarded request may take. @default the SDK's 60 s */
  readonly requestTimeoutMs?: number;
  /** Where a log message goes that no single request can take. @default dropped */
  readonly onUnrouted?: (line: string) => void;
}

/** The upstream, connected (a supervisor starts or restarts it on demand). */
export type UpstreamSource = () => Promise<Upstream>;

/** The requests forwarded, with the capability the upstream must advertise for each. */
const FORWARDED: ReadonlyArray<readonly [method: RequestMethod, capability: keyof ServerCapabilities]> = [
  ['tools/list', 'tools'],
  ['tools/call', 'tools'],
  ['resources/list', 'resources'],
  ['resources/templates/list', 'resources'],
  ['resources/read', 'resources'],
  ['prompts/list', 'prompts'],
  ['prompts/get', 'prompts'],
  ['completion/complete', 'completions'],
];

/** A request in flight to the upstream. */
interface Call {
  readonly method: string;
  readonly notify: (notification: Notification) => Promise<void>;
  /** Methods the upstream asked the client for during the call, refused. */
  readonly refused: Set<string>;
  /** 2026-07-28: what the client declared (`io.modelcontextprotocol/clientCapabilities`); undefined for 2025. */
  readonly declared?: Readonly<Record<string, unknown>>;
  /** Whether a log message at this level goes to the client. */
  readonly wantsLog: (level: unknown) => boolean;
}

/** Log levels, least severe first (RFC 5424's, as MCP names them). */
const LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

/** The client capability each request from the upstream needs. */
const NEEDS: Readonly<Record<string, string>> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

/** What a request's envelope says (the SDK lifts it out of `_meta`): only 2026-07-28 requests carry one. */
function envelopeOf(envelope: unknown): { declared?: Readonly<Record<string, unknown>>; wantsLog: (level: unknown) => boolean } {
  const keys = (typeof envelope === 'object' && envelope !== null ? envelope : {}) as Record<string, unknown>;
  if (keys['io.modelcontextprotocol/protocolVersion'] === undefined) return { wantsLog: () => true };
  const capabilities = keys['io.modelcontextprotocol/clientCapabilities'];
  const asked = LEVELS.indexOf(String(keys['io.modelcontextprotocol/logLevel']));
  return {
    declared: typeof capabilities === 'object' && capabilities !== null ? (capabilities as Record<string, unknown>) : {},
    wantsLog: (level) => asked >= 0 && LEVELS.indexOf(String(level)) >= asked,
  };
}

/**
 * What the proxy keeps per upstream client: the calls in flight (to route what carries no request id), and
 * the progress tokens it gave them.
 */
interface Hub {
  readonly calls: Set<Call>;
  readonly progress: Map<string, (params: Record<string, unknown>) => void>;
}
const hubs = new WeakMap<Client, Hub>();
let progressTokens = 0;

const FEATURE: Readonly<Record<string, string>> = {
  'sampling/createMessage': 'sampling (asking the client’s model)',
  'elicitation/create': 'elicitation (asking the user)',
  'roots/list': 'roots (the client’s folders)',
};

/** Installs, once per client, the handlers for what the upstream sends that is not an answer. */
function hubOf(upstream: Upstream): Hub {
  const known = hubs.get(upstream.client);
  if (known) return known;
  const hub: Hub = { calls: new Set(), progress: new Map() };
  hubs.set(upstream.client, hub);
  const { calls } = hub;
  // Progress under the proxy's own tokens, not the client's `onprogress`: the SDK client drops its progress
  // handler when the answer arrives, before a progress notification read just ahead of it is dispatched.
  upstream.client.setNotificationHandler('notifications/progress', (notification) => {
    const { progressToken, ...params } = notification.params;
    hub.progress.get(String(progressToken))?.(params);
  });
  const only = (): Call | undefined => (calls.size === 1 ? [...calls][0] : undefined);
  upstream.client.setNotificationHandler('notifications/message', async (notification) => {
    const call = only();
    const forwarded = call?.wantsLog(notification.params.level)
      ? await call.notify(notification).then(
          () => true,
          () => false,
        )
      : false;
    if (!forwarded) upstream.onUnrouted?.(JSON.stringify(notification.params));
  });
  upstream.client.fallbackRequestHandler = async (request) => {
    only()?.refused.add(request.method);
    throw new ClientProtocolError(
      -32601,
      `${request.method} is not available: this server is served over HTTP by mcp-lambda, which does not pass requests from the server to the client.`,
    );
  };
  return hub;
}

/** The client's `_meta` without its progress token and the 2026-07-28 envelope keys. */
function forwardedMeta(meta: unknown): Record<string, unknown> | undefined {
  if (typeof meta !== 'object' || meta === null) return undefined;
  const kept = Object.entries(meta).filter(([key]) => key !== 'progressToken' && !key.startsWith('io.modelcontextprotocol/'));
  return kept.length === 0 ? undefined : Object.fromEntries(kept);
}

/** Why a forwarded request failed, as the JSON-RPC error the client gets. */
function asProtocolError(error: unknown, method: string, timeoutMs: number | undefined): unknown {
  if (error instanceof ProtocolError || error instanceof ClientProtocolError) return error;
  if (error instanceof SdkError) {
    if (
      error.code === SdkErrorCode.ConnectionClosed ||
      error.code === SdkErrorCode.NotConnected ||
      error.code === SdkErrorCode.SendFailed
    ) {
      return new ProtocolError(-32603, `The server exited before answering ${method}; the next request starts it again.`);
    }
    if (error.code === SdkErrorCode.RequestTimeout) {
      return new ProtocolError(-32603, `The server did not answer ${method} within ${timeoutMs ?? 60_000} ms.`);
    }
  }
  return error;
}

/** What the upstream advertises that the proxy can serve. */
function servedCapabilities(capabilities: ServerCapabilities): ServerCapabilities {
  return {
    ...(capabilities.tools && { tools: {} }),
    ...(capabilities.resources && { resources: {} }),
    ...(capabilities.prompts && { prompts: {} }),
    ...(capabilities.completions && { completions: {} }),
    ...(capabilities.logging && { logging: {} }),
  };
}

/** The factory: a fresh server per request, forwarding to the upstream `source` gives. */
export function proxyFactory(source: UpstreamSource): McpServerFactory {
  return async () => {
    const upstream = await source();
    const hub = hubOf(upstream);
    const server = new Server(upstream.serverInfo, {
      capabilities: servedCapabilities(upstream.capabilities),
      ...(upstream.instructions !== undefined && { instructions: upstream.instructions }),
    });
    for (const [method, capability] of FORWARDED) {
      if (upstream.capabilities[capability] === undefined) continue;
      const forward = async (request: { params?: Record<string, unknown> }, ctx: ServerContext) => {
        const { _meta: meta, ...params } = request.params ?? {};
        const progressToken = (meta as { progressToken?: unknown } | undefined)?.progressToken;
        const kept = forwardedMeta(meta);
        // Notifications are sent before the result: one written after it would be lost (the stream has ended).
        const sent: Promise<unknown>[] = [];
        const notify = (notification: Notification) => {
          const sending = ctx.mcpReq.notify(notification);
          sent.push(sending.catch(() => {}));
          return sending;
        };
        const call: Call = { method, notify, refused: new Set(), ...envelopeOf(ctx.mcpReq.envelope) };
        const asked = typeof progressToken === 'string' || typeof progressToken === 'number';
        const ours = asked ? `mcp-lambda-${(progressTokens += 1)}` : undefined;
        if (ours !== undefined) {
          hub.progress.set(ours, (params) => {
            notify({ method: 'notifications/progress', params: { ...params, progressToken } }).catch(() => {});
          });
        }
        hub.calls.add(call);
        try {
          const result = await upstream.client.request(
            {
              method,
              params: { ...params, ...((kept || ours) && { _meta: { ...kept, ...(ours && { progressToken: ours }) } }) },
            },
            {
              signal: ctx.mcpReq.signal,
              ...(upstream.requestTimeoutMs !== undefined && { timeout: upstream.requestTimeoutMs }),
            },
          );
          await Promise.all(sent);
          const missing = [...call.refused].map((name) => NEEDS[name]).filter((need) => need && !call.declared?.[need]);
          if (call.declared && missing.length > 0) {
            throw new MissingRequiredClientCapabilityError(
              { requiredCapabilities: Object.fromEntries(missing.map((need) => [need, {}])) },
              `This request needs the client’s ${missing.join(', ')} capability, which it did not declare.`,
            );
          }
          if (method !== 'tools/call' || call.refused.size === 0) return result;
          const said = [...call.refused].map((name) => FEATURE[name] ?? name).join(', ');
          const { content } = result as { content?: unknown[] };
          return {
            ...result,
            content: [
              ...(Array.isArray(content) ? content : []),
              {
                type: 'text',
                text: `This tool asked for ${said}, which is not available on this host (mcp-lambda serves it over stateless HTTP).`,
              },
            ],
            isError: true,
          };
        } catch (error) {
          throw asProtocolError(error, method, upstream.requestTimeoutMs);
        } finally {
          hub.calls.delete(call);
          if (ours !== undefined) hub.progress.delete(ours);
        }
      };
      server.setRequestHandler(method as 'tools/list', forward as never);
    }
    return server;
  };
}
