/**
 * What a deployed bundle holds in place of ./serve.ts when the user's code brought no v1 SDK into it
 * (src/cli/entry/bundle.ts): the v2 client and the forwarding server that serve a v1 server are then
 * left out, as nothing in the bundle can build a v1 server. Should something still return one, it is
 * said plainly instead of being served wrongly.
 */
import type { AuthInfo, McpRequestContext, Server } from '@modelcontextprotocol/server';
import type { V1Server } from './detect.js';

export function serveV1(_product: V1Server, _authInfo: AuthInfo | undefined, _ctx: McpRequestContext): Promise<Server> {
  return Promise.reject(
    new TypeError(
      "The entry's factory returned an SDK v1 server, but @modelcontextprotocol/sdk was not part of the entry when it was bundled. Import it in the entry's own code and bundle again.",
    ),
  );
}
