/** `mcp-lambda users` and its subcommands: options and help. The command itself is ./users.ts, loaded when it runs. */
import { type Command } from 'commander';
import { type DefineCommand, stackSelector } from '../options/selectors.js';
import type { StackSelector } from '../deployed/resolve.js';
import type { UsersAction } from './users.js';

export const defineUsers: DefineCommand = (program, run) => {
  const users = program
    .command('users')
    .helpGroup('Deploy and connect:')
    .description('who may use the server: list, invite, disable, enable, remove, allow, disallow, groups')
    .addHelpText(
      'after',
      `
Examples:
  $ mcp-lambda users list
  $ mcp-lambda users allow colleague@example.com @team.example   takes effect at once, no deploy
  $ mcp-lambda users invite colleague@example.com                Cognito emails a temporary password
  $ mcp-lambda users disable colleague@example.com               also revokes their refresh tokens
                                                                 (a token already issued works until it expires)
  $ mcp-lambda users groups add colleague@example.com admins`,
    );
  const usersAction =
    (action: (args: string[]) => UsersAction) =>
    (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const positional = args.slice(0, -2).flatMap((arg) => (Array.isArray(arg) ? arg : [arg])) as string[];
      return run(async (ctx) => (await import('./users.js')).users(ctx, command.opts<StackSelector>(), action(positional)));
    };
  stackSelector(users.command('list').description('the users: email, status, enabled, created, groups')).action(
    usersAction(() => ({ kind: 'list' })),
  );
  for (const [kind, description] of [
    ['invite', 'create an account; Cognito emails the person a temporary password'],
    ['disable', 'disable the account and revoke its refresh tokens (a token already issued works until it expires)'],
    ['enable', 'let a disabled user back in'],
    ['remove', 'revoke a user’s refresh tokens and delete the account (asks first; --yes answers)'],
  ] as const) {
    stackSelector(users.command(kind).argument('<email>').description(description)).action(
      usersAction(([email]) => ({ kind, email: email ?? '' })),
    );
  }
  for (const [kind, description] of [
    ['allow', 'let these addresses or @domains register (allow-list policy; no deploy needed)'],
    ['disallow', 'take addresses or @domains off the allow-list'],
  ] as const) {
    stackSelector(users.command(kind).argument('<entries...>', 'email addresses or @domains').description(description)).action(
      usersAction((entries) => ({ kind, entries })),
    );
  }
  const groups = users.command('groups').description('put users in Cognito groups, or take them out');
  stackSelector(
    groups.command('add').argument('<email>').argument('<group>').description('add a user to a group (created when new)'),
  ).action(usersAction(([email, group]) => ({ kind: 'group-add', email: email ?? '', group: group ?? '' })));
  stackSelector(
    groups.command('remove').argument('<email>').argument('<group>').description('remove a user from a group'),
  ).action(usersAction(([email, group]) => ({ kind: 'group-remove', email: email ?? '', group: group ?? '' })));
};
