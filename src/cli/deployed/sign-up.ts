/**
 * The sign-up policy on the CLI side: reading and changing a deployed stack's allow-list (an SSM
 * parameter the pre-sign-up trigger reads at every sign-up), and choosing the policy a deploy uses.
 */
import { execFile } from 'node:child_process';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { allowListValue, checkAllowEntry, parseAllowList, repairAllowListCommand, type SignUpMode } from '../../stack/sign-up.js';
import type { McpServerStackOptions } from '../../stack/props.js';
import { explainAwsError } from '../aws/errors.js';
import type { CommandContext } from '../context.js';
import type { StackDescription } from '../deploy/engine.js';
import { UsageError, UserError } from '../terminal/errors.js';

type SignUp = NonNullable<McpServerStackOptions['signUp']>;

export async function readAllowList(ssm: SSMClient, parameter: string): Promise<string[]> {
  const { GetParameterCommand } = await import('@aws-sdk/client-ssm');
  let value: string | undefined;
  try {
    value = (await ssm.send(new GetParameterCommand({ Name: parameter }))).Parameter?.Value;
  } catch (error) {
    throw explainAwsError(error, { doing: `read the sign-up allow-list (ssm:GetParameter ${parameter})` }) ?? error;
  }
  if (value === undefined) throw new UserError(`The allow-list parameter ${parameter} has no value.`);
  try {
    return parseAllowList(value, parameter);
  } catch (error) {
    throw new UserError(`${(error as Error).message} The pre-sign-up trigger refuses everyone until it does.`, {
      hint: `Set it again with the addresses to allow: ${repairAllowListCommand(parameter)}`,
    });
  }
}

export async function writeAllowList(ssm: SSMClient, parameter: string, allow: readonly string[]): Promise<void> {
  const { PutParameterCommand } = await import('@aws-sdk/client-ssm');
  try {
    await ssm.send(new PutParameterCommand({ Name: parameter, Value: allowListValue(allow), Type: 'String', Overwrite: true }));
  } catch (error) {
    throw explainAwsError(error, { doing: `change the sign-up allow-list (ssm:PutParameter ${parameter})` }) ?? error;
  }
}

/** The deployer's own address, to suggest: `git config user.email`, when git knows one. */
function gitEmail(cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['config', 'user.email'], { cwd, timeout: 2000 }, (error, stdout) => {
      const email = stdout.trim();
      resolve(error || email === '' ? undefined : email);
    });
  });
}

const FLAGS_HINT =
  'Pass --allow you@example.com (repeatable; @example.com for a whole domain), --signup invite, or --signup open.';

/** Parses "a@x.com, @team.example" or "invite" / "open", as typed at the question. */
function parseAnswer(answer: string): SignUp {
  const text = answer.trim().toLowerCase();
  if (text === 'invite' || text === 'open') return { mode: text };
  return { mode: 'allow-list', allow: text.split(/[\s,]+/).filter(Boolean) };
}

/**
 * The policy for this deploy: the flags; else what the deployed stack has now (for an allow-list, its
 * current entries, so `users allow` changes survive); else a question (suggesting the deployer's address);
 * else — not interactive — a stop naming the flags.
 */
export async function chooseSignUp(
  ctx: CommandContext,
  fromFlags: SignUp | undefined,
  existing: StackDescription | undefined,
  ssm: () => Promise<SSMClient>,
): Promise<SignUp> {
  if (fromFlags) return fromFlags;
  const mode = existing?.outputs.SignUpPolicy as SignUpMode | undefined;
  if (mode === 'invite' || mode === 'open') return { mode };
  if (mode === 'allow-list' && existing?.outputs.AllowListParameter) {
    return { mode, allow: await readAllowList(await ssm(), existing.outputs.AllowListParameter) };
  }
  if (!ctx.interactive) {
    throw new UsageError('Choose who may sign up to this server before deploying it.', FLAGS_HINT);
  }
  const suggestion = await gitEmail(ctx.cwd);
  ctx.out.info('Who may sign up and use this server? Nobody else can register.');
  ctx.out.info(ctx.out.style.dim('  addresses or @domains, comma-separated · "invite": only people you invite · "open": anyone'));
  const answer = await ctx.prompt.input(`Allow${suggestion ? ` (e.g. ${suggestion})` : ''}:`, {
    flag: '--allow <address>',
    validate: (value) => {
      const parsed = parseAnswer(value);
      if (parsed.mode !== 'allow-list') return true;
      if (parsed.allow?.length === 0) return 'Enter at least one address or @domain, or "invite" or "open".';
      try {
        parsed.allow?.forEach(checkAllowEntry);
        return true;
      } catch (error) {
        return (error as Error).message;
      }
    },
  });
  return parseAnswer(answer);
}

/** One line saying who may sign up, for deploy's and status's output. */
export function describeSignUp(mode: string | undefined, allow?: readonly string[]): string {
  if (mode === 'invite') return 'Sign-up: invite only (mcp-lambda users invite <address>)';
  if (mode === 'open') return 'Sign-up: OPEN — anyone who finds the sign-up page can register and use this server';
  if (mode === 'allow-list') {
    if (allow === undefined) return 'Sign-up: allow-list (mcp-lambda users allow <address>)';
    return allow.length === 0
      ? 'Sign-up: allow-list, empty: nobody can register yet (mcp-lambda users allow <address>)'
      : `Sign-up: allow-list: ${allow.join(', ')}`;
  }
  return 'Sign-up: open to anyone (deployed by an older mcp-lambda: redeploy with --allow, or --signup invite)';
}
