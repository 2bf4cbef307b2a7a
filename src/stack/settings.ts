/**
 * Settings and secrets for the server (`deploy --env KEY=VALUE`, `--secret KEY=<reference>`), for every
 * server of the stack or, with several, for one (`ServerDefinition.environment`/`secrets`).
 *
 * Settings become the function's environment variables. Secrets are references only: the template holds
 * the secret's name or ARN (in `MCP_SECRETS`), the function's role may read exactly those, and the Lambda
 * reads the values at cold start (src/lambda/services/secrets.ts). A value never enters the template or a log.
 *
 * A reference is one of
 * - `arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbCdEf` or a Secrets Manager name (`my/api-key`);
 * - `arn:aws:ssm:<region>:<account>:parameter/<path>`, or an SSM parameter name starting with `/` (or `ssm:`);
 * and may end with `#field` to take one field of a Secrets Manager secret that holds JSON.
 */
import { invalid } from './names.js';

/** One secret reference, parsed: what the Lambda reads and what the role may read. */
export interface SecretSetting {
  readonly key: string;
  readonly kind: 'secretsmanager' | 'ssm';
  /** What the Lambda passes to GetSecretValue / GetParameter. */
  readonly id: string;
  readonly field?: string;
  /** As the user wrote it (for outputs and messages). */
  readonly reference: string;
}

/** Lambda's limit on a function's environment variables, keys and values together. */
export const LAMBDA_ENV_LIMIT_BYTES = 4096;
/** What is left for a user's settings after mcp-lambda's own variables (MCP_*), which stay under 1 KiB. */
export const USER_ENV_LIMIT_BYTES = 3072;

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names Lambda reserves, or that mcp-lambda sets itself. */
const RESERVED_PREFIXES = ['AWS_', 'LAMBDA_', 'MCP_', '_'];
const RESERVED = new Set(['TZ', 'NODE_OPTIONS', 'PATH', 'LANG', 'LD_LIBRARY_PATH', 'NODE_PATH']);

/** A key that looks like it holds a secret: said as a warning when given with --env. */
export const SECRET_LOOKING_KEY = /(SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|PRIVATE|CREDENTIAL)/i;

export function checkSettingKey(option: string, key: string): string {
  if (!KEY.test(key)) invalid(option, key, 'a variable name has letters, digits and _ and does not start with a digit.');
  const prefix = RESERVED_PREFIXES.find((reserved) => key.toUpperCase().startsWith(reserved));
  if (prefix !== undefined || RESERVED.has(key.toUpperCase())) {
    invalid(
      option,
      key,
      `${prefix ? `names starting with ${prefix}` : key} ${prefix ? 'are' : 'is'} reserved by Lambda or mcp-lambda; choose another name.`,
    );
  }
  return key;
}

const SECRETS_MANAGER_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const SSM_ARN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9/_.-]+$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const PARAMETER_NAME = /^\/?[A-Za-z0-9/_.-]{1,1011}$/;

/** Parses `KEY`'s reference; a bad one is a {@link StackPropsError} naming it. */
export function parseSecretReference(key: string, reference: string): SecretSetting {
  checkSettingKey('secret name', key);
  const hash = reference.lastIndexOf('#');
  const target = hash >= 0 ? reference.slice(0, hash) : reference;
  const field = hash >= 0 ? reference.slice(hash + 1) : undefined;
  if (field !== undefined && field === '')
    invalid('secret', `${key}=${reference}`, 'nothing follows #; name the JSON field, or drop the #.');
  let setting: Omit<SecretSetting, 'key' | 'reference' | 'field'>;
  if (SECRETS_MANAGER_ARN.test(target)) setting = { kind: 'secretsmanager', id: target };
  else if (SSM_ARN.test(target)) setting = { kind: 'ssm', id: target };
  else if (target.startsWith('arn:')) {
    invalid('secret', `${key}=${reference}`, 'use a Secrets Manager secret ARN or an SSM parameter ARN.');
  } else if (target.startsWith('ssm:') || target.startsWith('/')) {
    const name = target.startsWith('ssm:') ? target.slice(4) : target;
    if (!PARAMETER_NAME.test(name) || name.includes('//')) {
      invalid('secret', `${key}=${reference}`, 'an SSM parameter name has letters, digits and / _ . - only.');
    }
    setting = { kind: 'ssm', id: name };
  } else if (SECRET_NAME.test(target)) setting = { kind: 'secretsmanager', id: target };
  else invalid('secret', `${key}=${reference}`, 'a Secrets Manager name has letters, digits and / _ + = . @ - only.');
  if (field !== undefined && setting.kind === 'ssm') {
    invalid(
      'secret',
      `${key}=${reference}`,
      '#field picks a field of a Secrets Manager secret holding JSON; an SSM parameter has one value.',
    );
  }
  return { key, reference, ...setting, ...(field !== undefined && { field }) };
}

/**
 * The IAM resource for GetSecretValue / GetParameter on exactly this secret. A Secrets Manager name (or an
 * ARN without AWS's random six-character suffix) matches that secret's ARN with any suffix, as AWS advises.
 */
export function secretResourceArn(secret: SecretSetting, scope: { partition: string; region: string; account: string }): string {
  if (secret.id.startsWith('arn:')) {
    if (secret.kind === 'secretsmanager' && !/-[A-Za-z0-9]{6}$/.test(secret.id)) return `${secret.id}-??????`;
    return secret.id;
  }
  if (secret.kind === 'ssm') {
    const path = secret.id.startsWith('/') ? secret.id : `/${secret.id}`;
    return `arn:${scope.partition}:ssm:${scope.region}:${scope.account}:parameter${path}`;
  }
  return `arn:${scope.partition}:secretsmanager:${scope.region}:${scope.account}:secret:${secret.id}-??????`;
}

/** Checks settings and secrets together: names, no name twice, Lambda's size limit. */
export function checkSettings(
  environment: Readonly<Record<string, string>>,
  secrets: Readonly<Record<string, string>>,
): { environment: Record<string, string>; secrets: SecretSetting[] } {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(environment)) {
    checkSettingKey('setting', key);
    if (typeof value !== 'string') invalid('setting', key, 'its value must be text.');
    env[key] = value;
  }
  const parsed = Object.entries(secrets).map(([key, reference]) => parseSecretReference(key, reference));
  for (const secret of parsed) {
    if (secret.key in env) invalid('secret', secret.key, 'it is also given as a plain setting (--env); give it once.');
  }
  checkSize(env, parsed);
  return { environment: env, secrets: parsed };
}

/**
 * One server's own settings and secrets (one of several servers: `--env <server>:KEY=…`), checked alone and
 * with the settings every server gets: no name in both, and what its function gets within Lambda's limit.
 */
export function checkServerSettings(
  server: string,
  shared: { readonly environment: Readonly<Record<string, string>>; readonly secrets: readonly SecretSetting[] },
  environment: Readonly<Record<string, string>>,
  secrets: Readonly<Record<string, string>>,
): { environment: Record<string, string>; secrets: SecretSetting[] } {
  const own = checkSettings(environment, secrets);
  for (const key of [...Object.keys(own.environment), ...own.secrets.map((secret) => secret.key)]) {
    if (key in shared.environment || shared.secrets.some((secret) => secret.key === key)) {
      invalid(
        'setting',
        `${server}:${key}`,
        `${key} is also given for every server; give it once: for every server (${key}=…), or for each server that needs it (${server}:${key}=…).`,
      );
    }
  }
  checkSize({ ...shared.environment, ...own.environment }, [...shared.secrets, ...own.secrets]);
  return own;
}

function checkSize(env: Readonly<Record<string, string>>, secrets: readonly SecretSetting[]): void {
  const bytes =
    Object.entries(env).reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value), 0) +
    Buffer.byteLength(secretsVariable(secrets));
  if (bytes > USER_ENV_LIMIT_BYTES) {
    invalid(
      'settings',
      `${bytes} bytes`,
      `Lambda allows ${LAMBDA_ENV_LIMIT_BYTES} bytes of environment in all and mcp-lambda uses up to ${LAMBDA_ENV_LIMIT_BYTES - USER_ENV_LIMIT_BYTES}; keep settings under ${USER_ENV_LIMIT_BYTES} bytes (put large values in a secret or a file).`,
    );
  }
}

/** The value of `MCP_SECRETS`: references only. */
export function secretsVariable(secrets: readonly SecretSetting[]): string {
  return JSON.stringify(
    secrets.map((secret) => ({
      key: secret.key,
      kind: secret.kind,
      id: secret.id,
      ...(secret.field && { field: secret.field }),
    })),
  );
}
