/**
 * The stack's options, their defaults, and the checks that run before anything is synthesized: a bad
 * value is a {@link StackPropsError} naming the option and the value, never a CloudFormation failure
 * ten minutes into a deploy.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  checkServerName,
  checkStackName,
  DEFAULT_CALLBACK_PORT,
  DEFAULT_SERVER_NAME,
  DEFAULT_SESSION_HOURS,
  invalid,
} from './names.js';
import {
  checkClients,
  clientRedirectUris,
  DEFAULT_CLIENTS,
  registrableClients,
  MAX_CALLBACK_URL_LENGTH,
  MAX_CALLBACK_URLS,
} from './clients.js';
import {
  BUFFERED_TIMEOUT_SECONDS,
  groupNameProblem,
  MAX_TIMEOUT_SECONDS,
  MIN_TIMEOUT_SECONDS,
} from '../lambda/services/config.js';
import { checkServerSettings, checkSettings, type SecretSetting } from './settings.js';
import { allowListValue, checkAllowEntry, SIGN_UP_MODES, type SignUpPolicy } from './sign-up.js';
import { checkVpcSettings, type VpcSettings } from './vpc-settings.js';
import { type AlarmOptions, checkAlarmSettings, type ResolvedAlarmOptions } from './alarm-settings.js';

export { checkServerName, DEFAULT_CALLBACK_PORT, DEFAULT_SERVER_NAME, DEFAULT_SESSION_HOURS, StackPropsError } from './names.js';
/** The MCP Inspector's OAuth callback. */
export const INSPECTOR_CALLBACK_URL = 'http://localhost:6274/oauth/callback';
export const DEFAULT_STAGE = 'prod';
/**
 * The function's memory, chosen from `npm run bench` (2026-11-25): the handler holds ~45 MB resident after
 * a cold start and ~57 MB after 1,000 calls, so memory is never the limit; CPU is, and Lambda gives CPU in
 * proportion to memory (1,769 MB = one vCPU). A cold start answered on the fast path needs ~25 ms of one
 * core, about 90 ms at 512 MB; the first request that loads the SDK needs ~100 ms more (~350 ms here).
 * 512 MB keeps both well inside a client's patience for $0.83 per million 100 ms calls; 1,024 MB halves
 * the CPU-bound part but doubles the price of every call that waits on the network (a tool's API).
 */
export const DEFAULT_MEMORY_MB = 512;
export const DEFAULT_LOG_RETENTION_DAYS = 30;
export const DEFAULT_THROTTLING = { rateLimit: 50, burstLimit: 100 } as const;

/** Browser origins allowed to call /mcp (CORS): the MCP Inspector on this machine. */
export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = ['http://localhost:6274', 'http://127.0.0.1:6274'];

/** Options of {@link McpServerStack}. */
export interface McpServerStackOptions extends AlarmOptions {
  /** Server name: the scope is `<MCP URL>/<name>`, and resource names derive from it. @default dog-facts */
  readonly serverName?: string;
  /** @default mcp-lambda-<serverName> */
  readonly stackName?: string;
  /** API Gateway stage. @default prod */
  readonly stage?: string;
  /** Port of Claude Code's OAuth callback, `http://localhost:<port>/callback`. @default 31927 */
  readonly callbackPort?: number;
  /** More OAuth callback URLs for the interactive client (https, http on localhost, or an app's scheme). @default none */
  readonly extraCallbackUrls?: readonly string[];
  /**
   * MCP clients whose redirect URIs the interactive client registers (src/stack/clients.ts). @default those
   * whose URIs stay on the user's machine (claude-code, gemini): a client with a website's redirect URI
   * (vscode, cursor, claude-desktop) lets that website receive sign-in codes, so it must be named
   */
  readonly clients?: readonly string[];
  /**
   * A confidential client for machines (client_credentials, every MCP scope), its secret in Secrets Manager.
   * @default false: whoever holds its secret calls every server without signing in, as nobody in the user
   * pool (disabling a user does not stop it), so it exists only when asked for
   */
  readonly machineClient?: boolean;
  /**
   * The MCP URLs the stack serves (known once it is deployed), for clients whose redirect URI depends on
   * the server's URL (Codex): one, or one per server. @default unknown
   */
  readonly deployedMcpUrls?: readonly string[];
  /** Browser origins allowed to call /mcp. @default the MCP Inspector on localhost:6274 */
  readonly allowedOrigins?: readonly string[];
  /**
   * Who may register: listed addresses and `@domains` (`allow-list`), invited users only (`invite`), or
   * anyone (`open`). @default an allow-list with no entries (nobody can register until one is added)
   */
  readonly signUp?: { readonly mode: SignUpPolicy['mode']; readonly allow?: readonly string[] };
  /**
   * Tools only members of some Cognito groups may use: tool name → groups (a member of any one may).
   * Tools not named are for every signed-in user. @default every user may use every tool
   */
  readonly toolGroups?: Readonly<Record<string, readonly string[]>>;
  /** A second factor (an authenticator app, TOTP): off, optional (each user may add one), or required. @default off */
  readonly mfa?: 'off' | 'optional' | 'required';
  /** Lambda memory in MB, 128–10240. @default 512 */
  readonly memoryMb?: number;
  /**
   * How long a request may take, 5–900 s: the function's timeout and the integration's. Over 29 s the MCP
   * route streams (API Gateway's STREAM transfer mode with Lambda response streaming). @default 29
   */
  readonly timeoutSeconds?: number;
  /**
   * A domain of your own for the API (`deploy --domain`): mapped at its root, so the MCP URL is
   * `https://<name>/mcp` and the metadata is at `/.well-known/oauth-protected-resource` where every client
   * looks. Needs a certificate: an ACM certificate in the stack's region, or a Route 53 hosted zone where
   * one is issued (DNS-validated) and the alias record is made.
   */
  readonly domain?: { readonly name: string; readonly certificateArn?: string; readonly hostedZoneId?: string };
  /**
   * Concurrent executions reserved for (and capping) each MCP function, 1–1000; `'none'` deploys without one
   * and records that choice (the `ReservedConcurrency` output, which `deploy` keeps and stops proposing a
   * reservation for). @default none, and nothing recorded: a reservation fails the deploy in accounts
   * without 100 unreserved executions to spare (a new account's limit is 10), so `deploy` reads the
   * account's quota and proposes one where it fits.
   */
  readonly reservedConcurrency?: number | 'none';
  /**
   * Add dog facts' `getDogFactsSlowly`, a demonstration of a long tool that waits as long as the caller asks
   * (up to the timeout). Built-in server only. @default false: each call holds a function for its wait
   */
  readonly slowDemo?: boolean;
  /** Tool calls' metrics get a `Tool` dimension too: five custom metrics per tool (~$0.30 each a month). @default false */
  readonly perToolMetrics?: boolean;
  /** How long an access token issued to a person lasts, 1–24 hours (Cognito's range is 5 min–1 day). @default 8 */
  readonly sessionHours?: number;
  /** Days to keep Lambda and access logs; one of CloudWatch's retention periods. @default 30 */
  readonly logRetentionDays?: number;
  /** Stage throttling: steady requests per second and burst. @default 50 rps, burst 100 */
  readonly throttling?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * JSON access logs for the stage. REST API access logging needs the account's API Gateway CloudWatch
   * role (set once per account and region); turn it off where that role is not set. @default true
   */
  readonly accessLogs?: boolean;
  /** Directory holding the Lambda bundle (`index.mjs`). @default this package's dist/lambda-bundle */
  readonly lambdaBundleDir?: string;
  /** The built-in server the bundle serves (`MCP_SERVER`); `serverName` only names the deployment. @default dog-facts */
  readonly builtinServer?: string;
  /**
   * Several servers behind this one API, user pool and pair of clients (`deploy --entry a.ts --entry b.ts`):
   * each at `/<name>/mcp` with a function, a scope and a protected-resource metadata document of its own.
   * Two to ten; `lambdaBundleDir` and `builtinServer` are then per server. @default one server at /mcp
   */
  readonly servers?: readonly ServerDefinition[];
  /** Settings for the server: environment variables of the function. @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Secrets for the server: variable name → Secrets Manager name or ARN, or SSM parameter (`/path` or ARN),
   * optionally `#field` of a JSON secret. Read at cold start; only the references are in the template. @default none
   */
  readonly secrets?: Readonly<Record<string, string>>;
  /**
   * The registry packages the servers run (`--stdio "npx <package>"`), `name@version` by server name ('' for
   * the one server at /mcp); the `Packages` output, so a later deploy says what changes. @default none
   */
  readonly packages?: Readonly<Record<string, string>>;
  /** A VPC for the MCP server functions (every one; not the Cognito triggers): its subnets and a security group. @default none */
  readonly vpc?: VpcSettings;
}

/** One of several servers behind one API: its route is `/<name>/mcp`, its scope `<its URL>/<name>`. */
export interface ServerDefinition {
  readonly name: string;
  /** Directory holding its bundle (`index.mjs`). @default this package's dist/lambda-bundle */
  readonly lambdaBundleDir?: string;
  /** The built-in server that bundle serves (`MCP_SERVER`). @default dog-facts */
  readonly builtinServer?: string;
  /** Settings for this server only, besides the stack's `environment` (a name may not be in both). @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** Secrets only this server's function may read, besides the stack's `secrets`. @default none */
  readonly secrets?: Readonly<Record<string, string>>;
}

/** Most servers one stack serves: each is a function, a route, a resource server and a metadata document. */
export const MAX_SERVERS = 10;

/**
 * With several servers, the name of the scope on the API-wide resource server (`<API URL>/all-servers`):
 * API Gateway's 401 challenge is one per API, so it points at a metadata document for the whole API, and
 * a client that follows it gets a token every server accepts.
 */
export const ALL_SERVERS_SCOPE_NAME = 'all-servers';

/** Options with every default applied, checked. */
export interface ResolvedStackOptions extends ResolvedAlarmOptions {
  readonly serverName: string;
  readonly stackName: string;
  readonly stage: string;
  readonly callbackPort: number;
  readonly callbackUrls: readonly string[];
  /** The clients registered (claude-code always among them). */
  readonly clients: readonly string[];
  readonly machineClient: boolean;
  /** Clients asked for whose redirect URIs cannot be registered yet (Codex on a first deploy). */
  readonly pendingClients: readonly string[];
  readonly allowedOrigins: readonly string[];
  readonly signUp: SignUpPolicy;
  readonly mfa: 'off' | 'optional' | 'required';
  readonly toolGroups: Readonly<Record<string, readonly string[]>>;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** timeoutSeconds over 29: the MCP route streams. */
  readonly streaming: boolean;
  readonly domain?: { readonly name: string; readonly certificateArn?: string; readonly hostedZoneId?: string };
  readonly reservedConcurrency?: number | 'none';
  readonly slowDemo: boolean;
  readonly perToolMetrics: boolean;
  readonly sessionHours: number;
  readonly logRetention: RetentionDays;
  readonly throttling: { readonly rateLimit: number; readonly burstLimit: number };
  readonly accessLogs: boolean;
  readonly lambdaBundleDir?: string;
  readonly builtinServer: string;
  /** The scope's name on the resource server (the server name); the full scope is `<MCP URL>/<scopeName>`. */
  readonly scopeName: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: readonly SecretSetting[];
  /** Several servers (two or more), each at `/<name>/mcp`; absent for one server at `/mcp`. */
  readonly servers?: readonly ResolvedServer[];
  readonly packages?: Readonly<Record<string, string>>;
  readonly vpc?: VpcSettings;
}

/** A {@link ServerDefinition} with its default applied. */
export interface ResolvedServer {
  readonly name: string;
  readonly lambdaBundleDir?: string;
  readonly builtinServer: string;
  /** Its own settings and secrets (the stack's shared ones are in {@link ResolvedStackOptions}). */
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: readonly SecretSetting[];
}

const RETENTION_DAYS = new Set(Object.values(RetentionDays).filter((value): value is number => typeof value === 'number'));

function integer(option: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) invalid(option, value, `use a whole number from ${min} to ${max}.`);
  return value;
}

/** A DNS name API Gateway can serve: lower-case labels of letters, digits and hyphens, at least two. */
const HOSTNAME = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;

function checkDomain(domain: NonNullable<McpServerStackOptions['domain']>): NonNullable<ResolvedStackOptions['domain']> {
  const name = domain.name.trim().toLowerCase().replace(/\.$/, '');
  if (!HOSTNAME.test(name)) invalid('domain', domain.name, 'use a DNS name such as mcp.example.com.');
  if (name.endsWith('.amazonaws.com')) invalid('domain', domain.name, 'use a domain of your own, not an AWS one.');
  if (domain.certificateArn === undefined && domain.hostedZoneId === undefined) {
    invalid(
      'domain',
      domain.name,
      'it needs a certificate: --certificate <ACM certificate ARN in the stack’s region>, or --hosted-zone <Route 53 zone id> to have one issued.',
    );
  }
  if (domain.certificateArn !== undefined && !CERTIFICATE_ARN.test(domain.certificateArn)) {
    invalid(
      'certificate',
      domain.certificateArn,
      'use an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>).',
    );
  }
  if (domain.hostedZoneId !== undefined && !HOSTED_ZONE_ID.test(domain.hostedZoneId)) {
    invalid('hosted zone', domain.hostedZoneId, 'use a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ.');
  }
  return {
    name,
    ...(domain.certificateArn !== undefined && { certificateArn: domain.certificateArn }),
    ...(domain.hostedZoneId !== undefined && { hostedZoneId: domain.hostedZoneId }),
  };
}

function checkCallbackUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    invalid('callback URL', value, 'it is not a URL.');
  }
  if (url.hash !== '') invalid('callback URL', value, 'a callback URL has no #fragment.');
  if (url.protocol === 'http:' && url.hostname !== 'localhost') {
    invalid('callback URL', value, 'Cognito accepts plain http only for localhost; use https.');
  }
  // An app's own scheme (cursor://…) is allowed by Cognito; schemes that run or read things are not callbacks.
  if (['javascript:', 'data:', 'file:', 'vbscript:', 'blob:', 'about:', 'ftp:'].includes(url.protocol)) {
    invalid('callback URL', value, 'use https, http on localhost, or an app’s own scheme (myapp://callback).');
  }
  if (value.length > MAX_CALLBACK_URL_LENGTH)
    invalid('callback URL', value, `Cognito takes at most ${MAX_CALLBACK_URL_LENGTH} characters.`);
  return value;
}

function checkOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    invalid('allowed origin', value, 'use an origin such as https://app.example.com.');
  }
  if (url.origin !== value) invalid('allowed origin', value, 'an origin has a scheme and host only, no path or trailing slash.');
  return value;
}

/** Applies defaults and checks every option. */
export function resolveStackOptions(options: McpServerStackOptions = {}): ResolvedStackOptions {
  const serverName = checkServerName(options.serverName ?? DEFAULT_SERVER_NAME);
  const stackName = checkStackName(options.stackName ?? `mcp-lambda-${serverName}`);
  const stage = options.stage ?? DEFAULT_STAGE;
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(stage)) invalid('stage', stage, 'use up to 128 letters, digits, hyphens and underscores.');
  const callbackPort = integer('callback port', options.callbackPort ?? DEFAULT_CALLBACK_PORT, 1024, 65535);
  const extra = (options.extraCallbackUrls ?? []).map(checkCallbackUrl);
  const clients = checkClients(options.clients ?? DEFAULT_CLIENTS);
  const callbackUrls = [
    ...new Set([
      `http://localhost:${callbackPort}/callback`,
      INSPECTOR_CALLBACK_URL,
      ...clientRedirectUris(clients, callbackPort, options.deployedMcpUrls).map(checkCallbackUrl),
      ...extra,
    ]),
  ];
  const registered = registrableClients(clients, callbackPort, options.deployedMcpUrls);
  if (callbackUrls.length > MAX_CALLBACK_URLS) {
    invalid('callback URLs', callbackUrls.length, `Cognito registers at most ${MAX_CALLBACK_URLS} on an app client; name fewer.`);
  }
  const allowedOrigins = (options.allowedOrigins ?? DEFAULT_ALLOWED_ORIGINS).map(checkOrigin);
  const mode = options.signUp?.mode ?? 'allow-list';
  if (!SIGN_UP_MODES.includes(mode)) invalid('sign-up policy', mode, `use one of ${SIGN_UP_MODES.join(', ')}.`);
  const allow = (options.signUp?.allow ?? []).map(checkAllowEntry);
  if (mode !== 'allow-list' && allow.length > 0) {
    invalid(
      'sign-up policy',
      mode,
      'addresses to allow go with the allow-list policy only (drop --signup, or the --allow entries).',
    );
  }
  allowListValue(allow);
  const mfa = options.mfa ?? 'off';
  if (!['off', 'optional', 'required'].includes(mfa)) invalid('mfa', mfa, 'use off, optional or required.');
  const toolGroups = Object.fromEntries(
    Object.entries(options.toolGroups ?? {}).map(([tool, groups]) => {
      if (!/^[A-Za-z0-9_.\-/]{1,128}$/.test(tool))
        invalid('tool name', tool, 'use the name the tool is registered with (letters, digits, _ - . /).');
      if (groups.length === 0) invalid('tool groups', tool, 'name at least one group that may use it.');
      for (const group of groups) {
        const problem = groupNameProblem(group);
        if (problem !== undefined) invalid('group name', group, `${problem}.`);
      }
      return [tool, [...new Set(groups)]];
    }),
  );
  const memoryMb = integer('memory', options.memoryMb ?? DEFAULT_MEMORY_MB, 128, 10240);
  const timeoutSeconds = integer(
    'timeout',
    options.timeoutSeconds ?? BUFFERED_TIMEOUT_SECONDS,
    MIN_TIMEOUT_SECONDS,
    MAX_TIMEOUT_SECONDS,
  );
  const domain = options.domain === undefined ? undefined : checkDomain(options.domain);
  const reservedConcurrency =
    options.reservedConcurrency === undefined || options.reservedConcurrency === 'none'
      ? options.reservedConcurrency
      : integer('reserved concurrency', options.reservedConcurrency, 1, 1000);
  const slowDemo = options.slowDemo ?? false;
  if (slowDemo && (options.servers !== undefined || options.lambdaBundleDir !== undefined)) {
    invalid('slow demo', true, 'it is a tool of the built-in dog-facts server; your own server has its own tools.');
  }
  const sessionHours = integer('session hours', options.sessionHours ?? DEFAULT_SESSION_HOURS, 1, 24);
  const retentionDays = options.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
  if (!RETENTION_DAYS.has(retentionDays)) {
    invalid(
      'log retention',
      retentionDays,
      `use one of CloudWatch's periods in days: ${[...RETENTION_DAYS].sort((a, b) => a - b).join(', ')}.`,
    );
  }
  const throttling = options.throttling ?? DEFAULT_THROTTLING;
  integer('throttling rate limit', throttling.rateLimit, 1, 10000);
  integer('throttling burst limit', throttling.burstLimit, 1, 5000);
  const builtinServer = options.builtinServer ?? DEFAULT_SERVER_NAME;
  const settings = checkSettings(options.environment ?? {}, options.secrets ?? {});
  const servers = options.servers === undefined ? undefined : checkServers(options, settings);
  const vpc = options.vpc === undefined ? undefined : checkVpcSettings(options.vpc);
  return {
    serverName,
    stackName,
    stage,
    callbackPort,
    callbackUrls,
    clients: registered,
    machineClient: options.machineClient ?? false,
    pendingClients: clients.filter((id) => !registered.includes(id)),
    allowedOrigins,
    signUp: { mode, allow: [...new Set(allow)].sort() },
    mfa,
    toolGroups,
    memoryMb,
    timeoutSeconds,
    streaming: timeoutSeconds > BUFFERED_TIMEOUT_SECONDS,
    ...(domain !== undefined && { domain }),
    ...(reservedConcurrency !== undefined && { reservedConcurrency }),
    slowDemo,
    perToolMetrics: options.perToolMetrics ?? false,
    sessionHours,
    logRetention: retentionDays as RetentionDays,
    throttling,
    accessLogs: options.accessLogs ?? true,
    ...(options.lambdaBundleDir !== undefined && { lambdaBundleDir: options.lambdaBundleDir }),
    builtinServer,
    scopeName: serverName,
    environment: settings.environment,
    secrets: settings.secrets,
    ...(servers !== undefined && { servers }),
    ...(options.packages !== undefined && Object.keys(options.packages).length > 0 && { packages: options.packages }),
    ...(vpc !== undefined && { vpc }),
    ...(options.alarms !== undefined && { alarms: checkAlarmSettings(options.alarms) }),
  };
}

function checkServers(options: McpServerStackOptions, shared: Parameters<typeof checkServerSettings>[1]): ResolvedServer[] {
  const servers = options.servers ?? [];
  if (servers.length < 2 || servers.length > MAX_SERVERS) {
    invalid(
      'servers',
      servers.map((server) => server.name),
      `name from 2 to ${MAX_SERVERS} servers (one server is served at /mcp without a list).`,
    );
  }
  if (options.lambdaBundleDir !== undefined || options.builtinServer !== undefined) {
    invalid(
      'servers',
      servers.map((server) => server.name),
      'with several servers, each names its own bundle.',
    );
  }
  const seen = new Set<string>();
  return servers.map((server) => {
    const name = checkServerName(server.name);
    if (seen.has(name)) invalid('server name', name, 'each server needs a name of its own (it is its path, /<name>/mcp).');
    seen.add(name);
    return {
      name,
      builtinServer: server.builtinServer ?? DEFAULT_SERVER_NAME,
      ...checkServerSettings(name, shared, server.environment ?? {}, server.secrets ?? {}),
      ...(server.lambdaBundleDir !== undefined && { lambdaBundleDir: server.lambdaBundleDir }),
    };
  });
}
