import { execFile } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntry } from '../../../src/cli/entry/bundle.js';
import { ConfigError } from '../../../src/lambda/services/config.js';
import {
  awsSecretReader,
  loadSecrets,
  loadSecretsAtStart,
  parseSecretRefs,
  type SecretRef,
} from '../../../src/lambda/services/secrets.js';
import { startFakeSecrets, type FakeSecrets } from '../../helpers/fake-secrets.js';

let aws: FakeSecrets;
beforeAll(async () => {
  aws = await startFakeSecrets();
});
afterAll(() => aws.close());
afterEach(() => {
  aws.secrets.clear();
  aws.parameters.clear();
  aws.denied.clear();
  aws.calls.length = 0;
});

/** Runs `work` with the AWS SDK pointed at the stand-in (the SDK reads process.env). */
async function withAwsEnv<T>(work: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, aws.env());
  delete process.env.AWS_PROFILE;
  try {
    return await work();
  } finally {
    process.env = saved;
  }
}

const refs = (list: SecretRef[]) => JSON.stringify(list);

describe('MCP_SECRETS', () => {
  it('is empty when absent', () => {
    expect(parseSecretRefs(undefined)).toEqual([]);
    expect(parseSecretRefs(' ')).toEqual([]);
  });

  it.each([
    ['{nope', 'must be a JSON list'],
    ['{"key":"A"}', 'must be a JSON list'],
    ['[{"key":"A","kind":"s3","id":"x"}]', 'MCP_SECRETS[0] must be'],
    ['[{"key":"1A","kind":"ssm","id":"/x"}]', 'MCP_SECRETS[0] must be'],
    ['[{"key":"A","kind":"ssm","id":""}]', 'MCP_SECRETS[0] must be'],
    ['[{"key":"A","kind":"ssm","id":"/x","field":""}]', 'MCP_SECRETS[0] must be'],
    ['[null]', 'MCP_SECRETS[0] must be'],
  ])('refuses %s', (value, message) => {
    expect(() => parseSecretRefs(value)).toThrow(ConfigError);
    expect(() => parseSecretRefs(value)).toThrow(message);
  });
});

describe('reading secrets with the real AWS SDK (against a local stand-in)', () => {
  it('sets each variable from Secrets Manager and from SSM (decrypted), leaving the rest alone', async () => {
    aws.secrets.set('weather/api-key', 'k-123');
    aws.secrets.set('weather/json', '{"token":"t-456","port":8080}');
    aws.parameters.set('/weather/url', 'https://weather.example');
    const env: Record<string, string | undefined> = {
      KEEP: 'yes',
      MCP_SECRETS: refs([
        { key: 'WEATHER_API_KEY', kind: 'secretsmanager', id: 'weather/api-key' },
        {
          key: 'WEATHER_TOKEN',
          kind: 'secretsmanager',
          id: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:weather/json-AbCdEf',
          field: 'token',
        },
        { key: 'WEATHER_PORT', kind: 'secretsmanager', id: 'weather/json', field: 'port' },
        { key: 'WEATHER_API_URL', kind: 'ssm', id: '/weather/url' },
      ]),
    };
    const count = await withAwsEnv(() => loadSecrets(env, awsSecretReader()));
    expect(count).toBe(4);
    expect(env).toMatchObject({
      KEEP: 'yes',
      WEATHER_API_KEY: 'k-123',
      WEATHER_TOKEN: 't-456',
      WEATHER_PORT: '8080',
      WEATHER_API_URL: 'https://weather.example',
    });
    expect(aws.calls).toContain('GetParameter /weather/url decrypted');
  });

  it('fails naming the variable, the reference and AWS’s error code, never a value', async () => {
    aws.secrets.set('present', 'the-value-itself');
    aws.denied.add('forbidden');
    const read = awsSecretReader();
    const attempt = (list: SecretRef[]) => withAwsEnv(() => loadSecrets({ MCP_SECRETS: refs(list) }, read));
    await expect(attempt([{ key: 'A', kind: 'secretsmanager', id: 'missing' }])).rejects.toThrow(
      "A: could not read Secrets Manager secret missing: ResourceNotFoundException: Secrets Manager can't find the specified secret.",
    );
    await expect(attempt([{ key: 'B', kind: 'secretsmanager', id: 'forbidden' }])).rejects.toThrow(
      'B: could not read Secrets Manager secret forbidden: AccessDeniedException',
    );
    await expect(attempt([{ key: 'C', kind: 'ssm', id: '/nowhere' }])).rejects.toThrow(
      'C: could not read SSM parameter /nowhere: ParameterNotFound',
    );
    const wrongField = attempt([{ key: 'D', kind: 'secretsmanager', id: 'present', field: 'token' }]);
    await expect(wrongField).rejects.toThrow('D: Secrets Manager secret present (field token) does not hold JSON');
    await expect(wrongField).rejects.not.toThrow('the-value-itself');
  });

  it('reads nothing and loads no SDK when there are no secrets', async () => {
    const env = { A: '1' };
    expect(await loadSecrets(env, () => Promise.reject(new Error('must not be called')))).toBe(0);
    expect(env).toEqual({ A: '1' });
  });

  it('writes one startup line at error level when a secret cannot be read, then fails', async () => {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      await expect(
        loadSecretsAtStart({ MCP_SECRETS: refs([{ key: 'K', kind: 'ssm', id: '/p' }]) }, () =>
          Promise.reject(Object.assign(new Error('no'), { name: 'ParameterNotFound' })),
        ),
      ).rejects.toThrow(ConfigError);
    } finally {
      process.stdout.write = write;
    }
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      { level: 'error', msg: 'startup', reason: 'K: could not read SSM parameter /p: ParameterNotFound: no' },
    ]);
  });
});

describe('a deployed custom server at cold start', () => {
  it('has its secret in process.env before its module’s top level runs', async () => {
    aws.secrets.set('weather/api-key', 'k-789');
    const dir = mkdtempSync(join(tmpdir(), 'mcp-lambda-secrets-'));
    // Lambda's Node.js runtime provides the AWS SDK v3; here the project's copy stands in for it.
    symlinkSync(resolve('node_modules'), join(dir, 'node_modules'), 'dir');
    const { file } = await bundleEntry({ entry: 'test/fixtures/entries/with-key/server.ts', outdir: dir, cwd: process.cwd() });
    const script = `
      const { handler } = await import(${JSON.stringify(pathToFileURL(file).href)});
      const body = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
      const result = await handler({ httpMethod: 'POST', path: '/mcp', headers: { host: 'h', 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' }, multiValueHeaders: {}, body: JSON.stringify(body), isBase64Encoded: false, requestContext: { requestId: 'r' } });
      process.stdout.write(JSON.stringify({ status: result.statusCode, key: process.env.WEATHER_API_KEY }));
    `;
    const run = (extra: Record<string, string>) =>
      promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH, ...aws.env(), ...extra },
        timeout: 20_000,
      });
    const MCP_SECRETS = refs([{ key: 'WEATHER_API_KEY', kind: 'secretsmanager', id: 'weather/api-key' }]);
    const { stdout } = await run({ MCP_SECRETS });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual({ status: 200, key: 'k-789' });
    expect(aws.calls).toEqual(['GetSecretValue weather/api-key']);

    // A secret that cannot be read stops the start, with one line that names it (not the server's own error).
    const failed = await run({ MCP_SECRETS: refs([{ key: 'WEATHER_API_KEY', kind: 'secretsmanager', id: 'gone' }]) }).catch(
      (error: { stdout: string; code: number }) => error,
    );
    expect((failed as { code: number }).code).not.toBe(0);
    expect(JSON.parse((failed as { stdout: string }).stdout.trim().split('\n')[0] ?? '')).toEqual({
      level: 'error',
      msg: 'startup',
      reason:
        "WEATHER_API_KEY: could not read Secrets Manager secret gone: ResourceNotFoundException: Secrets Manager can't find the specified secret.",
    });
  }, 60_000);
});
