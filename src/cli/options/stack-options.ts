/**
 * The options every stack command takes (`synth` now, `deploy` later), parsed here and checked in full by
 * `resolveStackOptions` when the command runs. This module must stay light: it is loaded for `--help`.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { groupNameProblem } from '../../lambda/services/config.js';
import { DEFAULT_CALLBACK_PORT, DEFAULT_SESSION_HOURS } from '../../stack/names.js';
import type { McpServerStackOptions } from '../../stack/props.js';
import { UsageError } from '../terminal/errors.js';
import type { AlarmCliOptions } from './alarm-options.js';
import { type VpcCliOptions, vpcFromFlags } from './vpc-options.js';

/** What commander hands the action. */
export interface StackCliOptions extends VpcCliOptions, AlarmCliOptions {
  readonly name?: string;
  readonly stackName?: string;
  readonly stage?: string;
  readonly callbackPort?: number;
  readonly callbackUrl?: string[];
  readonly allowedOrigin?: string[];
  readonly memory?: number;
  readonly timeout?: number;
  readonly domain?: string;
  readonly certificate?: string;
  readonly hostedZone?: string;
  readonly reservedConcurrency?: number | 'none';
  /** dog facts' getDogFactsSlowly; false: --no-slow-demo. */
  readonly slowDemo?: boolean;
  /** Metrics per tool too; false: --no-per-tool-metrics. */
  readonly perToolMetrics?: boolean;
  readonly mfa?: 'off' | 'optional' | 'required';
  readonly sessionHours?: number;
  /** Addresses and @domains that may register (the allow-list policy). */
  readonly allow?: string[];
  readonly signup?: 'allow-list' | 'invite' | 'open';
  /** `tool=group[,group]`, collected into tool → groups. */
  readonly toolGroups?: Record<string, string[]>;
  readonly logRetention?: number;
  readonly accessLogs: boolean;
  readonly validate?: boolean;
  /** deploy: bootstrap without asking when needed. */
  readonly bootstrap?: boolean;
  /** deploy: policies for CloudFormation's execution role when bootstrapping. */
  readonly cloudformationExecutionPolicies?: string[];
  /** The user's server modules (`[name=]file`, repeatable) to bundle instead of the built-in dog-facts. */
  readonly entry?: string[];
  /** The user's stdio servers (`[name=]"<command line>"`, repeatable), installed or copied into their bundles. */
  readonly stdio?: string[];
  /** `KEY=VALUE` settings for the server (`<server>:KEY` for one of several). */
  readonly env?: Record<string, string>;
  /** `KEY=<secret reference>` secrets for the server (`<server>:KEY` for one of several). */
  readonly secret?: Record<string, string>;
  /** deploy: drop the deployed stack's settings and secrets. */
  readonly clearSettings?: boolean;
  /** MCP clients whose redirect URIs to register. */
  readonly clients?: string[];
  /** The client_credentials client; false: --no-machine-client. */
  readonly machineClient?: boolean;
}

export function wholeNumber(label: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value.trim()) || number < min || number > max) {
      throw new InvalidArgumentError(`expected ${label}: a whole number from ${min} to ${max}, got "${value}".`);
    }
    return number;
  };
}

/** `getDogFacts=admins,team` (repeatable) → { getDogFacts: ['admins', 'team'] }. */
function toolGroup(value: string, previous: Record<string, string[]> | undefined): Record<string, string[]> {
  const match = /^([^=\s]+)=(\S+)$/.exec(value.trim());
  const groups = match?.[2]?.split(',').filter((group) => group !== '') ?? [];
  const tool = match?.[1];
  if (!tool || groups.length === 0) {
    throw new InvalidArgumentError(`expected <tool>=<group>[,<group>…] such as getDogFacts=admins, got "${value}".`);
  }
  for (const group of groups) {
    const problem = groupNameProblem(group);
    if (problem !== undefined) throw new InvalidArgumentError(`group name ${JSON.stringify(group)} is not valid: ${problem}.`);
  }
  // Own entries only: a tool may be named `constructor` or `__proto__`.
  const before = previous !== undefined && Object.hasOwn(previous, tool) ? (previous[tool] ?? []) : [];
  return { ...previous, [tool]: [...before, ...groups] };
}

/** `KEY=VALUE` (repeatable) → { KEY: VALUE }; the value may hold '=' and may be empty. */
export function keyValue(flag: string, example: string) {
  return (value: string, previous: Record<string, string> | undefined): Record<string, string> => {
    const at = value.indexOf('=');
    const key = at > 0 ? value.slice(0, at).trim() : '';
    if (key === '') throw new InvalidArgumentError(`expected KEY=VALUE such as ${example}, got "${value}".`);
    if (previous && key in previous) throw new InvalidArgumentError(`${key} is given twice with ${flag}.`);
    return { ...previous, [key]: value.slice(at + 1) };
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Adds the stack options to a command. */
export function addStackOptions(command: Command): Command {
  return command
    .option('-n, --name <name>', 'name of the deployment; its OAuth scope is <MCP URL>/<name> (default: "dog-facts")')
    .option('--stack-name <name>', 'CloudFormation stack name (default: "mcp-lambda-<name>")')
    .option('--stage <stage>', 'API Gateway stage (default: "prod")')
    .addOption(
      new Option('--callback-port <port>', `Claude Code's OAuth callback port (default: ${DEFAULT_CALLBACK_PORT})`).argParser(
        wholeNumber('a port', 1024, 65535),
      ),
    )
    .option('--callback-url <url>', 'another OAuth callback URL (https, or http on localhost); repeatable', collect)
    .option(
      '--allowed-origin <origin>',
      'a browser origin allowed to call /mcp; repeatable (default: the MCP Inspector)',
      collect,
    )
    .addOption(new Option('--memory <mb>', 'Lambda memory in MB (default: 512)').argParser(wholeNumber('megabytes', 128, 10240)))
    .option(
      '--domain <name>',
      'serve the MCP URL on a domain of your own, mapped at its root (needs --certificate or --hosted-zone)',
    )
    .option('--certificate <arn>', "the ACM certificate for --domain, in the stack's region")
    .option('--hosted-zone <id>', 'the Route 53 hosted zone of --domain: a certificate is issued and the DNS record made there')
    .addOption(
      new Option(
        '--timeout <seconds>',
        'how long a request may take, 5-900; over 29 the MCP route streams, for long tools (default: 29; kept by later deploys)',
      ).argParser(wholeNumber('seconds', 5, 900)),
    )
    .addOption(
      new Option(
        '--reserved-concurrency <n>',
        "reserve (and cap) this many concurrent executions for each MCP function, 1-1000, or none (default: deploy proposes one from the account's quota; kept by later deploys)",
      ).argParser((value: string) => (value.trim() === 'none' ? 'none' : wholeNumber('executions or none', 1, 1000)(value))),
    )
    .option(
      '--slow-demo',
      "add dog facts' getDogFactsSlowly, a long-tool demonstration that holds a function for as long as a caller asks (default: off; kept by later deploys)",
    )
    .option('--no-slow-demo', 'remove getDogFactsSlowly from a stack deployed with --slow-demo')
    .option(
      '--per-tool-metrics',
      'CloudWatch metrics per tool too: 5 custom metrics per tool, about $1.50 per tool per month (default: per server and MCP method only; kept by later deploys)',
    )
    .option('--no-per-tool-metrics', 'stop the per-tool metrics of a stack deployed with --per-tool-metrics')
    .addOption(
      new Option('--mfa <mode>', 'second factor, an authenticator app (TOTP): off, optional or required (default: off)').choices([
        'off',
        'optional',
        'required',
      ]),
    )
    .option('--allow <address>', 'let this address (or @domain) register; repeatable (the allow-list policy)', collect)
    .addOption(
      new Option(
        '--signup <policy>',
        'who may register: allow-list (with --allow), invite (invited users only) or open (anyone)',
      ).choices(['allow-list', 'invite', 'open']),
    )
    .option(
      '--tool-groups <tool=groups>',
      'only these Cognito groups may use this tool, e.g. getDogFacts=admins,team; repeatable (default: every user, every tool)',
      toolGroup,
    )
    .addOption(
      new Option(
        '--session-hours <hours>',
        `how long a sign-in's access token lasts, 1-24 (default: ${DEFAULT_SESSION_HOURS})`,
      ).argParser(wholeNumber('hours', 1, 24)),
    )
    .addOption(new Option('--log-retention <days>', 'days to keep logs (default: 30)').argParser(wholeNumber('days', 1, 3653)))
    .option('--no-access-logs', "no API Gateway access logs (for accounts without API Gateway's CloudWatch role)")
    .option('--validate', "check the template with aws-cdk-lib's CloudFormation validation (slower)")
    .option(
      '--entry <[name=]file>',
      'your own MCP server module (default export: a function returning an McpServer); needs --name. Repeat it for several servers behind one sign-in, each at /<name>/mcp',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--stdio <[name=]command>',
      'your stdio MCP server, as your client config starts it: "npx -y <package>[@version] [args]" (installed into the bundle) or "node <file.js> [args]"; needs --name. Repeatable and mixable with --entry',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--clients <list>',
      'MCP clients to register redirect URIs for, comma-separated: claude-code, gemini, vscode, cursor, claude-desktop, codex (default: claude-code,gemini, whose URIs stay on your machine; vscode, cursor and claude-desktop register a website that then receives sign-in codes; kept by later deploys)',
      (value: string) => {
        const list = value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean);
        if (list.length === 0) throw new InvalidArgumentError('expected client names such as claude-code,cursor.');
        return list;
      },
    )
    .option(
      '--machine-client',
      'add a confidential OAuth client for machines (client_credentials, every server), its secret in Secrets Manager (default: none; kept by later deploys)',
    )
    .option('--no-machine-client', 'remove the machine client (its id and secret stop working)')
    .option(
      '--env <[server:]KEY=VALUE>',
      'a setting for the server: an environment variable of its function. With several --entry, KEY=… is for every server and notes:KEY=… for the server notes only. Repeatable (kept by later deploys)',
      keyValue('--env', 'API_BASE_URL=https://api.example.com'),
    )
    .option(
      '--secret <[server:]KEY=ref>',
      "a secret for the server, read at cold start into KEY: a Secrets Manager name or ARN (#field for JSON), or an SSM parameter (/path or ARN). With several --entry, notes:KEY=… is for the server notes only: no other server's role may read it. Repeatable (kept by later deploys)",
      keyValue('--secret', 'API_KEY=my-app/api-key'),
    );
}

/** The sign-up policy the flags ask for, if they ask for one. */
export function signUpFromFlags(options: StackCliOptions): McpServerStackOptions['signUp'] {
  if (options.signup !== undefined) return { mode: options.signup, ...(options.allow && { allow: options.allow }) };
  if (options.allow !== undefined) return { mode: 'allow-list', allow: options.allow };
  return undefined;
}

/** Turns parsed flags into stack options (checked later, with the option named in any error). */
export function toStackOptions(options: StackCliOptions): McpServerStackOptions & { accessLogs: boolean } {
  if (options.domain === undefined && (options.certificate !== undefined || options.hostedZone !== undefined)) {
    throw new UsageError(
      `${options.certificate !== undefined ? '--certificate' : '--hosted-zone'} is for --domain: name the domain it serves.`,
      `--domain mcp.example.com ${options.certificate !== undefined ? `--certificate ${options.certificate}` : `--hosted-zone ${options.hostedZone}`}`,
    );
  }
  if (options.slowDemo === true && (options.entry !== undefined || options.stdio !== undefined)) {
    throw new UsageError(
      "--slow-demo adds dog facts' getDogFactsSlowly; your own server (--entry, --stdio) has its own tools.",
      'Drop --slow-demo, or deploy dog facts without --entry or --stdio.',
    );
  }
  const signUp = signUpFromFlags(options);
  const vpc = vpcFromFlags(options);
  return {
    ...(vpc !== undefined && { vpc }),
    ...(signUp !== undefined && { signUp }),
    ...(options.name !== undefined && { serverName: options.name }),
    ...(options.stackName !== undefined && { stackName: options.stackName }),
    ...(options.stage !== undefined && { stage: options.stage }),
    ...(options.callbackPort !== undefined && { callbackPort: options.callbackPort }),
    ...(options.callbackUrl !== undefined && { extraCallbackUrls: options.callbackUrl }),
    ...(options.allowedOrigin !== undefined && { allowedOrigins: options.allowedOrigin }),
    ...(options.memory !== undefined && { memoryMb: options.memory }),
    ...(options.timeout !== undefined && { timeoutSeconds: options.timeout }),
    ...(options.domain !== undefined && {
      domain: {
        name: options.domain,
        ...(options.certificate !== undefined && { certificateArn: options.certificate }),
        ...(options.hostedZone !== undefined && { hostedZoneId: options.hostedZone }),
      },
    }),
    ...(options.reservedConcurrency !== undefined && { reservedConcurrency: options.reservedConcurrency }),
    ...(options.slowDemo !== undefined && { slowDemo: options.slowDemo }),
    ...(options.perToolMetrics !== undefined && { perToolMetrics: options.perToolMetrics }),
    ...(options.mfa !== undefined && { mfa: options.mfa }),
    ...(options.sessionHours !== undefined && { sessionHours: options.sessionHours }),
    ...(options.toolGroups !== undefined && { toolGroups: options.toolGroups }),
    ...(options.logRetention !== undefined && { logRetentionDays: options.logRetention }),
    ...(options.env !== undefined && { environment: options.env }),
    ...(options.clients !== undefined && { clients: options.clients }),
    ...(options.machineClient !== undefined && { machineClient: options.machineClient }),
    ...(options.secret !== undefined && { secrets: options.secret }),
    accessLogs: options.accessLogs,
  };
}
