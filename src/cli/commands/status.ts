/** `mcp-lambda status`: the stack's state, last update and outputs, and what is stored locally. */
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
import { readVpcOutput } from '../../stack/vpc-settings.js';

export interface StatusOptions {
  readonly name?: string;
  readonly stackName?: string;
}

export async function status(ctx: CommandContext, options: StatusOptions): Promise<void> {
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
    out.result('');
    printOutputs(out, stack.outputs);
    out.result('');
    out.result(local.length === 0 ? 'Stored on this machine: nothing.' : 'Stored on this machine:');
    for (const artifact of local) out.result(`  ${artifact.description}: ${artifact.path}`);
  } finally {
    session.close();
  }
}
