/**
 * One deployable MCP endpoint: {@link McpAuth} + {@link McpFunction} + {@link McpApi}, and the outputs
 * `login` and `write-config` read back. Every physical name is generated or derived from the stack, so
 * two stacks (different server or stack names) live side by side in one account and region.
 */
import { Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { McpApi } from './api.js';
import { McpAuth } from './auth.js';
import { LAMBDA_RUNTIME, McpFunction } from './function.js';
import { type McpServerStackOptions, type ResolvedStackOptions, resolveStackOptions } from './props.js';

export interface McpServerStackProps extends StackProps, McpServerStackOptions {}

/** Names of the stack outputs (the template's names, plus what the CLI needs). */
export const OUTPUTS = {
  mcpServerUrl: 'McpServerUrl',
  oauthMetadataUrl: 'OAuthMetadataUrl',
  interactiveClientId: 'InteractiveOAuthClientId',
  automatedClientId: 'AutomatedOAuthClientId',
  hostedUiUrl: 'HostedUIUrl',
  authorizationUrl: 'McpOAuthAuthorizationUrl',
  tokenUrl: 'McpOAuthTokenUrl',
  clientId: 'McpOAuthClientId',
  scope: 'McpOAuthScope',
  signInUrl: 'SignInUrl',
  userPoolId: 'UserPoolId',
  region: 'Region',
  issuerUrl: 'IssuerUrl',
  automatedClientSecretArn: 'AutomatedClientSecretArn',
  callbackPort: 'CallbackPort',
  serverName: 'ServerName',
  signUpPolicy: 'SignUpPolicy',
  allowListParameter: 'AllowListParameter',
  serverSettings: 'ServerSettings',
  clients: 'Clients',
  timeout: 'Timeout',
  customDomain: 'CustomDomain',
  domainTarget: 'DomainTarget',
  domainRecord: 'DomainRecord',
  domainCertificate: 'DomainCertificate',
} as const;

export class McpServerStack extends Stack {
  readonly options: ResolvedStackOptions;
  readonly auth: McpAuth;
  readonly mcpFunction: McpFunction;
  readonly mcpApi: McpApi;

  constructor(scope: Construct, id: string, props: McpServerStackProps = {}) {
    const options = resolveStackOptions({ ...props, stackName: props.stackName ?? id });
    super(scope, id, {
      ...props,
      stackName: options.stackName,
      description: `MCP server ${options.serverName} on AWS Lambda behind Cognito OAuth (mcp-lambda)`,
    });
    this.options = options;

    // The API first: its URL names the pool's resource server (resource binding, see McpAuth).
    this.mcpApi = new McpApi(this, 'Http', { options });
    this.auth = new McpAuth(this, 'Auth', { options, runtime: LAMBDA_RUNTIME, resourceUrl: this.mcpApi.mcpUrl });
    const mcpScope = this.auth.scope;
    this.mcpFunction = new McpFunction(this, 'Server', {
      options,
      environment: {
        MCP_REQUIRED_SCOPE: mcpScope,
        MCP_RESOURCE: this.mcpApi.mcpUrl,
        MCP_ALLOWED_CLIENT_IDS: [this.auth.interactiveClient.userPoolClientId, this.auth.automatedClient.userPoolClientId].join(
          ',',
        ),
        MCP_ALLOWED_ORIGINS: options.allowedOrigins.join(','),
        ...(Object.keys(options.toolGroups).length > 0 && { MCP_TOOL_GROUPS: JSON.stringify(options.toolGroups) }),
      },
    });
    this.mcpApi.addMcpRoute({
      handler: this.mcpFunction.function,
      userPool: this.auth.userPool,
      issuerUrl: this.auth.issuerUrl,
      scope: mcpScope,
    });

    const hostedUi = this.auth.domain.baseUrl();
    const interactiveId = this.auth.interactiveClient.userPoolClientId;
    const claudeCallback = `http://localhost:${options.callbackPort}/callback`;
    // The MCP scope is a URL known only at deploy time, so it cannot be percent-encoded here; ':' and '/'
    // need no encoding in a query string (RFC 3986), and the spaces between scopes are written encoded.
    const query = (page: string) =>
      `${hostedUi}/${page}?client_id=${interactiveId}&response_type=code&scope=openid%20email%20profile%20${mcpScope}&redirect_uri=${encodeURIComponent(claudeCallback)}`;

    const output = (name: string, value: string, description: string) => new CfnOutput(this, name, { value, description });
    output(OUTPUTS.mcpServerUrl, this.mcpApi.mcpUrl, 'MCP endpoint (Streamable HTTP)');
    output(OUTPUTS.oauthMetadataUrl, this.mcpApi.metadataUrl, 'RFC 9728 protected-resource metadata for the MCP endpoint');
    output(OUTPUTS.interactiveClientId, interactiveId, 'Public OAuth client (authorization code + PKCE, password check)');
    output(
      OUTPUTS.automatedClientId,
      this.auth.automatedClient.userPoolClientId,
      'Confidential OAuth client (client_credentials)',
    );
    output(OUTPUTS.hostedUiUrl, query('login'), 'Hosted UI sign-in page');
    output(OUTPUTS.authorizationUrl, `${hostedUi}/oauth2/authorize`, 'OAuth authorization endpoint');
    output(OUTPUTS.tokenUrl, `${hostedUi}/oauth2/token`, 'OAuth token endpoint');
    output(OUTPUTS.clientId, interactiveId, 'OAuth client id for MCP clients such as Claude Code');
    output(OUTPUTS.scope, mcpScope, 'OAuth scope the MCP endpoint requires');
    output(OUTPUTS.signInUrl, query('signup'), 'Hosted UI sign-up page: register here');
    output(OUTPUTS.userPoolId, this.auth.userPool.userPoolId, 'Cognito user pool id');
    output(OUTPUTS.region, Aws.REGION, 'AWS region');
    output(OUTPUTS.issuerUrl, this.auth.issuerUrl, 'OAuth/OIDC issuer (Cognito)');
    output(
      OUTPUTS.automatedClientSecretArn,
      this.auth.automatedClientSecret.secretArn,
      'Secrets Manager secret with the automated client credentials',
    );
    output(
      OUTPUTS.callbackPort,
      String(options.callbackPort),
      "Claude Code's OAuth callback port registered on the interactive client",
    );
    output(OUTPUTS.serverName, options.serverName, 'MCP server name');
    output(
      OUTPUTS.timeout,
      String(options.timeoutSeconds),
      options.streaming
        ? 'Seconds a request may take; tool calls stream (deploy --timeout; kept by later deploys)'
        : 'Seconds a request may take (deploy --timeout; over 29 the MCP route streams)',
    );
    output(OUTPUTS.clients, options.clients.join(','), 'MCP clients whose OAuth redirect URIs are registered (deploy --clients)');
    output(
      OUTPUTS.signUpPolicy,
      options.signUp.mode,
      'Who may register: allow-list (listed addresses and domains), invite (invited users only) or open (anyone)',
    );
    if (Object.keys(options.environment).length > 0 || options.secrets.length > 0) {
      output(
        OUTPUTS.serverSettings,
        JSON.stringify({
          env: options.environment,
          secrets: Object.fromEntries(options.secrets.map((secret) => [secret.key, secret.reference])),
        }),
        'Settings (--env) and secret references (--secret) the server gets; a later deploy keeps them',
      );
    }
    if (this.mcpApi.domain && options.domain) {
      output(OUTPUTS.customDomain, options.domain.name, 'Your domain, mapped at its root to this API (deploy --domain)');
      output(
        OUTPUTS.domainTarget,
        this.mcpApi.domain.domainNameAliasDomainName,
        `What ${options.domain.name} must point at (an alias A record, or a CNAME)`,
      );
      output(
        OUTPUTS.domainRecord,
        this.mcpApi.domainRecord ? `created in ${options.domain.hostedZoneId}` : 'to create',
        'Whether the stack made the DNS record (--hosted-zone) or you make it',
      );
      output(
        OUTPUTS.domainCertificate,
        options.domain.certificateArn ?? 'issued',
        'The certificate: yours (--certificate), or issued by ACM for the domain (--hosted-zone)',
      );
    }
    if (this.auth.allowList) {
      output(OUTPUTS.allowListParameter, this.auth.allowList.parameterName, 'SSM parameter holding the sign-up allow-list');
    }
  }
}
