import { readServers } from '../deployed/resolve.js';
import type { Output } from '../terminal/output.js';

/** The outputs people read first, in this order; the rest follow alphabetically. */
export const OUTPUT_ORDER = [
  'McpServerUrl',
  'SignInUrl',
  'McpOAuthClientId',
  'McpOAuthScope',
  'CallbackPort',
  'OAuthMetadataUrl',
  'HostedUIUrl',
  'McpOAuthAuthorizationUrl',
  'McpOAuthTokenUrl',
  'IssuerUrl',
];

/** Prints outputs as an aligned two-column table on stdout. */
export function printOutputs(
  out: Output,
  outputs: Readonly<Record<string, string>>,
  order: readonly string[] = OUTPUT_ORDER,
): void {
  const names = [
    ...order.filter((name) => name in outputs),
    ...Object.keys(outputs)
      .filter((name) => !order.includes(name) && name !== 'Servers')
      .sort(),
  ];
  const width = Math.max(0, ...names.map((name) => name.length));
  for (const name of names) out.result(`  ${name.padEnd(width)}  ${outputs[name]}`);
  if (outputs.Servers !== undefined) {
    const servers = readServers(outputs.Servers);
    if (!Array.isArray(servers)) {
      out.result(`  ${'Servers'.padEnd(width)}  ${outputs.Servers}`);
      return;
    }
    out.result('  Servers (each with its own scope; the sign-in covers all):');
    const nameWidth = Math.max(...servers.map((server) => server.name.length));
    for (const server of servers) out.result(`    ${server.name.padEnd(nameWidth)}  ${server.url}`);
  }
}
