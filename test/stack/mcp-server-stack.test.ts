import { createHash } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type BuildAppOptions,
  buildApp,
  CLIENTS,
  MAX_CALLBACK_URL_LENGTH,
  MAX_CALLBACK_URLS,
  McpServerStack,
  type McpServerStackOptions,
  MissingBundleError,
  OUTPUTS,
  PRE_SIGN_UP_TRIGGER_SOURCE,
  PRE_TOKEN_TRIGGER_SOURCE,
  REFUSED_MESSAGE,
  resolveStackOptions,
  StackPropsError,
} from '../../src/stack/index.js';
import { FAKE, render } from '../helpers/render.js';

const outdir = () => mkdtempSync(join(tmpdir(), 'mcp-lambda-synth-'));

function synth(props: Omit<BuildAppOptions, 'outdir'> = {}) {
  const { stack } = buildApp({ ...props, outdir: outdir() });
  return { stack, template: Template.fromStack(stack), json: Template.fromStack(stack).toJSON() as Record<string, any> };
}

const { template, json } = synth();
const resources = (type: string) => Object.entries(json.Resources as Record<string, any>).filter(([, r]) => r.Type === type);
const one = (type: string) => {
  const found = resources(type);
  expect(found).toHaveLength(1);
  return found[0]![1].Properties as Record<string, any>;
};
const apiId = resources('AWS::ApiGateway::RestApi')[0]![0];
const poolId = resources('AWS::Cognito::UserPool')[0]![0];
const MCP_URL = `https://<${apiId}>.execute-api.${FAKE.region}.${FAKE.urlSuffix}/prod/mcp`;
const METADATA_URL = `https://<${apiId}>.execute-api.${FAKE.region}.${FAKE.urlSuffix}/prod/.well-known/oauth-protected-resource/mcp`;
/** The scope names the resource server, whose identifier is the MCP URL (resource binding). */
const SCOPE = `${MCP_URL}/dog-facts`;
/** The MCP function (not the trigger, not CDK's custom-resource function). */
const serverFunction = () => {
  const found = resources('AWS::Lambda::Function').filter(([, r]) => String(r.Properties.Description).startsWith('MCP server'));
  expect(found).toHaveLength(1);
  return found[0]![1].Properties as Record<string, any>;
};
/** What the resource server's Ref stands for: its identifier. */
const refs = Object.fromEntries(
  resources('AWS::Cognito::UserPoolResourceServer').map(([id, r]) => [id, render(r.Properties.Identifier)]),
);
const ISSUER = `https://cognito-idp.${FAKE.region}.${FAKE.urlSuffix}/<${poolId}>`;

/** Synthesizes with cdk-nag's AwsSolutions pack (any unacknowledged finding fails) and lists what was acknowledged. */
function nagAcknowledged(props: Omit<BuildAppOptions, 'outdir'> = {}): Array<{ id: string; reason: string }> {
  const { app, stack } = buildApp({ ...props, outdir: outdir() });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  expect(() => app.synth()).not.toThrow();
  return stack.node
    .findAll()
    .flatMap((construct) => construct.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ id, reason })));
}

describe('Cognito', () => {
  it('has a self-service user pool with email sign-in and a strong password policy on Essentials', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      UserPoolTier: 'ESSENTIALS',
      DeletionProtection: 'ACTIVE',
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
      VerificationMessageTemplate: Match.objectLike({ DefaultEmailOption: 'CONFIRM_WITH_CODE' }),
      LambdaConfig: { PreTokenGenerationConfig: { LambdaArn: Match.anyValue(), LambdaVersion: 'V2_0' } },
    });
  });

  it('gives the sign-in pages a domain prefix unique to the stack, on managed login (v2) for resource binding', () => {
    const domain = one('AWS::Cognito::UserPoolDomain');
    expect(render(domain.Domain)).toBe('mcp-dog-facts-1a2b3c4d');
    expect(domain.ManagedLoginVersion).toBe(2);
  });

  it("gives the interactive client a managed-login branding style (else: 'Login pages unavailable')", () => {
    const branding = one('AWS::Cognito::ManagedLoginBranding');
    expect(branding.UseCognitoProvidedValues).toBe(true);
    expect(render(branding.UserPoolId)).toBe(`<${poolId}>`);
    const interactiveId = resources('AWS::Cognito::UserPoolClient').find(
      ([, r]) => r.Properties.ClientName === 'dog-facts-interactive',
    )![0];
    expect(render(branding.ClientId)).toBe(`<${interactiveId}>`);
  });

  it('names the resource server by the MCP URL, so the resource clients send binds the token to it', () => {
    const server = one('AWS::Cognito::UserPoolResourceServer');
    expect(render(server.Identifier)).toBe(MCP_URL);
    // Cognito refuses ':' and '/' in the name.
    expect(server.Name).toBe('dog-facts MCP server');
    expect(server.Scopes).toEqual([{ ScopeName: 'dog-facts', ScopeDescription: expect.any(String) }]);
  });

  it('has a public PKCE client for people: code flow only, Claude Code and Inspector callbacks, password check', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'dog-facts-interactive',
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      // Claude Code's, the Inspector's, then Gemini CLI's: by default only URIs on the user's machine (a
      // website's redirect URI, VS Code's, Cursor's or Claude's, is registered only when --clients names it).
      CallbackURLs: [
        'http://localhost:31927/callback',
        'http://localhost:6274/oauth/callback',
        'http://localhost:7777/oauth/callback',
      ],
      // With refresh-token rotation, REFRESH_TOKEN_AUTH goes (GetTokensFromRefreshToken replaces it).
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH'],
      RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 60 },
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      AccessTokenValidity: 480,
      IdTokenValidity: 480,
      RefreshTokenValidity: 43200,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
    });
    const interactive = resources('AWS::Cognito::UserPoolClient').find(
      ([, r]) => r.Properties.ClientName === 'dog-facts-interactive',
    );
    expect(interactive?.[1].Properties.AllowedOAuthFlows).not.toContain('implicit');
    expect(interactive?.[1].Properties.AllowedOAuthScopes.map((scope: unknown) => render(scope, refs))).toEqual([
      'openid',
      'email',
      'profile',
      SCOPE,
    ]);
  });

  it('has no client_credentials client unless asked for (deploy --machine-client)', () => {
    expect(resources('AWS::Cognito::UserPoolClient').map(([, r]) => r.Properties.ClientName)).toEqual(['dog-facts-interactive']);
    expect(resources('AWS::SecretsManager::Secret').filter(([, r]) => r.Properties.SecretString !== undefined)).toEqual([]);
    expect(json.Outputs[OUTPUTS.automatedClientId]).toBeUndefined();
    expect(json.Outputs[OUTPUTS.automatedClientSecretArn]).toBeUndefined();
    // Only the interactive client's tokens are accepted.
    const clients = render(serverFunction().Environment.Variables.MCP_ALLOWED_CLIENT_IDS).split(',');
    expect(clients).toEqual([`<${resources('AWS::Cognito::UserPoolClient')[0]![0]}>`]);
  });

  const machine = synth({ machineClient: true });
  const machineResources = (type: string) =>
    Object.entries(machine.json.Resources as Record<string, any>).filter(([, r]) => r.Type === type);

  it('has, when asked for, a confidential client_credentials client with no user sign-in', () => {
    machine.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'dog-facts-automated',
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
    });
    const automated = machineResources('AWS::Cognito::UserPoolClient').find(
      ([, r]) => r.Properties.ClientName === 'dog-facts-automated',
    );
    const machineRefs = Object.fromEntries(
      machineResources('AWS::Cognito::UserPoolResourceServer').map(([id, r]) => [id, render(r.Properties.Identifier)]),
    );
    const machineScope = render(machine.json.Outputs[OUTPUTS.scope].Value);
    expect(automated?.[1].Properties.AllowedOAuthScopes.map((scope: unknown) => render(scope, machineRefs))).toEqual([
      machineScope,
    ]);
    // The same construct (and logical id) every stack had before it became opt-in: a stack that has it keeps it.
    expect(automated?.[0]).toMatch(/^AuthUserPoolAutomatedClient/);
    expect(machine.json.Outputs[OUTPUTS.automatedClientId].Value).toEqual({ Ref: automated?.[0] });
  });

  it('stores the automated client secret in Secrets Manager under a generated name', () => {
    const [secretId, secret] = machineResources('AWS::SecretsManager::Secret').find(
      ([, r]) => r.Properties.SecretString !== undefined,
    )!;
    expect(secret.Properties.Name).toBeUndefined();
    const automatedId = machineResources('AWS::Cognito::UserPoolClient').find(
      ([, r]) => r.Properties.ClientName === 'dog-facts-automated',
    )![0];
    expect(JSON.parse(render(secret.Properties.SecretString))).toMatchObject({
      client_id: `<${automatedId}>`,
      client_secret: `<${automatedId}.ClientSecret>`,
    });
    expect(secretId).toMatch(/^AuthAutomatedClientSecret/);
    expect(machine.json.Outputs[OUTPUTS.automatedClientSecretArn].Value).toEqual({ Ref: secretId });
    // Read with CloudFormation's own attribute: no custom resource, no extra function.
    machine.template.resourceCountIs('Custom::DescribeCognitoUserPoolClient', 0);
    machine.template.resourceCountIs('AWS::Lambda::Function', 3);
  });

  it('adds the MCP scope to password and refresh tokens only', () => {
    const trigger = resources('AWS::Lambda::Function').find(([, r]) => r.Properties.Code.ZipFile === PRE_TOKEN_TRIGGER_SOURCE);
    expect(trigger?.[1].Properties.Architectures).toEqual(['arm64']);
    expect(render(trigger?.[1].Properties.Environment.Variables.MCP_SCOPE)).toBe(SCOPE);
    const module = { exports: {} as { handler: (event: unknown) => Promise<any> } };
    runInNewContext(PRE_TOKEN_TRIGGER_SOURCE, { module, exports: module.exports, process: { env: { MCP_SCOPE: SCOPE } } });
    const run = (triggerSource: string) =>
      module.exports.handler({ triggerSource, callerContext: { clientId: 'c' }, response: {} });
    return Promise.all([
      run('TokenGeneration_Authentication').then((e) =>
        expect(e.response.claimsAndScopeOverrideDetails).toEqual({
          accessTokenGeneration: { scopesToAdd: [SCOPE], scopesToSuppress: ['aws.cognito.signin.user.admin'] },
        }),
      ),
      run('TokenGeneration_RefreshTokens').then((e) => expect(e.response.claimsAndScopeOverrideDetails).toBeDefined()),
      run('TokenGeneration_HostedAuth').then((e) => expect(e.response.claimsAndScopeOverrideDetails).toBeUndefined()),
    ]);
  });
});

describe('second factor', () => {
  it('is off by default, and an authenticator app (never SMS) when asked for', () => {
    expect(one('AWS::Cognito::UserPool').MfaConfiguration).toBe('OFF');
    for (const [mfa, configuration] of [
      ['optional', 'OPTIONAL'],
      ['required', 'ON'],
    ] as const) {
      const { json: withMfa } = synth({ mfa });
      const pool = Object.values(withMfa.Resources as Record<string, any>).find(
        (r) => r.Type === 'AWS::Cognito::UserPool',
      ).Properties;
      expect(pool.MfaConfiguration).toBe(configuration);
      expect(pool.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    }
  });

  it('passes cdk-nag with MFA required and nothing acknowledged about it', () => {
    const acknowledged = nagAcknowledged({ mfa: 'required' }).map((rule) => rule.id);
    expect(acknowledged).not.toContain('AwsSolutions::AwsSolutions-COG2');
  });
});

describe('sign-up policy', () => {
  const triggerOf = (j: Record<string, any>) =>
    Object.values(j.Resources as Record<string, any>).find((r) => r.Properties?.Code?.ZipFile === PRE_SIGN_UP_TRIGGER_SOURCE);
  const poolOf = (j: Record<string, any>) =>
    Object.values(j.Resources as Record<string, any>).find((r) => r.Type === 'AWS::Cognito::UserPool').Properties;

  it('defaults to an allow-list with no entries, kept in an SSM parameter the pre-sign-up trigger reads', () => {
    const parameter = one('AWS::SSM::Parameter');
    expect(parameter.Name).toBeUndefined();
    expect(parameter.Value).toBe('{"allow":[]}');
    const trigger = triggerOf(json);
    expect(trigger.Properties.Environment.Variables.ALLOW_LIST_PARAMETER).toEqual({
      Ref: resources('AWS::SSM::Parameter')[0]![0],
    });
    expect(poolOf(json).LambdaConfig.PreSignUp).toBeDefined();
    expect(poolOf(json).AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(false);
    expect(render(json.Outputs.SignUpPolicy.Value)).toBe('allow-list');
    expect(json.Outputs.AllowListParameter.Value).toEqual({ Ref: resources('AWS::SSM::Parameter')[0]![0] });
  });

  it('lets the trigger read that one parameter and nothing else', () => {
    const roleId = triggerOf(json).Properties.Role['Fn::GetAtt'][0];
    const statements = resources('AWS::IAM::Policy')
      .filter(([, r]) => r.Properties.Roles.some((role: any) => role.Ref === roleId))
      .flatMap(([, r]) => r.Properties.PolicyDocument.Statement);
    const ssmStatements = statements.filter((st: any) => [st.Action].flat().some((a: string) => a.startsWith('ssm:')));
    expect(ssmStatements).toHaveLength(1);
    expect(render(ssmStatements[0].Resource)).toContain(`parameter/<${resources('AWS::SSM::Parameter')[0]![0]}>`);
  });

  it('writes the allow-list in lower case, sorted, without duplicates', () => {
    const { json: listed } = synth({
      signUp: { mode: 'allow-list', allow: ['Me@Example.com', '@team.example', 'me@example.com'] },
    });
    const parameter = Object.values(listed.Resources as Record<string, any>).find((r) => r.Type === 'AWS::SSM::Parameter');
    expect(parameter.Properties.Value).toBe('{"allow":["@team.example","me@example.com"]}');
  });

  it('turns self sign-up off for invite-only, with no trigger and no list', () => {
    const { json: invite } = synth({ signUp: { mode: 'invite' } });
    expect(poolOf(invite).AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    expect(poolOf(invite).LambdaConfig.PreSignUp).toBeUndefined();
    expect(triggerOf(invite)).toBeUndefined();
    expect(invite.Outputs.AllowListParameter).toBeUndefined();
    expect(render(invite.Outputs.SignUpPolicy.Value)).toBe('invite');
  });

  it('lets anyone register when open, as asked', () => {
    const { json: open } = synth({ signUp: { mode: 'open' } });
    expect(poolOf(open).AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(false);
    expect(poolOf(open).LambdaConfig.PreSignUp).toBeUndefined();
    expect(render(open.Outputs.SignUpPolicy.Value)).toBe('open');
  });

  describe('the pre-sign-up trigger', () => {
    const allow = ['me@example.com', '@team.example'];
    async function run(triggerSource: string, email: string) {
      const module = { exports: {} as { handler: (event: unknown) => Promise<any> } };
      const requested: string[] = [];
      const fakeSsm = {
        SSMClient: class {
          send = async (command: { input: { Name: string } }) => {
            requested.push(command.input.Name);
            return { Parameter: { Value: JSON.stringify({ allow }) } };
          };
        },
        GetParameterCommand: class {
          constructor(readonly input: { Name: string }) {}
        },
      };
      runInNewContext(PRE_SIGN_UP_TRIGGER_SOURCE, {
        module,
        exports: module.exports,
        require: (name: string) => {
          if (name !== '@aws-sdk/client-ssm') throw new Error(`unexpected require ${name}`);
          return fakeSsm;
        },
        process: { env: { ALLOW_LIST_PARAMETER: '/mcp/allow' } },
        Error,
      });
      const event = { triggerSource, userName: 'u', request: { userAttributes: { email } }, response: {} };
      return { result: await module.exports.handler(event).catch((error: Error) => error), requested };
    }

    it.each([
      ['a listed address', 'me@example.com'],
      ['a listed address in other case', ' ME@Example.COM '],
      ['an address in a listed domain', 'anyone@team.example'],
    ])('lets %s register', async (_name, email) => {
      const { result, requested } = await run('PreSignUp_SignUp', email);
      expect(result).not.toBeInstanceOf(Error);
      expect(requested).toEqual(['/mcp/allow']);
    });

    it.each([
      ['another address', 'you@example.com'],
      ['a subdomain of a listed domain', 'x@sub.team.example'],
      ['a domain that only ends alike', 'x@evilteam.example'],
    ])('refuses %s with the message the hosted UI shows', async (_name, email) => {
      const { result } = await run('PreSignUp_SignUp', email);
      expect(result).toBeInstanceOf(Error);
      expect((result as Error).message).toBe(REFUSED_MESSAGE);
    });

    it('lets invited users through without reading the list', async () => {
      const { result, requested } = await run('PreSignUp_AdminCreateUser', 'stranger@elsewhere.example');
      expect(result).not.toBeInstanceOf(Error);
      expect(requested).toEqual([]);
    });
  });
});

describe('API Gateway', () => {
  it('puts ANY /mcp behind the Cognito authorizer with the MCP scope', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      IdentitySource: 'method.request.header.Authorization',
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'ANY',
      AuthorizationType: 'COGNITO_USER_POOLS',
      Integration: Match.objectLike({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' }),
    });
    const any = resources('AWS::ApiGateway::Method').find(([, r]) => r.Properties.HttpMethod === 'ANY');
    expect(any?.[1].Properties.AuthorizationScopes.map((scope: unknown) => render(scope))).toEqual([SCOPE]);
  });

  it('answers the CORS preflight without authentication', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'OPTIONS', AuthorizationType: 'NONE' });
  });

  it('serves RFC 9728 metadata at both well-known paths without authentication', () => {
    const methods = resources('AWS::ApiGateway::Method').filter(([, r]) => r.Properties.HttpMethod === 'GET');
    expect(methods).toHaveLength(2);
    const paths = methods.map(([, r]) => render(json.Resources[r.Properties.ResourceId.Ref].Properties.PathPart));
    expect(paths.sort()).toEqual(['mcp', 'oauth-protected-resource']);
    for (const [, method] of methods) {
      expect(method.Properties.AuthorizationType).toBe('NONE');
      expect(method.Properties.Integration.Type).toBe('MOCK');
      const document = JSON.parse(
        render(method.Properties.Integration.IntegrationResponses[0].ResponseTemplates['application/json']),
      );
      expect(document).toEqual({
        resource: MCP_URL,
        authorization_servers: [ISSUER],
        scopes_supported: [SCOPE],
        bearer_methods_supported: ['header'],
        resource_name: 'dog-facts MCP server',
      });
    }
  });

  it('sends the 401 challenge with resource_metadata and scope, as a single-quoted static value', () => {
    const responses = resources('AWS::ApiGateway::GatewayResponse').map(([, r]) => r.Properties);
    const unauthorized = responses.find((r) => r.ResponseType === 'UNAUTHORIZED');
    expect(unauthorized.StatusCode).toBe('401');
    expect(render(unauthorized.ResponseParameters['gatewayresponse.header.WWW-Authenticate'])).toBe(
      `'Bearer resource_metadata="${METADATA_URL}", scope="${SCOPE}"'`,
    );
    expect(unauthorized.ResponseParameters['gatewayresponse.header.Access-Control-Expose-Headers']).toBe("'WWW-Authenticate'");
  });

  it('keeps a valid challenge on the 403 response too (the Cognito authorizer itself answers 401)', () => {
    const denied = resources('AWS::ApiGateway::GatewayResponse')
      .map(([, r]) => r.Properties)
      .find((r) => r.ResponseType === 'ACCESS_DENIED');
    expect(denied.StatusCode).toBe('403');
    expect(render(denied.ResponseParameters['gatewayresponse.header.WWW-Authenticate'])).toBe(
      `'Bearer error="insufficient_scope", scope="${SCOPE}", resource_metadata="${METADATA_URL}"'`,
    );
  });

  it('throttles the stage and writes JSON access logs that hold no header', () => {
    const stage = one('AWS::ApiGateway::Stage');
    expect(stage.StageName).toBe('prod');
    expect(stage.MethodSettings).toEqual([
      expect.objectContaining({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100, HttpMethod: '*', ResourcePath: '/*' }),
    ]);
    const format = JSON.parse(stage.AccessLogSetting.Format);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      clientId: '$context.authorizer.claims.client_id',
    });
    expect(stage.AccessLogSetting.Format.toLowerCase()).not.toMatch(/header|authorization/);
  });

  it('creates no account-wide API Gateway resource', () => {
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });
});

describe('timeout and streaming (deploy --timeout)', () => {
  const anyMethod = (resources: Record<string, any>) =>
    Object.values(resources).find((r) => r.Type === 'AWS::ApiGateway::Method' && r.Properties.HttpMethod === 'ANY')!.Properties
      .Integration;

  it('buffers by default: a 29 s function and integration, no streaming', () => {
    const integration = anyMethod(json.Resources);
    expect(integration.ResponseTransferMode).toBeUndefined();
    expect(integration.TimeoutInMillis).toBeUndefined();
    expect(render(integration.Uri)).toContain('/2015-03-31/functions/');
    expect(serverFunction().Timeout).toBe(29);
    expect(serverFunction().Environment.Variables.MCP_TIMEOUT_SECONDS).toBeUndefined();
    expect(json.Outputs.Timeout.Value).toBe('29');
  });

  it('streams over 29 s: STREAM transfer mode, the streaming invoke URI, the same timeout for both', () => {
    const { json: streamed } = synth({ timeoutSeconds: 90 });
    const integration = anyMethod(streamed.Resources);
    expect(integration.ResponseTransferMode).toBe('STREAM');
    expect(integration.TimeoutInMillis).toBe(90_000);
    expect(render(integration.Uri)).toContain('/2021-11-15/functions/');
    expect(render(integration.Uri)).toMatch(/\/response-streaming-invocations$/);
    const fn = Object.values(streamed.Resources as Record<string, any>).find(
      (r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).startsWith('MCP server'),
    )!.Properties;
    expect(fn.Timeout).toBe(90);
    expect(fn.Environment.Variables.MCP_TIMEOUT_SECONDS).toBe('90');
    expect(streamed.Outputs.Timeout.Value).toBe('90');
    expect(streamed.Outputs.Timeout.Description).toContain('tool calls stream');
  });

  it('keeps a short timeout buffered: 10 s for both, no streaming', () => {
    const { json: short } = synth({ timeoutSeconds: 10 });
    const integration = anyMethod(short.Resources);
    expect(integration.ResponseTransferMode).toBeUndefined();
    const fn = Object.values(short.Resources as Record<string, any>).find(
      (r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).startsWith('MCP server'),
    )!.Properties;
    expect(fn.Timeout).toBe(10);
    expect(fn.Environment.Variables.MCP_TIMEOUT_SECONDS).toBe('10');
  });
});

describe('a domain of your own (deploy --domain)', () => {
  const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
  const ofType = (all: Record<string, any>, type: string) =>
    Object.entries(all).filter(([, r]) => r.Type === type) as Array<[string, { Properties: Record<string, any> }]>;

  it('maps the domain at its root, turns the execute-api URL off, and moves every URL to it', () => {
    const { json: withDomain } = synth({ domain: { name: 'MCP.Example.com.', certificateArn: CERT } });
    const resources = withDomain.Resources as Record<string, any>;
    const domainName = ofType(resources, 'AWS::ApiGateway::DomainName')[0]?.[1];
    expect(domainName!.Properties).toMatchObject({
      DomainName: 'mcp.example.com',
      RegionalCertificateArn: CERT,
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
    });
    const mapping = ofType(resources, 'AWS::ApiGateway::BasePathMapping')[0]?.[1];
    expect(mapping!.Properties.BasePath).toBeUndefined();
    expect(ofType(resources, 'AWS::ApiGateway::RestApi')[0]![1].Properties.DisableExecuteApiEndpoint).toBe(true);

    const MCP = 'https://mcp.example.com/mcp';
    const METADATA = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';
    expect(withDomain.Outputs.McpServerUrl.Value).toBe(MCP);
    expect(withDomain.Outputs.OAuthMetadataUrl.Value).toBe(METADATA);
    expect(withDomain.Outputs.CustomDomain.Value).toBe('mcp.example.com');
    expect(withDomain.Outputs.DomainRecord.Value).toBe('to create');
    expect(withDomain.Outputs.DomainCertificate.Value).toBe(CERT);
    expect(render(withDomain.Outputs.DomainTarget.Value)).toContain('RegionalDomainName');
    // The resource server (the scope's prefix), the function's resource binding, the metadata, the challenge.
    expect(ofType(resources, 'AWS::Cognito::UserPoolResourceServer')[0]![1].Properties.Identifier).toBe(MCP);
    const fn = Object.values(resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).startsWith('MCP server'),
    );
    expect(fn.Properties.Environment.Variables.MCP_RESOURCE).toBe(MCP);
    const metadata = ofType(resources, 'AWS::ApiGateway::Method').find(
      ([, r]) => r.Properties.Integration?.Type === 'MOCK' && r.Properties.HttpMethod === 'GET',
    );
    const body = metadata![1].Properties.Integration.IntegrationResponses[0].ResponseTemplates['application/json'];
    expect(render(body)).toContain(`"resource":"${MCP}"`);
    const unauthorized = ofType(resources, 'AWS::ApiGateway::GatewayResponse').find(
      ([, r]) => r.Properties.ResponseType === 'UNAUTHORIZED',
    );
    expect(unauthorized![1].Properties.ResponseParameters['gatewayresponse.header.WWW-Authenticate']).toContain(
      `resource_metadata="${METADATA}"`,
    );
    expect(ofType(resources, 'AWS::Route53::RecordSet')).toEqual([]);
  });

  it('with a hosted zone, has a certificate issued there and makes the alias record', () => {
    const { json: zoned } = synth({ domain: { name: 'mcp.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' } });
    const resources = zoned.Resources as Record<string, any>;
    const certificate = ofType(resources, 'AWS::CertificateManager::Certificate')[0]?.[1];
    expect(certificate!.Properties).toMatchObject({
      DomainName: 'mcp.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'mcp.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
    });
    const record = ofType(resources, 'AWS::Route53::RecordSet')[0]?.[1];
    expect(record!.Properties).toMatchObject({ Name: 'mcp.example.com.', Type: 'A', HostedZoneId: 'Z0123456789ABCDEFGHIJ' });
    expect(record!.Properties.AliasTarget).toBeDefined();
    expect(zoned.Outputs.DomainRecord.Value).toBe('created in Z0123456789ABCDEFGHIJ');
    expect(zoned.Outputs.DomainCertificate.Value).toBe('issued');
  });

  it('passes cdk-nag with a domain', () => {
    expect(nagAcknowledged({ domain: { name: 'mcp.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' } })).toEqual(
      expect.any(Array),
    );
  });

  it.each([
    [{ name: 'mcp.example.com' }, 'it needs a certificate: --certificate'],
    [{ name: 'not a host', certificateArn: CERT }, 'domain "not a host" is not valid'],
    [{ name: 'localhost', certificateArn: CERT }, 'domain "localhost" is not valid'],
    [{ name: 'abc.execute-api.eu-west-1.amazonaws.com', certificateArn: CERT }, 'not an AWS one'],
    [
      { name: 'mcp.example.com', certificateArn: 'arn:aws:iam::123456789012:role/x' },
      'certificate "arn:aws:iam::123456789012:role/x" is not valid',
    ],
    [{ name: 'mcp.example.com', hostedZoneId: 'example.com' }, 'hosted zone "example.com" is not valid'],
  ])('refuses %j', (domain, message) => {
    expect(() => resolveStackOptions({ domain })).toThrow(StackPropsError);
    expect(() => resolveStackOptions({ domain })).toThrow(message);
  });
});

describe('Lambda', () => {
  it('runs the bundle on the newest Node.js, ARM64, 29 s, JSON logs', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 29,
      MemorySize: 512,
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
      Environment: {
        Variables: {
          MCP_SERVER: 'dog-facts',
          MCP_REQUIRED_SCOPE: Match.anyValue(),
          MCP_RESOURCE: Match.anyValue(),
          MCP_ALLOWED_CLIENT_IDS: Match.anyValue(),
          MCP_ALLOWED_ORIGINS: 'http://localhost:6274,http://127.0.0.1:6274',
        },
      },
    });
    const variables = serverFunction().Environment.Variables;
    expect(render(variables.MCP_REQUIRED_SCOPE)).toBe(SCOPE);
    expect(render(variables.MCP_RESOURCE)).toBe(MCP_URL);
    // Behind the authorizer: a request without its claims (a console test, a direct invoke) is refused.
    expect(variables.MCP_REQUIRE_CLAIMS).toBe('true');
    // No reservation by default: it would fail the deploy in accounts still at the new-account limit of 10.
    expect(serverFunction().ReservedConcurrentExecutions).toBeUndefined();
    const clients = resources('AWS::Cognito::UserPoolClient').map(([id]) => `<${id}>`);
    expect(render(serverFunction().Environment.Variables.MCP_ALLOWED_CLIENT_IDS).split(',').sort()).toEqual(clients.sort());
  });

  it('keeps its logs (function, trigger, access logs) for 30 days', () => {
    const ours = resources('AWS::Logs::LogGroup').filter(([id]) =>
      /^(ServerLogs|AuthPreTokenTriggerLogs|HttpAccessLogs)/.test(id),
    );
    expect(ours).toHaveLength(3);
    for (const [, group] of ours) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('gives the MCP function a role that can only write its own logs and read its requestState key', () => {
    const roleId = serverFunction().Role['Fn::GetAtt'][0];
    expect(json.Resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
    const policies = resources('AWS::IAM::Policy').filter(([, r]) => r.Properties.Roles.some((role: any) => role.Ref === roleId));
    const statements = policies.flatMap(([, r]) => r.Properties.PolicyDocument.Statement);
    const keyId = resources('AWS::SecretsManager::Secret').find(([, r]) => r.Properties.GenerateSecretString !== undefined)![0];
    expect(statements).toEqual([
      expect.objectContaining({
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: expect.anything(),
      }),
      { Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Effect: 'Allow', Resource: { Ref: keyId } },
    ]);
  });

  it('generates the requestState key at deploy (64 characters, never in the template) and names it to the function', () => {
    const [keyId, key] = resources('AWS::SecretsManager::Secret').find(
      ([, r]) => r.Properties.GenerateSecretString !== undefined,
    )!;
    expect(key.Properties.GenerateSecretString).toEqual({ PasswordLength: 64, ExcludePunctuation: true });
    expect(key.Properties.SecretString).toBeUndefined();
    expect(serverFunction().Environment.Variables.MCP_REQUEST_STATE_SECRET).toEqual({ Ref: keyId });
  });
});

describe('outputs', () => {
  it('has every output login and write-config read', () => {
    // ServerSettings appears only when the server has settings or secrets; the domain's only with --domain;
    // ReservedConcurrency only when a choice was made; SlowDemo only with the slow demo; PerToolMetrics only with
    // them; the machine client's only with --machine-client; ThirdPartyRedirectUris only when --clients names
    // such a client; the VPC's only with --vpc; Packages only with --stdio "npx …"; the alarms' only with --alarms.
    const optional: string[] = [
      OUTPUTS.alarms,
      OUTPUTS.alarmTopic,
      OUTPUTS.alarmNames,
      OUTPUTS.vpc,
      OUTPUTS.vpcSecurityGroup,
      OUTPUTS.serverSettings,
      OUTPUTS.automatedClientId,
      OUTPUTS.automatedClientSecretArn,
      OUTPUTS.thirdPartyRedirectUris,
      OUTPUTS.reservedConcurrency,
      OUTPUTS.slowDemo,
      OUTPUTS.perToolMetrics,
      OUTPUTS.customDomain,
      OUTPUTS.domainTarget,
      OUTPUTS.domainRecord,
      OUTPUTS.domainCertificate,
      OUTPUTS.servers,
      OUTPUTS.packages,
    ];
    expect(Object.keys(json.Outputs).sort()).toEqual(
      Object.values(OUTPUTS)
        .filter((name) => !optional.includes(name))
        .sort(),
    );
  });

  it('says what the function runs: a built-in server, or your own code (which a later deploy must name again)', () => {
    expect(json.Outputs[OUTPUTS.serverCode].Value).toBe('built-in dog-facts');
    const { json: own } = synth({
      serverName: 'mine',
      lambdaBundleDir: join(import.meta.dirname, '..', '..', 'dist', 'lambda-bundle'),
    });
    expect(own.Outputs[OUTPUTS.serverCode].Value).toBe('entry');
  });

  it('renders the URLs people open and tools read', () => {
    const out = (name: string) => render(json.Outputs[name].Value);
    const hostedUi = `https://<${resources('AWS::Cognito::UserPoolDomain')[0]![0]}>.auth.${FAKE.region}.amazoncognito.com`;
    const client = render(json.Outputs.McpOAuthClientId.Value);
    const query = `client_id=${client}&response_type=code&scope=openid%20email%20profile%20${SCOPE}&redirect_uri=http%3A%2F%2Flocalhost%3A31927%2Fcallback`;
    expect(out('McpServerUrl')).toBe(MCP_URL);
    expect(out('OAuthMetadataUrl')).toBe(METADATA_URL);
    expect(out('SignInUrl')).toBe(`${hostedUi}/signup?${query}`);
    expect(out('HostedUIUrl')).toBe(`${hostedUi}/login?${query}`);
    expect(out('McpOAuthAuthorizationUrl')).toBe(`${hostedUi}/oauth2/authorize`);
    expect(out('McpOAuthTokenUrl')).toBe(`${hostedUi}/oauth2/token`);
    expect(out('McpOAuthScope')).toBe(SCOPE);
    expect(out('IssuerUrl')).toBe(ISSUER);
    expect(out('InteractiveOAuthClientId')).toBe(client);
    expect(out('CallbackPort')).toBe('31927');
  });
});

describe('options', () => {
  it('applies stage, callback port, extra callbacks, memory, retention and throttling', () => {
    const { template: custom, json: customJson } = synth({
      serverName: 'cat-facts',
      stage: 'v1',
      callbackPort: 41000,
      clients: ['cursor'],
      extraCallbackUrls: ['https://app.example.com/cb', 'http://localhost:9999/cb'],
      memoryMb: 1024,
      reservedConcurrency: 20,
      sessionHours: 24,
      logRetentionDays: 7,
      throttling: { rateLimit: 5, burstLimit: 10 },
      allowedOrigins: ['https://app.example.com'],
    });
    custom.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: [
        'http://localhost:41000/callback',
        'http://localhost:6274/oauth/callback',
        'http://localhost:8787/callback',
        'cursor://anysphere.cursor-mcp/oauth/callback',
        'https://www.cursor.com/agents/mcp/oauth/callback',
        'https://app.example.com/cb',
        'http://localhost:9999/cb',
      ],
    });
    custom.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'cat-facts-interactive',
      AccessTokenValidity: 1440,
      IdTokenValidity: 1440,
    });
    const any = Object.values(customJson.Resources as Record<string, any>).find(
      (r) => r.Type === 'AWS::ApiGateway::Method' && r.Properties.HttpMethod === 'ANY',
    );
    expect(render(any.Properties.AuthorizationScopes[0])).toMatch(/\/v1\/mcp\/cat-facts$/);
    custom.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 })],
    });
    custom.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      ReservedConcurrentExecutions: 20,
      Environment: { Variables: Match.objectLike({ MCP_ALLOWED_ORIGINS: 'https://app.example.com' }) },
    });
    const retention = Object.entries(customJson.Resources as Record<string, any>)
      .filter(([id, r]) => r.Type === 'AWS::Logs::LogGroup' && /^(ServerLogs|AuthPreTokenTriggerLogs|HttpAccessLogs)/.test(id))
      .map(([, r]) => r.Properties.RetentionInDays);
    expect(retention).toEqual([7, 7, 7]);
    expect(render(customJson.Outputs.McpServerUrl.Value)).toMatch(/\/v1\/mcp$/);
  });

  it('passes groups → tools to the function, and sets nothing without them', () => {
    const { json: grouped } = synth({ toolGroups: { getDogFacts: ['admins', 'team', 'admins'] } });
    const fn = Object.values(grouped.Resources as Record<string, any>).find(
      (r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties?.Description).startsWith('MCP server'),
    );
    expect(fn.Properties.Environment.Variables.MCP_TOOL_GROUPS).toBe('{"getDogFacts":["admins","team"]}');
    expect(serverFunction().Environment.Variables.MCP_TOOL_GROUPS).toBeUndefined();
  });

  it('leaves access logs out when asked', () => {
    const { json: noLogs } = synth({ accessLogs: false });
    const stage = Object.values(noLogs.Resources as Record<string, any>).find((r) => r.Type === 'AWS::ApiGateway::Stage');
    expect(stage.Properties.AccessLogSetting).toBeUndefined();
  });

  it.each<[McpServerStackOptions, string]>([
    [{ serverName: 'Dog_Facts' }, 'server name "Dog_Facts" is not valid'],
    [{ serverName: 'aws-tools' }, 'may not contain "aws"'],
    [{ serverName: 'x'.repeat(41) }, 'server name'],
    [{ serverName: 'dog--facts' }, 'single hyphens'],
    [{ stackName: '1stack' }, 'stack name "1stack" is not valid'],
    [{ stage: 'prod/v1' }, 'stage "prod/v1" is not valid'],
    [{ callbackPort: 80 }, 'callback port 80 is not valid: use a whole number from 1024 to 65535'],
    [{ callbackPort: 70000 }, 'callback port 70000'],
    [{ callbackPort: 1.5 }, 'callback port 1.5'],
    [{ extraCallbackUrls: ['http://example.com/cb'] }, 'Cognito accepts plain http only for localhost'],
    [{ extraCallbackUrls: ['not a url'] }, 'callback URL "not a url" is not valid: it is not a URL.'],
    [{ extraCallbackUrls: ['https://x.example/cb#frag'] }, 'no #fragment'],
    [{ extraCallbackUrls: ['ftp://x.example/cb'] }, 'use https'],
    [{ allowedOrigins: ['https://x.example/'] }, 'allowed origin "https://x.example/" is not valid'],
    [{ memoryMb: 64 }, 'memory 64 is not valid'],
    [{ sessionHours: 0 }, 'session hours 0 is not valid: use a whole number from 1 to 24'],
    [{ signUp: { mode: 'allow-list', allow: ['not-an-address'] } }, 'allow-list entry "not-an-address" is not valid'],
    [{ signUp: { mode: 'allow-list', allow: ['@'] } }, 'allow-list entry "@" is not valid'],
    [{ signUp: { mode: 'allow-list', allow: ['me@localhost'] } }, 'allow-list entry "me@localhost"'],
    [{ signUp: { mode: 'open', allow: ['me@example.com'] } }, 'go with the allow-list policy only'],
    [{ signUp: { mode: 'everyone' as 'open' } }, 'sign-up policy "everyone" is not valid'],
    [
      { signUp: { mode: 'allow-list', allow: Array.from({ length: 300 }, (_, i) => `person${i}@example.com`) } },
      'it must fit in 4096 bytes',
    ],
    [{ sessionHours: 25 }, 'session hours 25'],
    [{ reservedConcurrency: 0 }, 'reserved concurrency 0 is not valid: use a whole number from 1 to 1000'],
    [{ mfa: 'sms' as 'off' }, 'mfa "sms" is not valid: use off, optional or required.'],
    [{ toolGroups: { 'bad tool': ['admins'] } }, 'tool name "bad tool" is not valid'],
    [{ toolGroups: { getDogFacts: [] } }, 'tool groups "getDogFacts" is not valid: name at least one group'],
    [{ toolGroups: { getDogFacts: ['two words'] } }, 'group name "two words" is not valid'],
    [{ toolGroups: { getDogFacts: ['contractors,admins'] } }, 'group name "contractors,admins" is not valid: it has ","'],
    [{ toolGroups: { getDogFacts: ['[admins]'] } }, 'group name "[admins]" is not valid: it has "["'],
    [{ toolGroups: { getDogFacts: [' '] } }, 'group name " " is not valid: it is empty'],
    [{ sessionHours: 1.5 }, 'session hours 1.5'],
    [{ logRetentionDays: 10 }, "log retention 10 is not valid: use one of CloudWatch's periods"],
    [{ throttling: { rateLimit: 0, burstLimit: 1 } }, 'throttling rate limit 0'],
    [{ timeoutSeconds: 4 }, 'timeout 4 is not valid: use a whole number from 5 to 900'],
    [{ timeoutSeconds: 901 }, 'timeout 901 is not valid: use a whole number from 5 to 900'],
    [{ timeoutSeconds: 30.5 }, 'timeout 30.5 is not valid'],
  ])('refuses %j', (options, message) => {
    expect(() => resolveStackOptions(options)).toThrow(StackPropsError);
    expect(() => resolveStackOptions(options)).toThrow(message);
  });

  it('explains a missing Lambda bundle', () => {
    expect(() => buildApp({ outdir: outdir(), lambdaBundleDir: join(tmpdir(), 'no-bundle-here') })).toThrow(MissingBundleError);
    expect(() => buildApp({ outdir: outdir(), lambdaBundleDir: join(tmpdir(), 'no-bundle-here') })).toThrow('npm run build');
  });
});

describe('MCP clients', () => {
  it('registers only the clients asked for (Claude Code always), and names them in an output', () => {
    const { json: j } = synth({ clients: ['gemini'] });
    const client = Object.values(j.Resources as Record<string, any>).find(
      (r) => r.Type === 'AWS::Cognito::UserPoolClient' && r.Properties.ClientName === 'dog-facts-interactive',
    );
    expect(client.Properties.CallbackURLs).toEqual([
      'http://localhost:31927/callback',
      'http://localhost:6274/oauth/callback',
      'http://localhost:7777/oauth/callback',
    ]);
    expect(j.Outputs[OUTPUTS.clients].Value).toBe('claude-code,gemini');
    expect(json.Outputs[OUTPUTS.clients].Value).toBe('claude-code,gemini');
  });

  it("keeps every client's redirect URIs within Cognito's limits, and valid for Cognito", () => {
    const all = resolveStackOptions({ clients: CLIENTS.map((c) => c.id) });
    expect(all.callbackUrls.length).toBeLessThanOrEqual(MAX_CALLBACK_URLS);
    for (const url of all.callbackUrls) {
      expect(url.length).toBeLessThanOrEqual(MAX_CALLBACK_URL_LENGTH);
      const parsed = new URL(url);
      expect(parsed.hash).toBe('');
      // Plain http only for localhost (AWS: "HTTPS over HTTP except for http://localhost"); app schemes allowed.
      if (parsed.protocol === 'http:') expect(parsed.hostname).toBe('localhost');
    }
  });

  it.each<[McpServerStackOptions, string]>([
    [
      { clients: ['vim'] },
      'client "vim" is not valid: use one or more of claude-code, vscode, cursor, gemini, codex, claude-desktop.',
    ],
    [{ extraCallbackUrls: ['javascript:alert(1)'] }, 'use https, http on localhost, or an app’s own scheme'],
    [{ extraCallbackUrls: [`https://x.example/${'a'.repeat(1100)}`] }, 'Cognito takes at most 1024 characters'],
    [
      { extraCallbackUrls: Array.from({ length: 98 }, (_, i) => `https://x.example/cb${i}`) },
      'Cognito registers at most 100 on an app client',
    ],
  ])('refuses %j', (options, message) => {
    expect(() => resolveStackOptions(options)).toThrow(message);
  });

  it('registers Codex once the server’s URL is known (its redirect URI holds a hash of it), and says it is pending before', () => {
    const first = resolveStackOptions({ clients: ['codex'] });
    expect(first.clients).toEqual(['claude-code']);
    expect(first.pendingClients).toEqual(['codex']);
    const url = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/mcp';
    const second = resolveStackOptions({ clients: ['codex'], deployedMcpUrls: [url] });
    expect(second.clients).toEqual(['claude-code', 'codex']);
    // base64url(SHA-256(url)[0..9]), as Codex 0.169.0 computes it (test/e2e/codex.test.ts checks the real binary).
    const id = createHash('sha256').update(url).digest().subarray(0, 9).toString('base64url');
    expect(second.callbackUrls).toContain(`http://localhost:31928/callback/${id}`);
  });

  it('accepts an app’s own scheme as a callback', () => {
    expect(resolveStackOptions({ extraCallbackUrls: ['myapp://oauth/callback'], clients: [] }).callbackUrls).toContain(
      'myapp://oauth/callback',
    );
  });
});

describe('settings and secrets for the server', () => {
  const withSettings = () =>
    synth({
      environment: { WEATHER_API_URL: 'https://weather.example', EMPTY: '' },
      secrets: {
        WEATHER_API_KEY: 'weather/api-key',
        WEATHER_TOKEN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:weather/json-AbCdEf#token',
        PARTIAL: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:partial',
        DB_URL: '/weather/db-url',
        PLAIN_PARAM: 'ssm:plain',
        BY_ARN: 'arn:aws:ssm:eu-west-1:123456789012:parameter/by/arn',
      },
    });
  const fnOf = (j: Record<string, any>) =>
    Object.values(j.Resources as Record<string, any>).find(
      (r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties?.Description).startsWith('MCP server'),
    ).Properties;

  it('gives settings as environment variables and secrets as references only', () => {
    const { json: j } = withSettings();
    const vars = fnOf(j).Environment.Variables;
    expect(vars.WEATHER_API_URL).toBe('https://weather.example');
    expect(vars.EMPTY).toBe('');
    expect(vars.WEATHER_API_KEY).toBeUndefined();
    expect(JSON.parse(vars.MCP_SECRETS)).toEqual([
      { key: 'WEATHER_API_KEY', kind: 'secretsmanager', id: 'weather/api-key' },
      {
        key: 'WEATHER_TOKEN',
        kind: 'secretsmanager',
        id: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:weather/json-AbCdEf',
        field: 'token',
      },
      { key: 'PARTIAL', kind: 'secretsmanager', id: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:partial' },
      { key: 'DB_URL', kind: 'ssm', id: '/weather/db-url' },
      { key: 'PLAIN_PARAM', kind: 'ssm', id: 'plain' },
      { key: 'BY_ARN', kind: 'ssm', id: 'arn:aws:ssm:eu-west-1:123456789012:parameter/by/arn' },
    ]);
    // mcp-lambda's own variables cannot be overridden by a setting.
    expect(vars.MCP_SERVER).toBe('dog-facts');
    expect(serverFunction().Environment.Variables.MCP_SECRETS).toBeUndefined();
  });

  it('lets the function read exactly those secrets and parameters, nothing else', () => {
    const { json: j } = withSettings();
    const roleId = fnOf(j).Role['Fn::GetAtt'][0];
    const statements = Object.values(j.Resources as Record<string, any>)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: any) => role.Ref === roleId))
      .flatMap((r) => r.Properties.PolicyDocument.Statement);
    const rendered = (action: string) =>
      statements
        .filter((statement: any) => statement.Action === action)
        .flatMap((statement: any) => [statement.Resource].flat().map((resource: unknown) => render(resource)));
    // A name matches its secret's ARN with AWS's random six-character suffix; a full ARN is taken as it is.
    expect(rendered('secretsmanager:GetSecretValue').sort()).toEqual([
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:partial-??????',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:weather/json-AbCdEf',
      `arn:aws:secretsmanager:${FAKE.region}:<AWS::AccountId>:secret:weather/api-key-??????`,
    ]);
    expect(rendered('ssm:GetParameter').sort()).toEqual([
      'arn:aws:ssm:eu-west-1:123456789012:parameter/by/arn',
      `arn:aws:ssm:${FAKE.region}:<AWS::AccountId>:parameter/plain`,
      `arn:aws:ssm:${FAKE.region}:<AWS::AccountId>:parameter/weather/db-url`,
    ]);
    // Besides the secrets named, only its logs and its requestState key (DescribeSecret comes with reading that).
    expect([...new Set(statements.map((statement: any) => statement.Action).flat())].sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'ssm:GetParameter',
    ]);
  });

  it('records them in an output a later deploy keeps, with references and never a value', () => {
    const { json: j } = withSettings();
    expect(JSON.parse(j.Outputs[OUTPUTS.serverSettings].Value)).toEqual({
      env: { WEATHER_API_URL: 'https://weather.example', EMPTY: '' },
      secrets: {
        WEATHER_API_KEY: 'weather/api-key',
        WEATHER_TOKEN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:weather/json-AbCdEf#token',
        PARTIAL: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:partial',
        DB_URL: '/weather/db-url',
        PLAIN_PARAM: 'ssm:plain',
        BY_ARN: 'arn:aws:ssm:eu-west-1:123456789012:parameter/by/arn',
      },
    });
    expect(json.Outputs[OUTPUTS.serverSettings]).toBeUndefined();
  });

  it.each<[McpServerStackOptions, string]>([
    [{ environment: { AWS_REGION: 'x' } }, 'setting "AWS_REGION" is not valid: names starting with AWS_ are reserved'],
    [{ environment: { MCP_SERVER: 'x' } }, 'names starting with MCP_ are reserved'],
    [{ environment: { _HANDLER: 'x' } }, 'names starting with _ are reserved'],
    [{ environment: { NODE_OPTIONS: '--inspect' } }, 'NODE_OPTIONS is reserved'],
    [{ environment: { '1ABC': 'x' } }, 'a variable name has letters, digits and _'],
    [{ environment: { 'A-B': 'x' } }, 'setting "A-B" is not valid'],
    [{ secrets: { KEY: 'arn:aws:s3:::bucket/key' } }, 'use a Secrets Manager secret ARN or an SSM parameter ARN'],
    [{ secrets: { KEY: 'has space' } }, 'a Secrets Manager name has letters, digits'],
    [{ secrets: { KEY: '/a//b' } }, 'an SSM parameter name has letters'],
    [{ secrets: { KEY: '/param#field' } }, '#field picks a field of a Secrets Manager secret'],
    [{ secrets: { KEY: 'name#' } }, 'nothing follows #'],
    [{ secrets: { AWS_SECRET_ACCESS_KEY: 'x' } }, 'secret name "AWS_SECRET_ACCESS_KEY" is not valid'],
    [{ environment: { KEY: 'plain' }, secrets: { KEY: 'name' } }, 'it is also given as a plain setting'],
  ])('refuses %j', (options, message) => {
    expect(() => resolveStackOptions(options)).toThrow(StackPropsError);
    expect(() => resolveStackOptions(options)).toThrow(message);
  });

  it("keeps within Lambda's 4 KB of environment", () => {
    expect(() => resolveStackOptions({ environment: { BIG: 'x'.repeat(3100) } })).toThrow(
      'keep settings under 3072 bytes (put large values in a secret or a file)',
    );
  });

  it('passes cdk-nag with the secret policy and nothing more acknowledged than without it', () => {
    const acknowledged = nagAcknowledged({ secrets: { WEATHER_API_KEY: 'weather/api-key', DB_URL: '/weather/db-url' } });
    expect(acknowledged.map((rule) => rule.id).sort()).toEqual(
      nagAcknowledged()
        .map((rule) => rule.id)
        .sort(),
    );
  });
});

describe('several servers (deploy --entry a --entry b)', () => {
  const several = synth({ serverName: 'team', servers: [{ name: 'notes' }, { name: 'weather', builtinServer: 'dog-facts' }] });
  const all = (type: string) => Object.entries(several.json.Resources as Record<string, any>).filter(([, r]) => r.Type === type);
  const api = all('AWS::ApiGateway::RestApi')[0]![0];
  const BASE = `https://<${api}>.execute-api.${FAKE.region}.${FAKE.urlSuffix}/prod`;
  const ALL = `${BASE}/all-servers`;
  const scopeOf = (name: string) => `${BASE}/${name}/mcp/${name}`;
  const pathOf = (resourceId: any): string =>
    resourceId.Ref === undefined
      ? ''
      : `${pathOf(several.json.Resources[resourceId.Ref].Properties.ParentId)}/${several.json.Resources[resourceId.Ref].Properties.PathPart}`;
  const methods = all('AWS::ApiGateway::Method').map(([, r]) => ({ path: pathOf(r.Properties.ResourceId), ...r.Properties }));

  it('gives each server a function of its own, with its own scope and resource and the API-wide ones', () => {
    const functions = all('AWS::Lambda::Function').filter(([, r]) => String(r.Properties.Description).startsWith('MCP server'));
    expect(functions.map(([, r]) => r.Properties.Description).sort()).toEqual([
      'MCP server notes (mcp-lambda)',
      'MCP server weather (mcp-lambda)',
    ]);
    for (const name of ['notes', 'weather']) {
      const [, fn] = functions.find(([, r]) => r.Properties.Description === `MCP server ${name} (mcp-lambda)`)!;
      const env = Object.fromEntries(
        Object.entries(fn.Properties.Environment.Variables as Record<string, unknown>).map(([key, value]) => [
          key,
          render(value),
        ]),
      );
      expect(env).toMatchObject({
        MCP_SERVER: 'dog-facts',
        MCP_RESOURCE: `${BASE}/${name}/mcp`,
        MCP_API_RESOURCE: BASE,
        // Behind the authorizer: a request without its claims is refused, not served without identity.
        MCP_REQUIRE_CLAIMS: 'true',
      });
      // Scopes read `<Ref of the resource server>/<name>`: the Ref renders as the resource server's logical id.
      expect(env.MCP_REQUIRED_SCOPE).toMatch(new RegExp(`/${name}$`));
      expect(env.MCP_API_SCOPE).toMatch(/\/all-servers$/);
    }
    // One requestState key each: a state minted by one server is no good at another.
    expect(all('AWS::SecretsManager::Secret').filter(([, r]) => /requestState/.test(r.Properties.Description))).toHaveLength(2);
  });

  it('names a resource server per server by its URL, and one for the whole API; both clients may ask for every scope', () => {
    const servers = all('AWS::Cognito::UserPoolResourceServer').map(([, r]) => ({
      identifier: render(r.Properties.Identifier),
      name: r.Properties.Name,
      scopes: r.Properties.Scopes.map((scope: { ScopeName: string }) => scope.ScopeName),
    }));
    expect(servers).toEqual([
      { identifier: BASE, name: 'team MCP servers, all of them', scopes: ['all-servers'] },
      { identifier: `${BASE}/notes/mcp`, name: 'notes MCP server', scopes: ['notes'] },
      { identifier: `${BASE}/weather/mcp`, name: 'weather MCP server', scopes: ['weather'] },
    ]);
    const ids = Object.fromEntries(
      all('AWS::Cognito::UserPoolResourceServer').map(([id, r]) => [id, render(r.Properties.Identifier)]),
    );
    for (const [, client] of all('AWS::Cognito::UserPoolClient')) {
      const scopes = client.Properties.AllowedOAuthScopes.map((scope: unknown) => render(scope, ids));
      expect(scopes).toEqual(expect.arrayContaining([ALL, scopeOf('notes'), scopeOf('weather')]));
    }
    // The pre-token trigger adds them all to a password sign-in: one `mcp-lambda login` for every server.
    const trigger = all('AWS::Lambda::Function').find(([, r]) => r.Properties.Code.ZipFile === PRE_TOKEN_TRIGGER_SOURCE)!;
    const added = render(trigger[1].Properties.Environment.Variables.MCP_SCOPE, ids).split(' ');
    expect(added).toEqual([ALL, scopeOf('notes'), scopeOf('weather')]);
  });

  it('routes /<name>/mcp to each function behind the authorizer, which takes its scope or the API-wide one', () => {
    const ids = Object.fromEntries(
      all('AWS::Cognito::UserPoolResourceServer').map(([id, r]) => [id, render(r.Properties.Identifier)]),
    );
    const any = methods.filter((m) => m.HttpMethod === 'ANY');
    expect(any.map((m) => m.path).sort()).toEqual(['/notes/mcp', '/weather/mcp']);
    for (const method of any) {
      const name = method.path.split('/')[1]!;
      expect(method.AuthorizationType).toBe('COGNITO_USER_POOLS');
      expect(method.AuthorizationScopes.map((scope: unknown) => render(scope, ids))).toEqual([scopeOf(name), ALL]);
      const fnId = JSON.stringify(method.Integration.Uri).match(
        /"(ServerNotes|ServerWeather)[A-Za-z0-9]*Function[A-F0-9]{8}"/,
      )?.[1];
      expect(fnId?.toLowerCase()).toBe(`server${name}`);
    }
    expect(all('AWS::ApiGateway::Authorizer')).toHaveLength(1);
  });

  it("serves each server's metadata at its well-known path, the API's at the root one, and the challenge names the API's", () => {
    const ids = Object.fromEntries(
      all('AWS::Cognito::UserPoolResourceServer').map(([id, r]) => [id, render(r.Properties.Identifier)]),
    );
    const documents = Object.fromEntries(
      methods
        .filter((m) => m.HttpMethod === 'GET')
        .map((m) => [
          m.path,
          JSON.parse(render(m.Integration.IntegrationResponses[0].ResponseTemplates['application/json'], ids)),
        ]),
    );
    const issuer = `https://cognito-idp.${FAKE.region}.${FAKE.urlSuffix}/<${all('AWS::Cognito::UserPool')[0]![0]}>`;
    expect(documents).toEqual({
      '/.well-known/oauth-protected-resource': {
        resource: BASE,
        authorization_servers: [issuer],
        scopes_supported: [ALL],
        bearer_methods_supported: ['header'],
        resource_name: 'team MCP servers (notes, weather)',
      },
      '/.well-known/oauth-protected-resource/notes/mcp': {
        resource: `${BASE}/notes/mcp`,
        authorization_servers: [issuer],
        scopes_supported: [scopeOf('notes')],
        bearer_methods_supported: ['header'],
        resource_name: 'notes MCP server',
      },
      '/.well-known/oauth-protected-resource/weather/mcp': {
        resource: `${BASE}/weather/mcp`,
        authorization_servers: [issuer],
        scopes_supported: [scopeOf('weather')],
        bearer_methods_supported: ['header'],
        resource_name: 'weather MCP server',
      },
    });
    const unauthorized = all('AWS::ApiGateway::GatewayResponse').find(([, r]) => r.Properties.ResponseType === 'UNAUTHORIZED')!;
    expect(render(unauthorized[1].Properties.ResponseParameters['gatewayresponse.header.WWW-Authenticate'], ids)).toBe(
      `'Bearer resource_metadata="${BASE}/.well-known/oauth-protected-resource", scope="${ALL}"'`,
    );
  });

  it('lists the servers in an output, and the first one as McpServerUrl', () => {
    const ids = Object.fromEntries(
      all('AWS::Cognito::UserPoolResourceServer').map(([id, r]) => [id, render(r.Properties.Identifier)]),
    );
    const out = (name: string) => render(several.json.Outputs[name].Value, ids);
    expect(JSON.parse(out(OUTPUTS.servers))).toEqual(
      ['notes', 'weather'].map((name) => ({
        name,
        url: `${BASE}/${name}/mcp`,
        scope: scopeOf(name),
        metadataUrl: `${BASE}/.well-known/oauth-protected-resource/${name}/mcp`,
      })),
    );
    expect(out(OUTPUTS.mcpServerUrl)).toBe(`${BASE}/notes/mcp`);
    expect(out(OUTPUTS.serverCode)).toBe('entry');
    expect(out(OUTPUTS.scope)).toBe(ALL);
    expect(out(OUTPUTS.oauthMetadataUrl)).toBe(`${BASE}/.well-known/oauth-protected-resource`);
  });

  it('puts every URL on a domain of your own', () => {
    const { json: onDomain } = synth({
      serverName: 'team',
      servers: [{ name: 'notes' }, { name: 'weather' }],
      domain: { name: 'mcp.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' },
    });
    const servers = JSON.parse(
      render(onDomain.Outputs[OUTPUTS.servers].Value, {}).replace(/<[^>]+>/g, 'https://mcp.example.com'),
    );
    expect(servers.map((server: { url: string }) => server.url)).toEqual([
      'https://mcp.example.com/notes/mcp',
      'https://mcp.example.com/weather/mcp',
    ]);
  });

  it('refuses one server, more than ten, a name twice, a bad name, and a bundle for the stack as well', () => {
    const refused = (options: McpServerStackOptions, message: RegExp) => {
      expect(() => resolveStackOptions(options)).toThrow(StackPropsError);
      expect(() => resolveStackOptions(options)).toThrow(message);
    };
    refused({ servers: [{ name: 'notes' }] }, /from 2 to 10 servers/);
    refused({ servers: Array.from({ length: 11 }, (_, i) => ({ name: `s${i}` })) }, /from 2 to 10 servers/);
    refused({ servers: [{ name: 'notes' }, { name: 'notes' }] }, /a name of its own/);
    refused({ servers: [{ name: 'notes' }, { name: 'Weather!' }] }, /server name "Weather!"/);
    refused({ servers: [{ name: 'notes' }, { name: 'weather' }], lambdaBundleDir: '/tmp/x' }, /each names its own bundle/);
  });

  it('gives every server the settings, the secrets (and the right to read them) and the timeout', () => {
    const { json: j } = synth({
      serverName: 'team',
      servers: [{ name: 'notes' }, { name: 'weather' }],
      environment: { REGION_NAME: 'eu' },
      secrets: { API_KEY: 'team/api-key' },
      timeoutSeconds: 120,
    });
    const fns = Object.entries(j.Resources as Record<string, any>).filter(
      ([, r]) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).startsWith('MCP server'),
    );
    expect(fns).toHaveLength(2);
    for (const [, fn] of fns) {
      expect(fn.Properties.Timeout).toBe(120);
      expect(fn.Properties.Environment.Variables).toMatchObject({ REGION_NAME: 'eu', MCP_TIMEOUT_SECONDS: '120' });
      expect(fn.Properties.Environment.Variables.MCP_SECRETS).toContain('team/api-key');
      const roleId = fn.Properties.Role['Fn::GetAtt'][0];
      const reads = Object.values(j.Resources as Record<string, any>)
        .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((role: any) => role.Ref === roleId))
        .flatMap((r) => r.Properties.PolicyDocument.Statement)
        .filter((statement: any) => statement.Action === 'secretsmanager:GetSecretValue')
        .flatMap((statement: any) => [statement.Resource].flat().map((resource: unknown) => render(resource)));
      expect(reads).toEqual([`arn:aws:secretsmanager:${FAKE.region}:<AWS::AccountId>:secret:team/api-key-??????`]);
    }
    // Each route streams.
    const streamed = Object.values(j.Resources as Record<string, any>).filter(
      (r) => r.Type === 'AWS::ApiGateway::Method' && r.Properties.Integration?.ResponseTransferMode === 'STREAM',
    );
    expect(streamed).toHaveLength(2);
  });

  it('passes cdk-nag and the CloudFormation validation', () => {
    const options = { serverName: 'team', servers: [{ name: 'notes' }, { name: 'weather' }] };
    nagAcknowledged(options);
    const { app } = buildApp({ ...options, outdir: outdir(), validate: true });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('two stacks in one account and region', () => {
  it('synthesize side by side without a name collision', () => {
    const app = new App({ outdir: outdir() });
    const a = new McpServerStack(app, 'mcp-dog', { serverName: 'dog-facts' });
    const b = new McpServerStack(app, 'mcp-cat', { serverName: 'cat-facts' });
    const assembly = app.synth();
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(['mcp-cat', 'mcp-dog']);
    const names = (stack: McpServerStack) => {
      const found: string[] = [];
      const all = Template.fromStack(stack).toJSON().Resources as Record<string, any>;
      // Each stack's resources get ids of their own once deployed (the MCP URL holds the API's id).
      const ids = Object.fromEntries(Object.keys(all).map((id) => [id, `<${stack.stackName}/${id}>`]));
      for (const resource of Object.values(all)) {
        // Physical names that must be unique in an account and region (or, for the domain, globally).
        if (['AWS::Lambda::Permission', 'AWS::IAM::Policy', 'AWS::ApiGateway::Stage'].includes(resource.Type)) continue;
        for (const [key, value] of Object.entries(resource.Properties ?? {})) {
          if (/^(Domain|Name|LogGroupName|FunctionName|RoleName|UserPoolName|ClientName|Identifier)$/.test(key)) {
            found.push(`${resource.Type}.${key}=${render(value, ids)}`);
          }
        }
      }
      return found;
    };
    const shared = names(a).filter((name) => names(b).includes(name));
    expect(shared).toEqual([]);
  });
});

describe('checks', () => {
  it('passes cdk-nag AwsSolutions with every finding acknowledged for a reason', () => {
    const acknowledged = nagAcknowledged();
    expect(acknowledged.map((rule) => rule.id).sort()).toEqual(
      expect.arrayContaining([
        'AwsSolutions::AwsSolutions-APIG2',
        'AwsSolutions::AwsSolutions-COG8',
        'AwsSolutions::AwsSolutions-SMG4',
      ]),
    );
    for (const rule of acknowledged) expect(rule.reason.length, rule.id).toBeGreaterThan(60);
    // And with the machine client, whose secret Secrets Manager cannot rotate (acknowledged for it).
    const machine = nagAcknowledged({ machineClient: true });
    expect(machine.filter((rule) => rule.id === 'AwsSolutions::AwsSolutions-SMG4')).toHaveLength(2);
  });

  it("passes aws-cdk-lib's built-in CloudFormation validation", () => {
    const { app } = buildApp({ outdir: outdir(), validate: true });
    expect(() => app.synth()).not.toThrow();
  });
});
