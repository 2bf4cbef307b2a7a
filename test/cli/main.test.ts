import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { runCli } from '../helpers/run-cli.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'mcp-lambda');

describe('mcp-lambda (in-process)', () => {
  it('prints help with examples on stdout', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: mcp-lambda [options] [command]');
    expect(result.stdout).toMatch(/--region <region>[\s\S]*--profile <name>[\s\S]*--json[\s\S]*--verbose[\s\S]*--yes/);
    expect(result.stdout).toContain('Examples:');
    expect(result.stderr).toBe('');
  });

  it.each(['deploy', 'logout', 'doctor', 'users list'])("lists the global options in %s's help", async (command) => {
    const result = await runCli([...command.split(' '), '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Global Options:[\s\S]*--region <region>[\s\S]*--profile <name>[\s\S]*--json[\s\S]*--yes/);
  });

  it('prints the version', async () => {
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });

  it('keeps VERSION equal to package.json', async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
    expect(VERSION).toBe(pkg.version);
  });

  it('suggests the closest command for a typo, as bad usage', async () => {
    const result = await runCli(['deve']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'deve'");
    expect(result.stderr).toContain('(Did you mean dev?)');
  });

  it('refuses an unknown option as bad usage', async () => {
    const result = await runCli(['dev', '--prot', '1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--prot'");
  });

  it('shows help on stderr with a usage code when no command is given', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: mcp-lambda');
  });
});

describe('the built bin (e2e)', () => {
  it('runs --help and --version in a fresh process', async () => {
    const help = await run(process.execPath, [bin, '--help']);
    expect(help.stdout).toContain('mcp-lambda dev');
    const version = await run(process.execPath, [bin, '--version']);
    expect(version.stdout.trim()).toBe(VERSION);
  });

  it('exits with 2 and a one-line error for a bad flag', async () => {
    const failure = await run(process.execPath, [bin, 'dev', '--port', 'nope']).then(
      () => undefined,
      (error: { code: number; stderr: string; stdout: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr.trim().split('\n')).toHaveLength(1);
    expect(failure?.stdout).toBe('');
  });

  it('deploy with fake credentials and an unreachable AWS endpoint explains and exits 4 (remote failure)', async () => {
    const home = await mkdtemp(join(tmpdir(), 'mcp-lambda-e2e-'));
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9',
      AWS_ENDPOINT_URL_CLOUDFORMATION: 'http://127.0.0.1:9',
    };
    const failure = await run(process.execPath, [bin, 'deploy', '--yes'], { env }).then(
      () => undefined,
      (error: { code: number; stderr: string; stdout: string }) => error,
    );
    expect(failure?.code).toBe(4);
    expect(failure?.stderr).toContain(
      'error: Could not reach AWS while trying to find out who you are (sts:GetCallerIdentity): connect ECONNREFUSED 127.0.0.1:9',
    );
    expect(failure?.stderr).toContain('hint: Check the network connection');
    expect(failure?.stderr).not.toMatch(/NodeVersionSupportWarning|at .*\.js:\d+/);
    expect(failure?.stdout).toBe('');
    await rm(home, { recursive: true, force: true });
  }, 60_000);

  it('token prints a cached token without loading the AWS SDK', async () => {
    const home = await mkdtemp(join(tmpdir(), 'mcp-lambda-token-'));
    const dir = join(home, '.config', 'mcp-lambda', 'tokens', 'eu-west-1');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'mcp-lambda-dog-facts.json'),
      JSON.stringify({
        stackName: 'mcp-lambda-dog-facts',
        region: 'eu-west-1',
        serverName: 'dog-facts',
        mcpServerUrl: 'https://x/prod/mcp',
        clientId: 'c',
        username: 'me@example.com',
        accessToken: 'cached-access-token',
        expiresAt: Date.now() + 3_600_000,
        refreshToken: 'r',
      }),
      { mode: 0o600 },
    );
    const trace = join(home, 'trace.txt');
    const { stdout } = await run(
      process.execPath,
      ['--import', join(root, 'test', 'helpers', 'module-trace.mjs'), bin, 'token', '--header-json'],
      {
        env: { PATH: process.env.PATH, HOME: home, MODULE_TRACE_FILE: trace },
      },
    );
    expect(JSON.parse(stdout)).toEqual({ Authorization: 'Bearer cached-access-token' });
    const loaded = await readFile(trace, 'utf8');
    expect(loaded).not.toMatch(/@aws-sdk|aws-cdk-lib|@aws-cdk|@modelcontextprotocol|@smithy/);
    // Two files of ours: the entry and token's own bundle (no chunk of the program).
    expect(loaded.split('\n').filter((line) => line.includes('/dist/'))).toEqual([
      expect.stringContaining('/dist/cli-bundle/mcp-lambda.mjs'),
      expect.stringContaining('/dist/cli-bundle/token.mjs'),
    ]);
    await rm(home, { recursive: true, force: true });
  });

  it("token's own bundle refreshes a token through Cognito (GetTokensFromRefreshToken) and stores the rotated one", async () => {
    const home = await mkdtemp(join(tmpdir(), 'mcp-lambda-token-'));
    const dir = join(home, '.config', 'mcp-lambda', 'tokens', 'eu-west-1');
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'mcp-lambda-dog-facts.json');
    await writeFile(
      file,
      JSON.stringify({
        stackName: 'mcp-lambda-dog-facts',
        region: 'eu-west-1',
        serverName: 'dog-facts',
        mcpServerUrl: 'https://x/prod/mcp',
        clientId: 'client-1',
        username: 'me@example.com',
        accessToken: 'expired-access-token',
        expiresAt: Date.now() - 1000,
        refreshToken: 'old-refresh',
      }),
      { mode: 0o600 },
    );
    // Cognito's JSON protocol, the one call cognito-local lacks: answered here, and what was asked recorded.
    const asked: { target?: string; body: Record<string, unknown> }[] = [];
    const cognito = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        asked.push({ target: req.headers['x-amz-target'] as string | undefined, body: JSON.parse(body) });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({
            AuthenticationResult: { AccessToken: 'fresh-access-token', ExpiresIn: 3600, RefreshToken: 'new-refresh' },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => cognito.listen(0, '127.0.0.1', resolve));
    try {
      const { stdout } = await run(process.execPath, [bin, 'token', '--header-json'], {
        env: {
          PATH: process.env.PATH,
          HOME: home,
          AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: `http://127.0.0.1:${(cognito.address() as AddressInfo).port}`,
        },
      });
      expect(JSON.parse(stdout)).toEqual({ Authorization: 'Bearer fresh-access-token' });
      expect(asked).toEqual([
        {
          target: 'AWSCognitoIdentityProviderService.GetTokensFromRefreshToken',
          body: expect.objectContaining({ ClientId: 'client-1', RefreshToken: 'old-refresh' }),
        },
      ]);
      expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
        accessToken: 'fresh-access-token',
        refreshToken: 'new-refresh',
      });
    } finally {
      cognito.close();
      await rm(home, { recursive: true, force: true });
    }
  });

  it('stops quietly when stdout is closed early (| head)', async () => {
    const script = `"${process.execPath}" "${bin}" synth | head -1; echo "exit=\${PIPESTATUS[0]}"`;
    const { stdout, stderr } = await run('bash', ['-c', script]);
    expect(stdout).toMatch(/^mcp-lambda-dog-facts {2}server dog-facts.*\nexit=0\n$/);
    expect(stderr).not.toMatch(/EPIPE|Error/);
  });

  it('loads neither the AWS SDK, aws-cdk-lib nor the MCP SDK for --help and --version', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mcp-lambda-trace-'));
    try {
      for (const args of [
        ['--help'],
        ['--version'],
        ['dev', '--help'],
        ['synth', '--help'],
        ['deploy', '--help'],
        ['destroy', '--help'],
      ]) {
        const file = join(dir, `${args.join('_')}.txt`);
        await run(process.execPath, ['--import', join(root, 'test', 'helpers', 'module-trace.mjs'), bin, ...args], {
          env: { ...process.env, MODULE_TRACE_FILE: file },
        });
        const loaded = await readFile(file, 'utf8');
        // The CLI is one bundle (commander inside it) and the chunks of what runs.
        const ours = loaded.split('\n').filter((line) => line.includes('/dist/'));
        expect(ours.every((line) => line.includes('/dist/cli-bundle/'))).toBe(true);
        expect(loaded).toContain('/dist/cli-bundle/mcp-lambda.mjs');
        expect(loaded).not.toContain('/node_modules/commander/');
        // --version alone is answered before the program (main.ts's bundle, and commander in it) loads.
        if (args[0] === '--version') expect(loaded).not.toContain('/program.mjs');
        else expect(loaded).toContain('/dist/cli-bundle/program.mjs');
        expect(loaded).not.toMatch(/@aws-sdk|aws-cdk-lib|@aws-cdk|@modelcontextprotocol|zod/);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
