/**
 * The real Claude Code signs in to the live stack: `write-config` writes its entry into a temporary
 * CLAUDE_CONFIG_DIR, `claude mcp login <entry>` opens the authorize URL with BROWSER set to a script that
 * drives headless Chromium through the managed login page (browser-cli.ts), and `claude mcp list` must
 * then say Connected.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { saveStackRecord } from '../../../src/cli/state/stack-state.js';
import { claudeHome, runClaude } from '../../helpers/claude-code.js';
import { runCli } from '../../helpers/run-cli.js';
import { must, type Row, runCheck } from '../checks/claims.js';
import type { PoolUser } from './account.js';
import { chromiumPath } from './browser.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** Bundles browser-cli.ts (playwright-core stays external, found from node_modules) and writes a BROWSER script for it. */
export async function bundleBrowserCommand(dir: string): Promise<string> {
  const { build } = await import('esbuild');
  const outDir = join(ROOT, 'node_modules', '.cache', 'mcp-lambda-live');
  mkdirSync(outDir, { recursive: true });
  const bundle = join(outDir, 'browser.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, 'browser-cli.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['playwright-core'],
    outfile: bundle,
    logLevel: 'silent',
  });
  const script = join(dir, 'browser.sh');
  writeFileSync(script, `#!/bin/sh\nexec "${process.execPath}" "${bundle}" "$1"\n`);
  chmodSync(script, 0o755);
  return script;
}

export interface ClaudeLoginInput {
  readonly name: string;
  readonly stackName: string;
  readonly region: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly user: PoolUser;
}

export async function checkClaudeCodeLogin(input: ClaudeLoginInput): Promise<Row> {
  return runCheck('claude-code-login', async (evidence) => {
    const where = claudeHome();
    await saveStackRecord(
      { HOME: where.home },
      { stackName: input.stackName, region: input.region, savedAt: new Date().toISOString(), outputs: { ...input.outputs } },
    );
    // HOME is a temporary directory: the AWS credentials stay where they are.
    const aws = {
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('AWS_'))),
      AWS_CONFIG_FILE: process.env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config'),
      AWS_SHARED_CREDENTIALS_FILE: process.env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials'),
      AWS_REGION: input.region,
    };
    const written = await runCli(['write-config', '--name', input.name, '--yes'], { ...where.env, ...aws }, { cwd: where.home });
    evidence.writeConfig = { code: written.code };
    must(written.code === 0, `write-config failed: ${written.stderr.slice(0, 300)}`);
    const env = {
      ...where.env,
      BROWSER: await bundleBrowserCommand(where.home),
      MCP_LAMBDA_LIVE_CHROMIUM: chromiumPath(),
      MCP_LAMBDA_LIVE_USER: input.user.email,
      MCP_LAMBDA_LIVE_USER_PASSWORD: input.user.password,
    };
    const login = await runClaude(['mcp', 'login', input.name], { ...where, env }, { tty: true, timeoutMs: 120_000 });
    evidence.login = {
      code: login.code,
      authenticated: login.stdout.includes(`Authenticated with "${input.name}"`),
      seconds: Math.round(login.ms / 1000),
      browser: readFileSync(where.browserLog, 'utf8').trim().split('\n'),
    };
    must(login.stdout.includes(`Authenticated with "${input.name}"`), `claude mcp login said: ${login.stdout.slice(-300)}`);
    const list = await runClaude(['mcp', 'list'], { ...where, env });
    const line = list.stdout.split('\n').find((candidate) => candidate.startsWith(`${input.name}:`)) ?? '';
    evidence.list = line;
    must(/✔ Connected/.test(line), 'claude mcp list does not show the server connected');
  });
}
