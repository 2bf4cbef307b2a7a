/** The Claude Code entry for a deployed server, in the real schema (DESIGN.md, "Claude Code config"). */
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../package-root.js';
import type { StackOutputs } from '../../deployed/resolve.js';
import { stackClientTimeoutSeconds } from '../timeout.js';

export type AuthMode = 'oauth' | 'helper';

export interface HttpEntry {
  readonly type: 'http';
  readonly url: string;
  readonly oauth?: {
    readonly clientId: string;
    readonly callbackPort: number;
    readonly scopes: string;
    readonly authServerMetadataUrl: string;
  };
  readonly headersHelper?: string;
  /** Per-server tool-call timeout in ms (a streaming deployment's limit, see ../timeout.ts). */
  readonly timeout?: number;
}

/** Quotes a word for a POSIX shell (Claude Code runs headersHelper through one). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Where Cognito's OpenID discovery document lives for an issuer. */
export function discoveryUrl(issuerUrl: string): string {
  return `${issuerUrl.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/**
 * OAuth: the pre-registered interactive client, the callback port the stack registered, the scope
 * pinned (without it Claude Code may ask for no scope and Cognito fails the exchange), and the
 * authorization server's metadata URL (without it `claude mcp login` looks for it at the root of the
 * execute-api origin, finds nothing, and caches the failure).
 * Helper: no OAuth dance in Claude Code; it runs `mcp-lambda token --header-json` on every connect.
 */
export function buildEntry(stack: StackOutputs, mode: AuthMode, helperCommand: readonly string[]): HttpEntry {
  const seconds = stackClientTimeoutSeconds(stack);
  const timeout = seconds === undefined ? {} : { timeout: seconds * 1000 };
  if (mode === 'oauth') {
    return {
      type: 'http',
      url: stack.mcpServerUrl,
      oauth: {
        clientId: stack.clientId,
        callbackPort: stack.callbackPort,
        scopes: stack.scope,
        authServerMetadataUrl: discoveryUrl(stack.issuerUrl),
      },
      ...timeout,
    };
  }
  const command = [...helperCommand, 'token', '--header-json', '--stack-name', stack.stackName, '--region', stack.region];
  return { type: 'http', url: stack.mcpServerUrl, headersHelper: command.map(shellQuote).join(' '), ...timeout };
}

/** The `claude mcp add-json` command that writes the same entry. */
export function addJsonCommand(name: string, entry: HttpEntry, scope: string): string {
  return `claude mcp add-json ${shellQuote(name)} ${shellQuote(JSON.stringify(entry))} --scope ${scope}`;
}

/** This package's own `bin/mcp-lambda`, symlinks resolved: what a headersHelper we write runs. */
export function ownBin(): string {
  return realpathSync(join(packageRoot(), 'bin', 'mcp-lambda'));
}

/** One word as {@link shellQuote} writes it: bare, or single-quoted with `'\''` for each quote inside. */
const QUOTED_WORD = /([A-Za-z0-9_./:=@%+-]+|'[^']*'(?:\\''[^']*')*)(?: |$)/y;

/**
 * The reverse of {@link buildEntry}'s helper: the parts of a headersHelper that has exactly the shape
 * `write-config --auth helper` writes — `<program> [<script>] token --header-json --stack-name <stack>
 * --region <region>`, each word quoted as {@link shellQuote} quotes it, one space between — or undefined
 * for any other command (a `;`, a `$(…)`, a redirection, another subcommand or flag, a stack or region
 * that is not a plain name). Whether the program is this mcp-lambda is the caller's question.
 */
export function parseHelperCommand(
  command: string,
): { readonly program: readonly string[]; readonly stackName: string; readonly region: string } | undefined {
  const words: string[] = [];
  QUOTED_WORD.lastIndex = 0;
  while (QUOTED_WORD.lastIndex < command.length) {
    const match = QUOTED_WORD.exec(command);
    if (!match?.[1]) return undefined;
    const word = match[1];
    words.push(word.startsWith("'") ? word.slice(1, -1).replaceAll("'\\''", "'") : word);
  }
  // Exactly what shellQuote gives back for these words: no other quoting, spacing or trailing blank.
  if (words.length === 0 || words.map(shellQuote).join(' ') !== command) return undefined;
  const program = words.slice(0, -6);
  const [subcommand, headerJson, stackFlag, stackName = '', regionFlag, region = ''] = words.slice(-6);
  if (program.length < 1 || program.length > 2) return undefined;
  if (subcommand !== 'token' || headerJson !== '--header-json' || stackFlag !== '--stack-name' || regionFlag !== '--region')
    return undefined;
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName) || !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) return undefined;
  return { program, stackName, region };
}
