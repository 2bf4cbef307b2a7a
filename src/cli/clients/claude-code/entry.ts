/** The Claude Code entry for a deployed server, in the real schema (DESIGN.md, "Claude Code config"). */
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
