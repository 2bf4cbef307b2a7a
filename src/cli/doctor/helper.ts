/**
 * A Claude Code entry's `headersHelper`, as `doctor` treats it. A helper is a shell command read from a
 * config file — for project scope, a `.mcp.json` anyone who can commit to the repository can change — so
 * doctor runs one on its own only when it is exactly the command `write-config --auth helper` writes: this
 * mcp-lambda's `token --header-json` for this stack, by absolute path. With `doctor --url` there is no
 * stack: the helper counts as ours only when the stored sign-in for the stack it names is for that URL, so
 * a committed entry cannot send one stack's token to a URL of its own choosing. Ours runs without a shell
 * and without its shebang (the node running doctor, with the bin's real path), outside the project
 * directory and with a small environment (no AWS credentials, no PATH). Any other command is run only when the user says so (a
 * question on a terminal, or `doctor --run-helpers`), and then without the variables Claude Code keeps from
 * project helpers (…TOKEN, …SECRET, …PASSWORD, …KEY, …AUTH) and without any AWS_* variable.
 *
 * It does not judge what a foreign command does; it only decides whether doctor may run it.
 */
import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { readTokens } from '../auth/token-store.js';
import { ownBin, parseHelperCommand } from '../clients/claude-code/entry.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * What runs a helper: a program with its arguments (ours: node, then the bin's real path, run in `cwd`), or a
 * shell command (one the user agreed to).
 */
export type HelperRun =
  | { readonly kind: 'own'; readonly file: string; readonly args: readonly string[]; readonly cwd?: string }
  | { readonly kind: 'shell'; readonly command: string };

/** What a helper of ours is checked against: this package's bin and the node running it. */
export interface OwnPrograms {
  readonly bin: string;
  readonly node: string;
}

function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/**
 * How to run `command` when it is exactly a helper mcp-lambda writes for `stack` and its program (absolute,
 * symlinks resolved) is this mcp-lambda: its bin, or the running node with its bin. It is run as the node
 * running doctor with the bin's real path — never through the bin's `#!/usr/bin/env node`, which would
 * look `node` up on the user's PATH (a relative entry there, `node_modules/.bin`, is the project's) — in the
 * package's folder. Undefined for anything else.
 */
export function ownHelper(
  command: string,
  stack: { readonly stackName: string; readonly region: string },
  programs: OwnPrograms = { bin: ownBin(), node: process.execPath },
): { readonly file: string; readonly args: readonly string[]; readonly cwd: string } | undefined {
  const parsed = parseHelperCommand(command);
  if (!parsed) return undefined;
  if (parsed.stackName !== stack.stackName || parsed.region !== stack.region) return undefined;
  const { program } = parsed;
  if (!program.every((part) => isAbsolute(part))) return undefined;
  const bin = real(programs.bin);
  const node = real(programs.node);
  if (bin === undefined || node === undefined) return undefined;
  const [first = '', second] = program;
  const ours = second === undefined ? real(first) === bin : real(first) === node && real(second) === bin;
  if (!ours) return undefined;
  const args = [bin, 'token', '--header-json', '--stack-name', parsed.stackName, '--region', parsed.region];
  return { file: node, args, cwd: dirname(dirname(bin)) };
}

/**
 * {@link ownHelper} for what doctor checks: the deployed stack's entry, or — with `--url`, when there is no
 * stack — the stack the helper names, but only when the sign-in stored for that stack and region is for
 * `mcpUrl` (its server URL, or one of its servers'). Otherwise the helper would send that stack's token
 * to whatever URL `--url` names.
 */
export async function ownHelperFor(
  command: string,
  target: { readonly mcpUrl: string; readonly stack?: { readonly stackName: string; readonly region: string } },
  env: Env,
  programs?: OwnPrograms,
): Promise<{ readonly file: string; readonly args: readonly string[]; readonly cwd: string } | undefined> {
  if (target.stack) return ownHelper(command, target.stack, programs);
  const parsed = parseHelperCommand(command);
  if (!parsed) return undefined;
  const stored = await readTokens(env, parsed.region, parsed.stackName).catch(() => undefined);
  const urls = [stored?.mcpServerUrl, ...(Array.isArray(stored?.servers) ? stored.servers.map((server) => server?.url) : [])];
  if (!urls.includes(target.mcpUrl)) return undefined;
  return ownHelper(command, { stackName: parsed.stackName, region: parsed.region }, programs);
}

/**
 * What `mcp-lambda token` reads: where its sign-ins are, a local Cognito, how to reach Cognito at all. No
 * PATH: it runs no other program, and node is started by its absolute path.
 */
const OWN_HELPER_ENV = [
  'HOME',
  'USERPROFILE',
  'XDG_CONFIG_HOME',
  'MCP_LAMBDA_CONFIG_DIR',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER',
  'NODE_EXTRA_CA_CERTS',
  'NODE_USE_ENV_PROXY',
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'NO_PROXY',
  'no_proxy',
];

/** Claude Code leaves variables named like these out of a project helper's environment. */
const CREDENTIAL_NAME = /TOKEN|SECRET|PASSWORD|KEY|AUTH/i;

/**
 * A helper's environment: what Claude Code adds (the server's name and URL) on top of, for our own helper,
 * only what `mcp-lambda token` needs; for one the user agreed to run, theirs without credential-looking
 * variables and without AWS_* (the AWS credentials doctor itself may have been given).
 */
export function helperEnv(run: HelperRun, env: Env, name: string, url: string): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const keep = run.kind === 'own' ? OWN_HELPER_ENV.includes(key) : !CREDENTIAL_NAME.test(key) && !/^AWS_/i.test(key);
    if (keep) kept[key] = value;
  }
  return { ...kept, CLAUDE_CODE_MCP_SERVER_NAME: name, CLAUDE_CODE_MCP_SERVER_URL: url };
}

/**
 * A command as it may be shown on a terminal before the user decides to run it: everything but printable
 * ASCII spelled out as `\uXXXX` — control characters (escape sequences, newlines), and also bidi controls
 * (U+202E, U+2066), zero-width characters (U+200B) and line separators (U+2028), which would make the
 * text shown differ from the command that runs.
 */
export function printable(command: string): string {
  return command.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export type HelperOutcome = { ok: true; headers: Record<string, unknown> } | { ok: false; why: string };

/** Runs a helper as Claude Code would (a shell command) or ours directly; it must print a JSON object in time. */
export function runHelper(run: HelperRun, env: Record<string, string>, timeoutMs: number): Promise<HelperOutcome> {
  const [file, args] = run.kind === 'own' ? [run.file, [...run.args]] : ['/bin/sh', ['-c', run.command]];
  const cwd = run.kind === 'own' ? run.cwd : undefined;
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: timeoutMs, ...(cwd !== undefined && { cwd }) }, (error, stdout, stderr) => {
      if (error) {
        const why = error.killed
          ? `did not finish within ${timeoutMs / 1000} s`
          : `failed: ${stderr.trim().split('\n')[0] || error.message}`;
        return resolve({ ok: false, why });
      }
      try {
        const headers = JSON.parse(stdout) as unknown;
        if (typeof headers !== 'object' || headers === null || Array.isArray(headers))
          return resolve({ ok: false, why: 'printed JSON that is not an object' });
        resolve({ ok: true, headers: headers as Record<string, unknown> });
      } catch {
        resolve({ ok: false, why: 'did not print a JSON object of headers' });
      }
    });
  });
}
