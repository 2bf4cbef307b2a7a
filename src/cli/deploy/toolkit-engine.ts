/**
 * The real {@link DeployEngine}: @aws-cdk/toolkit-lib synthesizes the stack in-process and deploys it
 * (assets to the bootstrap bucket, a change set, events); the CloudFormation API answers the questions
 * around it (state, failures, deletion), and Cognito the user count.
 */
import {
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  UpdateStackCommand,
  type CloudFormationClient,
  type Stack,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { DescribeUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { AwsContext, CallerIdentity } from '../aws/context.js';
import { explainAwsError } from '../aws/errors.js';
import { RemoteError, type UserError } from '../terminal/errors.js';
import type {
  BootstrapState,
  DeployEngine,
  DeployRequest,
  DeployResult,
  PlanRequest,
  ProgressListener,
  ResourceFailure,
  StackDescription,
} from './engine.js';
import { isInProgress } from './engine.js';
import { type ConcurrencyReading, readAccountConcurrency } from './concurrency.js';
import { createIoHost } from './io-host.js';
import type { StackChanges } from './stack-changes.js';
import { assemblySource, planWithToolkit } from './toolkit-plan.js';

export interface ToolkitEngineOptions {
  readonly aws: AwsContext;
  readonly onProgress: ProgressListener;
  readonly debug?: (line: string) => void;
  /** How often to poll CloudFormation while waiting. @default 5000 */
  readonly pollIntervalMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isMissingStack(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e?.name === 'ValidationError' && /does not exist/.test(e.message ?? '');
}

function describe(stack: Stack): StackDescription {
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? [])
    if (output.OutputKey && output.OutputValue !== undefined) outputs[output.OutputKey] = output.OutputValue;
  const lastUpdated = stack.LastUpdatedTime ?? stack.CreationTime;
  return {
    stackName: stack.StackName ?? '',
    status: stack.StackStatus ?? 'UNKNOWN',
    ...(stack.StackStatusReason && { statusReason: stack.StackStatusReason }),
    ...(lastUpdated && { lastUpdated }),
    outputs,
  };
}

/** The CDK's bootstrap stack: what a failed bootstrap concerns, whatever the stack being deployed. */
export const BOOTSTRAP_STACK = 'CDKToolkit';

/**
 * A failed bootstrap, said about the bootstrap stack (never the stack being deployed) with the fix: the
 * AWS error when there is one, otherwise CloudFormation's reason as toolkit-lib reports it.
 */
export function bootstrapFailure(
  error: unknown,
  identity: CallerIdentity,
  settings: { readonly profile?: string | undefined; readonly region?: string | undefined },
): UserError {
  const profile = settings.profile ? ` --profile ${settings.profile}` : '';
  const where = `--stack-name ${BOOTSTRAP_STACK} --region ${identity.region}${profile}`;
  const explained = explainAwsError(error, {
    ...settings,
    region: identity.region,
    doing: `bootstrap aws://${identity.account}/${identity.region} for the CDK`,
    stack: BOOTSTRAP_STACK,
  });
  if (explained) return explained;
  const reason = (error instanceof Error ? error.message : String(error)).trim();
  const capabilities = /requires capabilities\s*:?\s*\[?([A-Z_, ]+)\]?/i.exec(reason)?.[1]?.trim();
  return new RemoteError(
    `Bootstrapping aws://${identity.account}/${identity.region} for the CDK failed (stack ${BOOTSTRAP_STACK}): ${reason}`,
    {
      hint: capabilities
        ? `The bootstrap template needs ${capabilities}; your identity or an SCP may forbid creating named IAM roles. See what happened with: aws cloudformation describe-stack-events ${where}`
        : `See what happened with: aws cloudformation describe-stack-events ${where} — if the stack is ROLLBACK_COMPLETE, delete it (aws cloudformation delete-stack ${where}) and run mcp-lambda deploy --bootstrap again.`,
      cause: error,
    },
  );
}

export class ToolkitEngine implements DeployEngine {
  private readonly aws: AwsContext;
  private readonly onProgress: ProgressListener;
  private readonly pollIntervalMs: number;
  private readonly debug: ((line: string) => void) | undefined;

  constructor(options: ToolkitEngineOptions) {
    this.aws = options.aws;
    this.onProgress = options.onProgress;
    this.pollIntervalMs = options.pollIntervalMs ?? 5000;
    this.debug = options.debug;
  }

  private async cfn(): Promise<CloudFormationClient> {
    return this.aws.cloudFormation();
  }

  private explain(error: unknown, doing: string, stack?: string): unknown {
    return explainAwsError(error, { ...this.aws.settings, doing, stack }) ?? error;
  }

  identity(): Promise<CallerIdentity> {
    return this.aws.identity();
  }

  async describeStack(stackName: string): Promise<StackDescription | undefined> {
    const cfn = await this.cfn();
    try {
      const answer = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
      const stack = answer.Stacks?.[0];
      if (!stack || stack.StackStatus === 'DELETE_COMPLETE') return undefined;
      return describe(stack);
    } catch (error) {
      if (isMissingStack(error)) return undefined;
      throw this.explain(error, `read stack ${stackName} (cloudformation:DescribeStacks)`, stackName);
    }
  }

  async bootstrapState(): Promise<BootstrapState> {
    const toolkit = await this.describeStack('CDKToolkit');
    if (!toolkit || toolkit.status === 'ROLLBACK_COMPLETE' || toolkit.status.startsWith('DELETE')) return {};
    const version = Number(toolkit.outputs.BootstrapVersion);
    return Number.isFinite(version) ? { version } : {};
  }

  private async toolkit(onSecurityChanges: (diff: string) => Promise<boolean> = async () => false) {
    const { Toolkit, BaseCredentials } = await import('@aws-cdk/toolkit-lib');
    const region = await this.aws.region();
    const ioHost = createIoHost({
      onProgress: this.onProgress,
      confirmSecurityChanges: onSecurityChanges,
      ...(this.debug && { debug: this.debug }),
    });
    const toolkit = new Toolkit({
      ioHost,
      emojis: false,
      color: false,
      sdkConfig: {
        baseCredentials: BaseCredentials.awsCliCompatible({
          ...(this.aws.settings.profile !== undefined && { profile: this.aws.settings.profile }),
          defaultRegion: region,
        }),
      },
    });
    return { toolkit, ioHost };
  }

  async bootstrap(identity: CallerIdentity, options: { readonly executionPolicies?: readonly string[] } = {}): Promise<void> {
    const { BootstrapEnvironments, BootstrapStackParameters } = await import('@aws-cdk/toolkit-lib');
    const { toolkit } = await this.toolkit();
    try {
      await toolkit.bootstrap(
        BootstrapEnvironments.fromList([`aws://${identity.account}/${identity.region}`]),
        options.executionPolicies && options.executionPolicies.length > 0
          ? {
              parameters: BootstrapStackParameters.withExisting({
                cloudFormationExecutionPolicies: [...options.executionPolicies],
              }),
            }
          : undefined,
      );
    } catch (error) {
      throw bootstrapFailure(error, identity, this.aws.settings);
    }
  }

  async deploy(request: DeployRequest): Promise<DeployResult> {
    const { StackSelectionStrategy } = await import('@aws-cdk/toolkit-lib');
    const { toolkit, ioHost } = await this.toolkit((diff) => request.confirmSecurityChanges(diff));
    const source = await assemblySource(toolkit, request);
    try {
      const result = await toolkit.deploy(source, {
        stacks: { strategy: StackSelectionStrategy.PATTERN_MUST_MATCH_SINGLE, patterns: [request.stack.stackName] },
        deploymentMethod: { method: 'change-set' },
      });
      const deployed = result.stacks.find((stack) => stack.stackName === request.stack.stackName);
      return { outputs: deployed?.outputs ?? {}, noChanges: ioHost.noChanges === true };
    } catch (error) {
      const explained = explainAwsError(error, { ...this.aws.settings, doing: 'deploy', stack: request.stack.stackName });
      if (explained) throw explained;
      if (ioHost.errors.length > 0 && error instanceof Error) error.message = `${error.message}\n${ioHost.errors.join('\n')}`;
      throw error;
    }
  }

  async plan(request: PlanRequest): Promise<StackChanges> {
    const { toolkit, ioHost } = await this.toolkit();
    try {
      return await planWithToolkit(toolkit, await assemblySource(toolkit, request), request);
    } catch (error) {
      const explained = explainAwsError(error, {
        ...this.aws.settings,
        doing: 'compare the stack with the deployed one',
        stack: request.stack.stackName,
      });
      if (explained) throw explained;
      if (ioHost.errors.length > 0 && error instanceof Error) error.message = `${error.message}\n${ioHost.errors.join('\n')}`;
      throw error;
    }
  }

  async destroy(
    stackName: string,
    _identity?: CallerIdentity,
    options: { readonly retainUserPool?: boolean } = {},
  ): Promise<{ retainedUserPools: string[] }> {
    const cfn = await this.cfn();
    const since = new Date();
    const remove = async (retain: string[]) => {
      try {
        await cfn.send(new DeleteStackCommand({ StackName: stackName, ...(retain.length > 0 && { RetainResources: retain }) }));
      } catch (error) {
        throw this.explain(error, `delete stack ${stackName} (cloudformation:DeleteStack)`, stackName);
      }
      this.onProgress({ kind: 'phase', phase: 'destroy' });
      return this.follow(stackName, since);
    };
    let final = await remove([]);
    const retainedUserPools: string[] = [];
    // The protected pool stops the first deletion (DELETE_FAILED); a second one may then leave it out.
    if (options.retainUserPool && final?.status === 'DELETE_FAILED') {
      const resources = await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }));
      const pools = (resources.StackResources ?? []).filter(
        (resource) => resource.ResourceType === 'AWS::Cognito::UserPool' && resource.ResourceStatus === 'DELETE_FAILED',
      );
      if (pools.length > 0) {
        final = await remove(pools.map((pool) => pool.LogicalResourceId ?? ''));
        retainedUserPools.push(...pools.map((pool) => pool.PhysicalResourceId ?? pool.LogicalResourceId ?? '?'));
      }
    }
    if (final && final.status !== 'DELETE_COMPLETE') {
      const failures = await this.failures(stackName, since);
      const reason = failures[0] ? `${failures[0].logicalId}: ${failures[0].reason}` : (final.statusReason ?? final.status);
      throw new Error(`Deleting ${stackName} ended in ${final.status}: ${reason}`);
    }
    return { retainedUserPools };
  }

  async waitUntilSettled(stackName: string): Promise<StackDescription | undefined> {
    return this.follow(stackName, new Date());
  }

  /** Polls the stack while it is in progress, reporting its events; resolves with the final state. */
  private async follow(stackName: string, since: Date): Promise<StackDescription | undefined> {
    const cfn = await this.cfn();
    const seen = new Set<string>();
    let completed = 0;
    for (;;) {
      let stack: Stack | undefined;
      try {
        stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
      } catch (error) {
        if (isMissingStack(error)) return undefined;
        throw this.explain(error, `follow stack ${stackName}`, stackName);
      }
      if (!stack) return undefined;
      const events = await this.events(stack.StackId ?? stackName, since);
      for (const event of events) {
        if (!event.EventId || seen.has(event.EventId) || event.LogicalResourceId === stackName) continue;
        seen.add(event.EventId);
        if (!isInProgress(event.ResourceStatus ?? '')) completed += 1;
        this.onProgress({
          kind: 'resource',
          logicalId: event.LogicalResourceId ?? '',
          resourceType: event.ResourceType ?? '',
          status: event.ResourceStatus ?? '',
          ...(event.ResourceStatusReason && { reason: event.ResourceStatusReason }),
          completed,
        });
      }
      if (!isInProgress(stack.StackStatus ?? ''))
        return stack.StackStatus === 'DELETE_COMPLETE' ? { ...describe(stack) } : describe(stack);
      await sleep(this.pollIntervalMs);
    }
  }

  /** The stack's events since `since`, oldest first. */
  private async events(stackName: string, since: Date): Promise<StackEvent[]> {
    const cfn = await this.cfn();
    const collected: StackEvent[] = [];
    let token: string | undefined;
    do {
      const page = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName, NextToken: token }));
      const events = page.StackEvents ?? [];
      for (const event of events) {
        if (event.Timestamp && event.Timestamp < since) return collected.reverse();
        collected.push(event);
      }
      token = page.NextToken;
    } while (token);
    return collected.reverse();
  }

  async failures(stackName: string, since: Date): Promise<ResourceFailure[]> {
    let events: StackEvent[];
    try {
      events = await this.events(stackName, since);
    } catch (error) {
      if (isMissingStack(error)) return [];
      throw this.explain(error, `read the events of ${stackName}`, stackName);
    }
    return events
      .filter((event) => event.ResourceStatus?.endsWith('_FAILED') && event.LogicalResourceId !== stackName)
      .map((event) => ({
        logicalId: event.LogicalResourceId ?? '',
        resourceType: event.ResourceType ?? '',
        status: event.ResourceStatus ?? '',
        reason: event.ResourceStatusReason ?? 'no reason given',
        ...(event.Timestamp && { time: event.Timestamp }),
      }));
  }

  async hasApiGatewayLogsRole(): Promise<boolean | undefined> {
    const { GetAccountCommand } = await import('@aws-sdk/client-api-gateway');
    const client = await this.aws.apiGatewayClient();
    try {
      const account = await client.send(new GetAccountCommand({}));
      return Boolean(account.cloudwatchRoleArn);
    } catch {
      return undefined; // only used to warn before a deployment that would fail
    } finally {
      client.destroy();
    }
  }

  async accountConcurrency(): Promise<ConcurrencyReading> {
    const client = await this.aws.lambdaClient();
    try {
      return await readAccountConcurrency(client, this.aws.settings);
    } finally {
      client.destroy();
    }
  }

  async describeUserPool(userPoolId: string): Promise<{ users?: number; deletionProtection?: boolean } | undefined> {
    const cognito = await this.aws.cognitoClient();
    try {
      const pool = (await cognito.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }))).UserPool;
      if (!pool) return undefined;
      return {
        ...(pool.EstimatedNumberOfUsers !== undefined && { users: pool.EstimatedNumberOfUsers }),
        ...(pool.DeletionProtection !== undefined && { deletionProtection: pool.DeletionProtection === 'ACTIVE' }),
      };
    } catch {
      return undefined; // informs the destroy question; the deletion itself says what is wrong
    }
  }

  async allowUserPoolDeletion(stackName: string): Promise<void> {
    const cfn = await this.cfn();
    const since = new Date();
    let body: string | undefined;
    let parameters: string[];
    try {
      body = (await cfn.send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }))).TemplateBody;
      const described = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
      parameters = (described.Stacks?.[0]?.Parameters ?? []).map((parameter) => parameter.ParameterKey ?? '');
    } catch (error) {
      throw this.explain(error, `read the template of ${stackName} (cloudformation:GetTemplate)`, stackName);
    }
    const template = JSON.parse(body ?? '{}') as {
      Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }>;
    };
    const pools = Object.values(template.Resources ?? {}).filter((resource) => resource.Type === 'AWS::Cognito::UserPool');
    if (pools.length === 0 || pools.every((pool) => pool.Properties?.DeletionProtection !== 'ACTIVE')) return;
    for (const pool of pools) pool.Properties = { ...pool.Properties, DeletionProtection: 'INACTIVE' };
    try {
      await cfn.send(
        new UpdateStackCommand({
          StackName: stackName,
          TemplateBody: JSON.stringify(template),
          Parameters: parameters.map((key) => ({ ParameterKey: key, UsePreviousValue: true })),
          Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
        }),
      );
    } catch (error) {
      throw this.explain(
        error,
        `turn the user pool's deletion protection off (cloudformation:UpdateStack ${stackName})`,
        stackName,
      );
    }
    this.onProgress({ kind: 'phase', phase: 'deploy' });
    const final = await this.follow(stackName, since);
    if (final && final.status !== 'UPDATE_COMPLETE') {
      throw new Error(`Turning the user pool's deletion protection off left ${stackName} in ${final.status}.`);
    }
  }
}
