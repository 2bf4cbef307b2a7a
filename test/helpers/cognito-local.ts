/**
 * Runs cognito-local (a local Cognito: SignUp, ConfirmSignUp, USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH,
 * NEW_PASSWORD_REQUIRED) on 127.0.0.1 in its own temporary directory, and reads the confirmation codes it
 * "emails" from its console output. The test that starts it stops it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';

const root = join(import.meta.dirname, '..', '..');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface CognitoLocal {
  readonly endpoint: string;
  readonly client: CognitoIdentityProviderClient;
  readonly userPoolId: string;
  readonly clientId: string;
  /** Environment that points the AWS SDK (and so the CLI) at this Cognito. */
  readonly env: Record<string, string>;
  /** The newest code sent to `email`, waiting for it when needed. */
  codeFor(email: string, after?: number): Promise<string>;
  /** How many codes were sent so far. */
  codeCount(): number;
  adminCreateUser(email: string, temporaryPassword: string): Promise<void>;
  adminSetPassword(email: string, password: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startCognitoLocal(): Promise<CognitoLocal> {
  const dir = mkdtempSync(join(tmpdir(), 'cognito-local-'));
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [join(root, 'node_modules', 'cognito-local', 'lib', 'bin', 'start.js')], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cognito-local did not start: ${output}`)), 15_000);
    const check = () => {
      if (output.includes('Cognito Local running')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => reject(new Error(`cognito-local exited with ${code}: ${output}`)));
  });

  const client = new CognitoIdentityProviderClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const pool = await client.send(
    new CreateUserPoolCommand({ PoolName: 'test', UsernameAttributes: ['email'], AutoVerifiedAttributes: ['email'] }),
  );
  const userPoolId = pool.UserPool?.Id ?? '';
  const appClient = await client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: 'interactive',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  const clientId = appClient.UserPoolClient?.ClientId ?? '';

  const codes = () =>
    [...output.matchAll(/Destination:\s+(\S+)[\s\S]*?Code:\s+(\d{6})/g)].map((m) => ({
      destination: m[1],
      code: m[2] as string,
    }));
  return {
    endpoint,
    client,
    userPoolId,
    clientId,
    env: {
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: endpoint,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    },
    codeCount: () => codes().length,
    async codeFor(email, after = 0) {
      for (let i = 0; i < 100; i += 1) {
        const mine = codes()
          .slice(after)
          .filter((c) => c.destination === email)
          .at(-1);
        if (mine) return mine.code;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no code for ${email} in: ${output}`);
    },
    async adminCreateUser(email, temporaryPassword) {
      await client.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: email,
          TemporaryPassword: temporaryPassword,
          MessageAction: 'SUPPRESS',
          UserAttributes: [{ Name: 'email', Value: email }],
        }),
      );
    },
    async adminSetPassword(email, password) {
      await client.send(
        new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: email, Password: password, Permanent: true }),
      );
    },
    async stop() {
      client.destroy();
      child.kill();
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface SignOutProxy {
  /** Point the CLI here (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER) instead of at cognito-local. */
  readonly endpoint: string;
  /** The user names AdminUserGlobalSignOut was called for, in order. */
  readonly signedOut: string[];
  /** Every Cognito operation that went through, in order (`AdminDisableUser`, …). */
  readonly operations: string[];
  close(): Promise<void>;
}

/**
 * cognito-local in front of which AdminUserGlobalSignOut (which it lacks) is answered as Cognito answers
 * it — 200 and `{}` — and recorded; every other call is passed through unchanged.
 */
export async function signOutProxy(cognito: CognitoLocal): Promise<SignOutProxy> {
  const { createServer: createHttpServer } = await import('node:http');
  const signedOut: string[] = [];
  const operations: string[] = [];
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const operation =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      operations.push(operation);
      if (operation === 'AdminUserGlobalSignOut') {
        signedOut.push(String((JSON.parse(body.toString('utf8')) as { Username?: string }).Username));
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end('{}');
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([name, value]) => typeof value === 'string' && !['host', 'content-length'].includes(name),
        ),
      ) as Record<string, string>;
      const answer = await fetch(`${cognito.endpoint}${req.url ?? '/'}`, { method: req.method ?? 'POST', headers, body });
      const back = [...answer.headers].filter(([name]) => !['content-length', 'transfer-encoding', 'connection'].includes(name));
      res.writeHead(answer.status, Object.fromEntries(back));
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    signedOut,
    operations,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
