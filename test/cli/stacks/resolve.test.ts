import { describe, expect, it } from 'vitest';
import { parseOutputs } from '../../../src/cli/stacks/resolve.js';
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
