/**
 * `mcp-lambda deploy`: the flags become a checked request, the entries are bundled, the deployed stack
 * is read, and the plan (the request with what the stack keeps) is synthesized and deployed, with live
 * progress; then the outputs are printed and recorded.
 */
import { describeCost, estimateCost, PRICES_AS_OF } from '../deploy/cost.js';
import { printOutputs } from '../deploy/outputs.js';
import { runDeploy } from '../deploy/deploy-flow.js';
import { openSession } from '../deploy/session.js';
import type { CommandContext } from '../context.js';
import { prepareEntries } from '../entry/prepare.js';
import type { StackCliOptions } from '../options/stack-options.js';
import { type DeployPlan, planDeploy } from '../plan/deploy-plan.js';
import { readDeployRequest } from '../plan/request.js';
import { stackRecordPath } from '../state/stack-state.js';

export async function deploy(ctx: CommandContext, options: StackCliOptions): Promise<void> {
  const { out, global } = ctx;
  // 1. The flags, checked (before anything is bundled or AWS is asked).
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
    const outcome = await runDeploy(ctx, {
      stack: { ...request.stack, stackName, ...custom },
      prepare: async (existing, identity) => {
        plan = await planDeploy(ctx, request, custom, existing, identity, session);
        return plan.stack;
      },
      engine: session.engine,
      progress: session.progress,
      ...(global.profile !== undefined && { profile: global.profile }),
      ...(options.bootstrap === true && { bootstrap: true }),
      ...(options.cloudformationExecutionPolicies !== undefined && {
        executionPolicies: options.cloudformationExecutionPolicies,
      }),
    });
    const signUp = plan?.signUp;
    const secrets = plan?.secrets ?? 1;
    const alarms = plan?.alarms ?? 0;
    const { identity } = outcome;
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
