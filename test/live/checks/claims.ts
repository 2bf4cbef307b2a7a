/**
 * The claims the stand-ins make and a live run proves or disproves, one row each in a report. The same
 * list orders the rows of live-report.md and of the stand-in's report.
 */

export const CLAIMS = {
  challenge: 'An anonymous /mcp request gets 401 with WWW-Authenticate naming resource_metadata and the scope',
  'resource-binding':
    'A code flow with PKCE and resource=<MCP URL> yields an access token whose aud is the MCP URL, and /mcp takes it',
  'refresh-keeps-aud': 'A refresh at /oauth2/token with resource keeps aud, and the API takes the new token',
  'refresh-rotation':
    'GetTokensFromRefreshToken returns a new refresh token (rotation) and retires the old one after the grace period',
  'managed-login':
    'The hosted sign-in page is served by managed login v2 (the domain\'s ManagedLoginVersion is 2), not "Login pages unavailable"',
  'tool-groups': 'cognito:groups as the authorizer passes it: a grouped tool is listed and callable for a member only',
  'sign-up-allow-list': 'The pre-sign-up trigger refuses a sign-up from an address not on the allow-list, and admits one on it',
  secrets: 'The function reads its Secrets Manager secret at cold start (Node.js 24 runtime) and serves',
  streaming: 'A long tool call streams through API Gateway: progress arrives before the result',
  'several-servers':
    "Several servers: one token for the API-wide resource server is taken by every server; a server's own is not taken by another",
  'redirect-uris': "Cognito accepts Cursor's and Codex's redirect URIs at /oauth2/authorize (and refuses an unregistered one)",
  'custom-domain': 'A custom domain serves /mcp and the RFC 9728 metadata at its root',
  'claude-code-login':
    'The real Claude Code signs in with `claude mcp login` through the managed login page, and lists the server connected',
  'deletion-protection': "destroy lifts the user pool's deletion protection and deletes the stack and the pool",
  'nothing-left': "Nothing tagged with the run's tag remains after clean-up",
} as const;

export type ClaimId = keyof typeof CLAIMS;
export const CLAIM_IDS = Object.keys(CLAIMS) as ClaimId[];

export type Status = 'passed' | 'failed' | 'skipped';

export interface Row {
  readonly id: ClaimId;
  readonly claim: string;
  readonly status: Status;
  /** Status codes, token claims (never a signature), error codes; for a skipped row, why. */
  readonly evidence: Readonly<Record<string, unknown>>;
}

export function skipped(id: ClaimId, reason: string): Row {
  return { id, claim: CLAIMS[id], status: 'skipped', evidence: { reason } };
}

/** A check's verdict that failed, with what was seen so far. */
export class CheckFailed extends Error {
  constructor(
    message: string,
    readonly evidence: Record<string, unknown>,
  ) {
    super(message);
  }
}

/**
 * Runs one check: its evidence as it returns it (passed), or the evidence gathered so far with what
 * went wrong (failed). A check records into `evidence` as it goes, so a failure shows the steps before it.
 */
export async function runCheck(id: ClaimId, check: (evidence: Record<string, unknown>) => Promise<void>): Promise<Row> {
  const evidence: Record<string, unknown> = {};
  try {
    await check(evidence);
    return { id, claim: CLAIMS[id], status: 'passed', evidence };
  } catch (error) {
    const e = error as Error;
    return {
      id,
      claim: CLAIMS[id],
      status: 'failed',
      evidence: { ...evidence, ...(error instanceof CheckFailed ? error.evidence : {}), failure: `${e.name}: ${e.message}` },
    };
  }
}

/** Fails the check with `message` unless `condition` holds. */
export function must(condition: unknown, message: string, evidence: Record<string, unknown> = {}): asserts condition {
  if (!condition) throw new CheckFailed(message, evidence);
}
