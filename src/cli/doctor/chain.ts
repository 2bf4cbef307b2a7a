/**
 * What every link of the chain gets: the server it should find ({@link DoctorTarget}), the outside world
 * ({@link DoctorDeps}: fetch, the environment, the port probe), and the walk so far ({@link Walk}: what each
 * link revealed for the next).
 */
import { type CheckStatus } from './report.js';
/** What the server should look like: from the stack's outputs, or only a URL (`--url`, e.g. `dev`). */
export interface DoctorTarget {
  readonly mcpUrl: string;
  /** Known for a deployed stack. */
  readonly expected?: {
    readonly issuerUrl: string;
    readonly clientId: string;
    readonly callbackPort: number;
    readonly scope: string;
  };
  /**
   * One of several servers behind one API: the 401 challenge names the API's own metadata document, whose
   * resource is the API's URL (`expected.scope` is then its scope, which every server accepts); the
   * server's own document, at its path under the well-known one, names the server and its own scope.
   */
  readonly apiWide?: { readonly resource: string; readonly serverScope: string };
  /** The stored sign-in's access token, when there is one. */
  readonly accessToken?: string;
  /**
   * Another client than Claude Code (`doctor --client`): its redirect URIs (each tried at the authorize
   * endpoint) and the check of its config on disk, instead of Claude Code's.
   */
  readonly client?: {
    readonly title: string;
    readonly redirectUris: readonly string[];
    /** The command that registers them (`deploy --clients …`): a client is registered only when named. */
    readonly register?: string;
    readonly checkConfig: () => Promise<{ readonly status: CheckStatus; readonly detail: string; readonly fix?: string }>;
  };
  /**
   * The deployed stack, when there is one: the only one whose `token` helper runs without asking. Without it
   * (`--url`), only the helper of a stack whose stored sign-in is for `mcpUrl` does.
   */
  readonly stack?: { readonly stackName: string; readonly region: string };
  /** Builds an mcp-lambda command line for a fix, with the flags that select this stack. */
  readonly command: (subcommand: string) => string;
}

export interface DoctorDeps {
  readonly fetch: typeof fetch;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Claude Code gives a headersHelper 10 s. */
  readonly helperTimeoutMs?: number;
  /**
   * Asked before running a headersHelper mcp-lambda did not write (`where` names the entry and its file);
   * it runs only on true. @default never: such a helper is reported, not run
   */
  readonly confirmHelper?: (command: string, where: string) => Promise<boolean>;
  /** How long `subscriptions/listen` may take to be answered. @default 1000 */
  readonly listenBudgetMs?: number;
  /** Whether a loopback port can be listened on. @default a real bind on 127.0.0.1 */
  readonly portFree?: (port: number) => Promise<boolean>;
  readonly now?: () => number;
}

/** The state the checks pass along: what each link revealed for the next. */
export interface Walk {
  oauth: boolean;
  metadataUrl?: string;
  authorizationServer?: string;
  discovery?: Record<string, unknown>;
  token?: string;
  /** The name the server gives itself (its serverInfo), once the MCP exchange has seen it. */
  serverName?: string;
}

/** GETs a JSON object; the status and, when it is not one, why. */
export async function getJson(
  fetchImpl: typeof fetch,
  url: string,
): Promise<{ status: number; body?: Record<string, unknown>; error?: string }> {
  try {
    const response = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    try {
      const body = JSON.parse(text) as unknown;
      if (typeof body === 'object' && body !== null && !Array.isArray(body))
        return { status: response.status, body: body as Record<string, unknown> };
      return { status: response.status, error: 'the body is not a JSON object' };
    } catch {
      return { status: response.status, error: 'the body is not JSON' };
    }
  } catch (error) {
    return { status: 0, error: (error as Error).message };
  }
}
