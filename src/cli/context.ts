import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { Output, Stream } from './terminal/output.js';
import type { DeployEngineFactory } from './deploy/engine.js';
import type { Prompter } from './terminal/prompts.js';

/** Options every command accepts. */
export interface GlobalOptions {
  /** AWS region. @default the AWS SDK's chain (AWS_REGION, profile) */
  readonly region?: string;
  /** AWS profile. @default the AWS SDK's chain (AWS_PROFILE, default) */
  readonly profile?: string;
  /** Print one JSON document on stdout and nothing else there. */
  readonly json: boolean;
  /** Print stacks and debug detail. */
  readonly verbose: boolean;
  /** Answer yes to every question (needed when not interactive). */
  readonly yes: boolean;
}

/** What the process gives a command: streams, environment, and a signal for Ctrl-C. */
export interface CliIo {
  readonly stdout: Stream;
  readonly stderr: Stream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Aborted when the user presses Ctrl-C (SIGINT) or the process gets SIGTERM. */
  readonly signal: AbortSignal;
  /** Whether questions may be asked (TTY, not CI). */
  readonly interactive: boolean;
  /** Reads all of standard input (for --password-stdin). */
  readonly readStdin?: () => Promise<string>;
  /** Opens a URL in the browser (tests replace it). @default the `open` package */
  readonly openUrl?: (url: string) => Promise<void>;
  /** Overrides the prompter (tests). */
  readonly prompter?: Prompter;
  /** Overrides the Cognito client for the sign-in calls (tests). @default one for the region */
  readonly signInClient?: (region: string) => Promise<CognitoIdentityProviderClient>;
  /** Overrides the deploy engine (tests: a stateful fake instead of CloudFormation). */
  readonly deployEngine?: DeployEngineFactory;
}

/** What a command's action receives. */
export interface CommandContext extends CliIo {
  readonly out: Output;
  readonly global: GlobalOptions;
  readonly prompt: Prompter;
}
