/**
 * The pre-sign-up trigger's source, run as Lambda would run it (CommonJS, with a stand-in for the SSM
 * client the runtime ships), against the events an attacker can produce: look-alike Unicode addresses,
 * addresses that are not addresses, and an allow-list parameter edited by hand into another shape.
 */
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  checkAllowEntry,
  isAllowed,
  LIST_DAMAGED_MESSAGE,
  NOT_AN_ADDRESS_MESSAGE,
  parseAllowList,
  PRE_SIGN_UP_TRIGGER_SOURCE,
  REFUSED_MESSAGE,
} from '../../src/stack/sign-up.js';

/** A parameter answered without a value. */
const NO_VALUE = '(no value)';
const LIST = JSON.stringify({ allow: ['@korp.example', '@team.example', 'kate@example.com', 'me@example.com'] });

/** Runs the trigger once for `email`, with the parameter holding `value` (none when undefined). */
async function signUp(email: string, value: string | undefined = LIST, triggerSource = 'PreSignUp_SignUp') {
  const module = { exports: {} as { handler: (event: unknown) => Promise<unknown> } };
  const read: string[] = [];
  const logged: string[] = [];
  runInNewContext(PRE_SIGN_UP_TRIGGER_SOURCE, {
    module,
    exports: module.exports,
    require: (name: string) => {
      if (name !== '@aws-sdk/client-ssm') throw new Error(`unexpected require ${name}`);
      return {
        SSMClient: class {
          send = async (command: { input: { Name: string } }) => {
            read.push(command.input.Name);
            return { Parameter: value === NO_VALUE ? {} : { Value: value } };
          };
        },
        GetParameterCommand: class {
          constructor(readonly input: { Name: string }) {}
        },
      };
    },
    process: { env: { ALLOW_LIST_PARAMETER: '/mcp/allow' } },
    console: { error: (line: string) => logged.push(line) },
    Error,
  });
  const event = { triggerSource, userName: 'u', request: { userAttributes: { email } }, response: {} };
  const outcome = await module.exports.handler(event).then(
    () => 'allowed',
    (error: Error) => error.message,
  );
  return { outcome, read, logged };
}

describe('the pre-sign-up trigger: addresses', () => {
  it.each([
    ['a listed address', 'kate@example.com'],
    ['a listed address in upper case, with spaces', '  KATE@Example.COM '],
    ['an address at a listed domain', 'anyone@team.example'],
  ])('lets %s register', async (_what, email) => {
    expect((await signUp(email)).outcome).toBe('allowed');
  });

  it.each([
    // Each of these lower-cases (or NFKC-normalises) onto a listed entry.
    ['the Kelvin sign for k in the local part', '\u212Aate@example.com'],
    ['the Kelvin sign in the domain', 'x@\u212Aorp.example'],
    ['fullwidth letters', '\uFF4D\uFF45@example.com'],
    ['a dotless i', 'k\u0131te@example.com'],
    ['a combining accent', 'kate\u0301@example.com'],
    ['a Cyrillic e in the domain', 'x@t\u0435am.example'],
  ])('refuses %s before reading the list, whatever it folds to', async (_what, email) => {
    const { outcome, read } = await signUp(email);
    expect(outcome).toBe(NOT_AN_ADDRESS_MESSAGE);
    expect(read).toEqual([]);
  });

  it.each([
    ['no address', ''],
    ['no @', 'kate.example.com'],
    ['two @', 'kate@evil.example@team.example'],
    ['a domain with one label', 'kate@localhost'],
    ['a space inside', 'ka te@example.com'],
    ['an underscore in the domain', 'x@team_example.com'],
  ])('refuses %s by the CLI’s address rule', async (_what, email) => {
    expect((await signUp(email)).outcome).toBe(NOT_AN_ADDRESS_MESSAGE);
  });

  it.each([
    ['another address', 'you@example.com'],
    ['a subdomain of a listed domain', 'x@sub.team.example'],
    ['a domain that only ends alike', 'x@evilteam.example'],
    ['a part of a listed address', 'e@example.com'],
  ])('refuses %s with the message the hosted UI shows', async (_what, email) => {
    expect((await signUp(email)).outcome).toBe(REFUSED_MESSAGE);
  });

  it('lets invited users through without reading the list', async () => {
    const { outcome, read } = await signUp('\u212Aate@elsewhere', LIST, 'PreSignUp_AdminCreateUser');
    expect(outcome).toBe('allowed');
    expect(read).toEqual([]);
  });
});

describe('the pre-sign-up trigger: a list edited into another shape', () => {
  it.each([
    // Searched with String#includes, "e@example.com" and "@example.com" were in this one.
    ['a string under allow', JSON.stringify({ allow: 'me@example.com,@team.example' })],
    ['a bare JSON string', JSON.stringify('me@example.com,@team.example')],
    ['comma-separated text', 'me@example.com,@team.example'],
    ['an entry in upper case', JSON.stringify({ allow: ['ME@example.com'] })],
    ['a domain without its @', JSON.stringify({ allow: ['example.com'] })],
    ['a number', JSON.stringify({ allow: [1] })],
    ['a non-ASCII entry', JSON.stringify({ allow: ['\u212Aate@example.com'] })],
    ['null', 'null'],
    ['no value', NO_VALUE],
  ])('refuses everyone while it holds %s, and logs the parameter', async (_what, value) => {
    for (const email of ['e@example.com', 'me@example.com', 'x@team.example']) {
      const { outcome, logged } = await signUp(email, value);
      expect(outcome).toBe(LIST_DAMAGED_MESSAGE);
      expect(logged).toHaveLength(1);
      expect(JSON.parse(logged[0] as string)).toMatchObject({ level: 'ERROR', parameter: '/mcp/allow' });
      expect(JSON.parse(logged[0] as string).repair).toContain('aws ssm put-parameter --name /mcp/allow ');
    }
  });
});

describe('the rule on the CLI side', () => {
  it('refuses a non-ASCII allow-list entry instead of lower-casing it onto another', () => {
    expect(() => checkAllowEntry('\u212Aate@example.com')).toThrow(/plain ASCII letters/);
    expect(() => checkAllowEntry('@\u212Aorp.example')).toThrow(/plain ASCII letters/);
    expect(() => checkAllowEntry('')).toThrow(/use an email address/);
    expect(checkAllowEntry(' Kate@Example.com ')).toBe('kate@example.com');
  });

  it('reads back only the shape the trigger accepts', () => {
    expect(parseAllowList(LIST, '/p')).toEqual(['@korp.example', '@team.example', 'kate@example.com', 'me@example.com']);
    expect(() => parseAllowList(JSON.stringify({ allow: 'me@example.com' }), '/p')).toThrow('does not hold {"allow": [...]}');
    expect(() => parseAllowList(JSON.stringify({ allow: ['ME@example.com'] }), '/p')).toThrow(
      'holds "ME@example.com", which is not a lower-case address or @domain',
    );
    expect(() => parseAllowList('null', '/p')).toThrow('does not hold {"allow": [...]}');
  });

  it('decides as the trigger does', async () => {
    const allow = JSON.parse(LIST).allow as string[];
    for (const email of [
      'kate@example.com',
      ' KATE@example.com',
      '\u212Aate@example.com',
      'x@team.example',
      'e@example.com',
      '',
    ]) {
      expect(isAllowed(email, allow), email).toBe((await signUp(email)).outcome === 'allowed');
    }
  });
});
