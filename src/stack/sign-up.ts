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

const EMAIL = /^[^\s@]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/;
const DOMAIN = /^@[a-z0-9-]+(\.[a-z0-9-]+)+$/;

/** Checks one allow-list entry: an email address or `@domain`; returns it in lower case. */
export function checkAllowEntry(value: string): string {
  const entry = value.trim().toLowerCase();
  if (!EMAIL.test(entry) && !DOMAIN.test(entry)) {
    invalid('allow-list entry', value, 'use an email address (me@example.com) or a domain with its @ (@example.com).');
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
  const allow = (parsed as { allow?: unknown }).allow;
  if (!Array.isArray(allow) || !allow.every((entry) => typeof entry === 'string')) {
    throw new Error(`The allow-list parameter ${parameter} does not hold {"allow": [...]}.`);
  }
  return allow as string[];
}

/** Whether `email` may register under `allow` (exact address, or the exact domain after the @). */
export function isAllowed(email: string, allow: readonly string[]): boolean {
  const address = email.trim().toLowerCase();
  const domain = address.slice(address.lastIndexOf('@'));
  return allow.includes(address) || allow.includes(domain);
}

/** What the hosted sign-up page shows a refused address ("PreSignUp failed with error …"). */
export const REFUSED_MESSAGE =
  'This address is not on the list of people who may use this server. Ask its owner to add you (mcp-lambda users allow <your address>).';

/**
 * CommonJS source of the pre-sign-up trigger, deployed inline. Only self sign-up (`PreSignUp_SignUp`) is
 * checked: users the owner invites (`PreSignUp_AdminCreateUser`) pass. The list is read at every sign-up
 * (sign-ups are rare; a change applies at once). It reads `ALLOW_LIST_PARAMETER` with the AWS SDK the
 * Lambda runtime ships.
 */
export const PRE_SIGN_UP_TRIGGER_SOURCE = `'use strict';
const { SSMClient, GetParameterCommand } = require('@aws-sdk/client-ssm');
const ssm = new SSMClient({});
const REFUSED = ${JSON.stringify(REFUSED_MESSAGE)};
exports.handler = async (event) => {
  if (event.triggerSource !== 'PreSignUp_SignUp') return event;
  const email = String((event.request.userAttributes || {}).email || event.userName || '').trim().toLowerCase();
  const answer = await ssm.send(new GetParameterCommand({ Name: process.env.ALLOW_LIST_PARAMETER }));
  const allow = JSON.parse(answer.Parameter.Value).allow;
  const domain = email.slice(email.lastIndexOf('@'));
  if (!email.includes('@') || !(allow.includes(email) || allow.includes(domain))) throw new Error(REFUSED);
  return event;
};
`;
