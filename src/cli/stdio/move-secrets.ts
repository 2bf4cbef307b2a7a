/**
 * The two steps of `deploy --stdio-from` that touch more than the deploy: the entry's keys go to Secrets
 * Manager (asked first; a value never reaches the template, a log line or the terminal), and afterwards the
 * client's entry is pointed at the deployed server, the stdio entry kept in a backup file.
 */
import { join } from 'node:path';
import type { AwsContext } from '../aws/context.js';
import { shellQuote } from '../clients/claude-code/entry.js';
import type { CommandContext } from '../context.js';
import { configDir } from '../state/stack-state.js';
import { writeJsonFile } from '../state/files.js';
import { UserError } from '../terminal/errors.js';
import type { ClientStdioEntry } from './from-client.js';
import { splitEnvironment } from './from-client.js';

/** What the entry's environment becomes: `--env` settings, and keys to store as `--secret`s. */
export interface MovedEnvironment {
  readonly environment: Record<string, string>;
  /** KEY → the value to store (in memory only until it is stored). */
  readonly toStore: ReadonlyMap<string, string>;
  /** KEY → the Secrets Manager name it is stored under. */
  readonly secrets: Record<string, string>;
}

/** The Secrets Manager name for one of the entry's keys. */
export function secretNameFor(stackName: string, key: string): string {
  return `mcp-lambda/${stackName}/${key}`;
}

/**
 * Splits the entry's environment and asks, for each value that looks like a key, to store it in Secrets
 * Manager. A key the user will not store stops the deploy with the two ways on (a value in the template is
 * not something to do by default). `--env`/`--secret` flags for a key win: it is not asked about.
 */
export async function chooseMovedEnvironment(
  ctx: CommandContext,
  entry: ClientStdioEntry,
  stackName: string,
  given: { readonly env?: Readonly<Record<string, string>>; readonly secret?: Readonly<Record<string, string>> },
): Promise<MovedEnvironment> {
  const { plain, keyLike } = splitEnvironment(entry.env);
  const isGiven = (key: string) => (given.env && key in given.env) || (given.secret && key in given.secret);
  const environment = Object.fromEntries(Object.entries(plain).filter(([key]) => !isGiven(key)));
  const toStore = new Map<string, string>();
  const secrets: Record<string, string> = {};
  for (const [key, value] of Object.entries(keyLike)) {
    if (isGiven(key)) continue;
    const name = secretNameFor(stackName, key);
    const store = await ctx.prompt.confirm(
      `${entry.name}'s ${key} looks like a key. Store it in Secrets Manager as ${name}? (the function reads it at cold start; it is never in the template or logs)`,
      { default: true },
    );
    if (!store) {
      throw new UserError(`${key} was not stored, and mcp-lambda does not put a key in the template unasked.`, {
        hint: `Store it yourself and pass --secret ${key}=<its name>, or pass --env ${key}=… to deploy it in the clear.`,
      });
    }
    toStore.set(key, value);
    secrets[key] = name;
  }
  return { environment, toStore, secrets };
}

/** The tag on a secret a move stored: only such a secret is given a new value by a later move. */
export const MOVED_TAG = 'mcp-lambda:moved';

/**
 * Stores the keys. A secret of that name from an earlier move (it carries {@link MOVED_TAG}) gets the new
 * value as its current version; one mcp-lambda did not make is left alone and the deploy stops: it may be
 * someone else's, under their own access policy.
 */
export async function storeSecrets(ctx: CommandContext, aws: AwsContext, moved: MovedEnvironment): Promise<void> {
  if (moved.toStore.size === 0) return;
  const { CreateSecretCommand, DescribeSecretCommand, PutSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = await aws.secretsManagerClient();
  for (const [key, value] of moved.toStore) {
    const name = moved.secrets[key] ?? '';
    try {
      await client.send(
        new CreateSecretCommand({
          Name: name,
          SecretString: value,
          Description: `${key} for an MCP server, moved by mcp-lambda`,
          Tags: [{ Key: MOVED_TAG, Value: key }],
        }),
      );
      ctx.out.info(`Stored ${key} in Secrets Manager as ${name}.`);
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceExistsException') {
        throw new UserError(`Could not store ${key} in Secrets Manager as ${name}: ${(error as Error).message}`, {
          hint: 'Nothing was deployed. Check that your identity may call secretsmanager:CreateSecret and secretsmanager:TagResource, or store it yourself and pass --secret.',
          cause: error,
        });
      }
      const existing = await client.send(new DescribeSecretCommand({ SecretId: name })).catch((cause: unknown) => {
        throw new UserError(`${name} exists, and mcp-lambda could not check who made it: ${(cause as Error).message}`, {
          hint: 'Nothing was deployed. Check that your identity may call secretsmanager:DescribeSecret, or pass --secret.',
          cause,
        });
      });
      if (!(existing.Tags ?? []).some((tag) => tag.Key === MOVED_TAG)) {
        throw new UserError(
          `A secret named ${name} already exists, and mcp-lambda did not make it: ${key} was not stored in it.`,
          {
            hint: `Nothing was deployed. If it holds ${key}, pass --secret ${key}=${name}; else deploy with another --name.`,
          },
        );
      }
      await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
      ctx.out.info(`Updated ${name} in Secrets Manager with ${key}'s value from the entry.`);
    }
  }
}

/** Where the stdio entry is kept when its client is pointed at the deployed server. */
export function backupFile(env: Readonly<Record<string, string | undefined>>, entry: ClientStdioEntry, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return join(configDir(env), 'backups', `${entry.client}-${entry.name.replace(/[^A-Za-z0-9_-]/g, '-')}-${stamp}.json`);
}

/**
 * After the deploy: offers to point the client at the deployed server. Claude Code's entry is replaced in
 * the scope it was found in (by write-config, which merges and writes atomically), once the old entry is
 * in a backup file with the command that restores it. Claude Desktop keeps remote servers in its
 * Connectors, not in the file: its steps are printed and its stdio entry is left for the user to remove.
 * True when the client was given the deployed server.
 */
export async function offerToRepoint(
  ctx: CommandContext,
  entry: ClientStdioEntry,
  write: (options: { client: string; scope: 'project' | 'user' | 'local'; entryName: string }) => Promise<void>,
  /** `--repoint` / `--no-repoint`; undefined: ask. */
  given?: boolean,
): Promise<boolean> {
  const { out } = ctx;
  if (entry.client === 'claude-desktop') {
    if (given === false) {
      out.info(
        `Claude Desktop's "${entry.name}" still runs the server locally. To add the connector later: mcp-lambda write-config --client claude-desktop`,
      );
      return false;
    }
    await write({ client: 'claude-desktop', scope: 'user', entryName: entry.name });
    out.info(`Once the connector works, remove the stdio entry "${entry.name}" from ${entry.file}.`);
    return true;
  }
  const repoint =
    given ??
    (await ctx.prompt.confirm(
      `Point Claude Code's "${entry.name}" at the deployed server? (the stdio entry is kept in a backup file)`,
      { default: true, flag: '--repoint' },
    ));
  if (!repoint) {
    out.info(
      `Claude Code's "${entry.name}" still runs the server locally. To switch later: mcp-lambda write-config --entry-name ${shellQuote(entry.name)} --scope ${entry.scope ?? 'user'}`,
    );
    return false;
  }
  const file = backupFile(ctx.env, entry);
  const scope = entry.scope ?? 'user';
  await writeJsonFile(file, {
    client: entry.client,
    file: entry.file,
    scope,
    name: entry.name,
    entry: entry.raw,
    // Reads the entry from this file when run, so its keys never sit in the command (nor shell history).
    restore: `claude mcp add-json ${shellQuote(entry.name)} "$(node -p 'JSON.stringify(require(process.argv[1]).entry)' ${shellQuote(file)})" --scope ${scope}`,
  });
  out.info(`Kept the stdio entry in ${file}.`);
  await write({ client: 'claude-code', scope, entryName: entry.name });
  return true;
}
