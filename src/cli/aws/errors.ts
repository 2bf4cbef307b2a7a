/**
 * Turns the AWS failures people actually hit into one line and the command that fixes it. Anything not
 * recognised is returned as undefined and reported as it is.
 */
import { UserError } from '../terminal/errors.js';

export interface AwsErrorContext {
  readonly profile?: string;
  readonly region?: string;
  /** What we were doing, e.g. "read the stack". */
  readonly doing?: string;
}

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown']);
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'AuthorizationError',
]);
const EXPIRED = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
]);
const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'EAI_AGAIN', 'TimeoutError']);

function profileFlag(ctx: AwsErrorContext): string {
  return ctx.profile ? ` --profile ${ctx.profile}` : '';
}

/** A UserError with a hint for a known AWS failure, or undefined. */
export function explainAwsError(error: unknown, ctx: AwsErrorContext = {}): UserError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as AwsLikeError;
  const name = e.name ?? e.Code ?? '';
  const code = e.code ?? '';
  const message = e.message ?? '';
  const doing = ctx.doing ? ` while trying to ${ctx.doing}` : '';
  const cause = { cause: error };

  if (
    /SSO session .* (has )?expired|sso.*token.*expired|Token is expired|refresh.*SSO/i.test(message) ||
    name === 'TokenProviderError'
  ) {
    return new UserError(`Your AWS SSO session has expired${doing}.`, { hint: `aws sso login${profileFlag(ctx)}`, ...cause });
  }
  if (
    name === 'CredentialsProviderError' ||
    /Could not load credentials|Unable to locate credentials|no credentials/i.test(message)
  ) {
    return new UserError(`No AWS credentials found${ctx.profile ? ` for profile ${ctx.profile}` : ''}.`, {
      hint: ctx.profile
        ? `Check ~/.aws/config for [profile ${ctx.profile}], or run: aws sso login --profile ${ctx.profile}`
        : 'Run aws configure (or aws sso login --profile NAME and pass --profile NAME), or set AWS_PROFILE.',
      ...cause,
    });
  }
  if (/Region not accepted/i.test(message)) {
    const region = /region="([^"]*)"/.exec(message)?.[1] ?? ctx.region;
    return new UserError(
      `${region === undefined ? 'The AWS region' : `The AWS region ${JSON.stringify(region)}`} is not a region name.`,
      {
        hint: 'Pass a region such as --region eu-west-1 (aws ec2 describe-regions lists them), or fix AWS_REGION or the profile’s region.',
        ...cause,
      },
    );
  }
  if (/Region is missing|region.*not.*(set|configured)/i.test(message)) {
    return new UserError('No AWS region is set.', {
      hint: 'Pass --region (for example --region eu-west-1) or set AWS_REGION.',
      ...cause,
    });
  }
  if (EXPIRED.has(name)) {
    return new UserError(`AWS rejected the credentials${doing}: ${message}`, {
      hint: `Refresh them (aws sso login${profileFlag(ctx)}, or new access keys) and run the command again.`,
      ...cause,
    });
  }
  if (ACCESS_DENIED.has(name) || /not authorized to perform/i.test(message)) {
    const action = message.match(/perform:? ([a-z0-9-]+:[A-Za-z0-9*]+)/)?.[1];
    return new UserError(`AWS denied access${action ? ` to ${action}` : ''}${doing}.`, {
      hint: action
        ? `Allow ${action} for your identity (aws sts get-caller-identity${profileFlag(ctx)} shows which one), or use another --profile.`
        : `Check the permissions of your identity (aws sts get-caller-identity${profileFlag(ctx)}).`,
      ...cause,
    });
  }
  if (THROTTLING.has(name)) {
    return new UserError(`AWS is throttling requests${doing}, even after retrying.`, {
      hint: 'Wait a minute and run the command again.',
      ...cause,
    });
  }
  if (name === 'ValidationError' && /Stack with id (\S+) does not exist/.test(message)) {
    const stack = message.match(/Stack with id (\S+) does not exist/)?.[1];
    return new UserError(`Stack ${stack} does not exist${ctx.region ? ` in ${ctx.region}` : ''}.`, {
      hint: 'Check --stack-name and --region, or deploy it with: mcp-lambda deploy',
      ...cause,
    });
  }
  if (NETWORK.has(code) || NETWORK.has(name) || /connect ECONNREFUSED|getaddrinfo|socket hang up|ETIMEDOUT/.test(message)) {
    return new UserError(`Could not reach AWS${doing}: ${message || code || name}`, {
      hint: 'Check the network connection (and any AWS_ENDPOINT_URL_* variables or proxy settings).',
      ...cause,
    });
  }
  return undefined;
}
