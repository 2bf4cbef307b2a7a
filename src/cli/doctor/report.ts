/** What a doctor check reports: one result per link of the chain, with its title and the fix. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  readonly id: CheckId;
  readonly title: string;
  readonly status: CheckStatus;
  /** What was seen. */
  readonly detail: string;
  /** The command (or step) that mends a broken link. */
  readonly fix?: string;
}

export type CheckId =
  | 'challenge'
  | 'resource-metadata'
  | 'issuer'
  | 'authorize'
  | 'claude-code'
  | 'client-config'
  | 'mcp'
  | 'token'
  | 'callback-port'
  | 'guard-rails';

const TITLES: Record<CheckId, string> = {
  challenge: '401 challenge',
  'resource-metadata': 'protected-resource metadata',
  issuer: "issuer's discovery document",
  authorize: 'authorize endpoint',
  'claude-code': 'Claude Code entry',
  'client-config': 'client config',
  mcp: 'MCP exchange',
  token: 'access token',
  'callback-port': 'callback port',
  'guard-rails': 'alarms and caps',
};

export function result(id: CheckId, status: CheckStatus, detail: string, fix?: string): CheckResult {
  return { id, title: TITLES[id], status, detail, ...(fix !== undefined && { fix }) };
}
