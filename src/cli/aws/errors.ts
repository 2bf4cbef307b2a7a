/**
 * Turns the AWS failures people actually hit into one line — what happened, the AWS error code, the stack it
 * concerns — and the command that fixes it. Failures on this machine (no credentials, no region) exit 1;
 * AWS's own answers (denied, throttled, unreachable, any other service error) exit 4. Anything that is not
 * an AWS failure is returned as undefined and reported as it is.
 */
import { RemoteError, UserError } from '../terminal/errors.js';

export interface AwsErrorContext {
  readonly profile?: string | undefined;
  readonly region?: string | undefined;
  /** What we were doing, e.g. "read the stack". */
  readonly doing?: string | undefined;
  /** The CloudFormation stack the command concerns, named in the message and the next command. */
  readonly stack?: string | undefined;
}

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
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

/** Whether an error is an answer from an AWS service (the SDK's ServiceException shape). */
export function isAwsServiceError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as AwsLikeError;
  return (e.$fault === 'client' || e.$fault === 'server') && typeof e.$metadata === 'object' && e.$metadata !== null;
}

/** "(AWS error AccessDenied, stack mcp-lambda-dog-facts)" — the parts that are known. */
function tag(code: string, ctx: AwsErrorContext): string {
  const parts = [code ? `AWS error ${code}` : '', ctx.stack ? `stack ${ctx.stack}` : ''].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** A UserError (exit 1) or RemoteError (exit 4) with a hint for an AWS failure, or undefined. */
export function explainAwsError(error: unknown, ctx: AwsErrorContext = {}): UserError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  if (error instanceof UserError) return error;
  const e = error as AwsLikeError;
  const name = e.name ?? e.Code ?? '';
  const code = e.code ?? '';
  const message = e.message ?? '';
  const doing = ctx.doing ? ` while trying to ${ctx.doing}` : '';
  const cause = { cause: error };
  const stackFlags = ctx.stack
    ? ` --stack-name ${ctx.stack}${ctx.region ? ` --region ${ctx.region}` : ''}${profileFlag(ctx)}`
    : '';

  if (
    /SSO session .* (has )?expired|sso.*token.*expired|Token is expired|refresh.*SSO/i.test(message) ||
    name === 'TokenProviderError'
  ) {
    return new UserError(`Your AWS SSO session has expired${doing}${tag(name, ctx)}.`, {
      hint: `aws sso login${profileFlag(ctx)}`,
      ...cause,
    });
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
    return new RemoteError(`AWS rejected the credentials${doing}: ${message}${tag(name, ctx)}.`, {
      hint: `Refresh them (aws sso login${profileFlag(ctx)}, or new access keys) and run the command again.`,
      ...cause,
    });
  }
  if (ACCESS_DENIED.has(name) || /not authorized to perform/i.test(message)) {
    const action = message.match(/perform:? ([a-z0-9-]+:[A-Za-z0-9*]+)/)?.[1];
    return new RemoteError(`AWS denied access${action ? ` to ${action}` : ''}${doing}${tag(name, ctx)}.`, {
      hint: action
        ? `Allow ${action} for your identity (aws sts get-caller-identity${profileFlag(ctx)} shows which one), or use another --profile.`
        : `Check the permissions of your identity (aws sts get-caller-identity${profileFlag(ctx)}).`,
      ...cause,
    });
  }
  if (THROTTLING.has(name)) {
    return new RemoteError(`AWS is throttling requests${doing}, even after retrying${tag(name, ctx)}.`, {
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
    return new RemoteError(`Could not reach AWS${doing}: ${message || code || name}${tag('', ctx)}`, {
      hint: 'Check the network connection (and any AWS_ENDPOINT_URL_* variables or proxy settings).',
      ...cause,
    });
  }
  if (isAwsServiceError(error)) {
    // Any other answer from AWS: said as AWS said it, with its code, never as a bug in mcp-lambda.
    const requestId = e.$metadata?.requestId;
    const what =
      e.$fault === 'server' ? `AWS failed${doing || ' on a request'}` : `AWS refused${doing ? ` to ${ctx.doing}` : ' a request'}`;
    const more = `--verbose shows AWS's whole answer${requestId ? ` (request ID ${requestId})` : ''}`;
    return new RemoteError(`${what}: ${message || name}${tag(name, ctx)}.`, {
      hint: ctx.stack
        ? `See the stack's state with: mcp-lambda status${stackFlags}; ${more}.`
        : e.$fault === 'server'
          ? `Run the command again in a minute; ${more}.`
          : `Run the command again with ${more.replace('--verbose shows', '--verbose to see')}.`,
      ...cause,
    });
  }
  return undefined;
}
