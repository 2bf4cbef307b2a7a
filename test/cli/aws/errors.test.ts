import { describe, expect, it } from 'vitest';
import { explainAwsError } from '../../../src/cli/aws/errors.js';

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
      'Your AWS SSO session has expired.',
      'aws sso login --profile work',
    ],
    [
      error('ExpiredToken', 'The security token included in the request is expired'),
      {},
      'AWS rejected the credentials: The security token included in the request is expired',
      'Refresh them',
    ],
    [
      error(
        'AccessDenied',
        'User: arn:aws:iam::1:user/x is not authorized to perform: cloudformation:DescribeStacks on resource: arn:aws:cloudformation:eu-west-1:1:stack/s/*',
      ),
      { doing: 'read the stack' },
      'AWS denied access to cloudformation:DescribeStacks while trying to read the stack.',
      'Allow cloudformation:DescribeStacks',
    ],
    [error('Error', 'Region is missing'), {}, 'No AWS region is set.', '--region'],
    [
      error('Error', 'Region not accepted: region="bad region!" is not a valid hostname component.'),
      {},
      'The AWS region "bad region!" is not a region name.',
      'aws ec2 describe-regions',
    ],
    [error('ThrottlingException', 'Rate exceeded'), {}, 'AWS is throttling requests, even after retrying.', 'Wait a minute'],
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
