/**
 * Secrets for a server, read once at cold start (`deploy --secret KEY=<reference>`).
 *
 * The stack puts only references in `MCP_SECRETS` (`[{"key","kind","id","field"?}]`), never a value; the
 * function's role may read exactly those secrets and nothing else. Before the server module runs, each
 * value is read (Secrets Manager `GetSecretValue`, or SSM `GetParameter` with decryption) and set as the
 * environment variable `KEY`, so a server reads `process.env.KEY` as it would locally. A secret that
 * cannot be read fails the cold start with a line naming the variable, the reference and AWS's error code
 * — never the value.
 *
 * The AWS SDK clients come from the Lambda runtime (Node.js 24 ships SDK v3) and are loaded only when
 * there are secrets to read: a server without secrets pays nothing for this.
 */
import { ConfigError } from './config.js';
import { logStartupFailure } from './log.js';

export interface SecretRef {
  /** The environment variable that receives the value. */
  readonly key: string;
  readonly kind: 'secretsmanager' | 'ssm';
  /** A Secrets Manager name or ARN, or an SSM parameter name or ARN. */
  readonly id: string;
  /** For a Secrets Manager secret holding JSON: the field to take. */
  readonly field?: string;
}

/** Reads one secret's value (tests replace it). */
export type SecretReader = (ref: SecretRef) => Promise<string>;

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Reads `MCP_SECRETS`; absent or empty means no secrets. */
export function parseSecretRefs(value: string | undefined): SecretRef[] {
  if (value === undefined || value.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ConfigError(`MCP_SECRETS must be a JSON list of secret references, got ${JSON.stringify(value.slice(0, 100))}`);
  }
  if (!Array.isArray(parsed)) throw new ConfigError('MCP_SECRETS must be a JSON list of secret references');
  return parsed.map((item: unknown, index) => {
    const ref = item as Partial<Record<keyof SecretRef, unknown>>;
    if (
      typeof ref !== 'object' ||
      ref === null ||
      typeof ref.key !== 'string' ||
      !KEY.test(ref.key) ||
      (ref.kind !== 'secretsmanager' && ref.kind !== 'ssm') ||
      typeof ref.id !== 'string' ||
      ref.id === '' ||
      (ref.field !== undefined && (typeof ref.field !== 'string' || ref.field === ''))
    ) {
      throw new ConfigError(`MCP_SECRETS[${index}] must be {"key", "kind": "secretsmanager"|"ssm", "id", "field"?}`);
    }
    return {
      key: ref.key,
      kind: ref.kind,
      id: ref.id,
      ...(typeof ref.field === 'string' && { field: ref.field }),
    };
  });
}

function describeRef(ref: SecretRef): string {
  return `${ref.kind === 'ssm' ? 'SSM parameter' : 'Secrets Manager secret'} ${ref.id}${ref.field ? ` (field ${ref.field})` : ''}`;
}

/** Reads with the runtime's AWS SDK: one client per service, created on first use. */
export function awsSecretReader(): SecretReader {
  let secretsManager: Promise<(id: string) => Promise<string | undefined>> | undefined;
  let ssm: Promise<(id: string) => Promise<string | undefined>> | undefined;
  return async (ref) => {
    if (ref.kind === 'ssm') {
      ssm ??= import('@aws-sdk/client-ssm').then(({ SSMClient, GetParameterCommand }) => {
        const client = new SSMClient({});
        return async (id) => (await client.send(new GetParameterCommand({ Name: id, WithDecryption: true }))).Parameter?.Value;
      });
      const value = await (await ssm)(ref.id);
      if (value === undefined) throw new Error('the parameter has no value');
      return value;
    }
    secretsManager ??= import('@aws-sdk/client-secrets-manager').then(({ SecretsManagerClient, GetSecretValueCommand }) => {
      const client = new SecretsManagerClient({});
      return async (id) => {
        const answer = await client.send(new GetSecretValueCommand({ SecretId: id }));
        return answer.SecretString ?? (answer.SecretBinary ? Buffer.from(answer.SecretBinary).toString('utf8') : undefined);
      };
    });
    const value = await (await secretsManager)(ref.id);
    if (value === undefined) throw new Error('the secret has no value');
    return value;
  };
}

/** Takes `field` from a secret that holds a JSON object. */
function pick(ref: SecretRef, value: string): string {
  if (ref.field === undefined) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ConfigError(`${ref.key}: ${describeRef(ref)} does not hold JSON, so it has no field ${ref.field}`);
  }
  const field = (parsed as Record<string, unknown> | null)?.[ref.field];
  if (typeof parsed !== 'object' || parsed === null || field === undefined) {
    throw new ConfigError(`${ref.key}: ${describeRef(ref)} has no field ${ref.field}`);
  }
  return typeof field === 'string' ? field : JSON.stringify(field);
}

/**
 * Reads every secret named in `env.MCP_SECRETS` into `env` (all at once). Throws a {@link ConfigError}
 * naming the first one that failed, with AWS's error code; the values never appear in a message.
 */
export async function loadSecrets(
  env: Record<string, string | undefined>,
  read: SecretReader = awsSecretReader(),
): Promise<number> {
  const refs = parseSecretRefs(env.MCP_SECRETS);
  if (refs.length === 0) return 0;
  const values = await Promise.all(
    refs.map(async (ref) => {
      try {
        return pick(ref, await read(ref));
      } catch (error) {
        if (error instanceof ConfigError) throw error;
        const { name, message } = error as Error;
        throw new ConfigError(
          `${ref.key}: could not read ${describeRef(ref)}: ${name && name !== 'Error' ? `${name}: ` : ''}${message}`,
        );
      }
    }),
  );
  refs.forEach((ref, index) => {
    env[ref.key] = values[index];
  });
  return refs.length;
}

/** {@link loadSecrets} at cold start: a failure is logged as one line, then fails the init. */
export async function loadSecretsAtStart(env: Record<string, string | undefined>, read?: SecretReader): Promise<void> {
  try {
    await loadSecrets(env, read);
  } catch (error) {
    logStartupFailure((error as Error).message);
    throw error;
  }
}
