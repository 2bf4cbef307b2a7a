/**
 * The Lambda that serves MCP: the prebuilt bundle from `dist/lambda-bundle`, ARM64, the newest Node.js
 * runtime, JSON logs with a retention period, and a role that can write its own logs and nothing else.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ResolvedStackOptions } from './props.js';
import { secretResourceArn, secretsVariable } from './settings.js';

/** The newest Node.js runtime this aws-cdk-lib knows (the bundle targets Node.js 24). */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** API Gateway's integration timeout is 29 s; the function stops a moment before it. */
export const LAMBDA_TIMEOUT = Duration.seconds(29);

/** `dist/lambda-bundle` of this package, found from `src/stack` (tests) and `dist/stack` (built) alike. */
export function defaultLambdaBundleDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'lambda-bundle');
}

/** Thrown when the Lambda bundle has not been built. */
export class MissingBundleError extends Error {
  override readonly name = 'MissingBundleError';
}

export interface McpFunctionProps {
  readonly options: ResolvedStackOptions;
  /** Environment for the handler: allowed clients, scope, origins. */
  readonly environment: Record<string, string>;
}

export class McpFunction extends Construct {
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: McpFunctionProps) {
    super(scope, id);
    const { options } = props;
    const bundleDir = options.lambdaBundleDir ?? defaultLambdaBundleDir();
    if (!existsSync(join(bundleDir, 'index.mjs'))) {
      throw new MissingBundleError(
        `The Lambda bundle ${join(bundleDir, 'index.mjs')} does not exist. Build it with: npm run build`,
      );
    }

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: options.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        options.secrets.length > 0
          ? `Runs the ${options.serverName} MCP server: writes its own logs and reads its ${options.secrets.length} secret(s), nothing else.`
          : `Runs the ${options.serverName} MCP server: writes its own logs, nothing else.`,
    });
    this.logGroup.grantWrite(role);
    // Exactly the secrets named with --secret, read once at cold start; nothing else in either service.
    const where = { partition: Aws.PARTITION, region: Aws.REGION, account: Aws.ACCOUNT_ID };
    const byKind = (kind: 'secretsmanager' | 'ssm') =>
      options.secrets.filter((secret) => secret.kind === kind).map((secret) => secretResourceArn(secret, where));
    const secretArns = byKind('secretsmanager');
    const parameterArns = byKind('ssm');
    if (secretArns.length > 0) {
      role.addToPolicy(
        new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [...new Set(secretArns)] }),
      );
    }
    if (parameterArns.length > 0) {
      role.addToPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [...new Set(parameterArns)] }));
    }

    this.function = new lambda.Function(this, 'Function', {
      description: `MCP server ${options.serverName} (mcp-lambda)`,
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      // Only index.mjs matters: leave out build leftovers (esbuild metafile, the --entry wrapper).
      code: lambda.Code.fromAsset(bundleDir, { exclude: ['meta.json', '*.map', 'entry.mjs'] }),
      memorySize: options.memoryMb,
      ...(options.reservedConcurrency !== undefined && { reservedConcurrentExecutions: options.reservedConcurrency }),
      timeout: LAMBDA_TIMEOUT,
      role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        ...options.environment,
        MCP_SERVER: options.builtinServer,
        ...props.environment,
        ...(options.secrets.length > 0 && { MCP_SECRETS: secretsVariable(options.secrets) }),
      },
    });
  }
}
