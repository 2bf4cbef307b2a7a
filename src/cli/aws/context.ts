/**
 * The AWS side of a command: which profile and region, the SDK clients (created on first use, with
 * adaptive retries so throttling is retried with backoff), and who we are.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../terminal/errors.js';
import { endpointFor } from './endpoints.js';
import { explainAwsError } from './errors.js';

export interface AwsSettings {
  readonly profile?: string;
  readonly region?: string;
  /** The command's environment, for `AWS_ENDPOINT_URL_<SERVICE>` (a local Cognito in tests). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
  readonly region: string;
}

const CLIENT_CONFIG = { maxAttempts: 6, retryMode: 'adaptive' } as const;

export class AwsContext {
  private cfn?: CloudFormationClient;
  private cognito?: CognitoIdentityProviderClient;
  private ssm?: SSMClient;
  private resolvedRegion?: string;

  constructor(readonly settings: AwsSettings) {}

  private clientConfig() {
    return {
      ...CLIENT_CONFIG,
      ...(this.settings.region !== undefined && { region: this.settings.region }),
      ...(this.settings.profile !== undefined && { profile: this.settings.profile }),
    };
  }

  /** The region: --region, AWS_REGION, or the profile's; a clear error when there is none. */
  async region(): Promise<string> {
    if (this.resolvedRegion) return this.resolvedRegion;
    const cfn = await this.cloudFormation();
    try {
      this.resolvedRegion = await cfn.config.region();
    } catch (error) {
      throw (await this.missingProfile()) ?? explainAwsError(error, this.settings) ?? error;
    }
    if (!this.resolvedRegion) throw explainAwsError(new Error('Region is missing'), this.settings);
    return this.resolvedRegion;
  }

  /**
   * When `--profile` names a profile that is in neither AWS file, that is the error to report (the SDK
   * only says the region is missing). Undefined when there is no profile, or it exists.
   */
  private async missingProfile(): Promise<UserError | undefined> {
    const name = this.settings.profile;
    if (name === undefined) return undefined;
    const env = this.settings.env ?? process.env;
    const home = env.HOME || homedir();
    const files = [
      env.AWS_CONFIG_FILE || join(home, '.aws', 'config'),
      env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'),
    ];
    const profiles = new Set<string>();
    for (const file of files) {
      const text = await readFile(file, 'utf8').catch(() => '');
      for (const match of text.matchAll(/^\s*\[\s*(?:profile\s+)?([^\]\s]+)\s*\]/gm)) profiles.add(match[1] ?? '');
    }
    if (profiles.has(name)) return undefined;
    return new UserError(`There is no AWS profile ${name} in ${files.join(' or ')}.`, {
      hint:
        profiles.size > 0
          ? `Profiles there: ${[...profiles].sort().join(', ')}. Or create it with: aws configure --profile ${name}`
          : `Create it with: aws configure --profile ${name} (or aws configure sso --profile ${name})`,
    });
  }

  async cloudFormation(): Promise<CloudFormationClient> {
    if (!this.cfn) {
      const { CloudFormationClient } = await import('@aws-sdk/client-cloudformation');
      this.cfn = new CloudFormationClient(this.clientConfig());
    }
    return this.cfn;
  }

  async cognitoClient(): Promise<CognitoIdentityProviderClient> {
    if (!this.cognito) {
      const { CognitoIdentityProviderClient } = await import('@aws-sdk/client-cognito-identity-provider');
      this.cognito = new CognitoIdentityProviderClient({
        ...this.clientConfig(),
        region: await this.region(),
        ...endpointFor(this.settings.env ?? {}, 'COGNITO_IDENTITY_PROVIDER'),
      });
    }
    return this.cognito;
  }

  async ssmClient(): Promise<SSMClient> {
    if (!this.ssm) {
      const { SSMClient } = await import('@aws-sdk/client-ssm');
      this.ssm = new SSMClient({
        ...this.clientConfig(),
        region: await this.region(),
        ...endpointFor(this.settings.env ?? {}, 'SSM'),
      });
    }
    return this.ssm;
  }

  async secretsManagerClient() {
    const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    return new SecretsManagerClient({
      ...this.clientConfig(),
      region: await this.region(),
      ...endpointFor(this.settings.env ?? {}, 'SECRETS_MANAGER'),
    });
  }

  /** EC2, for deploy's checks of a VPC's ids and routes (created per use, like Secrets Manager's). */
  async ec2Client() {
    const { EC2Client } = await import('@aws-sdk/client-ec2');
    return new EC2Client({ ...this.clientConfig(), region: await this.region(), ...endpointFor(this.settings.env ?? {}, 'EC2') });
  }

  async logsClient() {
    const { CloudWatchLogsClient } = await import('@aws-sdk/client-cloudwatch-logs');
    return new CloudWatchLogsClient({ ...this.clientConfig(), region: await this.region() });
  }

  async cloudWatchClient() {
    const { CloudWatchClient } = await import('@aws-sdk/client-cloudwatch');
    return new CloudWatchClient({ ...this.clientConfig(), region: await this.region() });
  }

  async lambdaClient() {
    const { LambdaClient } = await import('@aws-sdk/client-lambda');
    return new LambdaClient({ ...this.clientConfig(), region: await this.region() });
  }

  async apiGatewayClient() {
    const { APIGatewayClient } = await import('@aws-sdk/client-api-gateway');
    return new APIGatewayClient({ ...this.clientConfig(), region: await this.region() });
  }

  /** Account, identity ARN and region, from STS GetCallerIdentity. */
  async identity(): Promise<CallerIdentity> {
    const region = await this.region();
    const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const sts = new STSClient({ ...this.clientConfig(), region });
    try {
      const answer = await sts.send(new GetCallerIdentityCommand({}));
      if (!answer.Account || !answer.Arn) throw new Error('STS GetCallerIdentity answered without Account or Arn');
      return { account: answer.Account, arn: answer.Arn, region };
    } catch (error) {
      throw explainAwsError(error, { ...this.settings, region, doing: 'find out who you are (sts:GetCallerIdentity)' }) ?? error;
    } finally {
      sts.destroy();
    }
  }

  destroy(): void {
    this.cfn?.destroy();
    this.cognito?.destroy();
    this.ssm?.destroy();
  }
}
