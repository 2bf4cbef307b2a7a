/**
 * A v2 low-level `Server` that answers each request by asking an upstream v2 `Client`: the smallest
 * honest forwarding, written for SDK v1 modules while the stdio bridge's generic proxy
 * (src/lambda/bridge/proxy.ts) was being built in parallel. It is meant to be swapped for that proxy.
 *
 * It says what the upstream said at initialize (name, version, instructions, capabilities) and forwards
 * the requests those capabilities allow (tools, resources, prompts, completion, logging level). Progress
 * and log notifications the upstream sends during a request reach the caller through that request's own
 * context. A request from the upstream to the client (sampling, elicitation, roots) never reaches the
 * caller: the upstream's client declares none of those capabilities, so the v1 SDK refuses it at once.
 */
import type { Client } from '@modelcontextprotocol/client';
import { Server, type ServerContext } from '@modelcontextprotocol/server';

/** The requests forwarded for each capability the upstream declares. */
const FORWARDED: Readonly<Record<string, readonly string[]>> = {
  tools: ['tools/list', 'tools/call'],
  resources: ['resources/list', 'resources/templates/list', 'resources/read'],
  prompts: ['prompts/list', 'prompts/get'],
  completions: ['completion/complete'],
  logging: ['logging/setLevel'],
};

/** Lambda's longest run (15 minutes). */
const UPSTREAM_TIMEOUT_MS = 15 * 60_000;

type Params = { _meta?: Record<string, unknown> } & Record<string, unknown>;

/** The request's params without its progress token: the upstream call gets a token of its own. */
function withoutProgressToken(params: Params | undefined): Params | undefined {
  if (params?._meta?.progressToken === undefined) return params;
  const { progressToken: _dropped, ...meta } = params._meta;
  return { ...params, _meta: meta };
}

/** Builds the forwarding server over a connected, initialized client. */
export function forwardingServer(upstream: Client): Server {
  const capabilities = upstream.getServerCapabilities() ?? {};
  const info = upstream.getServerVersion() ?? { name: 'mcp-server', version: '0.0.0' };
  const instructions = upstream.getInstructions();
  const server = new Server(
    { ...info },
    {
      capabilities: {
        ...(capabilities.tools && { tools: {} }),
        ...(capabilities.resources && { resources: {} }),
        ...(capabilities.prompts && { prompts: {} }),
        ...(capabilities.completions && { completions: {} }),
        ...(capabilities.logging && { logging: {} }),
      },
      ...(instructions !== undefined && { instructions }),
    },
  );
  // The request whose context carries the upstream's log notifications (one server serves one request).
  let current: ServerContext | undefined;
  upstream.setNotificationHandler('notifications/message', async (notification) => {
    await current?.mcpReq.notify(notification).catch(() => {});
  });
  for (const [capability, methods] of Object.entries(FORWARDED)) {
    if (!(capability in capabilities)) continue;
    for (const method of methods) {
      server.setRequestHandler(method as 'tools/call', async (request, ctx) => {
        current = ctx;
        const progressToken = ctx.mcpReq._meta?.progressToken;
        const params = withoutProgressToken(request.params as Params | undefined);
        return (await upstream.request({ method, ...(params !== undefined && { params }) } as never, {
          signal: ctx.mcpReq.signal,
          // The function's own timeout bounds the call; the client's 60 s default would cut a long one short.
          timeout: UPSTREAM_TIMEOUT_MS,
          ...(progressToken !== undefined && {
            onprogress: (progress) => {
              void ctx.mcpReq
                .notify({ method: 'notifications/progress', params: { progressToken, ...progress } })
                .catch(() => {});
            },
            resetTimeoutOnProgress: true,
          }),
        })) as never;
      });
    }
  }
  return server;
}
