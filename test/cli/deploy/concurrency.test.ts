/**
 * Reserved concurrency at deploy: the account's quota read with Lambda GetAccountSettings (an SDK mock),
 * the proposal, and what `deploy` does with it — asked in a terminal, a warning naming the flag elsewhere,
 * a warning when the account has no room (a new account's 10) or the quota cannot be read, a stop when the
 * reservation asked for does not fit, and the choice kept by later deploys.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { CommandContext } from '../../../src/cli/context.js';
import {
  chooseReservation,
  type ConcurrencyReading,
  proposeReservation,
  readAccountConcurrency,
} from '../../../src/cli/deploy/concurrency.js';
import { FakeCloud, OUTPUTS, scriptedPrompter, testContext } from '../../helpers/fake-engine.js';
import { runCli } from '../../helpers/run-cli.js';

const lambda = mockClient(LambdaClient);
afterAll(() => lambda.restore());

const denied = Object.assign(
  new Error('User: arn:aws:iam::123456789012:user/dev is not authorized to perform: lambda:GetAccountSettings'),
  {
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
  },
);

describe('reading the quota (GetAccountSettings)', () => {
  beforeEach(() => lambda.reset());

  it.each([
    [1000, 1000],
    [10, 10],
    [5000, 3200],
  ])('reads a limit of %i with %i unreserved', async (limit, unreserved) => {
    lambda.on(GetAccountSettingsCommand).resolves({
      AccountLimit: { ConcurrentExecutions: limit, UnreservedConcurrentExecutions: unreserved },
    });
    expect(await readAccountConcurrency(new LambdaClient({ region: 'eu-west-1' }))).toEqual({ limit, unreserved });
  });

  it('says why it could not read it, without throwing: AccessDenied, or an answer without the limit', async () => {
    lambda.on(GetAccountSettingsCommand).rejects(denied);
    const reading = await readAccountConcurrency(new LambdaClient({ region: 'eu-west-1' }));
    expect('unknown' in reading && reading.unknown).toContain('lambda:GetAccountSettings');
    lambda.on(GetAccountSettingsCommand).resolves({});
    expect(await readAccountConcurrency(new LambdaClient({ region: 'eu-west-1' }))).toEqual({
      unknown: 'GetAccountSettings answered without AccountLimit',
    });
  });
});

describe('the proposal', () => {
  it.each([
    [{ limit: 1000, unreserved: 1000 }, 1, 100],
    [{ limit: 1000, unreserved: 1000 }, 3, 33],
    [{ limit: 1000, unreserved: 1000 }, 10, 10],
    // Half of what the account can spare above the 100 AWS keeps, when that is less.
    [{ limit: 1000, unreserved: 250 }, 1, 75],
    [{ limit: 1000, unreserved: 120 }, 1, 10],
    [{ limit: 1000, unreserved: 109 }, 1, undefined],
    // A new account: nothing to spare.
    [{ limit: 10, unreserved: 10 }, 1, undefined],
    [{ limit: 1000, unreserved: 150 }, 10, undefined],
  ])('for %j and %i function(s) is %s each', (account, functions, expected) => {
    expect(proposeReservation(account, functions)).toBe(expected);
  });
});

describe('deploy and the reservation', () => {
  let cloud: FakeCloud;
  let home: string;
  const STACK = 'mcp-lambda-dog-facts';
  beforeEach(() => {
    cloud = new FakeCloud();
    home = mkdtempSync(join(tmpdir(), 'mcp-lambda-home-'));
  });

  function deploy(args: string[], options: { answers?: Record<string, boolean>; interactive?: boolean } = {}) {
    const prompter = scriptedPrompter(options.answers ?? {});
    return runCli(
      ['deploy', '--allow', 'dev@example.com', ...args],
      { HOME: home },
      { deployEngine: cloud.factory(), prompter, interactive: options.interactive ?? false },
    ).then((result) => ({ ...result, asked: prompter.asked }));
  }
  const deployed = (outputs: Record<string, string>) =>
    cloud.stacks.set(STACK, { stackName: STACK, status: 'UPDATE_COMPLETE', outputs: { ...OUTPUTS, ...outputs } });

  it('proposes one in a terminal, and deploys the answer', async () => {
    cloud.concurrency = { limit: 1000, unreserved: 1000 };
    const yes = await deploy([], { answers: { 'Reserve 100 for the function?': true }, interactive: true });
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stderr).toContain("The account's Lambda concurrency in eu-west-1 is 1000, 1000 of it unreserved.");
    expect(yes.stderr).toContain('one signed-in user could hold every concurrent execution it has');
    expect(cloud.lastRequest?.stack.reservedConcurrency).toBe(100);

    cloud.stacks.clear();
    const no = await deploy([], { answers: { 'Reserve 100 for the function?': false }, interactive: true });
    expect(no.code, no.stderr).toBe(0);
    // Recorded, so a later deploy does not ask again.
    expect(cloud.lastRequest?.stack.reservedConcurrency).toBe('none');
  });

  it('warns with the flag to pass when nobody can be asked, and deploys without (deciding nothing)', async () => {
    cloud.concurrency = { limit: 1000, unreserved: 1000 };
    for (const args of [[], ['--yes']]) {
      const result = await deploy(args);
      expect(result.code, result.stderr).toBe(0);
      expect(result.asked).toEqual([]);
      expect(result.stderr).toContain('warning: The account');
      expect(result.stderr).toContain('Cap it with --reserved-concurrency 100 (100 for the function)');
      expect(result.stderr).toContain('--reserved-concurrency none to deploy without and stop this warning');
      expect(cloud.lastRequest?.stack.reservedConcurrency).toBeUndefined();
    }
  });

  it('warns, and asks nothing, in an account with no room to reserve (a new account at 10)', async () => {
    cloud.concurrency = { limit: 10, unreserved: 10 };
    const result = await deploy([], { interactive: true });
    expect(result.code, result.stderr).toBe(0);
    expect(result.asked).toEqual([]);
    expect(result.stderr).toContain(
      "warning: The account's Lambda concurrency in eu-west-1 is 10, 10 of it unreserved: too little to reserve any for this stack",
    );
    expect(result.stderr).toContain('Service Quotas → AWS Lambda → Concurrent executions');
    expect(cloud.lastRequest?.stack.reservedConcurrency).toBeUndefined();
  });

  it('warns, not fails, when the quota cannot be read (AccessDenied on GetAccountSettings)', async () => {
    cloud.concurrency = { unknown: 'Not allowed to read it (AWS error AccessDeniedException).' };
    const result = await deploy([], { interactive: true });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      "warning: Could not read the account's Lambda concurrency (Not allowed to read it (AWS error AccessDeniedException).), so no reservation is proposed.",
    );
    const asked = await deploy(['--reserved-concurrency', '20']);
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stderr).toContain('Could not check the reservation against the account’s concurrency');
    expect(cloud.lastRequest?.stack.reservedConcurrency).toBe(20);
  });

  it('takes a reservation that fits, and stops before deploying one that does not', async () => {
    cloud.concurrency = { limit: 1000, unreserved: 1000 };
    const fits = await deploy(['--reserved-concurrency', '900']);
    expect(fits.code, fits.stderr).toBe(0);
    expect(fits.stderr).toContain('Reserved concurrency: 900 for the function.');
    expect(cloud.lastRequest?.stack.reservedConcurrency).toBe(900);

    cloud.stacks.clear();
    cloud.lastRequest = undefined;
    const over = await deploy(['--reserved-concurrency', '901']);
    expect(over.code).toBe(1);
    expect(over.stderr).toContain(
      "Cannot reserve 901 for the function: the account's Lambda concurrency in eu-west-1 is 1000, 1000 of it unreserved, and AWS keeps 100 unreserved.",
    );
    expect(over.stderr).toContain('Pass --reserved-concurrency 900 or less');
    expect(cloud.lastRequest).toBeUndefined();

    cloud.concurrency = { limit: 10, unreserved: 10 };
    const none = await deploy(['--reserved-concurrency', '1']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('or pass --reserved-concurrency none');
  });

  it('refuses a reservation that is not a number or none (exit 2)', async () => {
    for (const value of ['0', 'lots', '1001']) {
      const result = await deploy(['--reserved-concurrency', value]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('expected executions or none');
    }
  });

  it('keeps the deployed choice on a later deploy, counting what the stack holds already', async () => {
    // 50 held by this stack are not in the 120 unreserved: 120 + 50 - 100 leaves room for them.
    cloud.concurrency = { limit: 1000, unreserved: 120 };
    deployed({ ReservedConcurrency: '50' });
    const kept = await deploy([], { interactive: true });
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.asked).toEqual([]);
    expect(kept.stderr).toContain(
      'Reserved concurrency: 50 for the function (as deployed; --reserved-concurrency none removes it).',
    );
    expect(cloud.lastRequest?.stack.reservedConcurrency).toBe(50);

    deployed({ ReservedConcurrency: 'none' });
    const declined = await deploy([], { interactive: true });
    expect(declined.code, declined.stderr).toBe(0);
    expect(declined.asked).toEqual([]);
    expect(declined.stderr).not.toContain('warning');
    expect(cloud.lastRequest?.stack.reservedConcurrency).toBe('none');

    const dropped = await deploy(['--reserved-concurrency', 'none']);
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.reservedConcurrency).toBe('none');
  });
});

describe('several functions', () => {
  let stderr = '';
  function context(interactive: boolean, answers: Record<string, boolean> = {}): CommandContext {
    stderr = '';
    return testContext((chunk) => (stderr += chunk), { interactive, answers });
  }
  const read = (reading: ConcurrencyReading) => async () => reading;

  it('reserves for each function, and counts them all against the account', async () => {
    const base = { existing: undefined, functions: 3, region: 'eu-west-1', read: read({ limit: 1000, unreserved: 1000 }) };
    expect(
      await chooseReservation(context(true, { 'Reserve 33 for each of the 3 functions (99 in all)?': true }), {
        ...base,
        flag: undefined,
      }),
    ).toBe(33);
    await expect(chooseReservation(context(false), { ...base, flag: 400 })).rejects.toThrow(
      'Cannot reserve 400 for each of the 3 functions (1200 in all)',
    );
    expect(await chooseReservation(context(false), { ...base, flag: 300 })).toBe(300);
    expect(stderr).toContain('Reserved concurrency: 300 for each of the 3 functions (900 in all).');
  });
});
