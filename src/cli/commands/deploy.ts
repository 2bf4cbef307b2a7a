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
import { readStdioMove, repointClient } from '../stdio/move.js';
import { storeSecrets } from '../stdio/move-secrets.js';
import type { DeployCliOptions } from './deploy.options.js';

export async function deploy(ctx: CommandContext, options: DeployCliOptions): Promise<void> {
  const { out, global } = ctx;
  // 1. The flags (with --stdio-from, the flags a client's stdio entry stands for), checked before anything
  // is bundled or AWS is asked.
  if (options.plan) refuseDeployOnlyFlags(options);
  const move = await readStdioMove(ctx, options);
  const request = await readDeployRequest(ctx, move?.flags ?? options);
  const { stackName, memoryMb } = request;
  const session = await openSession(ctx, stackName);
  try {
    // 2. Who and where: a missing region or expired credentials is said before minutes of bundling.
    const identity = await session.engine.identity();
    // 3. The user's own servers, bundled and proven to start.
    const custom =
      request.entries &&
      (await prepareEntries(ctx, request.entries, request.flags.name, request.settings, request.stack.toolGroups));
    if (move) await storeSecrets(ctx, session.aws, move.moved);
    const started = Date.now();
    // 4. The plan, once the stack's state is known; 5. synthesized and deployed (deploy-flow).
    let plan: DeployPlan | undefined;
    const route = {
      stack: { ...request.stack, stackName, ...custom },
      prepare: async (existing: StackDescription | undefined, identity: CallerIdentity) => {
        plan = await planDeploy(ctx, request, custom, existing, identity, session);
        return plan.stack;
      },
      engine: session.engine,
      progress: session.progress,
      identity,
    };
    // --plan: 5. synthesized and compared with the deployed stack; nothing deployed, nothing recorded.
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
    const alarms = plan?.alarms ?? 0;
    if (global.json) {
      out.json({
        stackName,
        account: identity.account,
        region: identity.region,
        created: outcome.created,
        noChanges: outcome.noChanges,
        signUp,
        ...(plan?.confirmAlarmEmail !== undefined && { alarmConfirmationMailedTo: plan.confirmAlarmEmail }),
        outputs: outcome.outputs,
        costEstimate: {
          ...estimateCost(memoryMb, 100, secrets, alarms),
          currency: 'USD',
          pricesAsOf: PRICES_AS_OF,
          region: 'us-east-1',
        },
      });
      if (move) await repointClient(ctx, move, stackName, options);
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
    out.info(describeCost(memoryMb, 100, secrets, alarms));
    out.info(out.style.dim(`Outputs saved to ${stackRecordPath(ctx.env, identity.region, stackName)}`));
    if (plan?.confirmAlarmEmail !== undefined) {
      out.info('');
      out.warn(
        `AWS has mailed ${plan.confirmAlarmEmail} a link to confirm the alarms' subscription ("AWS Notification - Subscription Confirmation"): the alarms mail nobody until it is followed. mcp-lambda status shows their state meanwhile.`,
      );
    }
    // With --stdio-from, the client that ran the server locally is offered the deployed one instead.
    if (!(move && (await repointClient(ctx, move, stackName, options)))) printNextSteps(ctx, outcome.outputs, stackName);
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
