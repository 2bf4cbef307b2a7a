/** The MCP exchange with the stored sign-in: server/discover, initialize, tools/list, subscriptions/listen. */
import { type DoctorDeps, type DoctorTarget, type Walk } from './chain.js';
import { type CheckResult, result } from './report.js';
import { unreachable } from '../terminal/unreachable.js';
export async function checkMcp(target: DoctorTarget, deps: DoctorDeps, walk: Walk): Promise<CheckResult> {
  const token = walk.token ?? target.accessToken;
  if (walk.oauth && token === undefined) {
    return result('mcp', 'skip', 'no stored sign-in to call the server with.', target.command('login'));
  }
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  const now = () => performance.now();
  const budget = deps.listenBudgetMs ?? 1000;
  const { Client, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
  const connect = async (modern: boolean) => {
    const client = modern
      ? new Client({ name: 'mcp-lambda-doctor', version: '1' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } })
      : new Client({ name: 'mcp-lambda-doctor', version: '1' }, { supportedProtocolVersions: ['2025-11-25'] });
    const started = now();
    await client.connect(
      new StreamableHTTPClientTransport(new URL(target.mcpUrl), { requestInit: { headers }, fetch: deps.fetch }),
    );
    walk.serverName ??= client.getServerVersion()?.name;
    return { client, ms: now() - started };
  };
  const steps: string[] = [];
  let step = 'server/discover (2026-07-28)';
  const failed = (error: unknown): CheckResult => {
    const message = unreachable(target.mcpUrl, error)?.message ?? (error as Error).message;
    const refused = /\b401\b|Unauthorized/i.test(message);
    const why =
      step === 'subscriptions/listen' ? `was not answered within ${budget} ms (${message}): clients wait on it` : message;
    return result(
      'mcp',
      'fail',
      `${steps.length > 0 ? `${steps.join(', ')}; then ` : ''}${step} ${refused ? 'was refused with the stored token (expired or revoked?)' : `failed: ${why}`}.`,
      refused ? target.command('login') : target.expected ? target.command('deploy') : undefined,
    );
  };
  let modern: Awaited<ReturnType<typeof connect>>;
  try {
    modern = await connect(true);
  } catch (error) {
    // A server of 2025 only: Claude Code falls back to initialize, so that is a finding, not a break.
    if (/\b401\b|Unauthorized/i.test((error as Error).message)) return failed(error);
    try {
      const legacy = await connect(false);
      const { tools } = await legacy.client.listTools();
      await legacy.client.close().catch(() => {});
      return result(
        'mcp',
        'warn',
        `server/discover (2026-07-28) is not served (${(error as Error).message}); initialize (2025-11-25) ${Math.round(legacy.ms)} ms and tools/list (${tools.length} tool${tools.length === 1 ? '' : 's'}) work, and clients fall back to them.`,
      );
    } catch {
      return failed(error);
    }
  }
  try {
    try {
      steps.push(`server/discover ${Math.round(modern.ms)} ms`);
      step = 'tools/list';
      const started = now();
      const { tools } = await modern.client.listTools();
      steps.push(`tools/list ${tools.length} tool${tools.length === 1 ? '' : 's'} in ${Math.round(now() - started)} ms`);
      const capabilities = modern.client.getServerCapabilities();
      step = 'subscriptions/listen';
      const listenStarted = now();
      const subscription = await modern.client.listen({ toolsListChanged: true }, { timeout: budget });
      const listenMs = now() - listenStarted;
      await subscription.close();
      if (listenMs > budget) throw new Error(`answered after ${Math.round(listenMs)} ms`);
      steps.push(`subscriptions/listen answered in ${Math.round(listenMs)} ms`);
      if (capabilities?.tools?.listChanged === true) {
        return result(
          'mcp',
          'warn',
          `${steps.join(', ')}; but the server advertises tools.listChanged, so clients hold a listen stream open.`,
          target.command('deploy'),
        );
      }
    } finally {
      await modern.client.close().catch(() => {});
    }
    step = 'initialize (2025-11-25)';
    const legacy = await connect(false);
    steps.push(`initialize (2025-11-25) ${Math.round(legacy.ms)} ms`);
    await legacy.client.close().catch(() => {});
  } catch (error) {
    return failed(error);
  }
  return result('mcp', 'ok', steps.join(', '));
}
