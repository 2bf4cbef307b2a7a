import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_ALLOWED_ORIGINS,
  DEFAULT_MAX_BODY_BYTES,
  isOriginAllowed,
  readConfig,
} from '../../../src/lambda/services/config.js';
import { realClock } from '../../../src/lambda/services/clock.js';
import { findServer } from '../../../src/lambda/servers/index.js';

describe('readConfig', () => {
  it('has safe defaults', () => {
    expect(readConfig({})).toEqual({
      serverName: 'dog-facts',
      serverLabel: 'dog-facts',
      perToolMetrics: false,
      maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
      maxBatch: 10,
      maxToolCalls: 3,
      allowedOrigins: DEFAULT_ALLOWED_ORIGINS,
      allowedClientIds: [],
      timeoutSeconds: 29,
      streaming: false,
      requireClaims: false,
    });
  });

  it("requires the authorizer's claims only when MCP_REQUIRE_CLAIMS=true (the stack sets it), and refuses other values", () => {
    expect(readConfig({ MCP_REQUIRE_CLAIMS: 'true' }).requireClaims).toBe(true);
    expect(readConfig({ MCP_REQUIRE_CLAIMS: 'false' }).requireClaims).toBe(false);
    expect(readConfig({ MCP_REQUIRE_CLAIMS: '' }).requireClaims).toBe(false);
    expect(() => readConfig({ MCP_REQUIRE_CLAIMS: 'yes' })).toThrow('MCP_REQUIRE_CLAIMS must be true or false, got "yes"');
  });

  it('names the server in the log and its metrics after MCP_SERVER_LABEL, and turns per-tool metrics on only with true', () => {
    expect(readConfig({ MCP_SERVER_LABEL: ' notes ' }).serverLabel).toBe('notes');
    expect(readConfig({ MCP_SERVER: 'dog-facts', MCP_SERVER_LABEL: '' }).serverLabel).toBe('dog-facts');
    expect(() => readConfig({ MCP_SERVER_LABEL: 'x'.repeat(129) })).toThrow('MCP_SERVER_LABEL must be at most 128 characters');
    expect(readConfig({ MCP_PER_TOOL_METRICS: 'true' }).perToolMetrics).toBe(true);
    expect(readConfig({ MCP_PER_TOOL_METRICS: 'false' }).perToolMetrics).toBe(false);
    expect(() => readConfig({ MCP_PER_TOOL_METRICS: 'on' })).toThrow('MCP_PER_TOOL_METRICS must be true or false, got "on"');
  });

  it('streams above 29 s and refuses a timeout outside 5-900 s', () => {
    expect(readConfig({ MCP_TIMEOUT_SECONDS: '29' })).toMatchObject({ timeoutSeconds: 29, streaming: false });
    expect(readConfig({ MCP_TIMEOUT_SECONDS: '30' })).toMatchObject({ timeoutSeconds: 30, streaming: true });
    expect(readConfig({ MCP_TIMEOUT_SECONDS: '900' })).toMatchObject({ timeoutSeconds: 900, streaming: true });
    for (const value of ['4', '901', '0', '-1', '1.5', 'soon', '1e3']) {
      expect(() => readConfig({ MCP_TIMEOUT_SECONDS: value })).toThrow(ConfigError);
    }
    expect(() => readConfig({ MCP_TIMEOUT_SECONDS: '901' })).toThrow(
      'MCP_TIMEOUT_SECONDS must be from 5 to 900 seconds, got "901"',
    );
  });

  it('reads lists with spaces and empty items', () => {
    const config = readConfig({
      MCP_ALLOWED_CLIENT_IDS: ' a, ,b ',
      MCP_ALLOWED_ORIGINS: 'https://x.example , *',
      MCP_REQUIRED_SCOPE: ' s/s ',
    });
    expect(config.allowedClientIds).toEqual(['a', 'b']);
    expect(config.allowedOrigins).toEqual(['https://x.example', '*']);
    expect(config.requiredScope).toBe('s/s');
  });

  it('reads the resource URL, and refuses one that is not a URL', () => {
    expect(readConfig({ MCP_RESOURCE: ' https://x.example/prod/mcp ' }).resource).toBe('https://x.example/prod/mcp');
    expect(readConfig({}).resource).toBeUndefined();
    expect(() => readConfig({ MCP_RESOURCE: 'mcp-dog-facts' })).toThrow(/MCP_RESOURCE must be the server's URL/);
  });

  it('reads the API-wide resource and scope of several servers: both or neither, and a URL', () => {
    const base = 'https://x.example/prod';
    expect(readConfig({ MCP_API_RESOURCE: base, MCP_API_SCOPE: `${base}/all-servers` }).apiWide).toEqual({
      resource: base,
      scope: `${base}/all-servers`,
    });
    expect(readConfig({}).apiWide).toBeUndefined();
    expect(() => readConfig({ MCP_API_RESOURCE: base })).toThrow(/go together/);
    expect(() => readConfig({ MCP_API_SCOPE: 'x' })).toThrow(/go together/);
    expect(() => readConfig({ MCP_API_RESOURCE: 'api', MCP_API_SCOPE: 'x' })).toThrow(/MCP_API_RESOURCE must be the API's URL/);
  });

  it.each([
    ['MCP_MAX_BATCH', 'messages'],
    ['MCP_MAX_TOOL_CALLS', 'tool calls'],
  ])('reads %s, and refuses a value that is not a positive whole number', (name, unit) => {
    expect(readConfig({ [name]: '7' })).toMatchObject(name === 'MCP_MAX_BATCH' ? { maxBatch: 7 } : { maxToolCalls: 7 });
    expect(() => readConfig({ [name]: '0' })).toThrow(`${name} must be a positive whole number of ${unit}, got "0"`);
  });

  it.each(['0', '-5', '1.5', 'lots', '1e400'])('refuses MCP_MAX_BODY_BYTES=%s', (value) => {
    expect(() => readConfig({ MCP_MAX_BODY_BYTES: value })).toThrow(ConfigError);
    expect(() => readConfig({ MCP_MAX_BODY_BYTES: value })).toThrow(`got "${value}"`);
  });

  it.each([
    ['not a URL', 'example.com', /not an origin/],
    ['a path', 'https://example.com/app', /no path/],
    ['a trailing slash', 'https://example.com/', /no path/],
  ])('refuses an allowed origin with %s', (_name, value, message) => {
    expect(() => readConfig({ MCP_ALLOWED_ORIGINS: value })).toThrow(message);
  });
});

describe('isOriginAllowed', () => {
  it.each([
    ['http://localhost:6274', DEFAULT_ALLOWED_ORIGINS, true],
    ['http://127.0.0.1:3000', DEFAULT_ALLOWED_ORIGINS, true],
    ['https://localhost:6274', DEFAULT_ALLOWED_ORIGINS, false],
    ['http://localhost.evil.example', DEFAULT_ALLOWED_ORIGINS, false],
    ['https://app.example.com', ['https://app.example.com'], true],
    ['https://app.example.com:8443', ['https://app.example.com'], false],
    ['null', DEFAULT_ALLOWED_ORIGINS, false],
    ['https://anything.example', ['*'], true],
    ['https://app.example.com/path', ['*'], false],
  ])('%s against %j → %s', (origin, patterns, allowed) => {
    expect(isOriginAllowed(origin, patterns)).toBe(allowed);
  });
});

describe('server registry', () => {
  it('finds dog-facts', () => {
    expect(findServer('dog-facts').name).toBe('dog-facts');
  });

  it.each(['cat-facts', '__proto__', 'toString'])('refuses %s and lists the built-in servers', (name) => {
    expect(() => findServer(name)).toThrow(ConfigError);
    expect(() => findServer(name)).toThrow(`Unknown MCP server "${name}" in MCP_SERVER. Built-in servers: dog-facts.`);
  });

  it.each(['0', '12001', 'soon'])('refuses DOG_API_TIMEOUT_MS=%s', (value) => {
    expect(() =>
      findServer('dog-facts').configure({ DOG_API_TIMEOUT_MS: value }, { clock: realClock, timeoutSeconds: 29 }),
    ).toThrow(/DOG_API_TIMEOUT_MS must be a whole number/);
  });
});
