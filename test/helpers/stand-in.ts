/**
 * A local stand-in of the deployed chain, built from the stack's own synthesized template: an https
 * "API Gateway" on 127.0.0.1 that applies the template's rules — the stage prefix, the Cognito
 * authorizer with the method's scopes, the gateway responses (status, quoted static headers, body), the
 * RFC 9728 metadata of the mock integrations, 403 "Missing Authentication Token" for every other path,
 * and the renaming of a Lambda's WWW-Authenticate — in front of the real Lambda handler with the
 * function's own environment; a {@link startFakeCognito} with the template's clients, callbacks and
 * resource server; and a fake Dog API.
 *
 * What it cannot stand in for: the real services' limits, latency and error pages, and anything the
 * template does not say (the REST authorizer's exact claim rendering is taken from AWS's docs).
 */
import { verify } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { eventFromRequest } from '../../src/cli/dev/server.js';
import { createLambdaApp } from '../../src/lambda/app.js';
import { type BundleProcess, forkBundle } from './bundle-process.js';
import type { RequestLogRecord } from '../../src/lambda/services/log.js';
import { buildApp, type McpServerStackOptions } from '../../src/stack/index.js';
import { type FakeCognito, startFakeCognito } from './fake-cognito.js';
import { type FakeDogApi, startFakeDogApi } from './fake-dog-api.js';
import { FAKE, render } from './render.js';
import { testCertificate } from './tls.js';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

export interface GatewayRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

export interface StandIn {
  /** The stack outputs as a deployment in the stand-in would have them. */
  readonly outputs: Record<string, string>;
  /** `https://127.0.0.1:<port>` (the execute-api origin). */
  readonly gatewayOrigin: string;
  readonly mcpUrl: string;
  readonly cognito: FakeCognito;
  readonly dogApi: FakeDogApi;
  /** What reached the gateway, in order. */
  readonly requests: GatewayRequest[];
  /** The Lambda's log lines. */
  readonly logs: RequestLogRecord[];
  close(): Promise<void>;
}

export interface StandInOptions {
  readonly stack?: McpServerStackOptions;
  /** Access-token life at the fake Cognito. */
  readonly accessTokenSeconds?: number;
  /**
   * Serve the route from the stack's `lambdaBundleDir` (a `--stdio` or `--entry` bundle), run in a process
   * of its own with the function's environment, instead of this repository's handler in this process.
   */
  readonly bundleProcess?: boolean;
}

const API_ID = 'local0api';
const POOL_ID = `${FAKE.region}_Local`;
const INTERACTIVE_CLIENT = 'interactive0client';
const AUTOMATED_CLIENT = 'automated0client';
const DOMAIN = 'mcp-local-domain';

/** How a REST API Cognito authorizer renders `exp`/`iat` for the Lambda ("Tue Nov 24 03:55:28 UTC 2026"). */
function restDate(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const [day, month, date, year] = d.toUTCString().replace(',', '').split(' ');
  return `${day} ${month} ${date} ${d.toISOString().slice(11, 19)} UTC ${year}`;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startStandIn(options: StandInOptions = {}): Promise<StandIn> {
  const { stack } = buildApp({ ...options.stack, outdir: mkdtempSync(join(tmpdir(), 'mcp-lambda-standin-')) });
  const json = Template.fromStack(stack).toJSON() as { Resources: Resources; Outputs: Record<string, { Value: unknown }> };
  const resources = json.Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const clientId = (name: string) =>
    ofType('AWS::Cognito::UserPoolClient').find(([, r]) => r.Properties.ClientName === name)?.[0];
  const refs: Record<string, string> = {
    [ofType('AWS::ApiGateway::RestApi')[0]![0]]: API_ID,
    [ofType('AWS::Cognito::UserPool')[0]![0]]: POOL_ID,
    [ofType('AWS::Cognito::UserPoolDomain')[0]![0]]: DOMAIN,
    [clientId(`${stack.options.serverName}-interactive`)!]: INTERACTIVE_CLIENT,
  };
  // The machine client exists only with `machineClient` (deploy --machine-client).
  const automated = clientId(`${stack.options.serverName}-automated`);
  if (automated !== undefined) refs[automated] = AUTOMATED_CLIENT;

  const tls = testCertificate();
  const requests: GatewayRequest[] = [];
  const logs: RequestLogRecord[] = [];
  let onRequest: (req: IncomingMessage, res: ServerResponse) => Promise<void> = async () => {};
  const gateway = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    onRequest(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end('{"message":"Internal server error"}');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  const gatewayOrigin = `https://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  const dogApi = await startFakeDogApi();

  // Cognito needs the template's clients and resource server, whose URLs need Cognito's origin: render
  // once to learn them, start Cognito, then render everything with both origins in place.
  const renderWith = (cognitoOrigin: string) => (value: unknown) =>
    render(value, refs)
      .replaceAll(`https://${API_ID}.execute-api.${FAKE.region}.${FAKE.urlSuffix}`, gatewayOrigin)
      .replaceAll(`https://cognito-idp.${FAKE.region}.${FAKE.urlSuffix}`, cognitoOrigin)
      .replaceAll(`https://${DOMAIN}.auth.${FAKE.region}.amazoncognito.com`, cognitoOrigin);
  const clientOf = (id: string, r: (v: unknown) => string) => {
    const [, client] = ofType('AWS::Cognito::UserPoolClient').find(([logicalId]) => refs[logicalId] === id)!;
    return {
      clientId: id,
      callbackUrls: (client.Properties.CallbackURLs ?? []).map(r),
      allowedScopes: (client.Properties.AllowedOAuthScopes ?? []).map((scope: unknown) => {
        // A scope references its resource server by Ref (the identifier) and appends "/<name>".
        const rendered = render(scope, { ...refs, ...serverIdentifiers(r) });
        return r(rendered);
      }),
    };
  };
  const serverIdentifiers = (r: (v: unknown) => string) =>
    Object.fromEntries(ofType('AWS::Cognito::UserPoolResourceServer').map(([id, rs]) => [id, r(rs.Properties.Identifier)]));

  const placeholder = renderWith('https://cognito.invalid');
  const firstPass = ofType('AWS::Cognito::UserPoolResourceServer').map(([, rs]) => ({
    identifier: placeholder(rs.Properties.Identifier),
    scopes: rs.Properties.Scopes.map((s: { ScopeName: string }) => `${placeholder(rs.Properties.Identifier)}/${s.ScopeName}`),
  }));
  const cognito = await startFakeCognito({
    poolId: POOL_ID,
    clients: [INTERACTIVE_CLIENT, ...(automated === undefined ? [] : [AUTOMATED_CLIENT])].map((id) => clientOf(id, placeholder)),
    resourceServers: firstPass,
    ...(options.accessTokenSeconds !== undefined && { accessTokenSeconds: options.accessTokenSeconds }),
  });
  const r = renderWith(cognito.origin);

  const outputs = Object.fromEntries(Object.entries(json.Outputs).map(([name, output]) => [name, r(output.Value)]));
  outputs.Region = FAKE.region;

  // The gateway's rules, read from the template.
  const stage = ofType('AWS::ApiGateway::Stage')[0]![1].Properties.StageName as string;
  const rootId = `${ofType('AWS::ApiGateway::RestApi')[0]![0]}.RootResourceId`;
  const pathOf = (resourceId: unknown): string => {
    if (typeof resourceId === 'object' && resourceId !== null && 'Fn::GetAtt' in resourceId) {
      if ((resourceId['Fn::GetAtt'] as string[]).join('.') === rootId) return '';
    }
    const id = (resourceId as { Ref: string }).Ref;
    const resource = resources[id]!;
    return `${pathOf(resource.Properties.ParentId)}/${resource.Properties.PathPart}`;
  };
  const methods: Array<Record<string, any> & { path: string }> = ofType('AWS::ApiGateway::Method').map(([, m]) => ({
    path: pathOf(m.Properties.ResourceId),
    ...m.Properties,
  }));
  // Each MCP route (one at /mcp, or /<name>/mcp for each of several servers) and the function behind it.
  const functions = ofType('AWS::Lambda::Function').filter(([, f]) => String(f.Properties.Description).startsWith('MCP server'));
  const bundles: BundleProcess[] = [];
  const routes = await Promise.all(
    methods
      .filter((m) => m.HttpMethod === 'ANY')
      .map(async (method) => {
        const uri = JSON.stringify(method.Integration.Uri);
        const [, fn] = functions.find(([id]) => uri.includes(`"${id}"`))!;
        const env = Object.fromEntries(
          Object.entries(fn.Properties.Environment.Variables as Record<string, unknown>).map(([name, value]) => [name, r(value)]),
        );
        return {
          path: method.path,
          scopes: (method.AuthorizationScopes ?? []).map(r) as string[],
          lambda:
            options.bundleProcess && options.stack?.lambdaBundleDir
              ? await forkBundle(options.stack.lambdaBundleDir, env, (record) => logs.push(record)).then((bundle) => {
                  bundles.push(bundle);
                  return bundle;
                })
              : createLambdaApp({ ...env, DOG_API_BASE_URL: dogApi.baseUrl }, (record) => logs.push(record)),
        };
      }),
  );
  const gatewayResponses = Object.fromEntries(
    ofType('AWS::ApiGateway::GatewayResponse').map(([, g]) => [
      g.Properties.ResponseType as string,
      {
        status: Number(g.Properties.StatusCode),
        headers: Object.fromEntries(
          Object.entries(g.Properties.ResponseParameters as Record<string, unknown>).map(([name, value]) => {
            const quoted = r(value);
            if (!/^'.*'$/.test(quoted))
              throw new Error(`gateway response header ${name} is not a quoted static value: ${quoted}`);
            return [name.replace('gatewayresponse.header.', ''), quoted.slice(1, -1)];
          }),
        ),
        body: r((g.Properties.ResponseTemplates as Record<string, unknown>)['application/json']),
      },
    ]),
  );
  const mocks = methods
    .filter((m) => m.HttpMethod === 'GET' && m.Integration?.Type === 'MOCK')
    .map((m) => ({ path: m.path, body: r(m.Integration.IntegrationResponses[0].ResponseTemplates['application/json']) }));

  const gatewayResponse = (res: ServerResponse, type: string, message: string) => {
    const response = gatewayResponses[type];
    if (!response) {
      res.writeHead(type === 'UNAUTHORIZED' ? 401 : 403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message }));
      return;
    }
    res.writeHead(response.status, { 'content-type': 'application/json', ...response.headers });
    res.end(response.body.replace('$context.error.messageString', JSON.stringify(message)));
  };

  /** The Cognito authorizer: signature, issuer, expiry, access token, one of the method's scopes. */
  const authorize = (header: string | undefined, authorizerScopes: readonly string[]): Record<string, string> | undefined => {
    const token = header?.replace(/^Bearer\s+/i, '') ?? '';
    const [head, body, signature] = token.split('.');
    if (!head || !body || !signature) return undefined;
    if (!verify('sha256', Buffer.from(`${head}.${body}`), cognito.publicKey, Buffer.from(signature, 'base64url')))
      return undefined;
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (claims.iss !== cognito.issuer || typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return undefined;
    if (claims.token_use !== 'access') return undefined;
    const scopes = String(claims.scope ?? '').split(' ');
    if (!authorizerScopes.some((scope) => scopes.includes(scope))) return undefined;
    return Object.fromEntries(
      Object.entries(claims).map(([name, value]) => [
        name,
        name === 'exp' || name === 'iat' || name === 'auth_time'
          ? restDate(value as number)
          : Array.isArray(value)
            ? `[${value.join(', ')}]` // a list claim, as a REST authorizer renders it (Java's List.toString)
            : String(value),
      ]),
    );
  };

  onRequest = async (req, res) => {
    const url = new URL(req.url ?? '/', gatewayOrigin);
    const method = req.method ?? 'GET';
    res.on('finish', () => requests.push({ method, path: url.pathname, status: res.statusCode }));
    const body = await readBody(req);
    const prefix = `/${stage}`;
    const path = url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : undefined;

    const mock = mocks.find((m) => m.path === path);
    if (mock && method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      res.end(mock.body);
      return;
    }
    const route = routes.find((candidate) => candidate.path === path);
    if (!route || method === 'OPTIONS') {
      res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'MissingAuthenticationTokenException' });
      res.end('{"message":"Missing Authentication Token"}');
      return;
    }
    const claims = authorize(req.headers.authorization, route.scopes);
    if (!claims) return gatewayResponse(res, 'UNAUTHORIZED', 'Unauthorized');

    const event = eventFromRequest(req, body, new URL(route.path, gatewayOrigin));
    const result = await route.lambda.handler({
      ...event,
      requestContext: { ...event.requestContext, stage, path: url.pathname, authorizer: { claims } },
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(result.headers ?? {})) {
      // API Gateway renames a WWW-Authenticate the integration sends.
      headers[name.toLowerCase() === 'www-authenticate' ? 'x-amzn-remapped-www-authenticate' : name] = String(value);
    }
    res.writeHead(result.statusCode, headers);
    res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
  };

  return {
    outputs,
    gatewayOrigin,
    mcpUrl: outputs.McpServerUrl!,
    cognito,
    dogApi,
    requests,
    logs,
    close: async () => {
      await new Promise<void>((resolve) => {
        gateway.close(() => resolve());
        gateway.closeAllConnections();
      });
      await cognito.close();
      await dogApi.close();
      await Promise.all(bundles.map((bundle) => bundle.close()));
    },
  };
}
