/**
 * The real Gemini CLI (@google/gemini-cli, pinned, installed from the npm registry into node_modules/.cache
 * on first run; offline, temp HOME) reads the settings `write-config --client gemini` writes: the server
 * is an http (Streamable HTTP) server, and Gemini asks for OAuth when the local stand-in answers 401 with
 * resource_metadata. What Gemini sends at sign-in (its redirect URI) is not driven here: `/mcp auth` runs
 * only in its interactive UI.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveStackRecord } from '../../src/cli/state/stack-state.js';
import { OUTPUTS } from '../helpers/fake-engine.js';
import { runCli } from '../helpers/run-cli.js';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const GEMINI = '@google/gemini-cli@0.61.0';
const cache = join(root, 'node_modules', '.cache', 'mcp-lambda-gemini');
const geminiBin = join(cache, 'node_modules', '.bin', 'gemini');

let server: Server;
let base = '';
let home = '';
const requests: string[] = [];

beforeAll(async () => {
  if (!existsSync(geminiBin)) {
    mkdirSync(cache, { recursive: true });
    writeFileSync(join(cache, 'package.json'), '{ "private": true }\n');
    await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', GEMINI], {
      cwd: cache,
      timeout: 300_000,
    });
  }
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.url?.startsWith('/.well-known/oauth-protected-resource')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          resource: `${base}/prod/mcp`,
          authorization_servers: [`${base}/issuer`],
          scopes_supported: [`${base}/prod/mcp/dog-facts`],
        }),
      );
      return;
    }
    res
      .writeHead(401, { 'www-authenticate': `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/prod/mcp"` })
      .end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  home = mkdtempSync(join(tmpdir(), 'mcp-lambda-gemini-'));
  await saveStackRecord(
    { HOME: home },
    {
      stackName: 'mcp-lambda-dog-facts',
      region: 'eu-west-1',
      savedAt: new Date().toISOString(),
      outputs: { ...OUTPUTS, McpServerUrl: `${base}/prod/mcp`, McpOAuthScope: `${base}/prod/mcp/dog-facts` },
    },
  );
  const written = await runCli(['write-config', '--client', 'gemini'], { HOME: home, AWS_REGION: 'eu-west-1' }, { cwd: home });
  expect(written.code, written.stderr).toBe(0);
  // This folder is a test's: trusted, so Gemini CLI connects to the user-level server.
  const file = join(home, '.gemini', 'settings.json');
  writeFileSync(
    file,
    JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), security: { folderTrust: { enabled: false } } }),
  );
}, 360_000);

afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
});

describe('the real Gemini CLI (0.61.0)', () => {
  it('reads the entry as a Streamable HTTP server and asks for OAuth sign-in against it', async () => {
    const { stdout, stderr } = await exec(process.execPath, [geminiBin, 'mcp', 'list'], {
      env: { PATH: process.env.PATH, HOME: home, NO_BROWSER: 'true' },
      cwd: home,
      timeout: 60_000,
    }).catch((error: { stdout: string; stderr: string }) => error);
    const output = `${stdout}${stderr}`;
    expect(output).toContain(`dog-facts: ${base}/prod/mcp (http)`);
    expect(output).toContain("MCP server 'dog-facts' requires authentication using: /mcp auth dog-facts");
    expect(requests).toContain('POST /prod/mcp');
  }, 90_000);
});
