/**
 * `deploy --plan` from credentials to the changes: the same reading as a deploy (who and where, the
 * stack's state, the plan made from what it remembers), then the toolkit's comparison instead of the
 * deployment. It changes nothing: no wait, no deletion of a failed stack, no bootstrap, no question about
 * access logs. What a deploy would do first is said in `notes` instead.
 */
import type { McpServerStackOptions, ResolvedStackOptions } from '../../stack/props.js';
import type { CallerIdentity } from '../aws/context.js';
import type { CommandContext } from '../context.js';
import { type DeployEngine, isInProgress, REQUIRED_BOOTSTRAP_VERSION, type StackDescription } from '../deploy/engine.js';
import type { ProgressRenderer } from '../deploy/progress.js';
import type { StackCliOptions } from '../options/stack-options.js';
import { UsageError } from '../terminal/errors.js';
import type { StackChanges } from '../deploy/stack-changes.js';

export interface PlanFlowOptions {
  readonly stack: McpServerStackOptions & { readonly stackName: string };
  readonly engine: DeployEngine;
  readonly progress: ProgressRenderer;
  /** As deploy-flow's: what depends on the stack as it is; laid over `stack`. */
  readonly prepare: (existing: StackDescription | undefined, identity: CallerIdentity) => Promise<Partial<McpServerStackOptions>>;
  /** Who and where, when the command asked already. */
  readonly identity?: CallerIdentity;
}

export interface PlanOutcome {
  readonly identity: CallerIdentity;
  /** The stack as it is now (undefined: none, or one a deploy would delete and create again). */
  readonly existing?: StackDescription;
  /** The stack a deploy would make, resolved (defaults applied). */
  readonly stack: ResolvedStackOptions;
  readonly changes: StackChanges;
  /** What a deploy would do before deploying, or ask. */
  readonly notes: readonly string[];
}

/** Flags that act only when deploying: with --plan they would promise what it does not do. */
export function refuseDeployOnlyFlags(
  flags: Pick<StackCliOptions, 'bootstrap' | 'cloudformationExecutionPolicies'> & { readonly stdioFrom?: string },
): void {
  if (flags.stdioFrom !== undefined) {
    throw new UsageError(
      '--plan changes nothing, and --stdio-from stores the entry’s keys in Secrets Manager and rewrites the client’s entry.',
      'Plan the same server with --stdio "<its command>" and its --env flags, or drop --plan to move it.',
    );
  }
  const given = [
    ...(flags.bootstrap === true ? ['--bootstrap'] : []),
    ...(flags.cloudformationExecutionPolicies !== undefined ? ['--cloudformation-execution-policies'] : []),
  ];
  if (given.length === 0) return;
  throw new UsageError(
    `--plan changes nothing, so it bootstraps nothing: ${given.join(' and ')} ${given.length > 1 ? 'act' : 'acts'} only when deploying.`,
    'Drop it to see the plan (it notes when a deploy would bootstrap first), or drop --plan to deploy.',
  );
}

/** A stack whose first deployment failed: deploy offers to delete it and start again. */
const FAILED_CREATION = new Set(['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'CREATE_FAILED']);

export async function runPlan(ctx: CommandContext, options: PlanFlowOptions): Promise<PlanOutcome> {
  const { out } = ctx;
  const { engine, progress } = options;
  const { stackName } = options.stack;
  const notes: string[] = [];

  const identity = options.identity ?? (await engine.identity());
  out.info(
    `Planning a deploy of ${out.style.bold(stackName)} to account ${identity.account} in ${identity.region} as ${identity.arn}`,
  );
  let existing = await engine.describeStack(stackName);
  if (existing && isInProgress(existing.status)) {
    notes.push(`${stackName} is busy (${existing.status}): a deploy would wait for it to finish first.`);
  }
  if (existing?.status === 'UPDATE_ROLLBACK_FAILED') {
    notes.push(`${stackName} is stuck in UPDATE_ROLLBACK_FAILED: a deploy refuses until the rollback is continued.`);
  }
  if (existing && FAILED_CREATION.has(existing.status)) {
    notes.push(`${stackName} is ${existing.status}: a deploy would offer to delete it and create it again, as planned here.`);
    existing = undefined;
  }
  const prepared = await options.prepare(existing, identity);

  const bootstrap = await engine.bootstrapState(identity);
  if (bootstrap.version === undefined || bootstrap.version < REQUIRED_BOOTSTRAP_VERSION) {
    notes.push(
      `aws://${identity.account}/${identity.region} needs a CDK bootstrap (version ${REQUIRED_BOOTSTRAP_VERSION} or newer): a deploy would offer it first.`,
    );
  }
  let stack = { ...options.stack, ...prepared };
  if (stack.accessLogs !== false && (await engine.hasApiGatewayLogsRole()) === false) {
    notes.push(
      `API Gateway has no CloudWatch role in ${identity.region}: a deploy would offer to go without access logs (planned so here).`,
    );
    stack = { ...stack, accessLogs: false };
  }
  const { resolveStackOptions } = await import('../../stack/props.js');
  const resolved = resolveStackOptions(stack);
  let changes: StackChanges;
  try {
    changes = await engine.plan({ stack, identity, exists: existing !== undefined });
  } finally {
    progress.done();
  }
  return { identity, ...(existing && { existing }), stack: resolved, changes, notes };
}
