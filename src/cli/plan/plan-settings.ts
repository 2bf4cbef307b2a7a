/**
 * The settings a `deploy --plan` shows: every effective setting of the stack a deploy would make (flags,
 * what the deployed stack remembers, defaults, resolved), and which of the remembered ones change. The
 * stack remembers its settings in its outputs (Timeout, Clients, SignUpPolicy…), so what changes is read
 * from the outputs' diff: the same comparison CloudFormation makes.
 */
import type { ResolvedStackOptions } from '../../stack/props.js';
import type { OutputChange } from '../deploy/stack-changes.js';

export interface Setting {
  readonly name: string;
  readonly value: string;
}

export interface SettingChange {
  readonly name: string;
  /** The output that remembers it. */
  readonly output: string;
  readonly before?: string;
  readonly after?: string;
}

const onOff = (value: boolean) => (value ? 'on' : 'off');
const list = (values: readonly string[]) => (values.length > 0 ? values.join(', ') : 'none');

/** The stack's settings as a deploy would make them, in the order `deploy --help` lists their flags. */
export function effectiveSettings(stack: ResolvedStackOptions): Setting[] {
  const settings: Setting[] = [
    { name: 'stack', value: stack.stackName },
    {
      name: 'servers',
      value: stack.servers
        ? stack.servers.map((server) => server.name).join(', ')
        : `${stack.serverName} (${stack.lambdaBundleDir !== undefined ? 'your code' : `built-in ${stack.builtinServer}`})`,
    },
    { name: 'stage', value: stack.stage },
    {
      name: 'sign-up',
      value: stack.signUp.mode === 'allow-list' ? `allow-list: ${list(stack.signUp.allow)}` : stack.signUp.mode,
    },
    { name: 'mfa', value: stack.mfa },
    { name: 'clients', value: list([...stack.clients, ...stack.pendingClients]) },
    { name: 'callback port', value: String(stack.callbackPort) },
    { name: 'machine client', value: onOff(stack.machineClient) },
    { name: 'memory', value: `${stack.memoryMb} MB` },
    { name: 'timeout', value: `${stack.timeoutSeconds} s${stack.streaming ? ' (streaming)' : ''}` },
    {
      name: 'reserved concurrency',
      value:
        stack.reservedConcurrency === undefined || stack.reservedConcurrency === 'none'
          ? 'none'
          : String(stack.reservedConcurrency),
    },
    { name: 'domain', value: stack.domain?.name ?? 'none (execute-api URL)' },
    { name: 'session', value: `${stack.sessionHours} h` },
    { name: 'log retention', value: `${stack.logRetention} days` },
    { name: 'throttling', value: `${stack.throttling.rateLimit} requests/s, burst ${stack.throttling.burstLimit}` },
    { name: 'access logs', value: onOff(stack.accessLogs) },
    { name: 'slow demo', value: onOff(stack.slowDemo) },
    { name: 'per-tool metrics', value: onOff(stack.perToolMetrics) },
    { name: 'vpc', value: stack.vpc ? `${stack.vpc.vpcId} (${stack.vpc.subnetIds.join(', ')})` : 'none' },
    { name: 'alarms', value: stack.alarms ? `mailed to ${stack.alarms.email}, p95 over ${stack.alarms.latencyMs} ms` : 'none' },
  ];
  const keys = [
    ...Object.keys(stack.environment),
    ...(stack.servers ?? []).flatMap((server) => Object.keys(server.environment).map((key) => `${server.name}:${key}`)),
  ];
  const secrets = [
    ...stack.secrets.map((secret) => secret.key),
    ...(stack.servers ?? []).flatMap((server) => server.secrets.map((secret) => `${server.name}:${secret.key}`)),
  ];
  settings.push({ name: 'settings (--env)', value: list(keys) }, { name: 'secrets (--secret)', value: list(secrets) });
  return settings;
}

/** The outputs that remember a setting for later deploys, and the setting's name. */
const REMEMBERED: Readonly<Record<string, string>> = {
  Servers: 'servers',
  ServerCode: 'server code',
  Packages: 'packages',
  SignUpPolicy: 'sign-up',
  Clients: 'clients',
  CallbackPort: 'callback port',
  AutomatedOAuthClientId: 'machine client',
  Timeout: 'timeout',
  ReservedConcurrency: 'reserved concurrency',
  CustomDomain: 'domain',
  SlowDemo: 'slow demo',
  PerToolMetrics: 'per-tool metrics',
  Vpc: 'vpc',
  Alarms: 'alarms',
  ServerSettings: 'settings and secrets',
};

/** The remembered settings that a deploy changes (none for a new stack: nothing is remembered yet). */
export function changedSettings(outputs: readonly OutputChange[], newStack: boolean): SettingChange[] {
  if (newStack) return [];
  return outputs.flatMap((change) => {
    const { key, ...values } = change;
    const name = REMEMBERED[key];
    return name === undefined ? [] : [{ name, output: key, ...values }];
  });
}
