/**
 * `mcp-lambda users`: who is in a deployed server's user pool and who may join. `list`, `invite`,
 * `disable`/`enable`/`remove`, `allow`/`disallow` (the sign-up allow-list; takes effect at once, no
 * deploy), `groups add|remove`.
 */
import { checkAllowEntry } from '../../stack/sign-up.js';
import { StackPropsError } from '../../stack/names.js';
import { AwsContext } from '../aws/context.js';
import type { CommandContext } from '../context.js';
import { resolveStack, type StackOutputs, type StackSelector } from '../deployed/resolve.js';
import { readAllowList, writeAllowList } from '../deployed/sign-up.js';
import { duration } from '../terminal/duration.js';
import { DeclinedError, UsageError, UserError } from '../terminal/errors.js';
import { groupNameError, PoolUsers } from '../users/pool-users.js';

export type UsersAction =
  | { readonly kind: 'list' }
  | { readonly kind: 'invite' | 'disable' | 'enable' | 'remove'; readonly email: string }
  | { readonly kind: 'allow' | 'disallow'; readonly entries: readonly string[] }
  | { readonly kind: 'group-add' | 'group-remove'; readonly email: string; readonly group: string };

function checkEmail(value: string): string {
  const address = value.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) throw new UsageError(`${JSON.stringify(value)} is not an email address.`);
  return address;
}

function checkEntries(entries: readonly string[]): string[] {
  try {
    return entries.map(checkAllowEntry);
  } catch (error) {
    if (error instanceof StackPropsError) throw new UsageError(error.message);
    throw error;
  }
}

function awsFor(ctx: CommandContext, stack: StackOutputs): AwsContext {
  return new AwsContext({
    region: stack.region,
    env: ctx.env,
    ...(ctx.global.profile !== undefined && { profile: ctx.global.profile }),
  });
}

async function changeAllowList(
  ctx: CommandContext,
  stack: StackOutputs,
  entries: readonly string[],
  add: boolean,
): Promise<void> {
  const { out, global } = ctx;
  const policy = stack.raw.SignUpPolicy;
  const parameter = stack.raw.AllowListParameter;
  if (policy !== 'allow-list' || !parameter) {
    throw new UserError(
      policy === undefined
        ? `${stack.stackName} was deployed by an older mcp-lambda and has no allow-list: anyone can register.`
        : `${stack.stackName}'s sign-up policy is ${policy}, not an allow-list.`,
      {
        hint:
          policy === 'invite'
            ? `Invite people instead: mcp-lambda users invite <address>; or redeploy with --allow ${entries[0] ?? '<address>'}`
            : `Redeploy with an allow-list: mcp-lambda deploy --allow ${entries[0] ?? '<address>'}`,
      },
    );
  }
  const aws = awsFor(ctx, stack);
  try {
    const ssm = await aws.ssmClient();
    const before = await readAllowList(ssm, parameter);
    const after = add ? [...new Set([...before, ...entries])] : before.filter((entry) => !entries.includes(entry));
    const unchanged = entries.filter((entry) => before.includes(entry) === add);
    if (after.length !== before.length) await writeAllowList(ssm, parameter, after);
    if (global.json) {
      out.json({ stackName: stack.stackName, allow: [...after].sort(), unchanged });
      return;
    }
    for (const entry of unchanged) out.info(`${entry} ${add ? 'was already on' : 'was not on'} the list.`);
    out.result(`Sign-up allow-list of ${stack.stackName}: ${[...after].sort().join(', ') || '(empty: nobody can register)'}`);
    if (!add && after.length !== before.length) {
      out.info('People who already registered keep their accounts: mcp-lambda users disable <address> shuts one out.');
    }
  } finally {
    aws.destroy();
  }
}

/**
 * What disabling, removing or un-grouping a user does not undo: the access token they already hold. The
 * API checks only its signature and expiry, so it keeps working (with the groups it was issued with) until
 * it expires; the app client's access-token validity bounds that.
 */
async function stillValid(
  pool: PoolUsers,
  clientId: string,
  holds: string,
): Promise<{ readonly text: string; readonly minutes: number | null }> {
  const lifetime = await pool.accessTokenLifetime(clientId);
  const bound =
    'minutes' in lifetime
      ? `at most ${duration(lifetime.minutes * 60_000)} after it was issued (the app client's access-token validity)`
      : `at most the stack's --session-hours after it was issued (8 h unless deployed otherwise; the app client's validity could not be read: ${lifetime.why})`;
  return {
    text: `An access token they already hold ${holds} until it expires, ${bound}: the API checks a token's signature and expiry, and no Cognito call withdraws it sooner.`,
    minutes: 'minutes' in lifetime ? lifetime.minutes : null,
  };
}

export async function users(ctx: CommandContext, selector: StackSelector, action: UsersAction): Promise<void> {
  const { out, global, prompt } = ctx;
  // Check what was typed before finding the stack (which may call AWS).
  const email = 'email' in action ? checkEmail(action.email) : '';
  const entries = 'entries' in action ? checkEntries(action.entries) : [];
  if (action.kind === 'group-add' || action.kind === 'group-remove') {
    const problem = groupNameError(action.group, action.kind === 'group-add' ? 'add' : 'remove');
    if (problem !== undefined) throw new UsageError(problem);
  }
  if (action.kind === 'allow' || action.kind === 'disallow') {
    if (entries.length === 0) throw new UsageError(`users ${action.kind} needs at least one address or @domain.`);
  }
  const stack = await resolveStack(ctx, selector);
  if (action.kind === 'allow' || action.kind === 'disallow') return changeAllowList(ctx, stack, entries, action.kind === 'allow');

  const aws = awsFor(ctx, stack);
  try {
    const pool = new PoolUsers(await aws.cognitoClient(), stack.userPoolId);
    const done = (text: string, value: Record<string, unknown>, note?: string) => {
      if (global.json) out.json({ stackName: stack.stackName, ...value });
      else {
        out.result(`${out.style.green('✓')} ${text}`);
        if (note !== undefined) out.info(note);
      }
    };
    switch (action.kind) {
      case 'list': {
        const rows = await pool.list();
        if (global.json) {
          out.json({ stackName: stack.stackName, signUpPolicy: stack.raw.SignUpPolicy ?? null, users: rows });
          return;
        }
        if (rows.length === 0) {
          out.result(`No users in ${stack.stackName} yet.`);
          return;
        }
        const width = Math.max(5, ...rows.map((row) => row.email.length));
        out.result(`${'EMAIL'.padEnd(width)}  ${'STATUS'.padEnd(21)}  ENABLED  CREATED     GROUPS`);
        for (const row of rows) {
          out.result(
            `${row.email.padEnd(width)}  ${row.status.padEnd(21)}  ${(row.enabled ? 'yes' : 'no').padEnd(7)}  ${(row.created ?? '').slice(0, 10).padEnd(10)}  ${row.groups.join(', ') || '-'}`,
          );
        }
        return;
      }
      case 'invite':
        await pool.invite(email);
        done(`Invited ${email}: Cognito emails them a temporary password; they sign in with mcp-lambda login.`, {
          invited: email,
        });
        return;
      case 'disable': {
        await pool.disable(email);
        const still = await stillValid(pool, stack.clientId, 'still works at the MCP URL');
        done(
          `Disabled ${email}: they can no longer sign in, and their refresh tokens are revoked (signed out everywhere), so they get no new tokens.`,
          { disabled: email, refreshTokensRevoked: true, accessTokensValidForMinutes: still.minutes },
          still.text,
        );
        return;
      }
      case 'enable':
        await pool.enable(email);
        done(`Enabled ${email}.`, { enabled: email });
        return;
      case 'remove': {
        if (!(await prompt.confirm(`Remove ${email} from ${stack.stackName}? Their account is deleted.`, { default: false }))) {
          throw new DeclinedError(`Kept ${email}.`);
        }
        await pool.remove(email);
        const still = await stillValid(pool, stack.clientId, 'still works at the MCP URL');
        done(
          `Removed ${email}: signed out everywhere (their refresh tokens are revoked), then deleted.`,
          { removed: email, refreshTokensRevoked: true, accessTokensValidForMinutes: still.minutes },
          still.text,
        );
        return;
      }
      case 'group-add': {
        const { createdGroup } = await pool.addToGroup(email, action.group);
        done(`Added ${email} to ${action.group}${createdGroup ? ' (a new group)' : ''}.`, {
          user: email,
          group: action.group,
          createdGroup,
        });
        return;
      }
      case 'group-remove': {
        await pool.removeFromGroup(email, action.group);
        const still = await stillValid(pool, stack.clientId, `still carries ${action.group} (and its tools)`);
        done(
          `Removed ${email} from ${action.group}: tokens issued from now on (their next refresh) leave it out.`,
          { user: email, group: action.group, accessTokensValidForMinutes: still.minutes },
          still.text,
        );
        return;
      }
    }
  } finally {
    aws.destroy();
  }
}
