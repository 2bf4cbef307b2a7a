/** `mcp-lambda deploy`: synthesize the stack in-process and deploy it, with live progress. */
import { describeCost, estimateCost, lambdaCostPerMinute, PRICES_AS_OF } from '../deploy/cost.js';
import { registeredClients } from '../../stack/clients.js';
import { printOutputs } from '../deploy/outputs.js';
import { runDeploy } from '../deploy/deploy-flow.js';
import { openSession } from '../deploy/session.js';
import type { CommandContext } from '../context.js';
import { StackPropsError } from '../../stack/names.js';
import { cliStackName, selectorFlags } from '../deployed/name.js';
import { apiUrlOf, readServers } from '../deployed/resolve.js';
import { UsageError } from '../terminal/errors.js';
import { type EntryStackOptions, parseEntryFlags, plannedServers, prepareEntries } from '../entry/prepare.js';
import { deployedTimeoutOf } from '../clients/timeout.js';
import { signUpFromFlags, type StackCliOptions, toStackOptions } from '../options/stack-options.js';
import { chooseSignUp, describeSignUp } from '../deployed/sign-up.js';
import { checkSecretsExist, chooseSettings, scopeSettings, settingsFromFlags } from '../deployed/settings.js';
import { chooseReservation } from '../deploy/concurrency.js';
import { chooseMachineClient, describeClients } from '../deployed/clients.js';
import { stackRecordPath } from '../state/stack-state.js';

export async function deploy(ctx: CommandContext, options: StackCliOptions): Promise<void> {
  const { out, global } = ctx;
  const stackName = cliStackName(options);
  // Check every option before touching AWS (this loads aws-cdk-lib, which the deploy needs anyway).
  const { resolveStackOptions } = await import('../../stack/props.js');
  const checked = { ...toStackOptions(options), stackName };
  const entries = options.entry === undefined ? undefined : parseEntryFlags(options.entry);
  const planned = entries && plannedServers(entries);
  const flagSettings = settingsFromFlags(options);
  let memoryMb: number;
  try {
    // A setting for one server (notes:KEY) must name one of the entries.
    const scoped = flagSettings && scopeSettings(ctx, flagSettings, planned?.servers, true);
    memoryMb = resolveStackOptions({ ...checked, ...planned, ...scoped }).memoryMb;
  } catch (error) {
    if (error instanceof StackPropsError) throw new UsageError(error.message);
    throw error;
  }

  const custom = entries && (await prepareEntries(ctx, entries, options.name, flagSettings));

  const session = await openSession(ctx, stackName);
  const started = Date.now();
  try {
    let signUp: Awaited<ReturnType<typeof chooseSignUp>> | undefined;
    /** The stack's secrets: a requestState key per server, and the machine client's. */
    let secrets = 1;
    const outcome = await runDeploy(ctx, {
      stack: { ...checked, ...custom },
      // Who may sign up: the flags, else what the stack has now, else asked (or a stop naming the flags).
      prepare: async (existing, identity) => {
        signUp = await chooseSignUp(ctx, signUpFromFlags(options), existing, () => session.aws.ssmClient());
        if (!global.json) {
          const line = describeSignUp(signUp.mode, signUp.allow ?? []);
          if (signUp.mode === 'open') out.warn(line);
          else out.info(line);
        }
        // Settings and secrets: the flags, else what the stack has now. Clients likewise.
        checkServersKept(existing?.outputs, custom, selectorFlags(options));
        const settings = chooseSettings(ctx, flagSettings, existing);
        const deployedClients = existing?.outputs.Clients === undefined ? undefined : registeredClients(existing.outputs);
        const clients = options.clients ?? deployedClients;
        // The timeout likewise: a redeploy must not cut the long tools a streaming deployment serves.
        const deployedTimeout = deployedTimeoutOf(existing?.outputs);
        const timeoutSeconds = options.timeout ?? deployedTimeout;
        // And the domain: dropping it would move the server to another URL every token is not bound to.
        const deployedDomain = checked.domain === undefined ? deployedDomainOf(existing?.outputs) : undefined;
        const domain = checked.domain ?? deployedDomain;
        const deployedMcpUrls = mcpUrlsAfterDeploy(existing?.outputs, custom?.servers, domain?.name);
        // And dog facts' slow demo (an --entry replaces dog facts, and the demo with it), and the machine client.
        const slowDemo = options.slowDemo ?? (custom === undefined && existing?.outputs.SlowDemo === 'on');
        const machineClient = chooseMachineClient(options.machineClient, existing);
        const scoped = scopeSettings(ctx, settings, custom?.servers, flagSettings !== undefined);
        let resolved;
        try {
          resolved = resolveStackOptions({
            ...checked,
            ...custom,
            signUp,
            ...scoped,
            ...(clients && { clients }),
            ...(timeoutSeconds !== undefined && { timeoutSeconds }),
            ...(domain !== undefined && { domain }),
            ...(deployedMcpUrls && { deployedMcpUrls }),
            slowDemo,
            machineClient,
          });
        } catch (error) {
          if (error instanceof StackPropsError) throw new UsageError(error.message);
          throw error;
        }
        describeClients(ctx, resolved, options, existing);
        secrets = resolved.servers?.length ?? 1;
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
            `Timeout: ${resolved.timeoutSeconds} s${options.timeout === undefined ? ' (as deployed; --timeout changes it)' : ''}. Tool calls stream their progress (API Gateway response streaming: each 10 MB counts as a request; Lambda bills the whole wait, $${lambdaCostPerMinute(resolved.memoryMb).toFixed(4)} per minute at ${resolved.memoryMb} MB).`,
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
            `Slow demo: getDogFactsSlowly is deployed${options.slowDemo === undefined ? ' (as deployed; --no-slow-demo removes it)' : ''}; each call may hold a function for up to ${resolved.timeoutSeconds - 4} s.`,
          );
        }
        const reservedConcurrency = await chooseReservation(ctx, {
          flag: options.reservedConcurrency,
          existing,
          functions: resolved.servers?.length ?? 1,
          region: identity.region,
          read: () => session.engine.accountConcurrency(),
        });
        await checkSecretsExist(ctx, session.aws, [...resolved.secrets, ...(resolved.servers ?? []).flatMap((s) => s.secrets)]);
        return {
          slowDemo: resolved.slowDemo,
          machineClient: resolved.machineClient,
          ...(reservedConcurrency !== undefined && { reservedConcurrency }),
          signUp,
          ...scoped,
          clients: [...resolved.clients, ...resolved.pendingClients],
          timeoutSeconds: resolved.timeoutSeconds,
          ...(resolved.domain && { domain: resolved.domain }),
          ...(deployedMcpUrls && { deployedMcpUrls }),
        };
      },
      engine: session.engine,
      progress: session.progress,
      ...(global.profile !== undefined && { profile: global.profile }),
      ...(options.bootstrap === true && { bootstrap: true }),
      ...(options.cloudformationExecutionPolicies !== undefined && {
        executionPolicies: options.cloudformationExecutionPolicies,
      }),
    });
    const { identity } = outcome;
    if (global.json) {
      out.json({
        stackName,
        account: identity.account,
        region: identity.region,
        created: outcome.created,
        noChanges: outcome.noChanges,
        signUp,
        outputs: outcome.outputs,
        costEstimate: {
          ...estimateCost(memoryMb, 100, secrets),
          currency: 'USD',
          pricesAsOf: PRICES_AS_OF,
          region: 'us-east-1',
        },
      });
      return;
    }
    const seconds = Math.round((Date.now() - started) / 1000);
    const took = seconds >= 60 ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
    out.result(
      outcome.noChanges
        ? `${out.style.green('✓')} No changes: ${stackName} is up to date in ${identity.region}.`
        : `${out.style.green('✓')} ${outcome.created ? 'Created' : 'Updated'} ${stackName} in ${identity.region} (${took}).`,
    );
    out.result('');
    printOutputs(out, outcome.outputs);
    out.result('');
    out.info(describeCost(memoryMb, 100, secrets));
    out.info(out.style.dim(`Outputs saved to ${stackRecordPath(ctx.env, identity.region, stackName)}`));
    printNextSteps(ctx, outcome.outputs, stackName);
  } finally {
    session.close();
  }
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
      throw new UsageError(
        'This stack runs your own server (deployed with --entry); a deploy without it would replace it with dog facts.',
        `Deploy it again with its entry: mcp-lambda deploy${selector} --entry <its file>`,
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
    `Deploy them again: mcp-lambda deploy${selector} ${(names.length > 0 ? names : ['a', 'b']).map((name) => `--entry ${name}=<its file>`).join(' ')}`,
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

function printNextSteps(ctx: CommandContext, outputs: Readonly<Record<string, string>>, stackName: string): void {
  const { out } = ctx;
  if (outputs.CustomDomain && outputs.DomainRecord === 'to create') {
    out.info('');
    out.warn(
      `Create the DNS record: ${outputs.CustomDomain} CNAME ${outputs.DomainTarget} (or an alias A record to it). Until it resolves, clients cannot reach ${outputs.McpServerUrl}.`,
    );
  }
  const selector =
    outputs.ServerName && `mcp-lambda-${outputs.ServerName}` === stackName
      ? outputs.ServerName === 'dog-facts'
        ? ''
        : ` --name ${outputs.ServerName}`
      : ` --stack-name ${stackName}`;
  out.info('');
  out.info('Next:');
  out.info(`  1. mcp-lambda login${selector}          register, check your password, and call the server once`);
  out.info(`  2. mcp-lambda write-config${selector}   add it to Claude Code, then run /mcp there and authenticate`);
}
