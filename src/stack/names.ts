/**
 * Naming rules shared by the stack and the CLI. No aws-cdk-lib import here: `destroy`, `status` and
 * `login` use these without loading the CDK.
 */

export const DEFAULT_SERVER_NAME = 'dog-facts';

/**
 * Claude Code's OAuth callback port (`oauth.callbackPort`, redirect `http://localhost:<port>/callback`).
 * Not a port any popular client listens on by default (VS Code 33418, Gemini CLI 7777, MCP Inspector
 * 6274, Cloudflare's tools 8787, 3000, 8080), and below every OS's ephemeral range (Linux from 32768,
 * macOS and Windows from 49152), so an outgoing connection never holds it either.
 */
export const DEFAULT_CALLBACK_PORT = 31927;

/**
 * Access-token life for people, in hours. A working day: a Claude Code session that fetched its token
 * in the morning (helper mode runs `mcp-lambda token` on connect, and Claude Code does not re-run it when
 * the token expires mid-session) keeps working until evening, while a leaked token is useless by the
 * next day. Cognito cannot revoke an access token API Gateway has already accepted, so longer is riskier.
 */
export const DEFAULT_SESSION_HOURS = 8;

/** A stack option with a value the stack cannot use. */
export class StackPropsError extends Error {
  override readonly name = 'StackPropsError';
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}

export function invalid(option: string, value: unknown, rule: string): never {
  throw new StackPropsError(option, `${option} ${JSON.stringify(value)} is not valid: ${rule}`);
}

/** Server names become Cognito domain prefixes, scopes and resource names. */
export function checkServerName(value: string): string {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(value) || value.length > 40) {
    invalid(
      'server name',
      value,
      'use 1–40 lowercase letters, digits and single hyphens, starting with a letter (e.g. dog-facts).',
    );
  }
  // Cognito refuses hosted-UI domain prefixes containing these words.
  const reserved = ['aws', 'amazon', 'cognito'].find((word) => value.includes(word));
  if (reserved) invalid('server name', value, `Cognito domain prefixes may not contain "${reserved}".`);
  return value;
}

export function checkStackName(value: string): string {
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(value)) {
    invalid('stack name', value, 'use up to 128 letters, digits and hyphens, starting with a letter.');
  }
  return value;
}

/** The stack name for a server: `--stack-name`, else `mcp-lambda-<server>`. */
export function stackNameFor(serverName: string | undefined, stackName: string | undefined): string {
  if (stackName !== undefined) return checkStackName(stackName);
  return checkStackName(`mcp-lambda-${checkServerName(serverName ?? DEFAULT_SERVER_NAME)}`);
}

/** `notes-v2` → `NotesV2`: a server's name in its constructs' ids (`Server<Name>`), which `logs` finds it by. */
export function pascalCase(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
