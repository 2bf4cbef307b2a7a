/**
 * Builds the CDK app in memory for `synth` and `deploy`. No AWS calls and no printing.
 */
import { App } from 'aws-cdk-lib';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { McpServerStack, type McpServerStackProps } from './mcp-server-stack.js';
import { resolveStackOptions } from './props.js';

export interface BuildAppOptions extends McpServerStackProps {
  /** Where the cloud assembly is written. */
  readonly outdir: string;
  /**
   * Run aws-cdk-lib's built-in CloudFormation validation at synth (checks every resource's properties
   * against the schema; costs over a second). @default false
   */
  readonly validate?: boolean;
  /** More context for the app (the deploy engine passes the toolkit's). */
  readonly context?: Readonly<Record<string, unknown>>;
}

/** Creates the app with one {@link McpServerStack}. */
export function buildApp(options: BuildAppOptions): { app: App; stack: McpServerStack } {
  const { outdir, validate = false, context = {}, ...props } = options;
  const resolved = resolveStackOptions(props);
  const app = new App({
    outdir,
    builtinCloudFormationValidation: validate,
    analyticsReporting: false,
    // The flags `cdk init` would set today: the newest safe defaults for every construct.
    context: { ...CURRENTLY_RECOMMENDED_FLAGS, ...context },
  });
  const stack = new McpServerStack(app, resolved.stackName, { ...props, stackName: resolved.stackName });
  return { app, stack };
}
