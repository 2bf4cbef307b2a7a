/**
 * A stateful stand-in for CloudFormation + the CDK toolkit behind the DeployEngine seam. Each test sets
 * what the next deploy does; the fake keeps stack state, bootstrap state and a call log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AwsContext } from '../../src/cli/aws/context.js';
import type {
  DeployEngine,
  DeployRequest,
  DeployResult,
  PlanRequest,
  ProgressListener,
  ResourceFailure,
  StackDescription,
} from '../../src/cli/deploy/engine.js';
import type { CommandContext } from '../../src/cli/context.js';
import type { DeployEngineFactory } from '../../src/cli/deploy/engine.js';
import { createOutput } from '../../src/cli/terminal/output.js';
import type { ConcurrencyReading } from '../../src/cli/deploy/concurrency.js';
import { type StackChanges, summarizeDiff } from '../../src/cli/deploy/stack-changes.js';
import type { McpServerStackOptions } from '../../src/stack/props.js';

export const IDENTITY = { account: '123456789012', arn: 'arn:aws:iam::123456789012:user/dev', region: 'eu-west-1' };

export const OUTPUTS = {
  McpServerUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/mcp',
  SignInUrl: 'https://mcp-dog-facts-1a2b3c4d.auth.eu-west-1.amazoncognito.com/signup?client_id=client123',
  McpOAuthClientId: 'client123',
  McpOAuthScope: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/mcp/dog-facts',
  CallbackPort: '31927',
  ServerName: 'dog-facts',
  UserPoolId: 'eu-west-1_pool',
  IssuerUrl: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_pool',
};

/** A CloudFormation template, as synthesized. */
export type Template = Record<string, unknown>;

/**
 * The template the stack synthesizes to for `options`, as the real engine's synth would make it. (The CDK
 * is loaded on the first plan only: the other tests that use this fake do not pay for it.)
 */
export async function synthTemplate(options: McpServerStackOptions & { readonly stackName: string }): Promise<Template> {
  const { buildApp } = await import('../../src/stack/app.js');
  const outdir = mkdtempSync(join(tmpdir(), 'mcp-lambda-synth-'));
  try {
    const { app } = buildApp({ ...options, outdir, env: { account: IDENTITY.account, region: IDENTITY.region } });
    return app.synth().getStackByName(options.stackName).template as Template;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export type DeployPlan =
  | { readonly kind: 'success' }
  | { readonly kind: 'no-changes' }
  | { readonly kind: 'fail'; readonly failure: ResourceFailure; readonly endStatus: string }
  | { readonly kind: 'broadening'; readonly diff: string }
  | { readonly kind: 'hang' };

export class FakeCloud {
  readonly stacks = new Map<string, StackDescription>();
  bootstrapVersion: number | undefined = 30;
  plan: DeployPlan = { kind: 'success' };
  /** The outputs a successful deploy reports. */
  outputs: Readonly<Record<string, string>> = OUTPUTS;
  /** What waitUntilSettled turns an in-progress stack into. */
  settlesTo = 'UPDATE_COMPLETE';
  users: number | undefined = 3;
  /** The pool's deletion protection; undefined: the pool cannot be described. */
  poolProtected: boolean | undefined = true;
  logsRole: boolean | undefined = true;
  /**
   * What GetAccountSettings says (e.g. `{ limit: 10, unreserved: 10 }`, a new account); by default it cannot
   * be read, so deploy proposes nothing and asks nothing (tests about the reservation set it).
   */
  concurrency: ConcurrencyReading = { unknown: 'not read in this test' };
  readonly calls: string[] = [];
  failuresSince: ResourceFailure[] = [];
  lastRequest: DeployRequest | undefined;
  destroyFails: string | undefined;
  /** Thrown by describeStack, as CloudFormation would answer (e.g. an AWS ServiceException). */
  describeFails: unknown;
  /** The deployed stacks' templates, for `plan` (a test sets the one it compares with). */
  readonly templates = new Map<string, Template>();
  /** Why the next plan cannot create a change set (it then compares templates, as toolkit-lib would). */
  changeSetFails: string | undefined;
  /** The template the last plan synthesized. */
  lastPlannedTemplate: Template | undefined;

  factory(): DeployEngineFactory {
    return (_aws: AwsContext, onProgress: ProgressListener) => this.engine(onProgress);
  }

  engine(onProgress: ProgressListener): DeployEngine {
    return {
      identity: async () => {
        this.calls.push('identity');
        return IDENTITY;
      },
      describeStack: async (name) => {
        this.calls.push(`describe ${name}`);
        if (this.describeFails !== undefined) throw this.describeFails;
        return this.stacks.get(name);
      },
      bootstrapState: async () => ({ ...(this.bootstrapVersion !== undefined && { version: this.bootstrapVersion }) }),
      bootstrap: async (_identity, options) => {
        this.calls.push(`bootstrap${options?.executionPolicies?.length ? ` ${options.executionPolicies.join(',')}` : ''}`);
        onProgress({ kind: 'phase', phase: 'bootstrap' });
        this.bootstrapVersion = 30;
      },
      deploy: (request) => this.deploy(request, onProgress),
      plan: (request) => this.compare(request, onProgress),
      allowUserPoolDeletion: async (name) => {
        this.calls.push(`unprotect ${name}`);
        this.poolProtected = false;
      },
      destroy: async (name, _identity, options) => {
        this.calls.push(`destroy ${name}${options?.retainUserPool ? ' (retain user pool)' : ''}`);
        const retainedUserPools = this.poolProtected && options?.retainUserPool ? ['eu-west-1_pool'] : [];
        if (this.poolProtected && !options?.retainUserPool) {
          throw new Error(`Deleting ${name} ended in DELETE_FAILED: AuthUserPool: Deletion protection is active`);
        }
        onProgress({
          kind: 'resource',
          logicalId: 'UserPool',
          resourceType: 'AWS::Cognito::UserPool',
          status: 'DELETE_COMPLETE',
          completed: 1,
        });
        if (this.destroyFails) throw new Error(this.destroyFails);
        this.stacks.delete(name);
        return { retainedUserPools };
      },
      failures: async () => this.failuresSince,
      waitUntilSettled: async (name) => {
        this.calls.push(`wait ${name}`);
        const stack = this.stacks.get(name);
        if (stack) this.stacks.set(name, { ...stack, status: this.settlesTo });
        return this.stacks.get(name);
      },
      describeUserPool: async () =>
        this.poolProtected === undefined && this.users === undefined
          ? undefined
          : {
              ...(this.users !== undefined && { users: this.users }),
              ...(this.poolProtected !== undefined && { deletionProtection: this.poolProtected }),
            },
      hasApiGatewayLogsRole: async () => this.logsRole,
      accountConcurrency: async () => this.concurrency,
    };
  }

  /** Synthesizes for real and diffs with the CDK's own diff against the stored template, changing nothing. */
  private async compare(request: PlanRequest, onProgress: ProgressListener): Promise<StackChanges> {
    const name = request.stack.stackName;
    this.calls.push(`plan ${name}`);
    onProgress({ kind: 'phase', phase: 'synth' });
    const deployed = request.exists ? this.templates.get(name) : {};
    if (deployed === undefined) throw new Error(`FakeCloud: set cloud.templates for ${name} to plan against it`);
    const template = await synthTemplate(request.stack);
    this.lastPlannedTemplate = template;
    const { fullDiff } = await import('@aws-cdk/cloudformation-diff');
    const diff = fullDiff(deployed, template);
    if (!request.exists) return summarizeDiff(diff, { newStack: true, method: 'template' });
    return summarizeDiff(
      diff,
      this.changeSetFails === undefined
        ? { newStack: false, method: 'change-set' }
        : { newStack: false, method: 'template', fallbackReason: this.changeSetFails },
    );
  }

  private async deploy(request: DeployRequest, onProgress: ProgressListener): Promise<DeployResult> {
    const name = request.stack.stackName;
    this.calls.push(`deploy ${name}`);
    this.lastRequest = request;
    const existed = this.stacks.has(name);
    onProgress({ kind: 'phase', phase: 'synth' });
    switch (this.plan.kind) {
      case 'no-changes':
        return { outputs: this.stacks.get(name)?.outputs ?? OUTPUTS, noChanges: true };
      case 'hang':
        onProgress({ kind: 'phase', phase: 'deploy', total: 30 });
        return new Promise<never>(() => {});
      case 'broadening':
        if (!(await request.confirmSecurityChanges(this.plan.diff)))
          throw Object.assign(new Error('Deployment cancelled'), { name: 'AbortError' });
        break;
      case 'fail': {
        onProgress({ kind: 'phase', phase: 'deploy', total: 30 });
        const f = this.plan.failure;
        onProgress({
          kind: 'resource',
          logicalId: f.logicalId,
          resourceType: f.resourceType,
          status: f.status,
          reason: f.reason,
          completed: 4,
          total: 30,
        });
        this.failuresSince = [
          { logicalId: 'Other', resourceType: 'AWS::IAM::Role', status: 'CREATE_FAILED', reason: 'Resource creation cancelled' },
          f,
        ];
        this.stacks.set(name, { stackName: name, status: this.plan.endStatus, outputs: {} });
        throw new Error(`The stack named ${name} failed creation`);
      }
      case 'success':
        break;
    }
    onProgress({ kind: 'phase', phase: 'deploy', total: 2 });
    onProgress({
      kind: 'resource',
      logicalId: 'UserPool',
      resourceType: 'AWS::Cognito::UserPool',
      path: 'Auth/UserPool',
      status: 'CREATE_COMPLETE',
      completed: 1,
      total: 2,
    });
    onProgress({
      kind: 'resource',
      logicalId: 'Fn',
      resourceType: 'AWS::Lambda::Function',
      status: 'CREATE_COMPLETE',
      completed: 2,
      total: 2,
    });
    this.stacks.set(name, {
      stackName: name,
      status: existed ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE',
      outputs: this.outputs,
      lastUpdated: new Date('2026-11-24T04:00:00Z'),
    });
    return { outputs: this.outputs, noChanges: false };
  }
}

type Answer = boolean | string;

/**
 * A prompter with scripted answers that fails the test on any question it was not told about. A list
 * answers the same question in turn.
 */
export function scriptedPrompter(answers: Record<string, Answer | Answer[]>) {
  const asked: string[] = [];
  const answer = (message: string): Answer => {
    asked.push(message);
    const key = Object.keys(answers).find((pattern) => message.includes(pattern));
    if (key === undefined) throw new Error(`unexpected question: ${message}`);
    const value = answers[key];
    if (Array.isArray(value)) {
      if (value.length === 0) throw new Error(`no answer left for: ${message}`);
      return value.shift() as Answer;
    }
    return value as Answer;
  };
  return {
    asked,
    async confirm(message: string) {
      return answer(message) as boolean;
    },
    async input(message: string) {
      return answer(message) as string;
    },
    async password(message: string) {
      return answer(message) as string;
    },
  };
}

/**
 * A command's context for calling a command's parts directly: both streams go to `write`, no AWS, answers
 * from {@link scriptedPrompter}.
 */
export function testContext(
  write: (chunk: string) => void,
  options: {
    readonly interactive?: boolean;
    readonly answers?: Parameters<typeof scriptedPrompter>[0];
    readonly env?: Record<string, string>;
    readonly cwd?: string;
  } = {},
): CommandContext {
  const stream = { write };
  return {
    stdout: stream,
    stderr: stream,
    env: options.env ?? {},
    cwd: options.cwd ?? '/',
    signal: new AbortController().signal,
    interactive: options.interactive ?? false,
    out: createOutput(stream, stream, {}),
    global: { json: false, verbose: false, yes: false },
    prompt: scriptedPrompter(options.answers ?? {}),
  };
}
