/**
 * Reserved concurrency at deploy (`--reserved-concurrency`). The stage's throttle limits requests per
 * second, not how long each runs: without a reservation, the stack's functions share the account's
 * regional concurrency with every other function there, and one signed-in user whose calls each take long
 * (50 requests/s × 25 s ≈ 1,250 at once) could hold all of it. A reservation caps the stack, and is taken
 * from the account's unreserved pool, of which AWS keeps 100 for the functions without one.
 *
 * So `deploy` reads the account's quota (Lambda GetAccountSettings): it checks a reservation asked for (or
 * kept from the deployed stack, `ReservedConcurrency` output) fits, and proposes one when none was chosen
 * — asked in a terminal, said with the flag to pass elsewhere — or warns when the account has no room
 * (a new account's limit is 10). It never fails a deploy for not being able to read the quota.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { DEFAULT_THROTTLING } from '../../stack/props.js';
import { type AwsErrorContext, explainAwsError } from '../aws/errors.js';
import type { CommandContext } from '../context.js';
import type { StackDescription } from './engine.js';
import { UserError } from '../terminal/errors.js';
import { readServers } from '../deployed/resolve.js';

/** The account's concurrent executions in one region, and how many no function has reserved. */
export interface AccountConcurrency {
  readonly limit: number;
  readonly unreserved: number;
}

/** What GetAccountSettings said, or why it could not be read. */
export type ConcurrencyReading = AccountConcurrency | { readonly unknown: string };

/** AWS keeps this many executions unreserved: a reservation may not take the account below it. */
export const MIN_UNRESERVED = 100;

/**
 * What `deploy` proposes for a stack, split between its functions: the stage's burst, as many requests as
 * the throttle lets in at once, so calls that end within a second are never held back by the cap.
 */
export const PROPOSED_RESERVATION = DEFAULT_THROTTLING.burstLimit;

/** A reservation smaller than this per function is not worth proposing: the account needs more room. */
export const MIN_PROPOSAL = 5;

/** The account's concurrency, from Lambda GetAccountSettings; a failure (AccessDenied, say) is said, not thrown. */
export async function readAccountConcurrency(lambda: LambdaClient, aws: AwsErrorContext = {}): Promise<ConcurrencyReading> {
  const { GetAccountSettingsCommand } = await import('@aws-sdk/client-lambda');
  try {
    const { AccountLimit } = await lambda.send(new GetAccountSettingsCommand({}));
    const limit = AccountLimit?.ConcurrentExecutions;
    const unreserved = AccountLimit?.UnreservedConcurrentExecutions;
    if (limit === undefined || unreserved === undefined) return { unknown: 'GetAccountSettings answered without AccountLimit' };
    return { limit, unreserved };
  } catch (error) {
    const explained = explainAwsError(error, {
      ...aws,
      doing: "read the account's Lambda concurrency (lambda:GetAccountSettings)",
    });
    return { unknown: explained?.message ?? (error as Error).message };
  }
}

/**
 * The reservation to propose for each of `functions` functions: {@link PROPOSED_RESERVATION} for the stack,
 * or half of what the account can spare when that is less; undefined when that is under
 * {@link MIN_PROPOSAL} each.
 */
export function proposeReservation(account: AccountConcurrency, functions: number): number | undefined {
  const spare = account.unreserved - MIN_UNRESERVED;
  const each = Math.min(Math.floor(PROPOSED_RESERVATION / functions), Math.floor(spare / 2 / functions));
  return each >= MIN_PROPOSAL ? each : undefined;
}

/** A deployed stack's reservation per function (its `ReservedConcurrency` output), if it recorded one. */
export function deployedReservation(outputs: Readonly<Record<string, string>> | undefined): number | 'none' | undefined {
  const value = outputs?.ReservedConcurrency;
  if (value === 'none') return 'none';
  return value !== undefined && /^[1-9]\d*$/.test(value) ? Number(value) : undefined;
}

function functionsOf(outputs: Readonly<Record<string, string>> | undefined): number {
  const servers = outputs?.Servers === undefined ? undefined : readServers(outputs.Servers);
  return Array.isArray(servers) ? servers.length : 1;
}

const INCREASE = 'ask AWS for a higher limit (Service Quotas → AWS Lambda → Concurrent executions)';
const INCREASE_FIRST = 'Ask AWS for a higher limit (Service Quotas → AWS Lambda → Concurrent executions)';

const perFunction = (each: number, functions: number) =>
  functions > 1 ? `${each} for each of the ${functions} functions (${each * functions} in all)` : `${each} for the function`;

/**
 * The reservation for this deploy: `--reserved-concurrency`, else what the deployed stack has, else a
 * proposal (a question in a terminal; a warning naming the flag elsewhere, or with --yes). A number that
 * does not fit the account stops the deploy before anything changes. Returns undefined when nothing was
 * decided (the next deploy proposes again).
 */
export async function chooseReservation(
  ctx: CommandContext,
  options: {
    readonly flag: number | 'none' | undefined;
    readonly existing: StackDescription | undefined;
    /** The stack's MCP functions after this deploy: each gets the reservation. */
    readonly functions: number;
    readonly region: string;
    readonly read: () => Promise<ConcurrencyReading>;
  },
): Promise<number | 'none' | undefined> {
  const { out } = ctx;
  const { flag, existing, functions, region } = options;
  const deployed = deployedReservation(existing?.outputs);
  const chosen = flag ?? deployed;
  const quiet = ctx.global.json;
  if (chosen === 'none') {
    if (flag === 'none' && !quiet) out.info('Reserved concurrency: none (the stack shares the account’s concurrency).');
    return 'none';
  }
  const reading = await options.read();
  if (typeof chosen === 'number') {
    if ('unknown' in reading) {
      out.warn(`Could not check the reservation against the account’s concurrency: ${reading.unknown}`);
    } else {
      // What this stack holds now is not in the unreserved count: it is released when the reservation changes.
      const held = typeof deployed === 'number' ? deployed * functionsOf(existing?.outputs) : 0;
      const room = reading.unreserved + held - MIN_UNRESERVED;
      if (chosen * functions > room) {
        const most = Math.floor(room / functions);
        throw new UserError(
          `Cannot reserve ${perFunction(chosen, functions)}: the account's Lambda concurrency in ${region} is ${reading.limit}, ${reading.unreserved} of it unreserved, and AWS keeps ${MIN_UNRESERVED} unreserved.`,
          {
            hint:
              most >= 1
                ? `Pass --reserved-concurrency ${most} or less, or ${INCREASE}.`
                : `${INCREASE_FIRST}, or pass --reserved-concurrency none.`,
          },
        );
      }
    }
    if (!quiet) {
      out.info(
        `Reserved concurrency: ${perFunction(chosen, functions)}${flag === undefined ? ' (as deployed; --reserved-concurrency none removes it)' : ''}.`,
      );
    }
    return chosen;
  }

  const risk = `one signed-in user could hold every concurrent execution it has, throttling every other function in the account and region (the stage's throttle limits requests per second, not how long each runs)`;
  if ('unknown' in reading) {
    out.warn(
      `Could not read the account's Lambda concurrency (${reading.unknown}), so no reservation is proposed. Without one, ${risk}. Cap it with --reserved-concurrency <n>.`,
    );
    return undefined;
  }
  const proposal = proposeReservation(reading, functions);
  const account = `The account's Lambda concurrency in ${region} is ${reading.limit}, ${reading.unreserved} of it unreserved`;
  if (proposal === undefined) {
    out.warn(
      `${account}: too little to reserve any for this stack (AWS keeps ${MIN_UNRESERVED} unreserved). Without a reservation, ${risk}. To cap it, ${INCREASE}, then deploy with --reserved-concurrency <n>; --reserved-concurrency none deploys without and stops this warning.`,
    );
    return undefined;
  }
  if (ctx.interactive && !ctx.global.yes) {
    out.info(`${account}. This stack reserves none yet: ${risk}.`);
    const reserve = await ctx.prompt.confirm(
      `Reserve ${perFunction(proposal, functions)}? It caps this stack and is kept from the rest of the account.`,
      { default: true },
    );
    return reserve ? proposal : 'none';
  }
  out.warn(
    `${account}, and this stack reserves none: ${risk}. Cap it with --reserved-concurrency ${proposal} (${perFunction(proposal, functions)}), or pass --reserved-concurrency none to deploy without and stop this warning.`,
  );
  return undefined;
}
