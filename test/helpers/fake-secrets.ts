/**
 * A local stand-in for the two AWS APIs a function reads its secrets from — Secrets Manager
 * (GetSecretValue, DescribeSecret; CreateSecret and PutSecretValue for `deploy --stdio-from`) and SSM Parameter Store (GetParameter, DescribeParameters) — speaking
 * their JSON 1.1 protocol on 127.0.0.1, so the real AWS SDK clients run against it
 * (`AWS_ENDPOINT_URL_SECRETS_MANAGER`, `AWS_ENDPOINT_URL_SSM`). Each test starts its own and closes it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSecrets {
  readonly url: string;
  /** Secrets Manager: name → value. */
  readonly secrets: Map<string, string>;
  /** Secrets Manager: name → the Tags it was created with. */
  readonly tags: Map<string, unknown>;
  /** SSM: parameter name → value (SecureString). */
  readonly parameters: Map<string, string>;
  /** Names refused with AccessDeniedException (every operation), or "<operation> <name>" for one. */
  readonly denied: Set<string>;
  /** Every call, as "<operation> <name>[ decrypted]". */
  readonly calls: string[];
  /** The environment that points the AWS SDK here (with dummy credentials). */
  env(): Record<string, string>;
  close(): Promise<void>;
}

const ACCOUNT = '123456789012';

export async function startFakeSecrets(): Promise<FakeSecrets> {
  const secrets = new Map<string, string>();
  const tags = new Map<string, unknown>();
  const parameters = new Map<string, string>();
  const denied = new Set<string>();
  const calls: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.split('.').pop() ?? '';
      const input = JSON.parse(body || '{}') as Record<string, unknown>;
      const fail = (type: string, message: string) => {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
        res.end(JSON.stringify({ __type: type, message }));
      };
      const ok = (answer: unknown) => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(answer));
      };
      const secretName = (id: string) => /:secret:(.+?)(-[A-Za-z0-9]{6})?$/.exec(id)?.[1] ?? id;
      switch (operation) {
        case 'GetSecretValue':
        case 'DescribeSecret': {
          const name = secretName(String(input.SecretId));
          calls.push(`${operation} ${name}`);
          if (denied.has(name) || denied.has(`${operation} ${name}`))
            return fail('AccessDeniedException', `User is not authorized to perform: secretsmanager:${operation}`);
          const value = secrets.get(name);
          if (value === undefined) return fail('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
          const arn = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:${name}-AbCdEf`;
          return ok(
            operation === 'DescribeSecret'
              ? { ARN: arn, Name: name, ...(tags.has(name) && { Tags: tags.get(name) }) }
              : { ARN: arn, Name: name, SecretString: value },
          );
        }
        case 'CreateSecret': {
          const name = String(input.Name);
          calls.push(`CreateSecret ${name}`);
          if (denied.has(name))
            return fail('AccessDeniedException', 'User is not authorized to perform: secretsmanager:CreateSecret');
          if (secrets.has(name))
            return fail('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
          secrets.set(name, String(input.SecretString));
          if (input.Tags !== undefined) tags.set(name, input.Tags);
          return ok({ ARN: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:${name}-AbCdEf`, Name: name });
        }
        case 'PutSecretValue': {
          const name = secretName(String(input.SecretId));
          calls.push(`PutSecretValue ${name}`);
          if (!secrets.has(name)) return fail('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
          secrets.set(name, String(input.SecretString));
          return ok({ ARN: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:${name}-AbCdEf`, Name: name, VersionId: 'v2' });
        }
        case 'GetParameter': {
          const name = String(input.Name);
          calls.push(`GetParameter ${name}${input.WithDecryption === true ? ' decrypted' : ''}`);
          if (denied.has(name)) return fail('AccessDeniedException', 'User is not authorized to perform: ssm:GetParameter');
          const value = parameters.get(name);
          if (value === undefined) return fail('ParameterNotFound', '');
          return ok({
            Parameter: { Name: name, Type: 'SecureString', Value: input.WithDecryption === true ? value : 'AQICAH…', Version: 1 },
          });
        }
        case 'DescribeParameters': {
          const filters = (input.ParameterFilters ?? []) as { Key: string; Values: string[] }[];
          const name = filters.find((f) => f.Key === 'Name')?.Values[0] ?? '';
          calls.push(`DescribeParameters ${name}`);
          if (denied.has(name)) return fail('AccessDeniedException', 'User is not authorized to perform: ssm:DescribeParameters');
          return ok({ Parameters: parameters.has(name) ? [{ Name: name, Type: 'SecureString' }] : [] });
        }
        default:
          return fail('UnknownOperationException', `no ${target} here`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    secrets,
    tags,
    parameters,
    denied,
    calls,
    env: () => ({
      AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
      AWS_ENDPOINT_URL_SSM: url,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'not-a-real-key',
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
