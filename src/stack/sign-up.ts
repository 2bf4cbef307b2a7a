/**
 * Who may register: the sign-up policy and its allow-list, and the source of the pre-sign-up trigger that
 * enforces it. No aws-cdk-lib import: the CLI checks and edits allow-lists (`deploy --allow`, `users
 * allow`) without loading the CDK.
 *
 * - `allow-list`: self sign-up through the hosted pages, but only for listed addresses and `@domains`;
 *   the list lives in an SSM parameter the trigger reads at every sign-up, so `mcp-lambda users allow`
 *   changes it at once, without a deploy.
 * - `invite`: no self sign-up; only users the owner invites (`mcp-lambda users invite`).
 * - `open`: anyone who finds the sign-up page. Allowed, but it must be asked for by name.
 */
import { invalid } from './names.js';

export type SignUpMode = 'allow-list' | 'invite' | 'open';
export const SIGN_UP_MODES: readonly SignUpMode[] = ['allow-list', 'invite', 'open'];

export interface SignUpPolicy {
  readonly mode: SignUpMode;
  /** Addresses (`me@example.com`) and domains (`@example.com`), lower case; only for `allow-list`. */
  readonly allow: readonly string[];
}

/** SSM Standard parameters hold 4 KB. */
export const MAX_ALLOW_LIST_BYTES = 4096;

/**
 * The address rule, as regular-expression sources the CLI and the pre-sign-up trigger (inline source,
 * which cannot import this module) both compile. An address is printable ASCII: a local part without
 * spaces or `@`, then `@` and a domain of lower-case letters, digits and hyphens in two or more labels.
 *
 * Non-ASCII addresses are refused rather than normalised. Lower-casing all of Unicode folds look-alikes
 * onto ASCII (the Kelvin sign K, U+212A, lower-cases to `k`), and NFKC folds more (fullwidth letters,
 * ligatures): either way an address that is not the one listed would match it, while Cognito keeps (and
 * sends its verification code to) the address as typed. Internationalised addresses are rare on an
 * allow-list; the owner can invite such a person (`mcp-lambda users invite`), which the trigger lets pass.
 */
export const ADDRESS_RULES = {
  /** The whole value, before lower-casing: printable ASCII only (space is trimmed away first). */
  ascii: '^[\\x21-\\x7e]+$',
  address: '^[\\x21-\\x3f\\x41-\\x7e]+@[a-z0-9-]+(\\.[a-z0-9-]+)+$',
  domain: '^@[a-z0-9-]+(\\.[a-z0-9-]+)+$',
} as const;

const ASCII = new RegExp(ADDRESS_RULES.ascii);
const EMAIL = new RegExp(ADDRESS_RULES.address);
const DOMAIN = new RegExp(ADDRESS_RULES.domain);

/** An address or `@domain` as the allow-list holds it: trimmed, ASCII, lower case; undefined when it is neither. */
export function normalizeAllowEntry(value: string): string | undefined {
  const trimmed = value.trim();
  if (!ASCII.test(trimmed)) return undefined;
  const entry = trimmed.toLowerCase();
  return EMAIL.test(entry) || DOMAIN.test(entry) ? entry : undefined;
}

/** Checks one allow-list entry: an email address or `@domain`; returns it in lower case. */
export function checkAllowEntry(value: string): string {
  const entry = normalizeAllowEntry(value);
  if (entry === undefined) {
    const trimmed = value.trim();
    invalid(
      'allow-list entry',
      value,
      trimmed === '' || ASCII.test(trimmed)
        ? 'use an email address (me@example.com) or a domain with its @ (@example.com).'
        : 'use plain ASCII letters (an internationalised address cannot be allow-listed; invite it with mcp-lambda users invite).',
    );
  }
  return entry;
}

/** The parameter's value: what the trigger reads. */
export function allowListValue(allow: readonly string[]): string {
  const value = JSON.stringify({ allow: [...new Set(allow)].sort() });
  if (Buffer.byteLength(value) > MAX_ALLOW_LIST_BYTES) {
    invalid(
      'allow-list',
      `${allow.length} entries`,
      `it must fit in ${MAX_ALLOW_LIST_BYTES} bytes; list a domain (@example.com) instead of its addresses.`,
    );
  }
  return value;
}

/** Reads the parameter's value back; a value that is not ours is an error naming the parameter. */
export function parseAllowList(value: string, parameter: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`The allow-list parameter ${parameter} does not hold JSON.`);
  }
  const allow = (parsed as { allow?: unknown } | null)?.allow;
  if (!Array.isArray(allow) || !allow.every((entry) => typeof entry === 'string')) {
    throw new Error(`The allow-list parameter ${parameter} does not hold {"allow": [...]}.`);
  }
  const bad = allow.find((entry) => normalizeAllowEntry(entry) !== entry);
  if (bad !== undefined) {
    throw new Error(
      `The allow-list parameter ${parameter} holds ${JSON.stringify(bad)}, which is not a lower-case address or @domain.`,
    );
  }
  return allow as string[];
}

/** Whether `email` may register under `allow` (exact address, or the exact domain after the @), as the trigger decides. */
export function isAllowed(email: string, allow: readonly string[]): boolean {
  const trimmed = email.trim();
  if (!ASCII.test(trimmed)) return false;
  const address = trimmed.toLowerCase();
  if (!EMAIL.test(address)) return false;
  return allow.includes(address) || allow.includes(address.slice(address.lastIndexOf('@')));
}

/** What the hosted sign-up page shows a refused address ("PreSignUp failed with error …"). */
export const REFUSED_MESSAGE =
  'This address is not on the list of people who may use this server. Ask its owner to add you (mcp-lambda users allow <your address>).';

/** Shown for an address outside the rule (not ASCII, or not an address at all). */
export const NOT_AN_ADDRESS_MESSAGE =
  'Sign-up takes an email address in plain ASCII (me@example.com). Ask the owner of this server to invite you (mcp-lambda users invite <your address>).';

/** Shown to everyone while the allow-list parameter does not hold what mcp-lambda writes. */
export const LIST_DAMAGED_MESSAGE = "Sign-up is closed: this server's allow-list is damaged. Ask its owner to repair it.";

const REPAIR_COMMAND = [
  'aws ssm put-parameter --name ',
  ` --type String --overwrite --value '{"allow":["you@example.com"]}'`,
] as const;

/** How the owner repairs a damaged list (the trigger's log line, and the CLI's hint). */
export function repairAllowListCommand(parameter: string): string {
  return `${REPAIR_COMMAND[0]}${parameter}${REPAIR_COMMAND[1]}`;
}

/**
 * CommonJS source of the pre-sign-up trigger, deployed inline. Only self sign-up (`PreSignUp_SignUp`) is
 * checked: users the owner invites (`PreSignUp_AdminCreateUser`) pass. The list is read at every sign-up
 * (sign-ups are rare; a change applies at once). It reads `ALLOW_LIST_PARAMETER` with the AWS SDK the
 * Lambda runtime ships.
 *
 * The address must pass {@link ADDRESS_RULES} (the CLI's rule for allow-list entries) before anything is
 * lower-cased; the list must be `{"allow": [...]}` of lower-case entries that pass it too, else everyone is
 * refused (a hand-edited string would otherwise be searched by substring) and one log line names the
 * parameter. A match is exact: the whole address, or the whole domain after the last `@`.
 */
export const PRE_SIGN_UP_TRIGGER_SOURCE = `'use strict';
const { SSMClient, GetParameterCommand } = require('@aws-sdk/client-ssm');
const ssm = new SSMClient({});
const REFUSED = ${JSON.stringify(REFUSED_MESSAGE)};
const NOT_AN_ADDRESS = ${JSON.stringify(NOT_AN_ADDRESS_MESSAGE)};
const LIST_DAMAGED = ${JSON.stringify(LIST_DAMAGED_MESSAGE)};
const ASCII = new RegExp(${JSON.stringify(ADDRESS_RULES.ascii)});
const ADDRESS = new RegExp(${JSON.stringify(ADDRESS_RULES.address)});
const DOMAIN = new RegExp(${JSON.stringify(ADDRESS_RULES.domain)});
const isEntry = (entry) =>
  typeof entry === 'string' && ASCII.test(entry) && entry === entry.toLowerCase() && (ADDRESS.test(entry) || DOMAIN.test(entry));
function readList(value) {
  try {
    const allow = JSON.parse(value).allow;
    return Array.isArray(allow) && allow.every(isEntry) ? allow : undefined;
  } catch {
    return undefined;
  }
}
exports.handler = async (event) => {
  if (event.triggerSource !== 'PreSignUp_SignUp') return event;
  const typed = String((event.request.userAttributes || {}).email || event.userName || '').trim();
  if (!ASCII.test(typed) || !ADDRESS.test(typed.toLowerCase())) throw new Error(NOT_AN_ADDRESS);
  const email = typed.toLowerCase();
  const name = process.env.ALLOW_LIST_PARAMETER;
  const answer = await ssm.send(new GetParameterCommand({ Name: name }));
  const allow = readList(answer.Parameter && answer.Parameter.Value);
  if (allow === undefined) {
    console.error(JSON.stringify({ level: 'ERROR', message: 'The allow-list parameter does not hold {"allow": [lower-case addresses and @domains]}: every sign-up is refused until it does.', parameter: name, repair: ${JSON.stringify(REPAIR_COMMAND[0])} + name + ${JSON.stringify(REPAIR_COMMAND[1])} }));
    throw new Error(LIST_DAMAGED);
  }
  if (!(allow.includes(email) || allow.includes(email.slice(email.lastIndexOf('@'))))) throw new Error(REFUSED);
  return event;
};
`;
