/**
 * The keys of `mcp-lambda.jsonc`, defined once: each key's JSON Schema (what ./check.ts validates a file
 * with, and what ./schema.ts writes to the schema that ships in the package), the deploy flag it stands
 * for, how its value becomes that flag's value, and how a deployed stack remembers it (for `config export`
 * and for `status`' sources). Loaded for deploy and synth: no aws-cdk-lib, no AWS SDK here.
 */
import { groupNameProblem } from '../../lambda/services/config.js';
import { checkServerName, checkStackName, DEFAULT_CALLBACK_PORT, DEFAULT_SESSION_HOURS } from '../../stack/names.js';
import { readVpcOutput, vpcIdProblem } from '../../stack/vpc-settings.js';
import * as alarm from '../../stack/alarm-settings.js';
import { deployedTimeoutOf } from '../clients/timeout.js';
import type { StackCliOptions } from '../options/stack-options.js';
import { domainOf, list, number, type Outputs, rule, settingsOf, stageOf } from './remembered.js';
import { secretValueProblem } from './secret-values.js';

/** The part of JSON Schema the keys use (and ./check.ts understands). */
export interface Schema {
  readonly type?: 'string' | 'integer' | 'boolean' | 'object' | 'array';
  readonly description?: string;
  readonly enum?: readonly (string | boolean)[];
  readonly const?: string | boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly pattern?: string;
  readonly items?: Schema;
  readonly minItems?: number;
  readonly uniqueItems?: boolean;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly additionalProperties?: Schema | false;
  readonly propertyNames?: Schema;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly anyOf?: readonly Schema[];
}

/** Options a file may set: the stack flags, without those that act once (`--clear-settings`, `--bootstrap`, …). */
export type FileOptions = Omit<StackCliOptions, 'clearSettings' | 'bootstrap' | 'cloudformationExecutionPolicies' | 'validate'>;

export type { Outputs } from './remembered.js';

export interface KeyDefinition {
  /** The flag the key stands for, as `--help` shows it. */
  readonly flag: string;
  readonly schema: Schema;
  /** A check past the schema's (a problem, said after the key), for a value the schema accepts. */
  readonly check?: (value: never) => string | undefined;
  /** The flags' options the value sets. */
  readonly options: (value: never) => Partial<FileOptions>;
  /** Which options of the flags a key stands for (a flag among them on the command line overrides the key). */
  readonly overriddenBy: readonly (keyof FileOptions)[];
  /** What a deployed stack says of it (config export); undefined when it says nothing. */
  readonly remembered?: (outputs: Outputs) => unknown;
  /** Whether a deploy that does not set it keeps what the stack has (else the default applies). */
  readonly kept?: boolean;
}

const NAME = '^[a-z][a-z0-9-]*$';
const text = (description: string, extra: Schema = {}): Schema => ({ type: 'string', minLength: 1, description, ...extra });
const whole = (description: string, minimum: number, maximum: number): Schema => ({
  type: 'integer',
  minimum,
  maximum,
  description,
});
const texts = (description: string): Schema => ({
  type: 'array',
  minItems: 1,
  items: { type: 'string', minLength: 1 },
  description,
});
const same =
  <K extends keyof FileOptions>(option: K) =>
  (value: NonNullable<FileOptions[K]>): Partial<FileOptions> =>
    ({ [option]: value }) as Partial<FileOptions>;
/** A server of the file: its module, or its stdio command line. */
export interface FileServer {
  readonly entry?: string;
  readonly stdio?: string;
}

/** Every key of the file, in the order the schema and `config export` list them. */
export const KEYS = {
  name: {
    flag: '--name',
    schema: text(
      'Name of the deployment; its OAuth scope is <MCP URL>/<name>. Default: "dog-facts", or the one server\'s name.',
      {
        pattern: NAME,
      },
    ),
    check: rule(checkServerName),
    options: same('name'),
    overriddenBy: ['name'],
    remembered: (outputs) => outputs.ServerName,
  },
  stackName: {
    flag: '--stack-name',
    schema: text('CloudFormation stack name. Default: "mcp-lambda-<name>".'),
    check: rule(checkStackName),
    options: same('stackName'),
    overriddenBy: ['stackName'],
  },
  servers: {
    flag: '--entry/--stdio',
    schema: {
      type: 'object',
      description:
        'Your MCP servers by name: {"entry": "./server.ts"} (a module) or {"stdio": "npx -y <package>"} (a stdio program). Default: the built-in dog-facts.',
      minProperties: 1,
      propertyNames: { type: 'string', pattern: NAME },
      additionalProperties: {
        type: 'object',
        minProperties: 1,
        maxProperties: 1,
        properties: {
          entry: text('The module (default export: a function returning an McpServer), relative to this file.'),
          stdio: text(
            'The command line your client config starts it with: "npx -y <package>[@version] [args]" or "node <file.js>".',
          ),
        },
        additionalProperties: false,
      },
    },
    options: (servers: Readonly<Record<string, FileServer>>) => {
      const named = Object.entries(servers);
      const one = named.length === 1;
      const flag = (kind: 'entry' | 'stdio') =>
        named.flatMap(([name, server]) => {
          const value = server[kind];
          return value === undefined ? [] : [one ? value : `${name}=${value}`];
        });
      const entry = flag('entry');
      const stdio = flag('stdio');
      return {
        ...(one && { name: named[0]?.[0] }),
        ...(entry.length > 0 && { entry }),
        ...(stdio.length > 0 && { stdio }),
      };
    },
    overriddenBy: ['entry', 'stdio'],
    remembered: (outputs) => {
      // Only what a stack can say: the registry packages its stdio servers run (a module's file is yours).
      if (outputs.Packages === undefined) return undefined;
      const servers: Record<string, FileServer> = {};
      for (const item of outputs.Packages.split(' ')) {
        const at = item.indexOf('=');
        servers[at < 0 ? (outputs.ServerName ?? 'server') : item.slice(0, at)] = {
          stdio: `npx -y ${at < 0 ? item : item.slice(at + 1)}`,
        };
      }
      return servers;
    },
  },
  stage: {
    flag: '--stage',
    schema: text('API Gateway stage. Default: "prod".'),
    options: same('stage'),
    overriddenBy: ['stage'],
    remembered: stageOf,
  },
  callbackPort: {
    flag: '--callback-port',
    schema: whole(`Claude Code's OAuth callback port. Default: ${DEFAULT_CALLBACK_PORT}.`, 1024, 65535),
    options: same('callbackPort'),
    overriddenBy: ['callbackPort'],
    remembered: (outputs) => number(outputs.CallbackPort),
  },
  callbackUrls: {
    flag: '--callback-url',
    schema: texts('More OAuth callback URLs (https, or http on localhost).'),
    options: same('callbackUrl'),
    overriddenBy: ['callbackUrl'],
  },
  allowedOrigins: {
    flag: '--allowed-origin',
    schema: texts('Browser origins allowed to call /mcp. Default: the MCP Inspector.'),
    options: same('allowedOrigin'),
    overriddenBy: ['allowedOrigin'],
  },
  clients: {
    flag: '--clients',
    schema: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', enum: ['claude-code', 'gemini', 'vscode', 'cursor', 'claude-desktop', 'codex'] },
      description: 'MCP clients to register redirect URIs for. Default: ["claude-code", "gemini"].',
    },
    options: same('clients'),
    overriddenBy: ['clients'],
    remembered: (outputs) => list(outputs.Clients),
    kept: true,
  },
  machineClient: {
    flag: '--machine-client',
    schema: { type: 'boolean', description: 'A confidential OAuth client for machines (client_credentials). Default: false.' },
    options: same('machineClient'),
    overriddenBy: ['machineClient'],
    remembered: (outputs) => outputs.AutomatedOAuthClientId !== undefined,
    kept: true,
  },
  domain: {
    flag: '--domain',
    schema: text('Serve the MCP URL on a domain of your own, mapped at its root (with certificate or hostedZone).'),
    options: same('domain'),
    overriddenBy: ['domain', 'certificate', 'hostedZone'],
    remembered: (outputs) => outputs.CustomDomain || undefined,
    kept: true,
  },
  certificate: {
    flag: '--certificate',
    schema: text("The ACM certificate ARN for domain, in the stack's region.", { pattern: '^arn:' }),
    options: same('certificate'),
    overriddenBy: ['domain', 'certificate', 'hostedZone'],
    remembered: (outputs) => domainOf(outputs)?.certificate,
    kept: true,
  },
  hostedZone: {
    flag: '--hosted-zone',
    schema: text('The Route 53 hosted zone id of domain: a certificate is issued and the DNS record made there.'),
    options: same('hostedZone'),
    overriddenBy: ['domain', 'certificate', 'hostedZone'],
    remembered: (outputs) => domainOf(outputs)?.zone,
    kept: true,
  },
  timeout: {
    flag: '--timeout',
    schema: whole('Seconds a request may take; over 29 the MCP route streams. Default: 29.', 5, 900),
    options: same('timeout'),
    overriddenBy: ['timeout'],
    remembered: deployedTimeoutOf,
    kept: true,
  },
  memory: {
    flag: '--memory',
    schema: whole('Lambda memory in MB. Default: 512.', 128, 10240),
    options: same('memory'),
    overriddenBy: ['memory'],
    remembered: (outputs) => number(outputs.Memory),
  },
  reservedConcurrency: {
    flag: '--reserved-concurrency',
    schema: {
      description: 'Concurrent executions reserved for (and capping) each MCP function, or "none".',
      anyOf: [
        { type: 'integer', minimum: 1, maximum: 1000 },
        { type: 'string', const: 'none' },
      ],
    },
    options: same('reservedConcurrency'),
    overriddenBy: ['reservedConcurrency'],
    remembered: (outputs) => (outputs.ReservedConcurrency === 'none' ? 'none' : number(outputs.ReservedConcurrency)),
    kept: true,
  },
  slowDemo: {
    flag: '--slow-demo',
    schema: { type: 'boolean', description: "Dog facts' getDogFactsSlowly, a long-tool demonstration. Default: false." },
    options: same('slowDemo'),
    overriddenBy: ['slowDemo'],
    remembered: (outputs) => outputs.SlowDemo === 'on',
    kept: true,
  },
  perToolMetrics: {
    flag: '--per-tool-metrics',
    schema: { type: 'boolean', description: 'CloudWatch metrics per tool too (5 custom metrics per tool). Default: false.' },
    options: same('perToolMetrics'),
    overriddenBy: ['perToolMetrics'],
    remembered: (outputs) => outputs.PerToolMetrics === 'on',
    kept: true,
  },
  signup: {
    flag: '--signup',
    schema: {
      type: 'string',
      enum: ['allow-list', 'invite', 'open'],
      description: 'Who may register: allow-list (the addresses in allow), invite (invited users only) or open (anyone).',
    },
    options: same('signup'),
    overriddenBy: ['signup', 'allow'],
    remembered: (outputs) => outputs.SignUpPolicy,
    kept: true,
  },
  allow: {
    flag: '--allow',
    schema: texts('Addresses (and @domains) that may register, for the allow-list policy.'),
    options: same('allow'),
    overriddenBy: ['signup', 'allow'],
    kept: true,
  },
  mfa: {
    flag: '--mfa',
    schema: {
      type: 'string',
      enum: ['off', 'optional', 'required'],
      description: 'Second factor, an authenticator app (TOTP). Default: "off".',
    },
    options: same('mfa'),
    overriddenBy: ['mfa'],
  },
  sessionHours: {
    flag: '--session-hours',
    schema: whole(`How long a sign-in's access token lasts. Default: ${DEFAULT_SESSION_HOURS}.`, 1, 24),
    options: same('sessionHours'),
    overriddenBy: ['sessionHours'],
  },
  toolGroups: {
    flag: '--tool-groups',
    schema: {
      type: 'object',
      description:
        'Tool → the Cognito groups that alone may use it, e.g. {"getDogFacts": ["admins"]}. Default: every user, every tool.',
      additionalProperties: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
    },
    check: (groups: Readonly<Record<string, readonly string[]>>) => {
      for (const group of Object.values(groups).flat()) {
        const problem = groupNameProblem(group);
        if (problem !== undefined) return `group name ${JSON.stringify(group)} is not valid: ${problem}`;
      }
      return undefined;
    },
    options: same('toolGroups'),
    overriddenBy: ['toolGroups'],
  },
  logRetention: {
    flag: '--log-retention',
    schema: whole('Days to keep logs. Default: 30.', 1, 3653),
    options: same('logRetention'),
    overriddenBy: ['logRetention'],
  },
  accessLogs: {
    flag: '--no-access-logs',
    schema: {
      type: 'boolean',
      description: "API Gateway access logs (false for accounts without API Gateway's CloudWatch role). Default: true.",
    },
    options: same('accessLogs'),
    overriddenBy: ['accessLogs'],
  },
  env: {
    flag: '--env',
    schema: {
      type: 'object',
      description:
        'Settings for the servers, as environment variables: KEY for every server, <server>:KEY for one. Never a secret.',
      additionalProperties: { type: 'string' },
    },
    check: (env: Readonly<Record<string, string>>) => {
      for (const [key, value] of Object.entries(env)) {
        const problem = secretValueProblem(key, value, 'env');
        if (problem !== undefined) return problem;
      }
      return undefined;
    },
    options: same('env'),
    overriddenBy: ['env'],
    remembered: (outputs) => settingsOf(outputs, 'env'),
    kept: true,
  },
  secrets: {
    flag: '--secret',
    schema: {
      type: 'object',
      description:
        'Secrets for the servers, by reference only: a Secrets Manager name or ARN (#field for JSON) or an SSM parameter (/path or ARN). KEY for every server, <server>:KEY for one.',
      additionalProperties: { type: 'string', minLength: 1 },
    },
    check: (secrets: Readonly<Record<string, string>>) => {
      for (const [key, value] of Object.entries(secrets)) {
        const problem = secretValueProblem(key, value, 'secrets');
        if (problem !== undefined) return problem;
      }
      return undefined;
    },
    options: same('secret'),
    overriddenBy: ['secret'],
    remembered: (outputs) => settingsOf(outputs, 'secrets'),
    kept: true,
  },
  vpc: {
    flag: '--vpc',
    schema: {
      description: 'The VPC (vpc-…) the MCP functions run in, with subnets; false takes them out of the one they are in.',
      anyOf: [
        { type: 'string', pattern: '^vpc-' },
        { type: 'boolean', const: false },
      ],
    },
    check: (vpc: string | false) => (vpc === false ? undefined : vpcIdProblem('vpc', vpc)),
    options: same('vpc'),
    overriddenBy: ['vpc', 'subnets', 'securityGroup'],
    remembered: (outputs) => readVpcOutput(outputs.Vpc)?.vpcId,
    kept: true,
  },
  subnets: {
    flag: '--subnets',
    schema: texts('The subnets of vpc the functions join (subnet-…).'),
    check: (subnets: readonly string[]) =>
      subnets.map((subnet) => vpcIdProblem('subnet', subnet)).find((problem) => problem !== undefined),
    options: same('subnets'),
    overriddenBy: ['vpc', 'subnets', 'securityGroup'],
    remembered: (outputs) => readVpcOutput(outputs.Vpc)?.subnetIds,
    kept: true,
  },
  securityGroup: {
    flag: '--security-group',
    schema: text('The security group of the functions, in vpc (sg-…). Default: a new one, all egress, no ingress.'),
    check: (group: string) => vpcIdProblem('security group', group),
    options: same('securityGroup'),
    overriddenBy: ['vpc', 'subnets', 'securityGroup'],
    remembered: (outputs) => readVpcOutput(outputs.Vpc)?.securityGroupId,
    kept: true,
  },
  alarms: {
    flag: '--alarms',
    schema: {
      description: 'Alarms (errors, throttles, API 5XX, p95 latency) mailed to this address, ~$0.10 each a month; false: none.',
      anyOf: [
        { type: 'string', minLength: 3 },
        { type: 'boolean', const: false },
      ],
    },
    check: (email: string | false) => (email === false ? undefined : alarm.emailProblem(email)),
    options: same('alarms'),
    overriddenBy: ['alarms', 'latencyAlarmMs'],
    remembered: (outputs) => alarm.readAlarmsOutput(outputs.Alarms)?.email,
    kept: true,
  },
  latencyAlarmMs: {
    flag: '--latency-alarm-ms',
    schema: whole(
      `p95 latency (ms) that fires the latency alarm. Default: ${alarm.DEFAULT_LATENCY_ALARM_MS}.`,
      alarm.MIN_LATENCY_ALARM_MS,
      alarm.MAX_LATENCY_ALARM_MS,
    ),
    options: same('latencyAlarmMs'),
    overriddenBy: ['alarms', 'latencyAlarmMs'],
    remembered: (outputs) => alarm.readAlarmsOutput(outputs.Alarms)?.latencyMs,
    kept: true,
  },
} satisfies Record<string, KeyDefinition>;

export type FileKey = keyof typeof KEYS;

/** The keys, typed as their common shape. */
export const KEY_LIST: readonly (readonly [FileKey, KeyDefinition])[] = Object.entries(KEYS) as [FileKey, KeyDefinition][];

/** Keys a file may hold besides the settings. */
export const SCHEMA_KEY = '$schema';
