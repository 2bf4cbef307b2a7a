/**
 * Naming rules shared by the stack and the CLI. No aws-cdk-lib import here: `destroy`, `status` and
 * `login` use these without loading the CDK.
 */

export const DEFAULT_SERVER_NAME = 'dog-facts';

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
