/**
 * `deploy` from credentials to a running endpoint: who and where, the stack's current state (busy,
 * failed creation, stuck rollback), bootstrap, the deployment itself with live progress, and a failure
 * report that names the first failed resource and says what to do next.
 */
import type { McpServerStackOptions } from '../../stack/props.js';
import type { CallerIdentity } from '../aws/context.js';
import type { CommandContext } from '../context.js';
import { AbortError, DeclinedError, RemoteError, UserError } from '../terminal/errors.js';
import { saveStackRecord } from '../state/stack-state.js';
import {
  type DeployEngine,
  type DeployResult,
  type ResourceFailure,
  isInProgress,
  REQUIRED_BOOTSTRAP_VERSION,
  type StackDescription,
} from './engine.js';
import { cleanReason, type ProgressRenderer } from './progress.js';

export interface DeployFlowOptions {
  readonly stack: McpServerStackOptions & { readonly stackName: string };
  readonly engine: DeployEngine;
  readonly progress: ProgressRenderer;
  /** Profile flag to repeat in hints. */
  readonly profile?: string;
  /** Bootstrap without asking when the environment needs it (`--bootstrap`). @default ask */
  readonly bootstrap?: boolean;
  /** Managed policies for CloudFormation's execution role when bootstrapping. @default the CDK's: AdministratorAccess */
  readonly executionPolicies?: readonly string[];
  /**
   * Options that depend on the stack as it is (the sign-up policy keeps the deployed allow-list): called
   * once the stack's state is known, before anything changes; what it returns is deployed.
   */
  readonly prepare?: (
    existing: StackDescription | undefined,
    identity: CallerIdentity,
  ) => Promise<Partial<McpServerStackOptions>>;
  readonly now?: () => Date;
  /** Who and where, when the command asked before its slow steps (deploy asks before bundling). */
  readonly identity?: CallerIdentity;
}

export interface DeployOutcome extends DeployResult {
  readonly identity: CallerIdentity;
  readonly created: boolean;
}

/** Stack states a deployment cannot start from, and why. */
const FAILED_CREATION = new Set(['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'CREATE_FAILED']);

function regionFlags(identity: CallerIdentity, profile?: string): string {
  return `--region ${identity.region}${profile ? ` --profile ${profile}` : ''}`;
}

/** Races `work` against Ctrl-C: CloudFormation goes on without us, so say how to follow it. */
async function interruptible<T>(ctx: CommandContext, work: Promise<T>, onInterrupt: () => string): Promise<T> {
  if (ctx.signal.aborted) throw new AbortError(onInterrupt());
  let listener: (() => void) | undefined;
  const interrupted = new Promise<never>((_, reject) => {
    listener = () => reject(new AbortError(onInterrupt()));
    ctx.signal.addEventListener('abort', listener, { once: true });
  });
  try {
    return await Promise.race([work, interrupted]);
  } finally {
    if (listener) ctx.signal.removeEventListener('abort', listener);
    work.catch(() => {}); // abandoned on interrupt: its rejection is not ours to report
  }
}

export async function runDeploy(ctx: CommandContext, options: DeployFlowOptions): Promise<DeployOutcome> {
  const { out, prompt } = ctx;
  const { engine, progress } = options;
  const stackName = options.stack.stackName;
  const now = options.now ?? (() => new Date());

  const identity = options.identity ?? (await engine.identity());
  out.info(`Deploying ${out.style.bold(stackName)} to account ${identity.account} in ${identity.region} as ${identity.arn}`);
  const flags = regionFlags(identity, options.profile);
  const followHint = () =>
    `Interrupted. CloudFormation goes on with ${stackName} without this command; follow it with: mcp-lambda status --stack-name ${stackName} ${flags}`;

  let existing = await engine.describeStack(stackName);
  if (existing && isInProgress(existing.status)) {
    out.info(`${stackName} is busy: ${existing.status}. Another deployment or deletion is running.`);
    const wait = await prompt.confirm('Wait for it to finish, then deploy?', { default: true });
    if (!wait)
      throw new DeclinedError(
        `Not deploying while ${stackName} is ${existing.status}. Check it with: mcp-lambda status --stack-name ${stackName} ${flags}`,
      );
    progress({ kind: 'phase', phase: 'wait' });
    existing = await interruptible(ctx, engine.waitUntilSettled(stackName), followHint);
    progress.done();
  }
  if (existing?.status === 'UPDATE_ROLLBACK_FAILED') {
    throw new RemoteError(
      `${stackName} is stuck in UPDATE_ROLLBACK_FAILED: CloudFormation could not roll back an earlier update.`,
      {
        hint: `Continue the rollback, then deploy again: aws cloudformation continue-update-rollback --stack-name ${stackName} ${flags}`,
      },
    );
  }
  if (existing && FAILED_CREATION.has(existing.status)) {
    out.info(
      `${stackName} is ${existing.status}: its first deployment failed${existing.statusReason ? ` (${cleanReason(existing.statusReason)})` : ''}, and CloudFormation cannot update such a stack.`,
    );
    const replace = await prompt.confirm(`Delete ${stackName} and deploy it again?`, { default: true });
    if (!replace) {
      throw new DeclinedError(
        `Not deploying. Remove the failed stack with: mcp-lambda destroy --stack-name ${stackName} ${flags}`,
      );
    }
    progress({ kind: 'phase', phase: 'destroy' });
    // The user pool's deletion protection may have stopped the rollback; it holds no users yet, so the
    // stack goes without it and the command says what was left.
    const { retainedUserPools } = await interruptible(
      ctx,
      engine.destroy(stackName, identity, { retainUserPool: true }),
      followHint,
    );
    for (const pool of retainedUserPools) {
      out.warn(
        `the failed attempt left the user pool ${pool} behind (deletion protection kept it; it has no users). Delete it in the Cognito console: turn its deletion protection off, then delete it.`,
      );
    }
    progress.done();
    existing = undefined;
  }
  const prepared = (await options.prepare?.(existing, identity)) ?? {};

  const bootstrap = await engine.bootstrapState(identity);
  if (bootstrap.version === undefined || bootstrap.version < REQUIRED_BOOTSTRAP_VERSION) {
    const why =
      bootstrap.version === undefined
        ? `Account ${identity.account} is not bootstrapped for the CDK in ${identity.region}.`
        : `The CDK bootstrap stack in ${identity.region} is version ${bootstrap.version}; this deployment needs ${REQUIRED_BOOTSTRAP_VERSION} or newer.`;
    out.info(
      `${why} Bootstrapping creates (or updates) the CDKToolkit stack once per account and region: an S3 bucket and IAM roles the deployment uses to upload the Lambda bundle.`,
    );
    const policies = options.executionPolicies ?? [];
    out.info(
      policies.length > 0
        ? `CloudFormation's execution role will have: ${policies.join(', ')}.`
        : "CloudFormation's execution role will have arn:aws:iam::aws:policy/AdministratorAccess (the CDK default): every stack deployed through this bootstrap can do anything in the account. Narrow it with --cloudformation-execution-policies <policy ARN>.",
    );
    // Changes the account for every later CDK deployment: --yes alone does not answer this.
    const go =
      options.bootstrap === true ||
      (await prompt.confirm(`Bootstrap aws://${identity.account}/${identity.region} now?`, {
        default: true,
        flag: '--bootstrap',
      }));
    if (!go)
      throw new DeclinedError(
        `Not deploying without a bootstrapped environment. Bootstrap it yourself with: npx aws-cdk bootstrap aws://${identity.account}/${identity.region}`,
      );
    progress({ kind: 'phase', phase: 'bootstrap' });
    await interruptible(ctx, engine.bootstrap(identity, { executionPolicies: policies }), followHint);
    progress.done();
    out.info(`Bootstrapped aws://${identity.account}/${identity.region}.`);
  }

  // REST API access logs need the account's API Gateway CloudWatch role; without it CloudFormation fails
  // the stage ("CloudWatch Logs role ARN must be set in account settings") after minutes of work.
  let stack = { ...options.stack, ...prepared };
  if (stack.accessLogs !== false && (await engine.hasApiGatewayLogsRole()) === false) {
    out.info(
      `API Gateway has no CloudWatch role in ${identity.region} for account ${identity.account}, and REST API access logs need one. ` +
        'It is an account-wide setting (API Gateway console → Settings, or aws apigateway update-account), so this tool does not change it.',
    );
    const without = await prompt.confirm('Deploy without API Gateway access logs (the function still logs every request)?', {
      default: true,
    });
    if (!without) {
      throw new DeclinedError(
        `Not deploying. Set the role (aws apigateway update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=<role ARN> ${flags}), or pass --no-access-logs.`,
      );
    }
    stack = { ...stack, accessLogs: false };
  }

  const created = existing === undefined;
  const started = now();
  let result: DeployResult;
  try {
    result = await interruptible(
      ctx,
      engine.deploy({
        stack,
        identity,
        confirmSecurityChanges: async (diff) => {
          // A first deployment creates every role; only an update's broadening changes are worth a question.
          if (created) return true;
          progress.done();
          out.info(diff);
          return prompt.confirm('This update changes IAM permissions (above). Deploy it?', { default: false });
        },
      }),
      followHint,
    );
  } catch (error) {
    progress.done();
    if (error instanceof AbortError || error instanceof UserError) throw error;
    if ((error as Error).name === 'AbortError' || /Deployment cancelled/.test((error as Error).message)) {
      throw new DeclinedError('Deployment cancelled; nothing was changed.');
    }
    throw await explainFailure(engine, stackName, started, flags, error);
  }
  progress.done();

  await saveStackRecord(ctx.env, {
    stackName,
    region: identity.region,
    account: identity.account,
    savedAt: now().toISOString(),
    outputs: result.outputs,
  });
  return { ...result, identity, created };
}

/** The failure that caused the others (not a "Resource creation cancelled" that followed it), since `since`. */
export async function firstFailure(engine: DeployEngine, stackName: string, since: Date): Promise<ResourceFailure | undefined> {
  const failures = await engine.failures(stackName, since).catch(() => [] as ResourceFailure[]);
  return failures.find((failure) => !/cancelled/i.test(failure.reason)) ?? failures[0];
}

async function explainFailure(
  engine: DeployEngine,
  stackName: string,
  since: Date,
  flags: string,
  error: unknown,
): Promise<UserError> {
  const first = await firstFailure(engine, stackName, since);
  const after: StackDescription | undefined = await engine.describeStack(stackName).catch(() => undefined);
  const lines: string[] = [];
  if (first) lines.push(`${first.logicalId} (${first.resourceType}) failed: ${cleanReason(first.reason)}`);
  else lines.push(`The deployment failed: ${(error as Error).message}`);
  let hint: string;
  switch (after?.status) {
    case 'ROLLBACK_COMPLETE':
    case 'ROLLBACK_FAILED':
      lines.push(`The stack is now ${after.status}: nothing was created.`);
      hint = `Fix the cause, then run mcp-lambda deploy ${flags} again: it offers to delete the failed stack first.`;
      break;
    case 'UPDATE_ROLLBACK_COMPLETE':
      lines.push('The stack rolled back to its previous version; it still serves as before.');
      hint = `Fix the cause and run mcp-lambda deploy ${flags} again.`;
      break;
    case 'UPDATE_ROLLBACK_FAILED':
      lines.push('The stack could not roll back and is stuck in UPDATE_ROLLBACK_FAILED.');
      hint = `aws cloudformation continue-update-rollback --stack-name ${stackName} ${flags}`;
      break;
    case undefined:
      lines.push('The stack does not exist now.');
      hint = `Fix the cause and run mcp-lambda deploy ${flags} again.`;
      break;
    default:
      lines.push(`The stack is now ${after?.status}.`);
      hint = `See the events with: mcp-lambda status --stack-name ${stackName} ${flags}`;
  }
  return new RemoteError(lines.join('\n'), { hint, cause: error });
}
