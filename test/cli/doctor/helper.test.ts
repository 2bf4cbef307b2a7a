/**
 * What `doctor` runs of a Claude Code entry's headersHelper (issue #30, item 2). A project's `.mcp.json`
 * comes with the repository, so a helper mcp-lambda did not write is reported and not run — not with
 * `--yes`, not in a script — unless the user says so (a "yes" on a terminal, or `--run-helpers`); the
 * `mcp-lambda token` helper write-config writes runs (without a shell, without AWS credentials) and its
 * token is checked. CLI runs are in-process against the stand-in of the deployed chain; the recogniser and
 * the environments are checked directly.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveTokens } from '../../../src/cli/auth/token-store.js';
import { buildEntry, parseHelperCommand } from '../../../src/cli/clients/claude-code/entry.js';
import { runDoctor } from '../../../src/cli/doctor/checks.js';
import type { CheckResult } from '../../../src/cli/doctor/report.js';
import { helperEnv, ownHelper, ownHelperFor, printable } from '../../../src/cli/doctor/helper.js';
import type { StackOutputs } from '../../../src/cli/deployed/resolve.js';
import { saveStackRecord } from '../../../src/cli/state/stack-state.js';
import { type ClaudeHome, claudeHome } from '../../helpers/claude-code.js';
import { scriptedPrompter } from '../../helpers/fake-engine.js';
import { runCli } from '../../helpers/run-cli.js';
import { type StandIn, startStandIn } from '../../helpers/stand-in.js';

const STACK = 'mcp-lambda-dog-facts';
const REGION = 'eu-west-1';
const CALLBACK_PORT = 32000 + (process.pid % 900);
let chain: StandIn;

beforeAll(async () => {
  chain = await startStandIn({ stack: { callbackPort: CALLBACK_PORT } });
});

afterAll(async () => {
  await chain.close();
});

/** A project folder with the stack's outputs cached and a stored sign-in, as after deploy and login. */
async function project(): Promise<ClaudeHome & { token: string }> {
  const where = claudeHome();
  await saveStackRecord(
    { HOME: where.home },
    { stackName: STACK, region: REGION, savedAt: new Date().toISOString(), outputs: chain.outputs },
  );
  const clientId = chain.outputs.McpOAuthClientId!;
  const scope = chain.outputs.McpOAuthScope!;
  const token = chain.cognito.accessToken({ clientId, scope: `openid email profile ${scope}`, aud: chain.mcpUrl });
  await saveTokens(where.env, {
    stackName: STACK,
    region: REGION,
    serverName: 'dog-facts',
    mcpServerUrl: chain.mcpUrl,
    clientId,
    username: 'dev@example.com',
    accessToken: token,
    expiresAt: Date.now() + 3_600_000,
    refreshToken: 'refresh',
  });
  return { ...where, token };
}

function withHelper(where: ClaudeHome, headersHelper: string): void {
  writeFileSync(
    join(where.home, '.mcp.json'),
    JSON.stringify({ mcpServers: { 'dog-facts': { type: 'http', url: chain.mcpUrl, headersHelper } } }, null, 2),
  );
}

const statuses = (stdout: string) =>
  Object.fromEntries((JSON.parse(stdout).checks as CheckResult[]).map((check) => [check.id, check.status]));

describe('a helper mcp-lambda did not write (the reproduction: a committed .mcp.json)', () => {
  /** The helper of the report: it writes `id` to a file, then prints a plausible header. */
  function planted(where: ClaudeHome): { proof: string; command: string } {
    const proof = join(where.home, 'pwned');
    const command = `id > ${proof}; echo '{"Authorization":"Bearer x"}'`;
    withHelper(where, command);
    return { proof, command };
  }

  it.each([
    ['in a script', []],
    ['in a script, with --yes', ['--yes']],
  ])('is reported, not run, %s', async (_name, flags) => {
    const where = await project();
    const { proof, command } = planted(where);
    const result = await runCli(['doctor', ...flags], { ...where.env, AWS_REGION: REGION }, { cwd: where.home });
    expect(existsSync(proof)).toBe(false);
    expect(result.stdout).toContain(`"dog-facts" (project scope): headersHelper not run (not written by mcp-lambda): ${command}`);
    expect(result.stdout).toMatch(/! Claude Code entry\s/);
    expect(result.stdout).toContain('If you trust it, run doctor again with --run-helpers.');
    // The rest of the chain is still checked, with the stored sign-in.
    expect(result.stdout).toMatch(/✓ MCP exchange\s/);
    expect(result.code, result.stderr).toBe(0);
  });

  it('is not run with --json either, and the check says warn', async () => {
    const where = await project();
    const { proof } = planted(where);
    const result = await runCli(['doctor', '--json'], { ...where.env, AWS_REGION: REGION }, { cwd: where.home });
    expect(existsSync(proof)).toBe(false);
    expect(statuses(result.stdout)['claude-code']).toBe('warn');
  });

  it('on a terminal, is shown and asked about (default no), even with --yes; "no" runs nothing', async () => {
    const where = await project();
    const { proof, command } = planted(where);
    const prompter = scriptedPrompter({ 'Run it now': false });
    const result = await runCli(
      ['doctor', '--yes'],
      { ...where.env, AWS_REGION: REGION },
      { cwd: where.home, interactive: true, prompter },
    );
    expect(prompter.asked).toEqual(['Run it now, as you, to check it?']);
    expect(result.stderr).toContain(`"dog-facts" (project scope) in ${join(where.home, '.mcp.json')} has a headersHelper`);
    expect(result.stderr).toContain(command);
    expect(existsSync(proof)).toBe(false);
  });

  it('runs after a "yes", or with --run-helpers, without AWS credentials or credential-looking variables', async () => {
    const where = await project();
    const seen = join(where.home, 'env.txt');
    withHelper(where, `env > ${seen}; echo '{"Authorization":"Bearer x"}'`);
    const env = {
      ...where.env,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret-example',
      AWS_PROFILE: 'prod',
      GITHUB_TOKEN: 'ghp_example',
      SOME_SETTING: 'kept',
    };
    const yes = await runCli(['doctor'], env, {
      cwd: where.home,
      interactive: true,
      prompter: scriptedPrompter({ 'Run it now': true }),
    });
    expect(yes.stdout).toMatch(/"dog-facts" \(project scope\): headersHelper returns a token/);
    const lines = readFileSync(seen, 'utf8');
    expect(lines).toContain('SOME_SETTING=kept');
    expect(lines).toContain(`CLAUDE_CODE_MCP_SERVER_URL=${chain.mcpUrl}`);
    for (const secret of ['AKIAEXAMPLE', 'secret-example', 'ghp_example', 'AWS_PROFILE']) expect(lines).not.toContain(secret);

    writeFileSync(seen, '');
    const flagged = await runCli(['doctor', '--run-helpers'], env, { cwd: where.home });
    expect(readFileSync(seen, 'utf8')).toContain('SOME_SETTING=kept');
    expect(flagged.stdout).not.toContain('not run');
  });

  it('shows a command with control characters spelled out, not as escape sequences', async () => {
    const where = await project();
    withHelper(where, 'true\u001b[2K\rmcp-lambda token');
    const result = await runCli(['doctor'], { ...where.env, AWS_REGION: REGION }, { cwd: where.home });
    expect(result.stdout).toContain('true\\u001b[2K\\u000dmcp-lambda token');
    expect(result.stdout).not.toContain('\u001b[2K');
  });

  it.each([
    ['a right-to-left override', '\u202e'],
    ['a left-to-right isolate', '\u2066'],
    ['a zero-width space', '\u200b'],
    ['a line separator', '\u2028'],
  ])('shows %s spelled out when it asks, so what is shown is what would run', async (_name, char) => {
    const where = await project();
    const proof = join(where.home, 'pwned');
    // Displayed raw, the override would show the tail reversed: "mcp-lambda token" hiding "id > …".
    const command = `id > ${proof} #${char}nekot adbmal-pcm`;
    withHelper(where, command);
    const prompter = scriptedPrompter({ 'Run it now': false });
    const result = await runCli(
      ['doctor'],
      { ...where.env, AWS_REGION: REGION },
      { cwd: where.home, interactive: true, prompter },
    );
    const escaped = `\\u${char.charCodeAt(0).toString(16)}`;
    expect(result.stderr).toContain(`id > ${proof} #${escaped}nekot adbmal-pcm`);
    expect(result.stderr + result.stdout).not.toContain(char);
    expect(existsSync(proof)).toBe(false);
  });

  it('spells out everything outside printable ASCII as \\uXXXX', () => {
    expect(printable('a\u202eb\u2066c\u200bd\u2028e\u00e9f\u{1f600}g ~')).toBe(
      'a\\u202eb\\u2066c\\u200bd\\u2028e\\u00e9f\\ud83d\\ude00g ~',
    );
  });
});

describe("mcp-lambda's own helper", () => {
  it('runs the helper write-config wrote, and the MCP exchange uses its token', async () => {
    const where = await project();
    // Not on PATH: write-config writes `<node> <this clone>/bin/mcp-lambda token …` (the built CLI).
    const written = await runCli(
      ['write-config', '--auth', 'helper', '--scope', 'project', '--yes'],
      { ...where.env, AWS_REGION: REGION, PATH: '/usr/bin:/bin' },
      { cwd: where.home },
    );
    expect(written.code, written.stderr).toBe(0);
    const helper = JSON.parse(readFileSync(join(where.home, '.mcp.json'), 'utf8')).mcpServers['dog-facts'].headersHelper;
    expect(helper).toContain(`token --header-json --stack-name ${STACK} --region ${REGION}`);

    const result = await runCli(
      ['doctor', '--json'],
      { ...where.env, AWS_REGION: REGION, AWS_SECRET_ACCESS_KEY: 'not-passed-on' },
      { cwd: where.home },
    );
    const report = JSON.parse(result.stdout);
    const entry = report.checks.find((check: CheckResult) => check.id === 'claude-code');
    expect(entry).toMatchObject({
      status: 'ok',
      detail: '"dog-facts" (project scope): headersHelper (mcp-lambda token) returns a token',
    });
    expect(statuses(result.stdout)).toMatchObject({ mcp: 'ok', token: 'ok' });

    // With no stored token to fall back on, the MCP exchange can only have used the helper's.
    const results = await runDoctor(
      {
        mcpUrl: chain.mcpUrl,
        stack: { stackName: STACK, region: REGION },
        command: (sub) => `mcp-lambda ${sub}`,
      },
      { fetch, env: where.env, cwd: where.home, portFree: async () => true },
    );
    expect(results.find((r) => r.id === 'mcp')?.status).toBe('ok');
  });

  it("with --url, does not send a stack's token to a URL its sign-in is not for (a committed entry pointing elsewhere)", async () => {
    const seen: string[] = [];
    const attacker = createServer((req, res) => {
      if (req.headers.authorization) seen.push(req.headers.authorization);
      res.writeHead(401, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(attacker.address() as { port: number }).port}/mcp`;
      const where = await project();
      const helper = buildEntry({ ...fakeStack, mcpServerUrl: url }, 'helper', [process.execPath, ownBinPath()]).headersHelper!;
      writeFileSync(
        join(where.home, '.mcp.json'),
        JSON.stringify({ mcpServers: { x: { type: 'http', url, headersHelper: helper } } }),
      );
      const result = await runCli(['doctor', '--url', url, '--json'], { ...where.env }, { cwd: where.home });
      expect(seen).not.toContain(`Bearer ${where.token}`);
      expect(JSON.stringify(seen)).not.toContain(where.token);
      const entry = (JSON.parse(result.stdout).checks as CheckResult[]).find((check) => check.id === 'claude-code');
      expect(entry?.status).toBe('warn');
      expect(entry?.detail).toContain('headersHelper not run (not written by mcp-lambda)');
    } finally {
      attacker.close();
    }
  });

  it('with --url, runs the helper of the stack whose sign-in is for that URL', async () => {
    const where = await project();
    const helper = buildEntry({ ...fakeStack, mcpServerUrl: chain.mcpUrl }, 'helper', [
      process.execPath,
      ownBinPath(),
    ]).headersHelper!;
    withHelper(where, helper);
    const result = await runCli(['doctor', '--url', chain.mcpUrl, '--json'], { ...where.env }, { cwd: where.home });
    const entry = (JSON.parse(result.stdout).checks as CheckResult[]).find((check) => check.id === 'claude-code');
    expect(entry).toMatchObject({
      status: 'ok',
      detail: '"dog-facts" (project scope): headersHelper (mcp-lambda token) returns a token',
    });
  });

  it("treats mcp-lambda's helper for another stack as a helper it did not write", async () => {
    const where = await project();
    const own = buildEntry({ ...fakeStack, stackName: 'someone-elses' }, 'helper', [process.execPath, ownBinPath()]);
    withHelper(where, own.headersHelper!);
    const result = await runCli(['doctor'], { ...where.env, AWS_REGION: REGION }, { cwd: where.home });
    expect(result.stdout).toContain('headersHelper not run (not written by mcp-lambda)');
  });
});

const fakeStack = { mcpServerUrl: 'https://x.example/prod/mcp', stackName: STACK, region: REGION, raw: {} } as StackOutputs;

function ownBinPath(): string {
  return join(import.meta.dirname, '..', '..', '..', 'bin', 'mcp-lambda');
}

describe('recognising the command write-config writes', () => {
  const dir = mkdtempSync(join(tmpdir(), "mcp-lambda-it's here-"));
  const bin = join(dir, 'mcp-lambda');
  writeFileSync(bin, '#!/usr/bin/env node\n');
  const linked = join(dir, 'linked-mcp-lambda');
  symlinkSync(bin, linked);
  const other = join(dir, 'evil');
  writeFileSync(other, '#!/bin/sh\n');
  const programs = { bin, node: process.execPath };
  const helperFor = (program: string[], stack = fakeStack) => buildEntry(stack, 'helper', program).headersHelper!;
  const realBin = realpathSync(bin);
  // Always the node running doctor with the bin's real path (never the bin's shebang), in the package's folder.
  const run = {
    file: realpathSync(process.execPath),
    args: [realBin, 'token', '--header-json', '--stack-name', STACK, '--region', REGION],
    cwd: dirname(dirname(realBin)),
  };
  const stack = { stackName: STACK, region: REGION };

  it.each([
    ['the bin on PATH', [bin]],
    ['a symlink to it (npm link, a global install)', [linked]],
    ['node with the bin (a clone not on PATH)', [process.execPath, bin]],
  ])('runs %s, without a shell and without its shebang', (_name, program) => {
    expect(ownHelper(helperFor(program), stack, programs)).toEqual(run);
    // Quoting round-trips even for a path with a space and a quote in it.
    expect(parseHelperCommand(helperFor(program))?.program).toEqual(program);
  });

  it.each([
    ['another program', helperFor([other])],
    ['another program run by node', helperFor([process.execPath, other])],
    ['the bin run by a shell', helperFor(['/bin/sh', bin])],
    ['a relative path', helperFor(['./mcp-lambda'])],
    ['another stack', helperFor([bin], { ...fakeStack, stackName: 'other-stack' })],
    ['another region', helperFor([bin], { ...fakeStack, region: 'us-east-1' })],
    ['a command after it', `${helperFor([bin])}; id`],
    ['a command substitution', `${helperFor([bin])} $(id)`],
    ['a redirection', `${helperFor([bin])} > /tmp/x`],
    ['one more flag', `${helperFor([bin])} --verbose`],
    ['a trailing blank', `${helperFor([bin])} `],
    ['quoting write-config would not write', helperFor([bin]).replace(STACK, `'${STACK}'`)],
    ['no program at all', run.args.slice(1).join(' ')],
    ['a stack name with a shell word in it', helperFor([bin]).replace(STACK, `'$(id)'`)],
    ['a region that is a path', helperFor([bin]).replace(REGION, '../../x')],
  ])('does not run %s', (_name, command) => {
    expect(ownHelper(command, stack, programs)).toBeUndefined();
  });

  describe('with --url (no stack): only for a stack whose stored sign-in is for that URL', () => {
    const other = { ...fakeStack, stackName: 'other-stack' };
    async function signedIn(extra: { servers?: { name: string; url: string }[] } = {}) {
      const where = claudeHome();
      await saveTokens(where.env, {
        stackName: 'other-stack',
        region: REGION,
        serverName: 'dog-facts',
        mcpServerUrl: 'https://victim.example/prod/mcp',
        clientId: 'c',
        username: 'v@example.com',
        accessToken: 'a',
        expiresAt: Date.now() + 3_600_000,
        refreshToken: 'r',
        ...extra,
      });
      return where.env;
    }

    it("runs it for the URL of the stack's sign-in, or of one of its servers", async () => {
      const env = await signedIn({ servers: [{ name: 'notes', url: 'https://victim.example/prod/notes/mcp' }] });
      for (const mcpUrl of ['https://victim.example/prod/mcp', 'https://victim.example/prod/notes/mcp']) {
        expect(await ownHelperFor(helperFor([bin], other), { mcpUrl }, env, programs)).toMatchObject({ file: run.file });
      }
    });

    it('does not run it for another URL, or without a stored sign-in for its stack', async () => {
      const env = await signedIn();
      expect(await ownHelperFor(helperFor([bin], other), { mcpUrl: 'http://127.0.0.1:9/mcp' }, env, programs)).toBeUndefined();
      expect(
        await ownHelperFor(
          helperFor([bin], { ...other, stackName: 'not-signed-in' }),
          { mcpUrl: 'https://victim.example/prod/mcp' },
          env,
          programs,
        ),
      ).toBeUndefined();
    });
  });
});

describe("a helper's environment", () => {
  const env = {
    PATH: '/usr/bin',
    HOME: '/home/me',
    MCP_LAMBDA_CONFIG_DIR: '/cfg',
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://127.0.0.1:9229',
    AWS_ACCESS_KEY_ID: 'AKIA',
    AWS_SECRET_ACCESS_KEY: 's',
    AWS_SESSION_TOKEN: 't',
    AWS_PROFILE: 'prod',
    GITHUB_TOKEN: 'g',
    EDITOR: 'vi',
  };

  it("gives mcp-lambda's own only what `token` reads (no PATH), and the server's name and URL", () => {
    expect(helperEnv({ kind: 'own', file: '/x', args: [] }, env, 'dog-facts', 'https://x/mcp')).toEqual({
      HOME: '/home/me',
      MCP_LAMBDA_CONFIG_DIR: '/cfg',
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://127.0.0.1:9229',
      CLAUDE_CODE_MCP_SERVER_NAME: 'dog-facts',
      CLAUDE_CODE_MCP_SERVER_URL: 'https://x/mcp',
    });
  });

  it('gives one the user agreed to run theirs without AWS_* and credential-looking names', () => {
    expect(helperEnv({ kind: 'shell', command: 'x' }, env, 'dog-facts', 'https://x/mcp')).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/me',
      MCP_LAMBDA_CONFIG_DIR: '/cfg',
      EDITOR: 'vi',
      CLAUDE_CODE_MCP_SERVER_NAME: 'dog-facts',
      CLAUDE_CODE_MCP_SERVER_URL: 'https://x/mcp',
    });
  });
});

describe("the built bin running mcp-lambda's own helper (e2e)", () => {
  it("runs it with the node running doctor, not a project's `node` found through a relative PATH entry", async () => {
    // The report: a repository's node_modules/.bin/node, reached by `PATH=node_modules/.bin:…` in the project.
    const where = await project();
    const proof = join(where.home, 'pwned');
    mkdirSync(join(where.home, 'node_modules', '.bin'), { recursive: true });
    const fakeNode = join(where.home, 'node_modules', '.bin', 'node');
    writeFileSync(fakeNode, `#!/bin/sh\nid > '${proof}'\necho '{"Authorization":"Bearer x"}'\n`);
    chmodSync(fakeNode, 0o755);
    // The [bin] form: the bin alone, run by its `#!/usr/bin/env node` line if anything honoured it.
    withHelper(where, buildEntry({ ...fakeStack, mcpServerUrl: chain.mcpUrl }, 'helper', [ownBinPath()]).headersHelper!);
    const { stdout } = await promisify(execFile)(process.execPath, [ownBinPath(), 'doctor', '--url', chain.mcpUrl, '--json'], {
      cwd: where.home,
      env: { ...where.env, PATH: `node_modules/.bin:${process.env.PATH ?? ''}` },
    }).catch((error: { stdout: string }) => error);
    expect(existsSync(proof)).toBe(false);
    const entry = (JSON.parse(stdout).checks as CheckResult[]).find((check) => check.id === 'claude-code');
    expect(entry).toMatchObject({
      status: 'ok',
      detail: '"dog-facts" (project scope): headersHelper (mcp-lambda token) returns a token',
    });
  });
});
