/**
 * Who can get tokens for a stack, at deploy: the MCP clients whose redirect URIs the public client
 * registers (`--clients`) and the confidential machine client (`--machine-client`). Both are kept by later
 * deploys; this module picks the machine client's setting and says what a deploy registers, loudly where a
 * website can receive sign-in codes or a secret can call the servers.
 */
import { clientInfo, isThirdPartyWeb, thirdPartyRedirectUris } from '../../stack/clients.js';
import type { CommandContext } from '../context.js';
import type { StackDescription } from '../deploy/engine.js';

/**
 * The machine client for this deploy: the flag (`--machine-client`, `--no-machine-client`), else what the
 * deployed stack has (a stack that has one, as every stack from before it became opt-in does, keeps it:
 * scripts may use its secret), else none.
 */
export function chooseMachineClient(flag: boolean | undefined, existing: StackDescription | undefined): boolean {
  return flag ?? existing?.outputs.AutomatedOAuthClientId !== undefined;
}

/** Says which clients the deploy registers, which of them send codes to a website, and the machine client. */
export function describeClients(
  ctx: CommandContext,
  chosen: { readonly clients: readonly string[]; readonly callbackPort: number; readonly machineClient: boolean },
  flags: { readonly clients?: readonly string[]; readonly machineClient?: boolean },
  existing: StackDescription | undefined,
): void {
  const { out } = ctx;
  if (ctx.global.json) return;
  const keptClients = flags.clients === undefined && existing?.outputs.Clients !== undefined;
  out.info(`Clients: ${chosen.clients.join(', ')}${keptClients ? ' (as deployed; --clients changes them)' : ''}`);
  const web = thirdPartyRedirectUris(chosen.clients, chosen.callbackPort);
  if (web.length > 0) {
    const named = chosen.clients
      .filter((id) => clientInfo(id)?.redirectUris(chosen.callbackPort).some(isThirdPartyWeb))
      .map((id) => clientInfo(id)?.title ?? id);
    const local = chosen.clients.filter((id) => !clientInfo(id)?.redirectUris(chosen.callbackPort).some(isThirdPartyWeb));
    const line = `Redirect URIs on websites (${named.join(', ')}): ${web.map((uri) => new URL(uri).host).join(', ')} receive the sign-in codes of whoever signs in through them.`;
    // Registered by an older mcp-lambda's default, never named: say so until they are named or dropped.
    if (keptClients && existing?.outputs.ThirdPartyRedirectUris === undefined) {
      out.warn(
        `${line} An earlier mcp-lambda registered them by default; now they are registered only when named. Keep them by naming them (--clients ${chosen.clients.join(',')}), or drop them (--clients ${local.join(',')}).`,
      );
    } else {
      out.info(line);
    }
  }
  if (chosen.machineClient) {
    out.info(
      `Machine client: on${flags.machineClient === undefined ? ' (as deployed; --no-machine-client removes it)' : ''}: whoever holds its secret (the AutomatedClientSecretArn output) calls every server without signing in.`,
    );
  } else if (existing?.outputs.AutomatedOAuthClientId !== undefined) {
    out.warn(
      `The machine client ${existing.outputs.AutomatedOAuthClientId} and its secret go away: anything calling with its client_credentials stops working.`,
    );
  }
}
