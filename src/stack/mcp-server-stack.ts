/**
 * One deployable MCP endpoint: {@link McpAuth} + {@link McpFunction} + {@link McpApi}, and the outputs
 * `login` and `write-config` read back. Every physical name is generated or derived from the stack, so
 * two stacks (different server or stack names) live side by side in one account and region.
 */
import { Aws, CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { McpAlarms } from './alarms.js';
import { alarmsOutputValue } from './alarm-settings.js';
import { McpApi } from './api.js';
import { McpAuth } from './auth.js';
import { thirdPartyRedirectUris } from './clients.js';
import { LAMBDA_RUNTIME, McpFunction } from './function.js';
import { pascalCase } from './names.js';
import { ALL_SERVERS_SCOPE_NAME, type McpServerStackOptions, type ResolvedStackOptions, resolveStackOptions } from './props.js';
import { McpNetwork } from './vpc.js';
import { vpcOutputValue } from './vpc-settings.js';

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
  memory: 'Memory',
  customDomain: 'CustomDomain',
  domainTarget: 'DomainTarget',
  domainRecord: 'DomainRecord',
  domainCertificate: 'DomainCertificate',
  servers: 'Servers',
  serverCode: 'ServerCode',
  packages: 'Packages',
  reservedConcurrency: 'ReservedConcurrency',
  slowDemo: 'SlowDemo',
  perToolMetrics: 'PerToolMetrics',
  thirdPartyRedirectUris: 'ThirdPartyRedirectUris',
  vpc: 'Vpc',
  vpcSecurityGroup: 'VpcSecurityGroup',
  alarms: 'Alarms',
  alarmTopic: 'AlarmTopic',
  alarmNames: 'AlarmNames',
} as const;

/** One server of the stack as clients reach it. */
export interface ServerEndpoint {
  readonly name: string;
  readonly url: string;
  /** Its own scope (with several servers, the API-wide scope is accepted too). */
  readonly scope: string;
  readonly metadataUrl: string;
  readonly function: McpFunction;
}

export class McpServerStack extends Stack {
  readonly options: ResolvedStackOptions;
  readonly auth: McpAuth;
  /** The (first) server's function. */
  readonly mcpFunction: McpFunction;
  readonly mcpApi: McpApi;
  /** Each server: one at /mcp, or several at /<name>/mcp. */
  readonly endpoints: readonly ServerEndpoint[];
  /** The VPC network every server function joins (`vpc`). */
  readonly network?: McpNetwork;
  /** The alarms and the topic they mail (`alarms`). */
  readonly alarms?: McpAlarms;

  constructor(scope: Construct, id: string, props: McpServerStackProps = {}) {
    const options = resolveStackOptions({ ...props, stackName: props.stackName ?? id });
    super(scope, id, {
      ...props,
      stackName: options.stackName,
      description: options.servers
        ? `MCP servers ${options.servers.map((server) => server.name).join(', ')} on AWS Lambda behind Cognito OAuth (mcp-lambda ${options.serverName})`
        : `MCP server ${options.serverName} on AWS Lambda behind Cognito OAuth (mcp-lambda)`,
    });
    this.options = options;

    // The API first: its URLs name the pool's resource servers (resource binding, see McpAuth).
    const api = (this.mcpApi = new McpApi(this, 'Http', { options }));
    const servers = options.servers;
    this.auth = new McpAuth(this, 'Auth', {
      options,
      runtime: LAMBDA_RUNTIME,
      resources: servers
        ? [
            {
              id: 'ResourceServer',
              identifier: api.baseUrl,
              scopeName: ALL_SERVERS_SCOPE_NAME,
              title: `${options.serverName} MCP servers, all of them`,
            },
            ...servers.map((server) => ({
              id: `ResourceServer${pascalCase(server.name)}`,
              identifier: api.mcpUrlOf(server.name),
              scopeName: server.name,
              title: `${server.name} MCP server`,
            })),
          ]
        : [
            {
              id: 'ResourceServer',
              identifier: api.mcpUrlOf(),
              scopeName: options.scopeName,
              title: `${options.serverName} MCP server`,
            },
          ],
    });
    const { issuerUrl, userPool } = this.auth;
    if (options.vpc) this.network = new McpNetwork(this, 'Network', options.vpc);
    const network = this.network;
    const { automatedClient, automatedClientSecret } = this.auth;
    const shared = {
      MCP_ALLOWED_CLIENT_IDS: [this.auth.interactiveClient.userPoolClientId, automatedClient?.userPoolClientId]
        .filter((id) => id !== undefined)
        .join(','),
      MCP_ALLOWED_ORIGINS: options.allowedOrigins.join(','),
      ...(Object.keys(options.toolGroups).length > 0 && { MCP_TOOL_GROUPS: JSON.stringify(options.toolGroups) }),
    };
    if (servers) {
      // Each server: its function, `/<name>/mcp`, its metadata. The challenge is one per API, so it names
      // the API's own metadata, whose scope every server accepts as well as its own.
      const [allScope, ...serverScopes] = this.auth.scopes as [string, ...string[]];
      this.endpoints = servers.map((server, index) => {
        const scope = serverScopes[index] as string;
        const url = api.mcpUrlOf(server.name);
        const fn = new McpFunction(this, `Server${pascalCase(server.name)}`, {
          options,
          server,
          ...(network && { network }),
          environment: {
            ...shared,
            MCP_REQUIRED_SCOPE: scope,
            MCP_RESOURCE: url,
            MCP_API_SCOPE: allScope,
            MCP_API_RESOURCE: api.baseUrl,
          },
        });
        api.addRoute({ handler: fn.function, userPool, path: [server.name, 'mcp'], scopes: [scope, allScope] });
        const metadataPath = [server.name, 'mcp'];
        api.addMetadata([metadataPath], { resource: url, issuerUrl, scopes: [scope], name: `${server.name} MCP server` });
        return { name: server.name, url, scope, metadataUrl: api.metadataUrlOf(metadataPath), function: fn };
      });
      api.addMetadata([[]], {
        resource: api.baseUrl,
        issuerUrl,
        scopes: [allScope],
        name: `${options.serverName} MCP servers (${servers.map((server) => server.name).join(', ')})`,
      });
      api.addChallenges(api.metadataUrlOf([]), allScope);
    } else {
      const scope = this.auth.scope;
      const url = api.mcpUrlOf();
      const fn = new McpFunction(this, 'Server', {
        options,
        ...(network && { network }),
        environment: { ...shared, MCP_REQUIRED_SCOPE: scope, MCP_RESOURCE: url },
      });
      api.addRoute({ handler: fn.function, userPool, path: ['mcp'], scopes: [scope] });
      // At the well-known path itself too: on a domain of your own, that is where every client looks first.
      api.addMetadata([[], ['mcp']], { resource: url, issuerUrl, scopes: [scope], name: `${options.serverName} MCP server` });
      api.addChallenges(api.metadataUrlOf(['mcp']), scope);
      this.endpoints = [{ name: options.serverName, url, scope, metadataUrl: api.metadataUrlOf(['mcp']), function: fn }];
    }
    const [first] = this.endpoints as [ServerEndpoint, ...ServerEndpoint[]];
    this.mcpFunction = first.function;
    const mcpScope = this.auth.scope;

    const hostedUi = this.auth.domain.baseUrl();
    const interactiveId = this.auth.interactiveClient.userPoolClientId;
    const claudeCallback = `http://localhost:${options.callbackPort}/callback`;
    // The MCP scope is a URL known only at deploy time, so it cannot be percent-encoded here; ':' and '/'
    // need no encoding in a query string (RFC 3986), and the spaces between scopes are written encoded.
    const query = (page: string) =>
      `${hostedUi}/${page}?client_id=${interactiveId}&response_type=code&scope=openid%20email%20profile%20${mcpScope}&redirect_uri=${encodeURIComponent(claudeCallback)}`;

    const output = (name: string, value: string, description: string) => new CfnOutput(this, name, { value, description });
    output(
      OUTPUTS.mcpServerUrl,
      first.url,
      servers ? `MCP endpoint of ${first.name}, the first server (Servers lists each)` : 'MCP endpoint (Streamable HTTP)',
    );
    output(
      OUTPUTS.oauthMetadataUrl,
      servers ? api.metadataUrlOf([]) : first.metadataUrl,
      servers
        ? 'RFC 9728 protected-resource metadata for the whole API (the 401 challenge names it)'
        : 'RFC 9728 protected-resource metadata for the MCP endpoint',
    );
    if (servers) {
      output(
        OUTPUTS.servers,
        Fn.toJsonString(this.endpoints.map(({ name, url, scope, metadataUrl }) => ({ name, url, scope, metadataUrl }))),
        'The servers behind this API: name, MCP URL, scope and metadata URL of each (deploy --entry … --entry …)',
      );
    }
    output(OUTPUTS.interactiveClientId, interactiveId, 'Public OAuth client (authorization code + PKCE, password check)');
    if (automatedClient) {
      output(
        OUTPUTS.automatedClientId,
        automatedClient.userPoolClientId,
        'Confidential OAuth client (client_credentials; deploy --machine-client, kept by later deploys)',
      );
    }
    output(OUTPUTS.hostedUiUrl, query('login'), 'Hosted UI sign-in page');
    output(OUTPUTS.authorizationUrl, `${hostedUi}/oauth2/authorize`, 'OAuth authorization endpoint');
    output(OUTPUTS.tokenUrl, `${hostedUi}/oauth2/token`, 'OAuth token endpoint');
    output(OUTPUTS.clientId, interactiveId, 'OAuth client id for MCP clients such as Claude Code');
    output(
      OUTPUTS.scope,
      mcpScope,
      servers ? 'OAuth scope every server accepts (each also accepts its own)' : 'OAuth scope the MCP endpoint requires',
    );
    output(OUTPUTS.signInUrl, query('signup'), 'Hosted UI sign-up page: register here');
    output(OUTPUTS.userPoolId, this.auth.userPool.userPoolId, 'Cognito user pool id');
    output(OUTPUTS.region, Aws.REGION, 'AWS region');
    output(OUTPUTS.issuerUrl, this.auth.issuerUrl, 'OAuth/OIDC issuer (Cognito)');
    if (automatedClientSecret) {
      output(
        OUTPUTS.automatedClientSecretArn,
        automatedClientSecret.secretArn,
        'Secrets Manager secret with the automated client credentials',
      );
    }
    output(
      OUTPUTS.callbackPort,
      String(options.callbackPort),
      "Claude Code's OAuth callback port registered on the interactive client",
    );
    output(OUTPUTS.serverName, options.serverName, 'MCP server name');
    output(
      OUTPUTS.serverCode,
      servers || options.lambdaBundleDir !== undefined ? 'entry' : `built-in ${options.builtinServer}`,
      'What the function runs: your own code (deploy --entry or --stdio; a later deploy needs it again), or a built-in server',
    );
    if (options.packages !== undefined) {
      output(
        OUTPUTS.packages,
        Object.entries(options.packages)
          .map(([server, spec]) => (server === '' ? spec : `${server}=${spec}`))
          .join(' '),
        'The registry packages the servers run, with the versions installed (deploy --stdio "npx <package>")',
      );
    }
    output(
      OUTPUTS.memory,
      String(options.memoryMb),
      'MB of memory of each MCP function (deploy --memory; status figures its cost at it)',
    );
    output(
      OUTPUTS.timeout,
      String(options.timeoutSeconds),
      options.streaming
        ? 'Seconds a request may take; tool calls stream (deploy --timeout; kept by later deploys)'
        : 'Seconds a request may take (deploy --timeout; over 29 the MCP route streams)',
    );
    if (options.reservedConcurrency !== undefined) {
      output(
        OUTPUTS.reservedConcurrency,
        String(options.reservedConcurrency),
        'Concurrent executions reserved for (and capping) each MCP function, or none (deploy --reserved-concurrency; kept by later deploys)',
      );
    }
    if (options.slowDemo) {
      output(
        OUTPUTS.slowDemo,
        'on',
        'getDogFactsSlowly is deployed (deploy --slow-demo; kept by later deploys, --no-slow-demo drops it)',
      );
    }
    if (options.perToolMetrics) {
      output(
        OUTPUTS.perToolMetrics,
        'on',
        'Tool calls have per-tool metrics (deploy --per-tool-metrics; kept by later deploys, --no-per-tool-metrics drops them)',
      );
    }
    output(OUTPUTS.clients, options.clients.join(','), 'MCP clients whose OAuth redirect URIs are registered (deploy --clients)');
    const web = thirdPartyRedirectUris(options.clients, options.callbackPort);
    if (web.length > 0) {
      output(
        OUTPUTS.thirdPartyRedirectUris,
        web.join(','),
        'Redirect URIs on third-party websites, registered because deploy --clients named their clients: those sites receive sign-in codes',
      );
    }
    output(
      OUTPUTS.signUpPolicy,
      options.signUp.mode,
      'Who may register: allow-list (listed addresses and domains), invite (invited users only) or open (anyone)',
    );
    // Every server's settings, then each server's own as `<server>:KEY` (as `deploy --env` takes them).
    const scoped = (server: string | undefined, entries: Iterable<[string, string]>) =>
      [...entries].map(([key, value]) => [server === undefined ? key : `${server}:${key}`, value] as const);
    const env = [
      ...scoped(undefined, Object.entries(options.environment)),
      ...(servers ?? []).flatMap((server) => scoped(server.name, Object.entries(server.environment))),
    ];
    const secrets = [
      ...scoped(
        undefined,
        options.secrets.map((secret) => [secret.key, secret.reference]),
      ),
      ...(servers ?? []).flatMap((server) =>
        scoped(
          server.name,
          server.secrets.map((secret) => [secret.key, secret.reference]),
        ),
      ),
    ];
    if (env.length > 0 || secrets.length > 0) {
      output(
        OUTPUTS.serverSettings,
        JSON.stringify({ env: Object.fromEntries(env), secrets: Object.fromEntries(secrets) }),
        'Settings (--env) and secret references (--secret) the servers get (<server>:KEY for one server only); a later deploy keeps them',
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
    if (network && options.vpc) {
      output(
        OUTPUTS.vpc,
        vpcOutputValue(options.vpc),
        'The VPC and subnets of the MCP functions (deploy --vpc; kept by later deploys, --no-vpc removes it)',
      );
      output(
        OUTPUTS.vpcSecurityGroup,
        network.securityGroup.securityGroupId,
        network.createdSecurityGroup
          ? 'Security group of the MCP functions, made by the stack: all egress, no ingress'
          : 'Security group of the MCP functions: yours (deploy --security-group)',
      );
    }
    if (options.alarms) {
      const alarms = (this.alarms = new McpAlarms(this, 'Monitoring', {
        settings: options.alarms,
        functions: this.endpoints.map((endpoint) => ({
          ...(servers && { name: endpoint.name }),
          function: endpoint.function.function,
        })),
        stage: api.api.deploymentStage,
      }));
      output(
        OUTPUTS.alarms,
        alarmsOutputValue(options.alarms),
        'Who the alarms mail, and the p95 latency they call slow (deploy --alarms; kept by later deploys, --no-alarms removes them)',
      );
      output(
        OUTPUTS.alarmTopic,
        alarms.topic.topicArn,
        'SNS topic the alarms publish to (its email subscription must be confirmed)',
      );
      output(
        OUTPUTS.alarmNames,
        alarms.names.join(','),
        'CloudWatch alarms on the functions, the API and its latency (mcp-lambda status shows their state)',
      );
    }
    if (this.auth.allowList) {
      output(OUTPUTS.allowListParameter, this.auth.allowList.parameterName, 'SSM parameter holding the sign-up allow-list');
    }
  }
}
