/**
 * `deploy --stdio-from <client>:<entry>` from end to end, in the order deploy runs it: the client's entry
 * becomes the flags it stands for (a `--stdio` command line, `--env` settings, and `--secret` references
 * for the values the user agreed to store) before the request is checked; the keys are stored once the
 * server is bundled and before the stack is deployed; and afterwards the client is offered the deployed
 * server in place of the stdio entry (./move-secrets.ts keeps the old one in a backup).
 */
import type { CommandContext } from '../context.js';
import { cliStackName } from '../deployed/name.js';
import type { StackCliOptions } from '../options/stack-options.js';
import { UsageError, UserError } from '../terminal/errors.js';
import { type ClientStdioEntry, keyLikeArguments, parseStdioFrom, readStdioEntry } from './from-client.js';
import { chooseMovedEnvironment, type MovedEnvironment, offerToRepoint } from './move-secrets.js';

/** What deploy takes on top of the stack options for a move. */
export interface MoveCliOptions {
  /** `<client>:<entry>`. */
  readonly stdioFrom?: string;
  /** Point the client at the deployed server without asking (false: leave it). */
  readonly repoint?: boolean;
}

/** A move under way: the entry, its environment as settings and secrets, and the flags it became. */
export interface StdioMove {
  readonly entry: ClientStdioEntry;
  readonly moved: MovedEnvironment;
  readonly flags: StackCliOptions;
  /** The server's name in a stack of several (its settings are scoped to it); undefined for one server. */
  readonly server?: string;
}

const scoped = (record: Readonly<Record<string, string>>, server: string | undefined) =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [server ? `${server}:${key}` : key, value]));

/** Keys of `--env`/`--secret` flags that are for the moved server (plain, or scoped to it). */
function keysFor(record: Readonly<Record<string, string>> | undefined, server: string | undefined): Record<string, string> {
  const mine: Record<string, string> = {};
  for (const [key, value] of Object.entries(record ?? {})) {
    const at = key.indexOf(':');
    if (at < 0) mine[key] = value;
    else if (server !== undefined && key.slice(0, at) === server) mine[key.slice(at + 1)] = value;
  }
  return mine;
}

/**
 * Reads the entry and asks about its keys (nothing is stored yet); undefined without --stdio-from. One server: the stack is named after
 * the entry unless --name or --stack-name says otherwise. Beside --entry or --stdio servers, it is the
 * server named after the entry, and its settings are scoped to it.
 */
export async function readStdioMove(
  ctx: CommandContext,
  options: StackCliOptions & MoveCliOptions,
): Promise<StdioMove | undefined> {
  if (options.stdioFrom === undefined) {
    if (options.repoint === undefined) return undefined;
    throw new UsageError(
      `--${options.repoint ? '' : 'no-'}repoint goes with --stdio-from: it says what to do with the client's stdio entry.`,
      'mcp-lambda deploy --stdio-from claude-code:<entry name> --repoint',
    );
  }
  const entry = await readStdioEntry(parseStdioFrom(options.stdioFrom), ctx.env, ctx.cwd);
  const several = (options.entry?.length ?? 0) + (options.stdio?.length ?? 0) > 0;
  const server = several ? entry.name : undefined;
  const named =
    options.name === undefined && options.stackName === undefined && !several ? { ...options, name: entry.name } : options;
  const title = entry.client === 'claude-code' ? 'Claude Code' : 'Claude Desktop';
  // Checked before the command line is printed: it holds the value.
  const keyArgs = keyLikeArguments(entry.args);
  if (keyArgs.length > 0) {
    throw new UserError(
      `${title}'s "${entry.name}" passes what looks like a key on its command line (${keyArgs.join(', ')}): moved, it would be written into the function's code as it is, readable by anyone who may read the code.`,
      {
        hint: 'Pass the key in the entry\'s env instead (most servers read it from an environment variable), then move it again: keys in env go to Secrets Manager. If it is not a key, deploy with --stdio "<command line>" yourself.',
      },
    );
  }
  // A project's .mcp.json comes with the repository, not from the user: its command runs here (to record
  // it) and on AWS with the function's role. Asked about, naming the file; --yes answers it.
  if (entry.scope === 'project') {
    const move = await ctx.prompt.confirm(
      `"${entry.name}" comes from ${entry.file}, this project's shared config, not your own: moving it runs \`${entry.commandLine}\` here and on AWS. Move it?`,
      { default: false },
    );
    if (!move) throw new UserError(`Left "${entry.name}" as it was; nothing was run or deployed.`);
  }
  ctx.out.info(`Moving ${title}'s "${entry.name}" (${entry.file}): ${entry.commandLine}`);
  const moved = await chooseMovedEnvironment(ctx, entry, cliStackName(named), {
    env: keysFor(options.env, server),
    secret: keysFor(options.secret, server),
  });
  const flags: StackCliOptions = {
    ...named,
    stdio: [...(options.stdio ?? []), server ? `${server}=${entry.commandLine}` : entry.commandLine],
    ...((Object.keys(moved.environment).length > 0 || options.env) && {
      env: { ...scoped(moved.environment, server), ...options.env },
    }),
    ...((Object.keys(moved.secrets).length > 0 || options.secret) && {
      secret: { ...scoped(moved.secrets, server), ...options.secret },
    }),
  };
  return { entry, moved, flags, ...(server && { server }) };
}

/**
 * After the deploy: offers the client the deployed server in the entry's place. Not interactive and no
 * `--repoint`: the entry is left, and the command that switches later is printed. True when the client
 * was given the deployed server.
 */
export async function repointClient(
  ctx: CommandContext,
  move: StdioMove,
  stackName: string,
  options: MoveCliOptions,
): Promise<boolean> {
  const { writeConfig } = await import('../commands/write-config.js');
  const given = options.repoint ?? (ctx.interactive ? undefined : false);
  return offerToRepoint(
    ctx,
    move.entry,
    (target) =>
      writeConfig(ctx, {
        client: target.client,
        scope: target.scope,
        auth: 'oauth',
        entryName: target.entryName,
        stackName,
        replace: true,
        ...(move.server !== undefined && { server: move.server }),
      }),
    given,
  );
}
