/**
 * `mcp-lambda tools` and `call`: against `mcp-lambda dev` (--url) with a fake Dog API that can fail, and
 * against the stand-in of the deployed chain with a stored sign-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveTokens } from '../../../src/cli/auth/token-store.js';
import { parseArguments, serverUrlOf } from '../../../src/cli/commands/call.js';
import type { StoredTokens } from '../../../src/cli/auth/token-store.js';
import { claudeHome } from '../../helpers/claude-code.js';
import { type FakeDogApi, startFakeDogApi } from '../../helpers/fake-dog-api.js';
import { type RunningCli, runCli, startCli } from '../../helpers/run-cli.js';
import { type StandIn, startStandIn } from '../../helpers/stand-in.js';

let dogApi: FakeDogApi;
let dev: RunningCli;
let url: string;

beforeAll(async () => {
  dogApi = await startFakeDogApi();
  // With the slow demo: its required argument shows how `tools` prints one.
  dev = startCli(['dev', '--port', '0', '--json', '--slow-demo'], { DOG_API_BASE_URL: dogApi.baseUrl });
  url = JSON.parse(await dev.waitForStdout('}\n')).url;
});
afterAll(async () => {
  dev.interrupt();
  await dev.exit;
  await dogApi.close();
});

describe('against dev (--url)', () => {
  it('lists the tools with their arguments', async () => {
    const result = await runCli(['tools', '--url', url]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`2 tools at ${url}:`);
    expect(result.stdout).toMatch(/getDogFacts {2}Get random facts about dogs/);
    expect(result.stdout).toMatch(/--arg limit=<integer> {2}How many facts to return/);
    expect(result.stdout).toMatch(/getDogFactsSlowly {2}Waits the given number of seconds/);
    expect(result.stdout).toMatch(/--arg seconds=<integer> \(required\) {2}How long to wait first/);
  });

  it('calls a tool and prints its text', async () => {
    const result = await runCli(['call', 'getDogFacts', '--url', url, '--arg', 'limit=2']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Here are 2 dog facts:');
  });

  it('prints the whole result with --json, arguments from --args-json', async () => {
    const result = await runCli(['call', 'getDogFacts', '--url', url, '--args-json', '{"limit": 1}', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).structuredContent.facts).toHaveLength(1);
  });

  it('exits 4 (a remote failure) when the tool answers with an error', async () => {
    dogApi.behave({ kind: 'status', status: 503 });
    try {
      const result = await runCli(['call', 'getDogFacts', '--url', url]);
      expect(result.code).toBe(4);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('getDogFacts answered with an error');
    } finally {
      dogApi.behave({ kind: 'ok' });
    }
  });

  it.each([
    [['call', 'noSuchTool'], 2, 'has no tool named noSuchTool'],
    [['call', 'getDogFacts', '--arg', 'limit'], 2, '--arg "limit" is not key=value.'],
    [['call', 'getDogFacts', '--args-json', '[1]'], 2, '--args-json must be a JSON object'],
    [['call', 'getDogFacts', '--args-json', '{nope'], 2, '--args-json is not JSON'],
    [['call', 'getDogFacts', '--arg', 'limit=99'], 4, 'answered with an error'],
  ])('refuses %j plainly', async (args, code, message) => {
    const result = await runCli([...args, '--url', url]);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
  });

  it.each([
    [['tools', '--url', 'ftp://x/mcp'], 'is not an http(s) URL'],
    [['tools', '--url', 'https://x.example/mcp', '--name', 'x'], 'either --url or --name'],
  ])('refuses %j', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('says when nothing answers there, and points at doctor', async () => {
    const result = await runCli(['tools', '--url', 'http://127.0.0.1:1/mcp']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('Could not connect to http://127.0.0.1:1/mcp');
    expect(result.stderr).toContain('mcp-lambda doctor');
  });

  it('reads --arg values as JSON when they parse, as text otherwise', () => {
    expect(parseArguments({ arg: ['n=3', 'b=true', 's=hello', 'q="3"', 'e=a=b'], argsJson: '{"n": 1, "x": [1]}' })).toEqual({
      n: 3,
      b: true,
      s: 'hello',
      q: '3',
      e: 'a=b',
      x: [1],
    });
  });
});

describe('against the deployed chain, with the stored sign-in', () => {
  let chain: StandIn;
  beforeAll(async () => {
    chain = await startStandIn();
  });
  afterAll(async () => {
    await chain.close();
  });

  it('uses the stored token', async () => {
    const where = claudeHome();
    await saveTokens(where.env, {
      stackName: 'mcp-lambda-dog-facts',
      region: 'eu-west-1',
      serverName: 'dog-facts',
      mcpServerUrl: chain.mcpUrl,
      clientId: chain.outputs.McpOAuthClientId!,
      username: 'dev@example.com',
      accessToken: chain.cognito.accessToken({ clientId: chain.outputs.McpOAuthClientId!, scope: chain.outputs.McpOAuthScope! }),
      expiresAt: Date.now() + 3_600_000,
      refreshToken: 'r',
    });
    const result = await runCli(['call', 'getDogFacts', '--arg', 'limit=1'], { HOME: where.home });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Here is a dog fact:');
    // Nothing deployed, nothing signed in: the path without AWS is named.
    const none = await runCli(['tools'], { HOME: claudeHome().home });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('Not signed in to any deployed server (mcp-lambda login signs in to one; it needs AWS).');
    expect(none.stderr).toContain(
      'Without AWS, use a local server: run mcp-lambda dev, then mcp-lambda tools --url http://127.0.0.1:8765/mcp',
    );
  });
});

describe('--server: which of a stack’s servers (from the stored sign-in)', () => {
  const base: StoredTokens = {
    stackName: 'mcp-lambda-team',
    region: 'eu-west-1',
    serverName: 'team',
    mcpServerUrl: 'https://x/prod/notes/mcp',
    clientId: 'c',
    username: 'u',
    accessToken: 'a',
    expiresAt: 0,
    refreshToken: 'r',
    servers: [
      { name: 'notes', url: 'https://x/prod/notes/mcp' },
      { name: 'weather', url: 'https://x/prod/weather/mcp' },
    ],
  };

  it('picks the named one, and asks for a name when there are several', () => {
    expect(serverUrlOf(base, 'weather')).toBe('https://x/prod/weather/mcp');
    expect(() => serverUrlOf(base, undefined)).toThrow('serves several servers (notes, weather); name one.');
    expect(() => serverUrlOf(base, 'mail')).toThrow('has no server named "mail"; it serves notes, weather.');
  });

  it('uses the one server of a stack without a list, and refuses another name', () => {
    const { servers: _servers, ...one } = base;
    expect(serverUrlOf({ ...one, serverName: 'dog-facts' }, undefined)).toBe(one.mcpServerUrl);
    expect(serverUrlOf({ ...one, serverName: 'dog-facts' }, 'dog-facts')).toBe(one.mcpServerUrl);
    expect(() => serverUrlOf({ ...one, serverName: 'dog-facts' }, 'notes')).toThrow('serves one server, dog-facts, not "notes".');
  });

  it.each([[{}], [[{ name: 'notes' }]], [[{ name: 'notes', url: 'not a url' }]], [[null]]])(
    'calls a damaged list (%j) damaged, with the fix',
    (servers) => {
      expect(() => serverUrlOf({ ...base, servers } as unknown as StoredTokens, 'notes')).toThrow(
        'The stored sign-in for mcp-lambda-team is damaged: run mcp-lambda login again.',
      );
    },
  );
});
