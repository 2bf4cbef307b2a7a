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
