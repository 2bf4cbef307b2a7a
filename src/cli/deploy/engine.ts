/**
 * The seam between the deploy/destroy/status orchestration and AWS. The real implementation
 * (`toolkit-engine.ts`) uses @aws-cdk/toolkit-lib and the CloudFormation API; tests use a stateful fake.
 */
import type { McpServerStackOptions } from '../../stack/props.js';
import type { AwsContext, CallerIdentity } from '../aws/context.js';
import type { StackChanges } from './stack-changes.js';
import type { ConcurrencyReading } from './concurrency.js';

export interface StackDescription {
  readonly stackName: string;
  readonly status: string;
  readonly statusReason?: string;
  readonly lastUpdated?: Date;
  readonly outputs: Readonly<Record<string, string>>;
}

export interface ResourceFailure {
  readonly logicalId: string;
  readonly resourceType: string;
  readonly status: string;
  readonly reason: string;
  readonly time?: Date;
}

/** Progress, translated from CloudFormation events and the toolkit's messages. */
export type ProgressEvent =
  | {
      readonly kind: 'phase';
      readonly phase: 'synth' | 'assets' | 'deploy' | 'destroy' | 'bootstrap' | 'wait';
      readonly total?: number;
    }
  | {
      readonly kind: 'resource';
      readonly logicalId: string;
      readonly resourceType: string;
      /** The construct path, when known (e.g. Auth/UserPool). */
      readonly path?: string;
      readonly status: string;
      readonly reason?: string;
      readonly completed: number;
      readonly total?: number;
    };

export type ProgressListener = (event: ProgressEvent) => void;

export interface BootstrapState {
  /** The CDKToolkit stack's BootstrapVersion; undefined when the environment is not bootstrapped. */
  readonly version?: number;
}

export interface DeployRequest {
  readonly stack: McpServerStackOptions & { readonly stackName: string };
  readonly identity: CallerIdentity;
  /**
   * Asked when an update broadens permissions (IAM, security groups). `diff` is the toolkit's formatted
   * security diff. Resolve false to cancel the deployment.
   */
  confirmSecurityChanges(diff: string): Promise<boolean>;
}

/** What `deploy --plan` asks: the changes a deploy of `stack` would make, changing nothing. */
export interface PlanRequest {
  readonly stack: McpServerStackOptions & { readonly stackName: string };
  readonly identity: CallerIdentity;
  /** Whether a stack of that name exists (a new stack is compared with nothing, without a change set). */
  readonly exists: boolean;
}

export interface DeployResult {
  readonly outputs: Readonly<Record<string, string>>;
  /** CloudFormation had nothing to change. */
  readonly noChanges: boolean;
}

export interface DeployEngine {
  identity(): Promise<CallerIdentity>;
  describeStack(stackName: string): Promise<StackDescription | undefined>;
  bootstrapState(identity: CallerIdentity): Promise<BootstrapState>;
  /** Bootstraps the environment; `executionPolicies` replace the CDK's default (AdministratorAccess). */
  bootstrap(identity: CallerIdentity, options?: { readonly executionPolicies?: readonly string[] }): Promise<void>;
  deploy(request: DeployRequest): Promise<DeployResult>;
  /**
   * Synthesizes the stack and compares it with the deployed one: through a change set that is created,
   * read and deleted (never executed), or the templates when no change set can be made.
   */
  plan(request: PlanRequest): Promise<StackChanges>;
  /** Deletes the stack; with `retainUserPool`, the (deletion-protected) pool and its users stay. */
  destroy(
    stackName: string,
    identity: CallerIdentity,
    options?: { readonly retainUserPool?: boolean },
  ): Promise<{ readonly retainedUserPools: readonly string[] }>;
  /**
   * Turns the user pool's deletion protection off through CloudFormation (the stack's own template with
   * that one property changed), so the stack can be deleted with its users.
   */
  allowUserPoolDeletion(stackName: string): Promise<void>;
  /** Failed resource events of the stack since `since`, oldest first. */
  failures(stackName: string, since: Date): Promise<ResourceFailure[]>;
  /** Waits while the stack is in a *_IN_PROGRESS state; resolves with its settled description. */
  waitUntilSettled(stackName: string): Promise<StackDescription | undefined>;
  /** The pool's estimated number of users and whether it is protected from deletion; undefined when unknown. */
  describeUserPool(userPoolId: string): Promise<{ readonly users?: number; readonly deletionProtection?: boolean } | undefined>;
  /**
   * Whether the account has API Gateway's CloudWatch role in this region (REST API access logs need it);
   * undefined when it cannot be told (e.g. no apigateway:GET permission).
   */
  hasApiGatewayLogsRole(): Promise<boolean | undefined>;
  /** The account's Lambda concurrency in this region (GetAccountSettings), or why it could not be read. */
  accountConcurrency(): Promise<ConcurrencyReading>;
}

/** The bootstrap version DefaultStackSynthesizer's templates require. */
export const REQUIRED_BOOTSTRAP_VERSION = 6;

export const isInProgress = (status: string) => status.endsWith('_IN_PROGRESS');

/** Builds an engine for a command; tests pass one through `CliIo.deployEngine`. */
export type DeployEngineFactory = (aws: AwsContext, onProgress: ProgressListener, debug?: (line: string) => void) => DeployEngine;
