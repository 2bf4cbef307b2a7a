import { describe, expect, it } from 'vitest';
import { explainAwsError, isAwsServiceError } from '../../../src/cli/aws/errors.js';
import { BOOTSTRAP_STACK, bootstrapFailure } from '../../../src/cli/deploy/toolkit-engine.js';
import { ExitCode, RemoteError, UserError } from '../../../src/cli/terminal/errors.js';

const error = (name: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, ...extra });

describe('explainAwsError', () => {
  it.each([
    [
      error('CredentialsProviderError', 'Could not load credentials from any providers'),
      {},
      'No AWS credentials found.',
      'aws configure',
    ],
    [
      error('CredentialsProviderError', 'Could not load credentials from any providers'),
      { profile: 'work' },
      'No AWS credentials found for profile work.',
      'aws sso login --profile work',
    ],
    [
      error('TokenProviderError', 'The SSO session associated with this profile has expired or is otherwise invalid.'),
      { profile: 'work' },
      'Your AWS SSO session has expired (AWS error TokenProviderError).',
      'aws sso login --profile work',
    ],
    [
      error('ExpiredToken', 'The security token included in the request is expired'),
      {},
      'AWS rejected the credentials: The security token included in the request is expired (AWS error ExpiredToken).',
      'Refresh them',
    ],
    [
      error(
        'AccessDenied',
        'User: arn:aws:iam::1:user/x is not authorized to perform: cloudformation:DescribeStacks on resource: arn:aws:cloudformation:eu-west-1:1:stack/s/*',
      ),
      { doing: 'read the stack' },
      'AWS denied access to cloudformation:DescribeStacks while trying to read the stack (AWS error AccessDenied).',
      'Allow cloudformation:DescribeStacks',
    ],
    [error('Error', 'Region is missing'), {}, 'No AWS region is set.', '--region'],
    [
      error('Error', 'Region not accepted: region="bad region!" is not a valid hostname component.'),
      {},
      'The AWS region "bad region!" is not a region name.',
      'aws ec2 describe-regions',
    ],
    [
      error('ThrottlingException', 'Rate exceeded'),
      {},
      'AWS is throttling requests, even after retrying (AWS error ThrottlingException).',
      'Wait a minute',
    ],
    [
      error('ValidationError', 'Stack with id my-stack does not exist'),
      { region: 'eu-west-1' },
      'Stack my-stack does not exist in eu-west-1.',
      'mcp-lambda deploy',
    ],
    [
      error('Error', 'connect ECONNREFUSED 127.0.0.1:9', { code: 'ECONNREFUSED' }),
      {},
      'Could not reach AWS: connect ECONNREFUSED 127.0.0.1:9',
      'AWS_ENDPOINT_URL_',
    ],
  ])('explains %s', (err, ctx, message, hint) => {
    const explained = explainAwsError(err, ctx);
    expect(explained?.message).toBe(message);
    expect(explained?.options.hint).toContain(hint);
    expect(explained?.cause).toBe(err);
  });

  it.each([[new Error('something else')], ['a string'], [null], [{ name: 'ValidationError', message: 'Template format error' }]])(
    'leaves %j alone',
    (err) => {
      expect(explainAwsError(err)).toBeUndefined();
    },
  );
});

describe('a --profile that does not exist', () => {
  it('is reported as such, listing the profiles there (not as a missing region)', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { AwsContext } = await import('../../../src/cli/aws/context.js');
    const dir = mkdtempSync(join(tmpdir(), 'mcp-lambda-aws-'));
    writeFileSync(join(dir, 'config'), '[default]\noutput = json\n[profile work]\nregion = eu-west-1\n');
    const env = { HOME: dir, AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      const missing = new AwsContext({ profile: 'nosuch', env });
      await expect(missing.region()).rejects.toThrow(`There is no AWS profile nosuch in ${join(dir, 'config')}`);
      await expect(missing.region()).rejects.toMatchObject({
        options: { hint: expect.stringContaining('Profiles there: default, work') },
      });
      const noRegion = new AwsContext({ profile: 'default', env });
      await expect(noRegion.region()).rejects.toThrow('No AWS region is set.');
    } finally {
      process.env = saved;
    }
  });
});

/** The shape of an AWS SDK v3 ServiceException, as the SDK builds it from a service's answer. */
const serviceError = (name: string, message: string, fault: 'client' | 'server' = 'client') =>
  Object.assign(new Error(message), {
    name,
    $fault: fault,
    $metadata: { httpStatusCode: fault === 'client' ? 400 : 500, requestId: 'req-1234' },
  });

describe('exit codes of AWS failures', () => {
  it.each([
    [error('CredentialsProviderError', 'Could not load credentials from any providers'), ExitCode.error],
    [error('TokenProviderError', 'The SSO session associated with this profile has expired'), ExitCode.error],
    [error('Error', 'Region is missing'), ExitCode.error],
    [error('ValidationError', 'Stack with id my-stack does not exist'), ExitCode.error],
    [serviceError('AccessDeniedException', 'User: x is not authorized to perform: ssm:GetParameter'), ExitCode.remote],
    [serviceError('ThrottlingException', 'Rate exceeded'), ExitCode.remote],
    [serviceError('ExpiredTokenException', 'The security token included in the request is expired'), ExitCode.remote],
    [error('Error', 'getaddrinfo ENOTFOUND cloudformation.eu-west-1.amazonaws.com', { code: 'ENOTFOUND' }), ExitCode.remote],
    [serviceError('LimitExceededException', 'Limit exceeded for resource of type AWS::IAM::Role'), ExitCode.remote],
  ])('%s exits %i', (err, code) => {
    expect(explainAwsError(err)?.exitCode).toBe(code);
  });
});

describe('an AWS answer nothing else explains', () => {
  it('is said with its code, the stack and the next command, never as a bug', () => {
    const explained = explainAwsError(
      serviceError('ValidationError', 'Template format error: Unresolved resource dependencies'),
      {
        doing: 'deploy',
        stack: 'mcp-lambda-tools',
        region: 'eu-west-1',
        profile: 'work',
      },
    );
    expect(explained).toBeInstanceOf(RemoteError);
    expect(explained?.message).toBe(
      'AWS refused to deploy: Template format error: Unresolved resource dependencies (AWS error ValidationError, stack mcp-lambda-tools).',
    );
    expect(explained?.options.hint).toBe(
      "See the stack's state with: mcp-lambda status --stack-name mcp-lambda-tools --region eu-west-1 --profile work; --verbose shows AWS's whole answer (request ID req-1234).",
    );
  });

  it('says a server fault is AWS failing, and to try again, when no stack is concerned', () => {
    const explained = explainAwsError(serviceError('InternalFailure', 'We encountered an internal error.', 'server'));
    expect(explained?.message).toBe('AWS failed on a request: We encountered an internal error. (AWS error InternalFailure).');
    expect(explained?.options.hint).toContain('Run the command again in a minute');
    expect(explained?.exitCode).toBe(ExitCode.remote);
  });

  it('knows the ServiceException shape and nothing else', () => {
    expect(isAwsServiceError(serviceError('X', 'y'))).toBe(true);
    expect(isAwsServiceError(Object.assign(new Error('y'), { $fault: 'client' }))).toBe(false);
    expect(isAwsServiceError(Object.assign(new Error('y'), { $metadata: {} }))).toBe(false);
    expect(isAwsServiceError('ValidationError')).toBe(false);
    expect(isAwsServiceError(undefined)).toBe(false);
  });

  it('passes an error already explained through unchanged', () => {
    const already = new UserError('said before');
    expect(explainAwsError(already)).toBe(already);
  });
});

describe('a failed bootstrap', () => {
  const identity = { account: '123456789012', region: 'eu-west-1', arn: 'arn:aws:iam::123456789012:user/me' };

  it('names the bootstrap stack, not the stack being deployed, and the capability it lacked', () => {
    const failure = bootstrapFailure(new Error('Requires capabilities : [CAPABILITY_NAMED_IAM]'), identity, { profile: 'work' });
    expect(failure).toBeInstanceOf(RemoteError);
    expect(failure.message).toBe(
      `Bootstrapping aws://123456789012/eu-west-1 for the CDK failed (stack ${BOOTSTRAP_STACK}): Requires capabilities : [CAPABILITY_NAMED_IAM]`,
    );
    expect(failure.options.hint).toContain('needs CAPABILITY_NAMED_IAM');
    expect(failure.options.hint).toContain(
      'aws cloudformation describe-stack-events --stack-name CDKToolkit --region eu-west-1 --profile work',
    );
  });

  it('gives the clean-up and retry for a bootstrap that rolled back', () => {
    const failure = bootstrapFailure(new Error('CDKToolkit failed: ROLLBACK_COMPLETE'), identity, {});
    expect(failure.options.hint).toContain('aws cloudformation delete-stack --stack-name CDKToolkit --region eu-west-1');
    expect(failure.options.hint).toContain('mcp-lambda deploy --bootstrap');
  });

  it('says AWS errors during the bootstrap about the bootstrap stack', () => {
    const failure = bootstrapFailure(
      serviceError(
        'AccessDenied',
        'User: x is not authorized to perform: iam:CreateRole on resource: cdk-hnb659fds-cfn-exec-role',
      ),
      identity,
      {},
    );
    expect(failure.message).toBe(
      'AWS denied access to iam:CreateRole while trying to bootstrap aws://123456789012/eu-west-1 for the CDK (AWS error AccessDenied, stack CDKToolkit).',
    );
    expect(failure.exitCode).toBe(ExitCode.remote);
  });
});
