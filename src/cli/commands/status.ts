/**
 * `mcp-lambda status`: the stack's state, last update and outputs, its health over a window (see
 * ../health/), and what is stored locally. `--watch` shows it again every minute until Ctrl-C.
 */
import type { CommandContext } from '../context.js';
import { cliStackName } from '../deployed/name.js';
import { printOutputs } from '../deploy/outputs.js';
import { firstFailure } from '../deploy/deploy-flow.js';
import { cleanReason, describeStatus } from '../deploy/progress.js';
import { openSession } from '../deploy/session.js';
import { UserError } from '../terminal/errors.js';
import { listLocalArtifacts } from '../state/local-artifacts.js';
import { describeSignUp } from '../deployed/sign-up.js';
import { describeVpc } from '../deployed/vpc.js';
import { readAlarmsOutput } from '../../stack/alarm-settings.js';
import { readVpcOutput } from '../../stack/vpc-settings.js';
import type { HealthFigures, Window } from '../health/figures.js';
import { parseWindow } from '../health/figures.js';
import { alarmNamesOf } from '../health/alarms.js';
import { gatherAlarms, gatherHealth, healthTarget } from '../health/gather.js';
import { healthCost, memoryOf, renderHealth } from '../health/panel.js';
import type { Session } from '../deploy/session.js';
import { explainAwsError } from '../aws/errors.js';
import { settingSources, type SettingSource } from '../config/apply.js';
import { readConfigFile } from '../config/read.js';

export interface StatusOptions {
  readonly name?: string;
  readonly stackName?: string;
  readonly server?: string;
  /** The health window: 1h, 24h or 7d. */
  readonly since?: string;
  readonly watch?: boolean;
  /** The deployment file (default: ./mcp-lambda.jsonc or ./mcp-lambda.json). */
  readonly config?: string;
}

/** How often `--watch` shows it again (CloudWatch's metrics have a one-minute resolution). */
const WATCH_MS = 60_000;

/** The health of the deployed stack's server (or of the one `--server` names). */
async function health(
  session: Session,
  stackName: string,
  outputs: Readonly<Record<string, string>>,
  options: StatusOptions,
  window: Window,
  signal: AbortSignal,
): Promise<HealthFigures> {
  const cfn = await session.aws.cloudFormation();
  const { DescribeStackResourcesCommand } = await import('@aws-sdk/client-cloudformation');
  const alarmNames = alarmNamesOf(outputs);
  let resources;
  try {
    resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }))).StackResources ?? [];
  } catch (error) {
    const explained = explainAwsError(error, {
      ...session.aws.settings,
      doing: 'list its resources (cloudformation:DescribeStackResources)',
    });
    const missing = [`health: not shown, ${explained?.message ?? String(error)}`];
    // The alarms are the stack's, found by name: their states need none of its resources.
    const alarms = alarmNames && (await gatherAlarms(session.aws, alarmNames, missing));
    return { window, ...(alarms && { alarms }), missing };
  }
  // The deployment's name is what the function calls itself (older stacks: the end of its scope, `<MCP URL>/<name>`).
  const deployment = outputs.ServerName || outputs.McpOAuthScope?.split('/').pop() || options.name || 'dog-facts';
  return gatherHealth(session.aws, healthTarget(resources, stackName, deployment, options.server), window, {
    signal,
    ...(alarmNames && { alarmNames }),
  });
}

export async function status(ctx: CommandContext, options: StatusOptions): Promise<void> {
  const window = parseWindow(options.since);
  for (;;) {
    await statusOnce(ctx, options, window);
    if (!options.watch || ctx.signal.aborted) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, WATCH_MS);
      ctx.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
    if (ctx.signal.aborted) return;
    // On a terminal, the new panel replaces the old one.
    if (ctx.interactive && !ctx.global.json) ctx.out.result('\u001b[2J\u001b[H');
  }
}

async function statusOnce(ctx: CommandContext, options: StatusOptions, window: Window): Promise<void> {
  const { out, global } = ctx;
  const stackName = cliStackName(options);
  const session = await openSession(ctx, stackName);
  try {
    const region = await session.aws.region();
    const stack = await session.engine.describeStack(stackName);
    const local = await listLocalArtifacts(ctx.env, region, stackName);
    // A stack that failed or rolled back: the failure that started it, from the stack's events.
    const failure =
      stack && /FAILED|ROLLBACK/.test(stack.status)
        ? await firstFailure(session.engine, stackName, new Date((stack.lastUpdated?.getTime() ?? 0) - 60 * 60 * 1000))
        : undefined;
    const vpc = readVpcOutput(stack?.outputs.Vpc);
    const figures = stack ? await health(session, stackName, stack.outputs, options, window, ctx.signal) : undefined;
    // Where the next deploy takes each setting from (status takes no deploy flags: the file, the stack, the defaults).
    const file = await readConfigFile(ctx.cwd, options.config);
    const settings = settingSources(new Set(), file, stack?.outputs);
    if (global.json) {
      out.json({
        stackName,
        region,
        deployed: stack !== undefined,
        ...(stack && {
          status: stack.status,
          statusReason: stack.statusReason,
          lastUpdated: stack.lastUpdated?.toISOString(),
          ...(failure && { firstFailure: failure }),
          outputs: stack.outputs,
          ...(vpc && { vpc: { ...vpc, securityGroup: stack.outputs.VpcSecurityGroup } }),
        }),
        ...(file && { configFile: file.path }),
        settings,
        ...(figures && {
          health: {
            ...figures,
            ...(figures.metrics && { estimatedCostUsd: healthCost(figures.metrics, memoryOf(stack?.outputs ?? {})) }),
          },
        }),
        local,
      });
      return;
    }
    if (!stack) {
      const note =
        local.length > 0 ? ` (local files remain: ${local.map((a) => a.path).join(', ')}; mcp-lambda destroy removes them)` : '';
      throw new UserError(`${stackName} is not deployed in ${region}${note}.`, {
        hint: `Deploy it with: mcp-lambda deploy${options.name ? ` --name ${options.name}` : ''} --region ${region}`,
      });
    }
    const healthy = /_COMPLETE$/.test(stack.status) && !/ROLLBACK|DELETE/.test(stack.status);
    const mark = healthy
      ? out.style.green('●')
      : stack.status.endsWith('_IN_PROGRESS')
        ? out.style.yellow('●')
        : out.style.red('●');
    out.result(`${mark} ${out.style.bold(stackName)} in ${region}: ${stack.status} (${describeStatus(stack.status)})`);
    if (stack.statusReason) out.result(`  reason: ${stack.statusReason}`);
    if (failure) out.result(`  first failure: ${failure.logicalId} (${failure.resourceType}): ${cleanReason(failure.reason)}`);
    if (stack.lastUpdated) out.result(`  last update: ${stack.lastUpdated.toISOString()}`);
    const signUp = describeSignUp(stack.outputs.SignUpPolicy);
    out.result(
      `  ${stack.outputs.SignUpPolicy === 'allow-list' || stack.outputs.SignUpPolicy === 'invite' ? signUp : out.style.yellow(signUp)}`,
    );
    out.result(
      stack.outputs.Clients
        ? `  Clients registered: ${stack.outputs.Clients.split(',').join(', ')} (write-config --client <name> for each)`
        : '  Clients registered: Claude Code (deployed before --clients: mcp-lambda deploy --clients … adds others)',
    );
    if (vpc)
      out.result(
        `  VPC: ${describeVpc(vpc, stack.outputs.VpcSecurityGroup)} (the MCP functions; mcp-lambda deploy --no-vpc takes them out)`,
      );
    const alarms = readAlarmsOutput(stack.outputs.Alarms);
    if (alarms)
      out.result(
        `  Alarms: mailed to ${alarms.email}, p95 latency over ${alarms.latencyMs} ms (their states below; mcp-lambda deploy --no-alarms removes them)`,
      );
    const from = (source: SettingSource) =>
      Object.entries(settings)
        .filter(([, setting]) => setting.source === source)
        .map(([key]) => key);
    out.result(
      `  Settings a deploy takes: ${[
        ...(file ? [`from ${file.shown}: ${from('file').join(', ') || 'none'}`] : ['no mcp-lambda.jsonc here']),
        `kept by the stack: ${from('stack').join(', ') || 'none'}`,
        'defaults for the rest (flags beat all)',
      ].join(' · ')}`,
    );
    out.result('');
    printOutputs(out, stack.outputs);
    out.result('');
    if (figures) {
      for (const line of renderHealth(figures, out.style, memoryOf(stack.outputs))) out.result(line);
      out.result('');
    }
    out.result(local.length === 0 ? 'Stored on this machine: nothing.' : 'Stored on this machine:');
    for (const artifact of local) out.result(`  ${artifact.description}: ${artifact.path}`);
  } finally {
    session.close();
  }
}
