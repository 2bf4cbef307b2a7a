/**
 * `mcp-lambda deploy`: the flags become a checked request, the entries are bundled, the deployed stack
 * is read, and the plan (the request with what the stack keeps) is synthesized and deployed, with live
 * progress; then the outputs are printed and recorded. With `--plan` the same route ends in a comparison
 * with the deployed stack instead, and nothing changes.
 */
import { describeCost, estimateCost, PRICES_AS_OF } from '../deploy/cost.js';
import { printOutputs } from '../deploy/outputs.js';
import { runDeploy } from '../deploy/deploy-flow.js';
import { openSession } from '../deploy/session.js';
import type { CallerIdentity } from '../aws/context.js';
import type { CommandContext } from '../context.js';
import type { StackDescription } from '../deploy/engine.js';
import { prepareEntries } from '../entry/prepare.js';
import { type DeployPlan, planDeploy } from '../plan/deploy-plan.js';
import { refuseDeployOnlyFlags, runPlan } from '../plan/plan-flow.js';
import { showPlan } from '../plan/print-plan.js';
import { readDeployRequest } from '../plan/request.js';
import { stackRecordPath } from '../state/stack-state.js';
import type { DeployCliOptions } from './deploy.options.js';

export async function deploy(ctx: CommandContext, options: DeployCliOptions): Promise<void> {
  const { out, global } = ctx;
  // 1. The flags, checked (before anything is bundled or AWS is asked).
  if (options.plan) refuseDeployOnlyFlags(options);
  const request = await readDeployRequest(ctx, options);
  const { stackName, memoryMb } = request;
  // 2. The user's own servers, bundled and proven to start.
  const custom =
    request.entries && (await prepareEntries(ctx, request.entries, options.name, request.settings, request.stack.toolGroups));

  const session = await openSession(ctx, stackName);
  const started = Date.now();
  try {
    // 3. The plan, once the stack's state is known; 4. synthesized and deployed (deploy-flow).
    let plan: DeployPlan | undefined;
    const route = {
      stack: { ...request.stack, stackName, ...custom },
      prepare: async (existing: StackDescription | undefined, identity: CallerIdentity) => {
        plan = await planDeploy(ctx, request, custom, existing, identity, session);
        return plan.stack;
      },
      engine: session.engine,
      progress: session.progress,
    };
    // --plan: 4. synthesized and compared with the deployed stack; nothing deployed, nothing recorded.
    if (options.plan) return showPlan(ctx, await runPlan(ctx, route));
    const outcome = await runDeploy(ctx, {
      ...route,
      ...(global.profile !== undefined && { profile: global.profile }),
      ...(options.bootstrap === true && { bootstrap: true }),
      ...(options.cloudformationExecutionPolicies !== undefined && {
        executionPolicies: options.cloudformationExecutionPolicies,
      }),
    });
    const signUp = plan?.signUp;
    const secrets = plan?.secrets ?? 1;
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
