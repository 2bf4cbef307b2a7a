/**
 * The OAuth side: a Cognito user pool people can sign up to, its managed login pages, the MCP scope, a
 * public PKCE client for people (Claude Code, the MCP Inspector, the CLI's password check) and — only
 * when asked for (`deploy --machine-client`) — a confidential client_credentials client for machines,
 * whose secret goes to Secrets Manager.
 *
 * Resource binding (RFC 8707). MCP clients send `resource=<MCP URL>` on authorize, token and refresh.
 * Cognito honours it only on managed login (version 2) with the Essentials or Plus plan, and only when
 * the value names a resource server of the pool: then the access token's `aud` is that resource. So the
 * resource server's identifier is the MCP URL exactly as the protected-resource metadata states it, and
 * the scope reads `<MCP URL>/<server name>`. A `resource` that names no resource server fails the
 * sign-in (400 at authorize, or `invalid_grant` at the token endpoint).
 */
import { Aws, Duration, Fn, RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { PRE_TOKEN_TRIGGER_SOURCE } from './pre-token-trigger.js';
import type { ResolvedStackOptions } from './props.js';
import { allowListValue, PRE_SIGN_UP_TRIGGER_SOURCE } from './sign-up.js';

export interface McpAuthProps {
  readonly options: ResolvedStackOptions;
  readonly runtime: lambda.Runtime;
  /**
   * The resources clients ask tokens for, each a resource server with one scope, `<identifier>/<scopeName>`.
   * The first is the one the 401 challenge names (one server: the MCP URL; several: the API's URL, whose
   * scope every server accepts), the others one per server.
   */
  readonly resources: readonly McpResource[];
}

/** A resource server: its identifier is the URL clients send as `resource` (RFC 8707). */
export interface McpResource {
  /** Construct id of its resource server. */
  readonly id: string;
  readonly identifier: string;
  readonly scopeName: string;
  /** What it is, for the name and the scope's description ("dog-facts MCP server"). */
  readonly title: string;
}

export class McpAuth extends Construct {
  readonly userPool: cognito.UserPool;
  readonly domain: cognito.UserPoolDomain;
  /** Managed login (v2) shows "Login pages unavailable" for a client without a branding style. */
  readonly branding: cognito.CfnManagedLoginBranding;
  /** One per resource, in {@link McpAuthProps.resources}'s order. */
  readonly resourceServers: readonly cognito.UserPoolResourceServer[];
  readonly interactiveClient: cognito.UserPoolClient;
  /** The client_credentials client and its secret (`machineClient`); undefined otherwise. */
  readonly automatedClient?: cognito.UserPoolClient;
  readonly automatedClientSecret?: secretsmanager.Secret;
  /** `https://cognito-idp.<region>.amazonaws.com/<poolId>` */
  readonly issuerUrl: string;
  /** The first resource's scope: `<MCP URL>/<name>`, or with several servers the one for all of them. */
  readonly scope: string;
  /** Every resource's scope, in order. */
  readonly scopes: readonly string[];
  /** The allow-list the pre-sign-up trigger reads (allow-list policy only). */
  readonly allowList?: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: McpAuthProps) {
    super(scope, id);
    const { options, resources } = props;
    if (resources.length === 0) throw new Error('McpAuth needs at least one resource.');
    this.scopes = resources.map((resource) => `${resource.identifier}/${resource.scopeName}`);
    this.scope = this.scopes[0] as string;

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      // Invite-only: people join when the owner invites them (AdminCreateUser), never by themselves.
      selfSignUpEnabled: options.signUp.mode !== 'invite',
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      userVerification: { emailStyle: cognito.VerificationEmailStyle.CODE },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // An authenticator app (TOTP) as the second factor; never SMS (it costs per message and needs a role).
      mfa: { off: cognito.Mfa.OFF, optional: cognito.Mfa.OPTIONAL, required: cognito.Mfa.REQUIRED }[options.mfa],
      ...(options.mfa !== 'off' && { mfaSecondFactor: { otp: true, sms: false } }),
      // Essentials: the V2 pre-token-generation trigger needs it (Lite has only V1).
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      // People's accounts are not deleted by accident: `mcp-lambda destroy` asks, and only then lifts this.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    if (options.mfa !== 'required') {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions::AwsSolutions-COG2',
        reason: `MFA is ${options.mfa === 'off' ? 'off' : 'optional (each user may add an authenticator app)'} because the owner chose it (deploy --mfa ${options.mfa}); --mfa required makes it mandatory, and mcp-lambda login answers the authenticator challenges.`,
      });
    }
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions::AwsSolutions-COG8',
      reason:
        'Essentials, not Plus: Plus (threat protection) is billed per monthly active user on top; Essentials is what the V2 pre-token trigger and resource binding need. Choose Plus in your own stack when you need adaptive authentication.',
    });

    // Domain prefixes are global per region, across all accounts: add 8 hex characters of this stack's
    // own id (random, fixed for the stack's life), so two stacks and two accounts never collide.
    const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    const suffix = Fn.select(0, Fn.split('-', stackUuid));
    this.domain = this.userPool.addDomain('HostedUi', {
      cognitoDomain: { domainPrefix: Fn.join('-', ['mcp', options.serverName, suffix]) },
      // Managed login: the classic hosted UI ignores `resource`, so tokens would carry no audience.
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });

    const mcpScopes = resources.map((resource) => {
      const scope = new cognito.ResourceServerScope({
        scopeName: resource.scopeName,
        scopeDescription: `Call the ${resource.title}`,
      });
      const server = this.userPool.addResourceServer(resource.id, {
        identifier: resource.identifier,
        // The name may not hold ':' or '/' (CDK would default it to the identifier, a URL).
        userPoolResourceServerName: resource.title,
        scopes: [scope],
      });
      return { server, scope: cognito.OAuthScope.resourceServer(server, scope) };
    });
    this.resourceServers = mcpScopes.map((entry) => entry.server);

    this.interactiveClient = this.userPool.addClient('InteractiveClient', {
      userPoolClientName: `${options.serverName}-interactive`,
      generateSecret: false,
      authFlows: { userPassword: true, userSrp: true },
      oAuth: {
        // Authorization code with PKCE only: OAuth 2.1 has no implicit grant.
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false },
        scopes: [
          cognito.OAuthScope.OPENID,
          cognito.OAuthScope.EMAIL,
          cognito.OAuthScope.PROFILE,
          ...mcpScopes.map((entry) => entry.scope),
        ],
        callbackUrls: [...options.callbackUrls],
        logoutUrls: [...options.callbackUrls],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      // A working day of access per token (--session-hours), refreshed for up to 30 days without signing in.
      accessTokenValidity: Duration.hours(options.sessionHours),
      idTokenValidity: Duration.hours(options.sessionHours),
      refreshTokenValidity: Duration.days(30),
      // Rotation: every refresh returns a new refresh token and retires the old one (the MCP authorization
      // spec requires it for public clients). The grace period lets two refreshes that race (Claude Code
      // and the token helper, or a retry) both succeed. REFRESH_TOKEN_AUTH goes: `token` uses
      // GetTokensFromRefreshToken.
      refreshTokenRotationGracePeriod: Duration.seconds(60),
      authSessionValidity: Duration.minutes(5),
    });

    this.branding = new cognito.CfnManagedLoginBranding(this, 'LoginBranding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.interactiveClient.userPoolClientId,
      useCognitoProvidedValues: true,
    });

    // Machines (client_credentials): only when asked for. Its secret calls every server without a user;
    // the construct ids are the ones every stack had before, so a stack that has it keeps the same client.
    if (options.machineClient) {
      const automatedClient = this.userPool.addClient('AutomatedClient', {
        userPoolClientName: `${options.serverName}-automated`,
        generateSecret: true,
        oAuth: {
          flows: { clientCredentials: true },
          scopes: mcpScopes.map((entry) => entry.scope),
        },
        supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
        preventUserExistenceErrors: true,
        enableTokenRevocation: true,
        accessTokenValidity: Duration.hours(1),
      });
      // With no ExplicitAuthFlows, Cognito enables SRP and custom sign-in for a client; this one must have
      // no user sign-in at all (so only the interactive client can get tokens the trigger touches).
      (automatedClient.node.defaultChild as cognito.CfnUserPoolClient).explicitAuthFlows = ['ALLOW_REFRESH_TOKEN_AUTH'];

      const automatedClientSecret = new secretsmanager.Secret(this, 'AutomatedClientSecret', {
        description: `OAuth client credentials for the ${options.serverName} MCP server (client_credentials grant)`,
        secretObjectValue: {
          client_id: SecretValue.unsafePlainText(automatedClient.userPoolClientId),
          // CloudFormation's own ClientSecret attribute: no custom resource (and no extra function) needed.
          client_secret: SecretValue.resourceAttribute(
            (automatedClient.node.defaultChild as cognito.CfnUserPoolClient).attrClientSecret,
          ),
          scope: SecretValue.unsafePlainText(this.scope),
        },
        removalPolicy: RemovalPolicy.DESTROY,
      });
      Validations.of(automatedClientSecret).acknowledge({
        id: 'AwsSolutions::AwsSolutions-SMG4',
        reason:
          "The secret mirrors the Cognito app client's generated secret, which a Secrets Manager rotation function cannot change; rotating it means replacing the app client (a new logical id) and deploying again.",
      });
      this.automatedClient = automatedClient;
      this.automatedClientSecret = automatedClientSecret;
    }
    const trigger = this.inlineTrigger('PreTokenTrigger', {
      runtime: props.runtime,
      options,
      source: PRE_TOKEN_TRIGGER_SOURCE,
      environment: { MCP_SCOPE: this.scopes.join(' ') },
      roleDescription: 'Writes the pre-token-generation trigger logs; nothing else.',
      description: `Adds the ${options.serverName} MCP scope${this.scopes.length > 1 ? 's' : ''} to access tokens from password sign-in and refresh, and removes aws.cognito.signin.user.admin`,
    });
    this.userPool.addTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, trigger, cognito.LambdaVersion.V2_0);

    if (options.signUp.mode === 'allow-list') {
      // Generated name; `mcp-lambda users allow` edits it, so a change needs no deploy.
      this.allowList = new ssm.StringParameter(this, 'AllowList', {
        description: `Addresses and @domains that may sign up to the ${options.serverName} MCP server (mcp-lambda users allow)`,
        stringValue: allowListValue(options.signUp.allow),
      });
      const signUpTrigger = this.inlineTrigger('PreSignUpTrigger', {
        runtime: props.runtime,
        options,
        source: PRE_SIGN_UP_TRIGGER_SOURCE,
        environment: { ALLOW_LIST_PARAMETER: this.allowList.parameterName },
        roleDescription: 'Reads the sign-up allow-list and writes its own logs; nothing else.',
        description: `Lets only allow-listed addresses sign up to the ${options.serverName} MCP server`,
      });
      if (signUpTrigger.role) this.allowList.grantRead(signUpTrigger.role);
      this.userPool.addTrigger(cognito.UserPoolOperation.PRE_SIGN_UP, signUpTrigger);
    }

    this.issuerUrl = `https://cognito-idp.${Aws.REGION}.${Aws.URL_SUFFIX}/${this.userPool.userPoolId}`;
  }

  /** A small inline Cognito trigger: ARM64, 128 MB, 5 s, JSON logs in its own group, a role that writes them. */
  private inlineTrigger(
    id: string,
    props: {
      readonly runtime: lambda.Runtime;
      readonly options: ResolvedStackOptions;
      readonly source: string;
      readonly environment: Record<string, string>;
      readonly roleDescription: string;
      readonly description: string;
    },
  ): lambda.Function {
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: props.options.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.roleDescription,
    });
    logGroup.grantWrite(role);
    return new lambda.Function(this, id, {
      runtime: props.runtime,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline(props.source),
      memorySize: 128,
      timeout: Duration.seconds(5),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: props.environment,
      description: props.description,
    });
  }
}
