import { describe, expect, it } from 'vitest';
import { oneServer, parseOutputs, serverViews, type StackOutputs } from '../../../src/cli/deployed/resolve.js';
import { OUTPUTS } from '../../helpers/fake-engine.js';

describe('parseOutputs (stack outputs from the cache or CloudFormation)', () => {
  it('reads the outputs the CLI needs', () => {
    expect(parseOutputs('s', 'eu-west-1', OUTPUTS)).toMatchObject({
      stackName: 's',
      region: 'eu-west-1',
      serverName: 'dog-facts',
      mcpServerUrl: OUTPUTS.McpServerUrl,
      clientId: 'client123',
      scope: OUTPUTS.McpOAuthScope,
      issuerUrl: OUTPUTS.IssuerUrl,
      callbackPort: 31927,
    });
  });

  it('accepts plain http only on this machine', () => {
    expect(parseOutputs('s', 'r', { ...OUTPUTS, McpServerUrl: 'http://127.0.0.1:8765/mcp' })).not.toBeInstanceOf(Array);
    expect(parseOutputs('s', 'r', { ...OUTPUTS, McpServerUrl: 'http://evil.example/mcp' })).toEqual([
      'McpServerUrl is not an https URL ("http://evil.example/mcp")',
    ]);
  });

  it('lists every missing or malformed output', () => {
    const { McpOAuthClientId: _drop, ...rest } = OUTPUTS;
    const { IssuerUrl: _issuer, ...withoutIssuer } = rest;
    expect(parseOutputs('s', 'r', { ...withoutIssuer, SignInUrl: 'not a url', CallbackPort: 'x', McpOAuthScope: ' ' })).toEqual([
      'SignInUrl is not an https URL ("not a url")',
      'McpOAuthClientId is missing',
      'McpOAuthScope is missing',
      'IssuerUrl is missing',
      'CallbackPort is not a port ("x")',
    ]);
    expect(parseOutputs('s', 'r', { ...OUTPUTS, IssuerUrl: 'http://cognito.example/pool' })).toEqual([
      'IssuerUrl is not an https URL ("http://cognito.example/pool")',
    ]);
  });
});

describe('several servers (the Servers output)', () => {
  const BASE = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod';
  const list = ['notes', 'weather'].map((name) => ({
    name,
    url: `${BASE}/${name}/mcp`,
    scope: `${BASE}/${name}/mcp/${name}`,
    metadataUrl: `${BASE}/.well-known/oauth-protected-resource/${name}/mcp`,
  }));
  const SEVERAL = {
    ...OUTPUTS,
    ServerName: 'team',
    McpServerUrl: list[0]!.url,
    McpOAuthScope: `${BASE}/all-servers`,
    OAuthMetadataUrl: `${BASE}/.well-known/oauth-protected-resource`,
    Servers: JSON.stringify(list),
  };
  const parsed = parseOutputs('mcp-lambda-team', 'eu-west-1', SEVERAL) as StackOutputs;

  it('reads each server and the API-wide resource and scope', () => {
    expect(parsed.servers).toEqual(list);
    expect(parsed.apiWide).toEqual({ resource: BASE, scope: `${BASE}/all-servers` });
    // One server: itself, and no API-wide grant.
    const one = parseOutputs('s', 'r', OUTPUTS) as StackOutputs;
    expect(one.servers).toEqual([
      { name: 'dog-facts', url: OUTPUTS.McpServerUrl, scope: OUTPUTS.McpOAuthScope, metadataUrl: '' },
    ]);
    expect(one.apiWide).toBeUndefined();
  });

  it('gives a view per server with its name and URL, keeping the API-wide scope clients ask for', () => {
    expect(serverViews(parsed).map((view) => [view.serverName, view.mcpServerUrl, view.scope])).toEqual([
      ['notes', list[0]!.url, `${BASE}/all-servers`],
      ['weather', list[1]!.url, `${BASE}/all-servers`],
    ]);
    expect(serverViews(parsed, 'weather').map((view) => view.serverName)).toEqual(['weather']);
    expect(oneServer(parsed, 'notes', 'call').mcpServerUrl).toBe(list[0]!.url);
    expect(() => oneServer(parsed, undefined, 'call')).toThrow('serves several servers (notes, weather); call talks to one.');
    expect(() => serverViews(parsed, 'mail')).toThrow('has no server named "mail"; it serves notes, weather.');
    // One server: --server may name it, and nothing else.
    const one = parseOutputs('s', 'r', OUTPUTS) as StackOutputs;
    expect(serverViews(one, 'dog-facts')).toEqual([one]);
    expect(() => serverViews(one, 'notes')).toThrow('has no server named "notes"; it serves dog-facts.');
  });

  it.each([
    ['not JSON', 'Servers is not JSON'],
    ['{}', 'Servers is not a list of servers'],
    ['[]', 'Servers is not a list of servers'],
    [JSON.stringify([{ ...list[0], url: 'http://evil.example/mcp' }]), 'Servers is not a list of servers'],
    [JSON.stringify([{ ...list[0], name: 'Bad Name' }]), 'Servers is not a list of servers'],
    [JSON.stringify([{ ...list[0], scope: '' }]), 'Servers is not a list of servers'],
  ])('refuses a Servers output of %s', (value, problem) => {
    const problems = parseOutputs('s', 'r', { ...SEVERAL, Servers: value });
    expect(Array.isArray(problems) && problems.join('; ')).toContain(problem);
  });

  it('refuses several servers whose metadata output is not the API’s', () => {
    expect(parseOutputs('s', 'r', { ...SEVERAL, OAuthMetadataUrl: list[0]!.metadataUrl })).toEqual([
      `OAuthMetadataUrl is not the API's metadata URL (${JSON.stringify(list[0]!.metadataUrl)})`,
    ]);
  });
});
