/**
 * The real Claude Code (`@anthropic-ai/claude-code`, pinned in package.json), run offline with its
 * configuration in a temporary HOME and CLAUDE_CONFIG_DIR, and a BROWSER script that plays the person at
 * the browser: it follows the authorize redirects to Claude Code's loopback callback.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The native binary: the wrapper's bin once its install step placed it, else the platform package's. */
export function claudeBinary(): string {
  const wrapper = join(dirname(require.resolve('@anthropic-ai/claude-code/package.json')), 'bin', 'claude.exe');
  if (existsSync(wrapper) && statSync(wrapper).size > 1_000_000) return wrapper;
  const platform = `@anthropic-ai/claude-code-${process.platform}-${process.arch}`;
  return join(dirname(require.resolve(`${platform}/package.json`)), 'claude');
}

export interface ClaudeHome {
  readonly home: string;
  readonly configDir: string;
  /** Every URL the BROWSER script was asked to open, one per line. */
  readonly browserLog: string;
  readonly env: Record<string, string>;
}

/** A BROWSER script: GET the URL, follow redirects (https stand-ins, then the http loopback callback). */
const BROWSER_SCRIPT = `#!/usr/bin/env node
const { appendFileSync } = require('node:fs');
const url = process.argv[2];
appendFileSync(process.env.MCP_LAMBDA_BROWSER_LOG, url + '\\n');
(async () => {
  let next = url;
  for (let hop = 0; hop < 10 && next; hop++) {
    const response = await fetch(next, { redirect: 'manual' });
    appendFileSync(process.env.MCP_LAMBDA_BROWSER_LOG, '  ' + response.status + ' ' + next.split('?')[0] + '\\n');
    const location = response.headers.get('location');
    await response.arrayBuffer();
    next = location ? new URL(location, next).toString() : undefined;
  }
})().catch((error) => appendFileSync(process.env.MCP_LAMBDA_BROWSER_LOG, '  failed: ' + error.message + '\\n'));
`;

export function claudeHome(): ClaudeHome {
  const home = mkdtempSync(join(tmpdir(), 'mcp-lambda-claude-'));
  const configDir = join(home, '.claude');
  const browser = join(home, 'browser.cjs');
  const browserLog = join(home, 'browser.log');
  writeFileSync(browser, BROWSER_SCRIPT);
  writeFileSync(browserLog, '');
  chmodSync(browser, 0o755);
  return {
    home,
    configDir,
    browserLog,
    env: {
      HOME: home,
      CLAUDE_CONFIG_DIR: configDir,
      BROWSER: browser,
      MCP_LAMBDA_BROWSER_LOG: browserLog,
      PATH: process.env.PATH ?? '',
      NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '',
      // Offline: no telemetry, no update checks, no error reporting.
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
    },
  };
}

export interface ClaudeRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Quotes a word for the shell `script` runs the command in. */
function shellWord(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs `claude ARGS`. With `tty`, inside util-linux `script`, which gives it a pseudo-terminal: Claude
 * Code's `mcp login` refuses to run without one (it may ask for the redirect URL to be pasted).
 */
export function runClaude(
  args: readonly string[],
  where: ClaudeHome,
  { timeoutMs = 60_000, tty = false }: { timeoutMs?: number; tty?: boolean } = {},
): Promise<ClaudeRun> {
  const started = performance.now();
  const command = tty
    ? ['script', ['-qfec', [claudeBinary(), ...args].map(shellWord).join(' '), '/dev/null']]
    : [claudeBinary(), [...args]];
  return new Promise((resolve) => {
    execFile(
      command[0] as string,
      command[1] as string[],
      { cwd: where.home, env: where.env, timeout: timeoutMs, maxBuffer: 10 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr, ms: performance.now() - started });
      },
    );
  });
}

/** Claude Code's interactive UI in a detached tmux session, driven with send-keys and read with capture-pane. */
export interface ClaudeTui {
  screen(): string;
  /** Waits until the screen shows `text`; throws with the screen when it does not in time. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<string>;
  type(text: string): void;
  press(key: string): void;
  stop(): void;
}

export function startClaudeTui(where: ClaudeHome): ClaudeTui {
  const session = `mcp-lambda-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  // An API key skips the sign-in screen; nothing is ever sent to Anthropic in these tests.
  const env = { ...where.env, ANTHROPIC_API_KEY: 'sk-ant-offline-test-key', TERM: 'xterm-256color' };
  const envFlags = Object.entries(env).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
  execFileSync('tmux', [
    'new-session',
    '-d',
    '-s',
    session,
    '-x',
    '160',
    '-y',
    '50',
    '-c',
    where.home,
    ...envFlags,
    claudeBinary(),
  ]);
  const screen = () => execFileSync('tmux', ['capture-pane', '-p', '-t', session]).toString();
  return {
    screen,
    async waitFor(text, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const now = screen();
        if (typeof text === 'string' ? now.includes(text) : text.test(now)) return now;
        if (Date.now() > deadline) throw new Error(`Claude Code never showed ${String(text)}. Screen:\n${now}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    type: (text) => execFileSync('tmux', ['send-keys', '-t', session, '-l', text]),
    press: (key) => execFileSync('tmux', ['send-keys', '-t', session, key]),
    stop: () => {
      try {
        execFileSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
      } catch {
        /* already gone */
      }
    },
  };
}

/** Marks onboarding done and this folder trusted, as a person who has used Claude Code before would have it. */
export function skipOnboarding(where: ClaudeHome): void {
  const file = join(where.configDir, '.claude.json');
  const config = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  writeFileSync(
    file,
    JSON.stringify({
      ...config,
      hasCompletedOnboarding: true,
      theme: 'dark',
      projects: { ...(config.projects as object), [where.home]: { hasTrustDialogAccepted: true } },
    }),
  );
}

/**
 * Signs in to the one server that needs it the way a person does in the interactive UI: /mcp, pick the
 * server, Authenticate (the BROWSER script plays the sign-in page); resolves once it is connected.
 */
export async function authenticateThroughMcpMenu(where: ClaudeHome, server: string): Promise<void> {
  skipOnboarding(where);
  const tui = startClaudeTui(where);
  try {
    const first = await tui.waitFor(/Do you want to use this API key\?|needs authentication/);
    if (first.includes('Do you want to use this API key?')) tui.press('Enter');
    await tui.waitFor('needs authentication');
    tui.type('/mcp');
    tui.press('Enter');
    await tui.waitFor(new RegExp(`${server}\\s+needs sign-in`));
    tui.press('Enter');
    await tui.waitFor('Authenticate');
    tui.press('Enter');
    await tui.waitFor(`Signed in and connected to ${server}`, 30_000);
  } finally {
    tui.stop();
  }
}
