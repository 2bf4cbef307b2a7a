/**
 * The public face: an API Gateway REST API with `ANY /mcp` (or `ANY /<name>/mcp` for each of several
 * servers) behind a Cognito authorizer that requires the MCP scope, RFC 9728 protected-resource metadata at the well-known paths (answered by API Gateway
 * itself, no Lambda), and 401/403 gateway responses whose `WWW-Authenticate` points clients at it.
 *
 * The challenge must come from a gateway response: a `WWW-Authenticate` header sent by the Lambda is
 * renamed `x-amzn-remapped-www-authenticate` by API Gateway. Gateway-response header values are static
 * strings in single quotes.
 */
import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ResolvedStackOptions } from './props.js';

export interface McpApiProps {
  readonly options: ResolvedStackOptions;
}

/** A server's route: what serves it and the scopes (any one of them) a token needs. */
export interface McpRouteProps {
  readonly handler: lambda.IFunction;
  readonly userPool: cognito.IUserPool;
  /** Where it is served: `['mcp']` for one server, `['<name>', 'mcp']` for one of several. */
  readonly path: readonly string[];
  /** Scopes the authorizer accepts, any one of them: the server's own, and with several servers the API-wide one. */
  readonly scopes: readonly string[];
}

/** An RFC 9728 protected-resource metadata document. */
export interface ProtectedResource {
  /** The URL tokens are asked for (RFC 8707 `resource`), a resource server's identifier. */
  readonly resource: string;
  readonly issuerUrl: string;
  readonly scopes: readonly string[];
  readonly name: string;
}

/** Headers a browser MCP client sends (CORS preflight). */
export const CORS_ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'Accept',
  'MCP-Protocol-Version',
  'Mcp-Session-Id',
  'Last-Event-ID',
];

/** Quotes a value for a gateway-response or integration header: a static string in single quotes. */
export function staticHeader(value: string): string {
  if (value.includes("'")) throw new Error(`A static API Gateway header value cannot contain a single quote: ${value}`);
  return `'${value}'`;
}

/**
 * Built in two steps, because the URL and the pool need each other: the constructor creates the API and
 * its URLs (the pool's resource servers are named by them), then {@link McpApi.addRoute},
 * {@link McpApi.addMetadata} and {@link McpApi.addChallenges} add what needs the pool and the functions.
 */
export class McpApi extends Construct {
  readonly api: apigateway.RestApi;
  private readonly options: ResolvedStackOptions;
  private authorizer?: apigateway.CognitoUserPoolsAuthorizer;
  private wellKnown?: apigateway.IResource;
  /** `https://<api>.execute-api.<region>.amazonaws.com/<stage>`, or `https://<your domain>`: every URL starts here. */
  readonly baseUrl: string;
  /** Your domain (`deploy --domain`), when there is one. */
  readonly domain?: apigateway.DomainName;
  /** The Route 53 alias record made for it (with --hosted-zone). */
  readonly domainRecord?: route53.ARecord;

  constructor(scope: Construct, id: string, props: McpApiProps) {
    super(scope, id);
    const { options } = props;
    this.options = options;

    const accessLogs = options.accessLogs
      ? new logs.LogGroup(this, 'AccessLogs', { retention: options.logRetention, removalPolicy: RemovalPolicy.DESTROY })
      : undefined;

    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: `${Stack.of(this).stackName}-api`,
      description: `MCP server ${options.serverName} (mcp-lambda)`,
      // No account-wide AWS::ApiGateway::Account resource: it belongs to the account, not to this stack.
      cloudWatchRole: false,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // With a domain of your own, that is the one URL: tokens are bound to it, and the execute-api URL
      // would only be a second way in that every client's sign-in refuses.
      ...(options.domain && { disableExecuteApiEndpoint: true }),
      deployOptions: {
        stageName: options.stage,
        throttlingRateLimit: options.throttling.rateLimit,
        throttlingBurstLimit: options.throttling.burstLimit,
        ...(accessLogs && {
          accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
          // Only $context variables: no header (so no Authorization) can appear in the access log.
          accessLogFormat: apigateway.AccessLogFormat.custom(
            JSON.stringify({
              requestId: '$context.requestId',
              time: '$context.requestTime',
              ip: '$context.identity.sourceIp',
              method: '$context.httpMethod',
              path: '$context.resourcePath',
              status: '$context.status',
              protocol: '$context.protocol',
              responseLength: '$context.responseLength',
              latencyMs: '$context.responseLatency',
              integrationLatencyMs: '$context.integrationLatency',
              authorizerError: '$context.authorizer.error',
              clientId: '$context.authorizer.claims.client_id',
              sub: '$context.authorizer.claims.sub',
            }),
          ),
        }),
      },
    });

    // RestApi adds an `Endpoint` output of the stage root; the stack's McpServerUrl says it better.
    this.api.node.tryRemoveChild('Endpoint');
    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-APIG2',
        reason:
          'The Lambda validates every body with the MCP SDK and answers with JSON-RPC errors (400/-32700, -32600); a gateway validator would answer in a shape MCP clients do not understand.',
      },
      {
        id: 'AwsSolutions::AwsSolutions-APIG6',
        reason:
          'Execution logging needs the account-wide API Gateway CloudWatch role, which this stack does not own; access logs (JSON, no headers) and the function logs cover each request.',
      },
      {
        id: 'AwsSolutions::AwsSolutions-APIG3',
        reason:
          'No WAF by default: a web ACL costs a monthly fee per stack. Every call to /mcp is authenticated by the Cognito authorizer (only the public metadata and the CORS preflight are not), the stage is throttled, and the Lambda caps batches and tool calls per request. Attach a web ACL in your own stack for public production use.',
      },
    );

    // Built from the stage *name*, not the Stage resource: the gateway responses and the metadata
    // integration hold these URLs, the Deployment depends on them, and the Stage on the Deployment, so a
    // reference to the Stage here would be a cycle.
    this.baseUrl = options.domain
      ? `https://${options.domain.name}`
      : `https://${this.api.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/${options.stage}`;

    if (options.domain) {
      const { name, certificateArn, hostedZoneId } = options.domain;
      const zone = hostedZoneId === undefined ? undefined : route53.HostedZone.fromHostedZoneId(this, 'Zone', hostedZoneId);
      const certificate =
        certificateArn !== undefined
          ? acm.Certificate.fromCertificateArn(this, 'Certificate', certificateArn)
          : new acm.Certificate(this, 'Certificate', {
              domainName: name,
              // Issued once the validation record is in the zone: CloudFormation writes it there.
              validation: acm.CertificateValidation.fromDns(zone),
            });
      // Mapped at the root: /mcp and /.well-known/oauth-protected-resource are where clients look.
      this.domain = new apigateway.DomainName(this, 'Domain', {
        domainName: name,
        certificate,
        endpointType: apigateway.EndpointType.REGIONAL,
        securityPolicy: apigateway.SecurityPolicy.TLS_1_2,
        mapping: this.api,
      });
      if (zone) {
        this.domainRecord = new route53.ARecord(this, 'DomainRecord', {
          zone,
          // Fully qualified (the trailing dot): the zone is known by its id only.
          recordName: `${name}.`,
          target: route53.RecordTarget.fromAlias(new route53Targets.ApiGatewayDomain(this.domain)),
        });
      }
    }
  }

  /** The MCP URL: `<base>/mcp`, or `<base>/<name>/mcp` for one of several servers. */
  mcpUrlOf(server?: string): string {
    return `${this.baseUrl}/${server === undefined ? '' : `${server}/`}mcp`;
  }

  /** The metadata URL for a path (RFC 9728: the well-known path, then the resource's path); `[]` for the API's own. */
  metadataUrlOf(path: readonly string[]): string {
    return [`${this.baseUrl}/.well-known/oauth-protected-resource`, ...path].join('/');
  }

  /** `ANY /<path>` behind the Cognito authorizer, which requires one of the route's scopes. */
  addRoute(props: McpRouteProps): apigateway.IResource {
    const { options } = this;
    this.authorizer ??= new apigateway.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [props.userPool],
      authorizerName: `${options.serverName}-cognito`,
      identitySource: 'method.request.header.Authorization',
    });
    const [last, ...parents] = [...props.path].reverse();
    if (last === undefined) throw new Error('A route needs a path.');
    const parent = parents
      .reverse()
      .reduce<apigateway.IResource>((resource, part) => resource.getResource(part) ?? resource.addResource(part), this.api.root);
    const mcp = parent.addResource(last, {
      defaultCorsPreflightOptions: {
        allowOrigins: [...options.allowedOrigins],
        allowMethods: ['POST', 'OPTIONS'],
        allowHeaders: CORS_ALLOW_HEADERS,
        exposeHeaders: ['MCP-Protocol-Version', 'WWW-Authenticate'],
      },
    });
    // Over 29 s the answer streams (Lambda response streaming): a long tool's progress reaches the client
    // as it happens, and the integration may run up to 15 minutes, idle gaps under 5 minutes (regional).
    const { streaming, timeoutSeconds } = this.options;
    const integration = new apigateway.LambdaIntegration(props.handler, {
      proxy: true,
      ...(streaming && {
        responseTransferMode: apigateway.ResponseTransferMode.STREAM,
        timeout: Duration.seconds(timeoutSeconds),
      }),
    });
    mcp.addMethod('ANY', integration, {
      authorizer: this.authorizer,
      authorizationType: apigateway.AuthorizationType.COGNITO,
      authorizationScopes: [...props.scopes],
    });
    return mcp;
  }

  /**
   * RFC 9728 protected-resource metadata, served by API Gateway (a mock integration: no Lambda), at each
   * of `paths` under `/.well-known/oauth-protected-resource` (`[]` is that path itself).
   */
  addMetadata(paths: readonly (readonly string[])[], document: ProtectedResource): void {
    const metadata = JSON.stringify({
      resource: document.resource,
      authorization_servers: [document.issuerUrl],
      scopes_supported: [...document.scopes],
      bearer_methods_supported: ['header'],
      resource_name: document.name,
    });
    const metadataIntegration = new apigateway.MockIntegration({
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      passthroughBehavior: apigateway.PassthroughBehavior.NEVER,
      integrationResponses: [
        {
          statusCode: '200',
          responseTemplates: { 'application/json': metadata },
          responseParameters: {
            'method.response.header.Content-Type': staticHeader('application/json'),
            'method.response.header.Access-Control-Allow-Origin': staticHeader('*'),
            'method.response.header.Cache-Control': staticHeader('max-age=300'),
          },
        },
      ],
    });
    const metadataMethod: apigateway.MethodOptions = {
      authorizationType: apigateway.AuthorizationType.NONE,
      methodResponses: [
        {
          statusCode: '200',
          responseParameters: {
            'method.response.header.Content-Type': true,
            'method.response.header.Access-Control-Allow-Origin': true,
            'method.response.header.Cache-Control': true,
          },
        },
      ],
    };
    this.wellKnown ??= this.api.root.addResource('.well-known').addResource('oauth-protected-resource');
    for (const path of paths) {
      const resource = path.reduce<apigateway.IResource>(
        (parent, part) => parent.getResource(part) ?? parent.addResource(part),
        this.wellKnown,
      );
      const method = resource.addMethod('GET', metadataIntegration, metadataMethod);
      const reason = 'RFC 9728 metadata must be readable without a token: it is how clients find out where to get one.';
      Validations.of(method).acknowledge(
        { id: 'AwsSolutions::AwsSolutions-APIG4', reason },
        { id: 'AwsSolutions::AwsSolutions-COG4', reason },
      );
    }
  }

  /**
   * The 401/403 challenges clients follow to discover the authorization server (the /<stage> prefix breaks
   * well-known path discovery, so resource_metadata carries the full URL). One per API: API Gateway's
   * gateway responses cannot differ by route.
   */
  addChallenges(metadataUrl: string, scope: string): void {
    const challenge = `Bearer resource_metadata="${metadataUrl}", scope="${scope}"`;
    const cors = {
      'Access-Control-Allow-Origin': staticHeader('*'),
      'Access-Control-Expose-Headers': staticHeader('WWW-Authenticate'),
    };
    this.api.addGatewayResponse('Unauthorized', {
      type: apigateway.ResponseType.UNAUTHORIZED,
      statusCode: '401',
      responseHeaders: { 'WWW-Authenticate': staticHeader(challenge), ...cors },
      templates: {
        'application/json':
          '{"error":"unauthorized","message":$context.error.messageString,"hint":"Send an OAuth access token: Authorization: Bearer <token>"}',
      },
    });
    this.api.addGatewayResponse('AccessDenied', {
      type: apigateway.ResponseType.ACCESS_DENIED,
      statusCode: '403',
      responseHeaders: {
        'WWW-Authenticate': staticHeader(
          `Bearer error="insufficient_scope", scope="${scope}", resource_metadata="${metadataUrl}"`,
        ),
        ...cors,
      },
      templates: { 'application/json': '{"error":"insufficient_scope","message":$context.error.messageString}' },
    });
  }
}
