/** Connects the official MCP SDK client to a URL in a chosen protocol era. */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

export type Era = '2026-07-28' | '2025-11-25' | '2025-06-18';
export const ERAS: readonly Era[] = ['2026-07-28', '2025-11-25', '2025-06-18'];

export async function connectClient(url: string, era: Era, headers: Record<string, string> = {}): Promise<Client> {
  const client =
    era === '2026-07-28'
      ? new Client({ name: 'mcp-lambda-test', version: '1.0.0' }, { versionNegotiation: { mode: { pin: era } } })
      : new Client({ name: 'mcp-lambda-test', version: '1.0.0' }, { supportedProtocolVersions: [era] });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  await client.connect(transport);
  return client;
}
