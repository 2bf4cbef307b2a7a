/**
 * The second step of `deploy`: the checked request (./request.ts), the bundled entries and what the
 * deployed stack remembers become one plan — the stack options that are deployed. What a stack keeps
 * when no flag changes it: who may sign up, the settings and secrets, the clients, the timeout, the
 * domain, the slow demo, the machine client, the reserved concurrency, the VPC and the alarms. It says what it chose (and
 * warns of what moves), asks where a choice is the user's, and checks that the secrets exist.
 */
import { alarmNames, readAlarmsOutput } from '../../stack/alarm-settings.js';
import type { McpServerStackOptions } from '../../stack/props.js';
import { registeredClients } from '../../stack/clients.js';
import { StackPropsError } from '../../stack/names.js';
import type { CallerIdentity } from '../aws/context.js';
import { deployedTimeoutOf } from '../clients/timeout.js';
import type { CommandContext } from '../context.js';
import { chooseReservation } from '../deploy/concurrency.js';
import { lambdaCostPerMinute } from '../deploy/cost.js';
import type { StackDescription } from '../deploy/engine.js';
import type { Session } from '../deploy/session.js';
import { chooseAlarms } from '../deployed/alarms.js';
import { chooseMachineClient, describeClients } from '../deployed/clients.js';
import { selectorFlags } from '../deployed/name.js';
import { apiUrlOf, readServers } from '../deployed/resolve.js';
import { checkSecretsExist, chooseSettings, scopeSettings } from '../deployed/settings.js';
import { chooseSignUp, describeSignUp } from '../deployed/sign-up.js';
import { chooseVpc } from '../deployed/vpc.js';
import { checkVpcAttachment } from '../deployed/vpc-checks.js';
import type { EntryStackOptions } from '../entry/prepare.js';
import { signUpFromFlags } from '../options/stack-options.js';
import { describePackageChanges } from '../stdio/prepare.js';
import { UsageError } from '../terminal/errors.js';
import type { DeployRequest } from './request.js';

/** What is deployed: the request's stack options with what the stack keeps, checked. */
export interface DeployPlan {
  /** Laid over the request's stack options and the bundled entries. */
  readonly stack: Partial<McpServerStackOptions>;
  readonly signUp: Awaited<ReturnType<typeof chooseSignUp>>;
  /** Secrets the stack holds (a requestState key per server, the machine client's): for the cost line. */
  readonly secrets: number;
  /** CloudWatch alarms the stack holds (`--alarms`): for the cost line. */
  readonly alarms: number;
  /** An address the alarms' topic subscribes anew: AWS mails it a confirmation link to follow. */
  readonly confirmAlarmEmail?: string;
}

/** Makes the plan once the stack's state is known (deploy-flow's `prepare`), before anything changes. */
export async function planDeploy(
  ctx: CommandContext,
  request: DeployRequest,
  custom: EntryStackOptions | undefined,
  existing: StackDescription | undefined,
  identity: CallerIdentity,
  session: Session,
): Promise<DeployPlan> {
  const { out, global } = ctx;
  const { resolveStackOptions } = await import('../../stack/props.js');
  const signUp = await chooseSignUp(ctx, signUpFromFlags(request.flags), existing, () => session.aws.ssmClient());
  if (!global.json) {
    const line = describeSignUp(signUp.mode, signUp.allow ?? []);
    if (signUp.mode === 'open') out.warn(line);
    else out.info(line);
  }
  // Settings and secrets: the flags, else what the stack has now. Clients likewise.
  checkServersKept(existing?.outputs, custom, selectorFlags(request.flags));
  if (!global.json) {
    for (const line of describePackageChanges(existing?.outputs.Packages, custom?.packages)) out.info(line);
  }
  const settings = chooseSettings(ctx, request.settings, existing);
  const deployedClients = existing?.outputs.Clients === undefined ? undefined : registeredClients(existing.outputs);
  const clients = request.flags.clients ?? deployedClients;
  // The timeout likewise: a redeploy must not cut the long tools a streaming deployment serves.
  const deployedTimeout = deployedTimeoutOf(existing?.outputs);
  const timeoutSeconds = request.flags.timeout ?? deployedTimeout;
  // And the domain: dropping it would move the server to another URL every token is not bound to.
  const deployedDomain = request.stack.domain === undefined ? deployedDomainOf(existing?.outputs) : undefined;
  const domain = request.stack.domain ?? deployedDomain;
  const deployedMcpUrls = mcpUrlsAfterDeploy(existing?.outputs, custom?.servers, domain?.name);
  // And dog facts' slow demo (an --entry replaces dog facts, and the demo with it), and the machine client.
  const slowDemo = request.flags.slowDemo ?? (custom === undefined && existing?.outputs.SlowDemo === 'on');
  const machineClient = chooseMachineClient(request.flags.machineClient, existing);
  // And the VPC: the functions may be there to reach a private database (--no-vpc takes them out).
  const vpc = chooseVpc(ctx, request.flags, request.stack.vpc, existing);
  const perToolMetrics = request.flags.perToolMetrics ?? existing?.outputs.PerToolMetrics === 'on';
  // And the alarms: an owner who asked to be told must not stop being told by a deploy that forgot the flag.
  const alarms = chooseAlarms(ctx, request.flags, request.stack.alarms, existing);
  const scoped = scopeSettings(ctx, settings, custom?.servers, request.settings !== undefined);
  let resolved;
  try {
    resolved = resolveStackOptions({
      ...request.stack,
      stackName: request.stackName,
      ...custom,
      signUp,
      ...scoped,
      ...(clients && { clients }),
      ...(timeoutSeconds !== undefined && { timeoutSeconds }),
      ...(domain !== undefined && { domain }),
      ...(deployedMcpUrls && { deployedMcpUrls }),
      slowDemo,
      perToolMetrics,
      machineClient,
      ...(vpc && { vpc }),
      ...(alarms && { alarms }),
    });
  } catch (error) {
    if (error instanceof StackPropsError) throw new UsageError(error.message);
    throw error;
  }
  describeClients(ctx, resolved, request.flags, existing);
  let secrets = resolved.servers?.length ?? 1;
  if (resolved.machineClient) secrets += 1;
  if (resolved.domain && !global.json) {
    out.info(
      `Domain: https://${resolved.domain.name}/mcp${deployedDomain ? ' (as deployed)' : ''}; the execute-api URL is turned off.`,
    );
    if (existing?.outputs.McpServerUrl && existing.outputs.McpServerUrl !== `https://${resolved.domain.name}/mcp`) {
      out.warn(
        `The server moves from ${existing.outputs.McpServerUrl} to https://${resolved.domain.name}/mcp: sign-ins and client configs name the old URL. Afterwards run mcp-lambda login and mcp-lambda write-config again.`,
      );
    }
  }
  if (resolved.streaming && !global.json) {
    out.info(
      `Timeout: ${resolved.timeoutSeconds} s${request.flags.timeout === undefined ? ' (as deployed; --timeout changes it)' : ''}. Tool calls stream their progress (API Gateway response streaming: each 10 MB counts as a request; Lambda bills the whole wait, $${lambdaCostPerMinute(resolved.memoryMb).toFixed(4)} per minute at ${resolved.memoryMb} MB).`,
    );
  }
  if (resolved.servers && !global.json) {
    out.info(
      `Servers: ${resolved.servers.map((server) => server.name).join(', ')}, each at /<name>/mcp with its own scope; one user pool and sign-in for all.`,
    );
    if (existing?.outputs.McpServerUrl && existing.outputs.Servers === undefined) {
      out.warn(
        `${existing.outputs.McpServerUrl} goes away: the servers move to /<name>/mcp. Afterwards run mcp-lambda login and mcp-lambda write-config again.`,
      );
    }
  }
  if (!resolved.servers && existing?.outputs.Servers !== undefined && !global.json) {
    out.warn(
      'The stack serves one server from now on, at /mcp: every /<name>/mcp route, function and scope it has goes away. Afterwards run mcp-lambda login and mcp-lambda write-config again (and remove the old entries from your clients).',
    );
  }
  if (resolved.pendingClients.length > 0 && !global.json) {
    out.warn(
      `${resolved.pendingClients.join(', ')}: the redirect URI holds a hash of the server's URL, which this first deploy creates. Run the same deploy again afterwards to register it: mcp-lambda deploy --clients ${[...resolved.clients, ...resolved.pendingClients].join(',')}`,
    );
  }
  if (resolved.slowDemo && !global.json) {
    out.info(
      `Slow demo: getDogFactsSlowly is deployed${request.flags.slowDemo === undefined ? ' (as deployed; --no-slow-demo removes it)' : ''}; each call may hold a function for up to ${resolved.timeoutSeconds - 4} s.`,
    );
  }
  const reservedConcurrency = await chooseReservation(ctx, {
    flag: request.flags.reservedConcurrency,
    existing,
    functions: resolved.servers?.length ?? 1,
    region: identity.region,
    read: () => session.engine.accountConcurrency(),
  });
  const allSecrets = [...resolved.secrets, ...(resolved.servers ?? []).flatMap((s) => s.secrets)];
  await checkSecretsExist(ctx, session.aws, allSecrets);
  if (resolved.vpc) {
    const keys = (kind: string) => allSecrets.filter((secret) => secret.kind === kind).map((secret) => secret.key);
    await checkVpcAttachment(ctx, session.aws, resolved.vpc, {
      ...(custom === undefined && { internet: `dog facts calls https://dogapi.dog` }),
      services: { secretsmanager: keys('secretsmanager'), ssm: keys('ssm') },
    });
  }
  return {
    stack: {
      slowDemo: resolved.slowDemo,
      perToolMetrics: resolved.perToolMetrics,
      machineClient: resolved.machineClient,
      ...(reservedConcurrency !== undefined && { reservedConcurrency }),
      signUp,
      ...scoped,
      clients: [...resolved.clients, ...resolved.pendingClients],
      timeoutSeconds: resolved.timeoutSeconds,
      ...(resolved.domain && { domain: resolved.domain }),
      ...(deployedMcpUrls && { deployedMcpUrls }),
      ...(resolved.vpc && { vpc: resolved.vpc }),
      ...(resolved.alarms && { alarms: resolved.alarms }),
    },
    signUp,
    secrets,
    alarms: resolved.alarms
      ? alarmNames(
          resolved.stackName,
          resolved.servers?.map((server) => server.name),
        ).length
      : 0,
    ...(resolved.alarms &&
      resolved.alarms.email !== readAlarmsOutput(existing?.outputs.Alarms)?.email && {
        confirmAlarmEmail: resolved.alarms.email,
      }),
  };
}

/**
 * A deploy must name the code a stack runs when it is the user's own (`--entry`): without it, it would
 * put dog facts in its place — and with several servers, delete every server's route, function and scope
 * (their clients' configs and sign-ins with them).
 */
export function checkServersKept(
  outputs: Readonly<Record<string, string>> | undefined,
  custom: EntryStackOptions | undefined,
  selector: string,
): void {
  const deployed = outputs?.Servers;
  if (deployed === undefined) {
    if (outputs?.ServerCode === 'entry' && custom === undefined) {
      const stdio = outputs.Packages !== undefined;
      throw new UsageError(
        `This stack runs your own server (deployed with ${stdio ? '--stdio' : '--entry or --stdio'}); a deploy without it would replace it with dog facts.`,
        stdio
          ? `Deploy it again with its command: mcp-lambda deploy${selector} --stdio "npx -y ${outputs.Packages}"`
          : `Deploy it again with its entry: mcp-lambda deploy${selector} --entry <its file> (or --stdio "<its command>")`,
      );
    }
    return;
  }
  // Entries name the code again: several (some may be new, some gone), or one (served at /mcp again).
  if (custom !== undefined) return;
  const read = readServers(deployed);
  const names = Array.isArray(read) ? read.map((server) => server.name) : [];
  throw new UsageError(
    `This stack serves several servers${names.length > 0 ? ` (${names.join(', ')})` : ''}; a deploy without them would remove them.`,
    `Deploy them again: mcp-lambda deploy${selector} ${(names.length > 0 ? names : ['a', 'b']).map((name) => `--entry ${name}=<its file>`).join(' ')} (or --stdio <name>="<its command>" for a stdio server)`,
  );
}

/**
 * The MCP URLs the stack will serve, when they are known before it is deployed: on a domain of your own,
 * or when its API exists already (its URL does not change). One at `/mcp`, or one per server at
 * `/<name>/mcp`, servers this deploy adds included. Undefined on a first deploy to an execute-api URL.
 */
export function mcpUrlsAfterDeploy(
  outputs: Readonly<Record<string, string>> | undefined,
  servers: readonly { readonly name: string }[] | undefined,
  domain?: string,
): string[] | undefined {
  const base =
    domain !== undefined
      ? `https://${domain.trim().toLowerCase().replace(/\.$/, '')}`
      : outputs?.Servers !== undefined
        ? apiUrlOf(outputs.OAuthMetadataUrl)
        : outputs?.McpServerUrl?.match(/^(https:\/\/.+)\/mcp$/)?.[1];
  if (base === undefined) return undefined;
  return servers ? servers.map((server) => `${base}/${server.name}/mcp`) : [`${base}/mcp`];
}

/** The domain a deployed stack serves on (its Custom* outputs), to keep it on a deploy without --domain. */
export function deployedDomainOf(
  outputs: Readonly<Record<string, string>> | undefined,
): { name: string; certificateArn?: string; hostedZoneId?: string } | undefined {
  const name = outputs?.CustomDomain;
  if (name === undefined || name === '') return undefined;
  const certificate = outputs?.DomainCertificate;
  const zone = /^created in (Z[A-Z0-9]+)$/.exec(outputs?.DomainRecord ?? '')?.[1];
  return {
    name,
    ...(certificate?.startsWith('arn:') && { certificateArn: certificate }),
    ...(zone !== undefined && { hostedZoneId: zone }),
  };
}
