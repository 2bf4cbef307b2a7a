/**
 * Lambda configuration from environment variables, read once at cold start.
 *
 * A bad value fails the cold start with a message naming the variable: a misconfigured function should
 * stop loudly, not serve with a silently different policy.
 */
import type { ApiWideGrant } from './auth.js';

/** Default cap on a request body: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Default cap on messages in one JSON-RPC batch (2025-03-26 clients batch; later revisions do not). */
export const DEFAULT_MAX_BATCH = 10;
/** Default cap on tools/call messages in one request: each can fan out to the tool's own API calls. */
export const DEFAULT_MAX_TOOL_CALLS = 3;

/** API Gateway's integration timeout for a buffered answer; above it, answers stream. */
export const BUFFERED_TIMEOUT_SECONDS = 29;
/** The longest a streamed answer may take (API Gateway and Lambda both stop at 15 minutes). */
export const MAX_TIMEOUT_SECONDS = 900;
export const MIN_TIMEOUT_SECONDS = 5;

/** Origins allowed by default: local tools such as the MCP Inspector (`http://localhost:6274`). */
export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = ['http://localhost:*', 'http://127.0.0.1:*'];

export interface LambdaConfig {
  /** Registry key of the server to serve. */
  readonly serverName: string;
  /**
   * The deployment's name for the request log and its metrics (`MCP_SERVER_LABEL`, set by the stack: the
   * `--name`, or the server's with several). @default serverName
   */
  readonly serverLabel: string;
  /** Tool calls' metrics get a `Tool` dimension too (`MCP_PER_TOOL_METRICS=true`, `deploy --per-tool-metrics`). */
  readonly perToolMetrics: boolean;
  readonly maxBodyBytes: number;
  /** Most messages in one JSON-RPC batch. */
  readonly maxBatch: number;
  /** Most tools/call messages in one request. */
  readonly maxToolCalls: number;
  /** Origin patterns (`*` alone allows any; `:*` allows any port). */
  readonly allowedOrigins: readonly string[];
  /** OAuth client ids whose tokens are accepted; empty accepts any client the authorizer accepted. */
  readonly allowedClientIds: readonly string[];
  /** The scope a token must hold; undefined skips the check. */
  readonly requiredScope?: string;
  /** This server's resource URL: a token whose `aud` names another resource is refused. */
  readonly resource?: string;
  /**
   * With several servers behind one API: the API's own resource and scope, which every server accepts as
   * well as its own (the 401 challenge names them). @default none
   */
  readonly apiWide?: ApiWideGrant;
  /** Tools only some Cognito groups may use: tool name → groups. Tools not named are for everyone. */
  readonly toolGroups?: Readonly<Record<string, readonly string[]>>;
  /** How long a request may take (`deploy --timeout`): the function's and the integration's timeout. */
  readonly timeoutSeconds: number;
  /** Above 29 s the integration streams: tool calls answer as an event stream written as it happens. */
  readonly streaming: boolean;
  /**
   * The function sits behind API Gateway's Cognito authorizer (`MCP_REQUIRE_CLAIMS=true`, set by the
   * stack): a request that arrives without the authorizer's claims — a console test, a direct invoke — is
   * refused instead of served without identity. Off in `dev` and in tests that run the handler bare.
   */
  readonly requireClaims: boolean;
}

/** What every group name must be (Cognito's rule, and no separator API Gateway's rendering uses). */
export const GROUP_NAME_RULE = 'use 1–128 characters without spaces, "," "[" or "]"';

/**
 * Why `name` cannot name a Cognito group that tool groups use, or undefined when it can. Cognito takes
 * 1–128 letters, marks, symbols, numbers and punctuation; `,`, `[` and `]` are refused as well, because
 * API Gateway hands the Lambda `cognito:groups` as one string ("[a, b]", or "a,b"), where a member of
 * `contractors,admins` would read as a member of `admins`.
 */
export function groupNameProblem(name: string): string | undefined {
  const characters = [...name];
  if (name.trim() === '') return `it is empty; ${GROUP_NAME_RULE}`;
  const separator = characters.find((character) => character === ',' || character === '[' || character === ']');
  if (separator !== undefined) {
    return `it has "${separator}", which separates groups where API Gateway passes a token's groups to the Lambda; ${GROUP_NAME_RULE}`;
  }
  if (/\s/u.test(name)) return `it has whitespace; ${GROUP_NAME_RULE}`;
  if (characters.length > 128) return `it has ${characters.length} characters; ${GROUP_NAME_RULE}`;
  if (!/^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u.test(name)) {
    return `it has a character Cognito does not take in a group name (a control or format character); ${GROUP_NAME_RULE}`;
  }
  return undefined;
}

/**
 * Reads `MCP_TOOL_GROUPS`: `{"<tool>": ["<group>", …]}`, as an object without a prototype, so a tool
 * named `constructor` or `__proto__` is looked up as itself.
 */
export function parseToolGroups(value: string | undefined): Record<string, string[]> | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ConfigError(
      `MCP_TOOL_GROUPS must be JSON like {"getDogFacts":["admins"]}, got ${JSON.stringify(value.slice(0, 100))}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('MCP_TOOL_GROUPS must be a JSON object of tool name → list of groups');
  }
  const groups = Object.create(null) as Record<string, string[]>;
  for (const [tool, list] of Object.entries(parsed)) {
    if (!Array.isArray(list) || list.length === 0 || !list.every((group) => typeof group === 'string' && group.trim() !== '')) {
      throw new ConfigError(`MCP_TOOL_GROUPS: ${JSON.stringify(tool)} must map to a non-empty list of group names`);
    }
    groups[tool] = list.map((group: string) => {
      const trimmed = group.trim();
      const problem = groupNameProblem(trimmed);
      if (problem !== undefined) {
        throw new ConfigError(
          `MCP_TOOL_GROUPS: group name ${JSON.stringify(trimmed)} of ${JSON.stringify(tool)} is not valid: ${problem}`,
        );
      }
      return trimmed;
    });
  }
  return groups;
}

/** Thrown when an environment variable holds a value the Lambda cannot use. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function positiveInteger(name: string, value: string | undefined, fallback: number, unit = 'bytes'): number {
  if (value === undefined || value.trim() === '') return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0) {
    throw new ConfigError(`${name} must be a positive whole number of ${unit}, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

function originPattern(value: string): string {
  if (value === '*') return value;
  const withoutPortWildcard = value.endsWith(':*') ? value.slice(0, -2) : value;
  let url: URL;
  try {
    url = new URL(withoutPortWildcard);
  } catch {
    throw new ConfigError(
      `MCP_ALLOWED_ORIGINS has ${JSON.stringify(value)}, which is not an origin like https://app.example.com`,
    );
  }
  if (url.origin !== withoutPortWildcard) {
    throw new ConfigError(`MCP_ALLOWED_ORIGINS has ${JSON.stringify(value)}: an origin has no path, query or trailing slash`);
  }
  return value;
}

/** Reads the Lambda's configuration from `env`. */
export function readConfig(env: Record<string, string | undefined> = process.env): LambdaConfig {
  const serverName = env.MCP_SERVER?.trim() || 'dog-facts';
  const requiredScope = env.MCP_REQUIRED_SCOPE?.trim() || undefined;
  const resource = env.MCP_RESOURCE?.trim() || undefined;
  if (resource !== undefined && !URL.canParse(resource)) {
    throw new ConfigError(`MCP_RESOURCE must be the server's URL (https://…/mcp), got ${JSON.stringify(resource)}`);
  }
  const apiResource = env.MCP_API_RESOURCE?.trim() || undefined;
  const apiScope = env.MCP_API_SCOPE?.trim() || undefined;
  if ((apiResource === undefined) !== (apiScope === undefined)) {
    throw new ConfigError(
      'MCP_API_RESOURCE and MCP_API_SCOPE go together: set both (several servers behind one API) or neither.',
    );
  }
  if (apiResource !== undefined && !URL.canParse(apiResource)) {
    throw new ConfigError(`MCP_API_RESOURCE must be the API's URL (https://…), got ${JSON.stringify(apiResource)}`);
  }
  const toolGroups = parseToolGroups(env.MCP_TOOL_GROUPS);
  const requireClaims = env.MCP_REQUIRE_CLAIMS?.trim().toLowerCase() ?? '';
  if (!['', 'true', 'false'].includes(requireClaims)) {
    throw new ConfigError(`MCP_REQUIRE_CLAIMS must be true or false, got ${JSON.stringify(env.MCP_REQUIRE_CLAIMS)}`);
  }
  const perToolMetrics = env.MCP_PER_TOOL_METRICS?.trim().toLowerCase() ?? '';
  if (!['', 'true', 'false'].includes(perToolMetrics)) {
    throw new ConfigError(`MCP_PER_TOOL_METRICS must be true or false, got ${JSON.stringify(env.MCP_PER_TOOL_METRICS)}`);
  }
  const serverLabel = env.MCP_SERVER_LABEL?.trim() || serverName;
  if (serverLabel.length > 128) {
    throw new ConfigError(
      `MCP_SERVER_LABEL must be at most 128 characters (a metric dimension's value), got ${serverLabel.length}`,
    );
  }
  const timeoutSeconds = positiveInteger('MCP_TIMEOUT_SECONDS', env.MCP_TIMEOUT_SECONDS, BUFFERED_TIMEOUT_SECONDS, 'seconds');
  if (timeoutSeconds < MIN_TIMEOUT_SECONDS || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
    throw new ConfigError(
      `MCP_TIMEOUT_SECONDS must be from ${MIN_TIMEOUT_SECONDS} to ${MAX_TIMEOUT_SECONDS} seconds, got ${JSON.stringify(env.MCP_TIMEOUT_SECONDS)}`,
    );
  }
  return {
    timeoutSeconds,
    streaming: timeoutSeconds > BUFFERED_TIMEOUT_SECONDS,
    requireClaims: requireClaims === 'true',
    serverName,
    serverLabel,
    perToolMetrics: perToolMetrics === 'true',
    maxBodyBytes: positiveInteger('MCP_MAX_BODY_BYTES', env.MCP_MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES),
    maxBatch: positiveInteger('MCP_MAX_BATCH', env.MCP_MAX_BATCH, DEFAULT_MAX_BATCH, 'messages'),
    maxToolCalls: positiveInteger('MCP_MAX_TOOL_CALLS', env.MCP_MAX_TOOL_CALLS, DEFAULT_MAX_TOOL_CALLS, 'tool calls'),
    allowedOrigins: (list(env.MCP_ALLOWED_ORIGINS) ?? DEFAULT_ALLOWED_ORIGINS).map(originPattern),
    allowedClientIds: list(env.MCP_ALLOWED_CLIENT_IDS) ?? [],
    ...(requiredScope !== undefined && { requiredScope }),
    ...(resource !== undefined && { resource }),
    ...(apiResource !== undefined && apiScope !== undefined && { apiWide: { resource: apiResource, scope: apiScope } }),
    ...(toolGroups !== undefined && { toolGroups }),
  };
}

/** Whether `origin` matches one of `patterns`. */
export function isOriginAllowed(origin: string, patterns: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.origin !== origin) return false;
  return patterns.some((pattern) => {
    if (pattern === '*') return true;
    if (pattern.endsWith(':*')) {
      const base = new URL(pattern.slice(0, -2));
      return parsed.protocol === base.protocol && parsed.hostname === base.hostname;
    }
    return pattern === origin;
  });
}
