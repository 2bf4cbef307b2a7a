/**
 * The server's settings and secrets at deploy (`--env`, `--secret`, `--clear-settings`): the flags, else
 * what the deployed stack has (so a deploy without them never drops a key a server needs), and a check
 * that each secret exists before a deploy of minutes ends in a function that cannot start.
 *
 * With several servers a setting may be for one of them (`--secret notes:KEY=…`, `--env notes:KEY=…`): only
 * that server's function gets it, and only its role may read the secret. The CLI keeps such a setting under
 * its `<server>:KEY` name (in the flags and the `ServerSettings` output alike) and splits it off here.
 */
import type { AwsContext } from '../aws/context.js';
import { explainAwsError } from '../aws/errors.js';
import type { CommandContext } from '../context.js';
import type { StackDescription } from '../deploy/engine.js';
import { UsageError, UserError } from '../terminal/errors.js';
import { SECRET_LOOKING_KEY, type SecretSetting } from '../../stack/settings.js';

export interface ServerSettings {
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, string>>;
}

/** What the flags say, if they say anything. */
export function settingsFromFlags(options: {
  readonly env?: Record<string, string>;
  readonly secret?: Record<string, string>;
  readonly clearSettings?: boolean;
}): ServerSettings | undefined {
  if (options.env === undefined && options.secret === undefined && options.clearSettings !== true) return undefined;
  return { environment: options.env ?? {}, secrets: options.secret ?? {} };
}

/** Reads the `ServerSettings` output of a deployed stack; undefined when it has none or it is unreadable. */
export function deployedSettings(existing: StackDescription | undefined): ServerSettings | undefined {
  const raw = existing?.outputs.ServerSettings;
  if (raw === undefined) return undefined;
  try {
    const parsed = JSON.parse(raw) as { env?: unknown; secrets?: unknown };
    const record = (value: unknown) =>
      typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string')
        ? (value as Record<string, string>)
        : undefined;
    const environment = record(parsed.env ?? {});
    const secrets = record(parsed.secrets ?? {});
    return environment && secrets ? { environment, secrets } : undefined;
  } catch {
    return undefined;
  }
}

/** `notes:KEY` → server `notes`, key `KEY`; a plain `KEY` is for every server. */
function splitKey(scopedKey: string): { server?: string; key: string } {
  const at = scopedKey.indexOf(':');
  return at < 0 ? { key: scopedKey } : { server: scopedKey.slice(0, at), key: scopedKey.slice(at + 1) };
}

type Scoped = { environment: Record<string, string>; secrets: Record<string, string> };

/**
 * Splits settings into those every server gets and each server's own (`--env notes:KEY=…`), for the stack's
 * servers (`servers`; undefined for one server at /mcp). A server the flags name that the deploy does not
 * have is refused, naming the ones it has; one the deployed stack's settings name (a server this deploy
 * drops) goes with its server, said in a warning.
 */
export function scopeSettings<S extends { readonly name: string }>(
  ctx: Pick<CommandContext, 'out'>,
  settings: ServerSettings,
  servers: readonly S[] | undefined,
  fromFlags: boolean,
): { environment: Record<string, string>; secrets: Record<string, string>; servers?: (S & Scoped)[] } {
  const shared: Scoped = { environment: {}, secrets: {} };
  const own = new Map<string, Scoped>((servers ?? []).map((server) => [server.name, { environment: {}, secrets: {} }]));
  const known = servers?.map((server) => server.name) ?? [];
  for (const kind of ['environment', 'secrets'] as const) {
    for (const [scopedKey, value] of Object.entries(settings[kind])) {
      const { server, key } = splitKey(scopedKey);
      if (server === undefined) {
        shared[kind][key] = value;
        continue;
      }
      const target = own.get(server);
      if (target) {
        target[kind][key] = value;
        continue;
      }
      const flag = kind === 'environment' ? '--env' : '--secret';
      const why =
        servers === undefined
          ? `a setting for one server (${server}:${key}) is for a stack of several (--entry a=… --entry b=…); this one has one server`
          : `there is no server ${server} in this stack; its servers are ${known.join(', ')}`;
      if (fromFlags) {
        throw new UsageError(
          `${flag} ${scopedKey}=…: ${why}.`,
          servers === undefined ? `Drop the prefix: ${flag} ${key}=…` : `Name one of them: ${flag} ${known[0]}:${key}=…`,
        );
      }
      ctx.out.warn(`Dropping ${flag} ${scopedKey} (kept from the deployed stack): ${why}.`);
    }
  }
  return {
    ...shared,
    ...(servers && { servers: servers.map((server) => ({ ...server, ...(own.get(server.name) as Scoped) })) }),
  };
}

/** What one server gets: the settings for every server, and its own without their `<server>:` prefix. */
export function settingsFor(settings: ServerSettings, server: string | undefined): ServerSettings {
  const pick = (record: Readonly<Record<string, string>>) =>
    Object.fromEntries(
      Object.entries(record).flatMap(([scopedKey, value]) => {
        const { server: scope, key } = splitKey(scopedKey);
        return scope === undefined || scope === server ? [[key, value]] : [];
      }),
    );
  return { environment: pick(settings.environment), secrets: pick(settings.secrets) };
}

/** One line naming the settings and secrets (never a value). */
export function describeSettings(settings: ServerSettings): string {
  const env = Object.keys(settings.environment);
  const secrets = Object.entries(settings.secrets);
  if (env.length === 0 && secrets.length === 0) return 'Settings: none';
  return [
    env.length > 0 ? `Settings: ${env.join(', ')}` : undefined,
    secrets.length > 0 ? `Secrets: ${secrets.map(([key, reference]) => `${key} (${reference})`).join(', ')}` : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
}

/**
 * The settings for this deploy: the flags (which replace the whole set), else the deployed stack's. Warns
 * about a plain setting whose name says it is a secret: its value would be in the template.
 */
export function chooseSettings(
  ctx: CommandContext,
  fromFlags: ServerSettings | undefined,
  existing: StackDescription | undefined,
): ServerSettings {
  const { out } = ctx;
  const deployed = deployedSettings(existing);
  if (existing?.outputs.ServerSettings !== undefined && deployed === undefined && fromFlags === undefined) {
    out.warn('The stack’s ServerSettings output is not readable; deploying without settings. Pass --env/--secret again.');
  }
  const chosen = fromFlags ?? deployed ?? { environment: {}, secrets: {} };
  for (const scopedKey of Object.keys(fromFlags?.environment ?? {})) {
    const { key } = splitKey(scopedKey);
    if (SECRET_LOOKING_KEY.test(key)) {
      out.warn(
        `--env ${scopedKey}: its value goes into the CloudFormation template and the Lambda console. If it is a secret, store it (aws secretsmanager create-secret --name ${key.toLowerCase()} --secret-string …) and pass --secret ${scopedKey}=${key.toLowerCase()} instead.`,
      );
    }
  }
  if (!ctx.global.json && (Object.keys(chosen.environment).length > 0 || Object.keys(chosen.secrets).length > 0)) {
    out.info(
      `${describeSettings(chosen)}${fromFlags === undefined ? ' (kept from the deployed stack; --clear-settings drops them)' : ''}`,
    );
  }
  return chosen;
}

const missing = (error: unknown) =>
  ['ResourceNotFoundException', 'ParameterNotFound'].includes((error as { name?: string }).name ?? '');

/** The parameter name inside an SSM parameter ARN, or the name itself. */
function parameterName(id: string): string {
  const match = /:parameter(\/.*)$/.exec(id);
  if (!match?.[1]) return id;
  // An ARN's path keeps the leading slash only for hierarchical names (/a/b); a plain name has none.
  return match[1].lastIndexOf('/') === 0 ? match[1].slice(1) : match[1];
}

/**
 * Checks that every secret exists, reading no value (DescribeSecret, DescribeParameters). A missing one
 * stops the deploy with the command that creates it; a check AWS does not allow is said and skipped.
 */
export async function checkSecretsExist(ctx: CommandContext, aws: AwsContext, secrets: readonly SecretSetting[]): Promise<void> {
  if (secrets.length === 0) return;
  const region = await aws.region();
  const flags = `--region ${region}${aws.settings.profile ? ` --profile ${aws.settings.profile}` : ''}`;
  const secretsManager = secrets.some((s) => s.kind === 'secretsmanager') ? await aws.secretsManagerClient() : undefined;
  const ssm = secrets.some((s) => s.kind === 'ssm') ? await aws.ssmClient() : undefined;
  try {
    for (const secret of secrets) {
      try {
        if (secret.kind === 'secretsmanager') {
          const { DescribeSecretCommand } = await import('@aws-sdk/client-secrets-manager');
          await secretsManager?.send(new DescribeSecretCommand({ SecretId: secret.id }));
          continue;
        }
        const name = parameterName(secret.id);
        const { DescribeParametersCommand } = await import('@aws-sdk/client-ssm');
        const answer = await ssm?.send(
          new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [name] }] }),
        );
        if ((answer?.Parameters ?? []).length === 0) throw Object.assign(new Error(name), { name: 'ParameterNotFound' });
      } catch (error) {
        if (missing(error)) {
          const create =
            secret.kind === 'secretsmanager'
              ? `aws secretsmanager create-secret --name ${secret.id} --secret-string '…' ${flags}`
              : `aws ssm put-parameter --name ${parameterName(secret.id)} --type SecureString --value '…' ${flags}`;
          throw new UserError(
            `--secret ${secret.key}: ${secret.kind === 'ssm' ? 'SSM parameter' : 'Secrets Manager secret'} ${secret.id} does not exist in ${region}.`,
            { hint: `Create it (${create}), or fix the reference.` },
          );
        }
        const explained = explainAwsError(error, { ...aws.settings, doing: `check that ${secret.reference} exists` });
        if (explained && explained.exitCode !== 1) {
          // Not being allowed to look does not mean the function cannot read it: say so and go on.
          ctx.out.warn(`Could not check --secret ${secret.key}: ${explained.message} The function reads it at cold start.`);
          continue;
        }
        throw explained ?? error;
      }
    }
  } finally {
    secretsManager?.destroy();
  }
}
