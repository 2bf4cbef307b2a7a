/**
 * The AWS side of a command: which profile and region, the SDK clients (created on first use, with
 * adaptive retries so throttling is retried with backoff), and who we are.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { SSMClient } from '@aws-sdk/client-ssm';
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
      throw explainAwsError(error, this.settings) ?? error;
    }
    if (!this.resolvedRegion) throw explainAwsError(new Error('Region is missing'), this.settings);
    return this.resolvedRegion;
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
