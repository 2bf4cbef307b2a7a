/**
 * A self-signed certificate for 127.0.0.1 and localhost, made with the openssl CLI, so local stand-ins
 * can serve https (Claude Code accepts only an https `authServerMetadataUrl`).
 *
 * vitest.config.ts makes it once per run and points NODE_EXTRA_CA_CERTS at it before the test workers
 * start (Node reads that variable only at start-up), so `fetch` in the tests, the CLI they spawn and the
 * real Claude Code all trust the stand-ins; the workers find the same files through
 * MCP_LAMBDA_TEST_TLS_DIR.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificate {
  readonly key: string;
  readonly cert: string;
  /** The certificate as a PEM file, for NODE_EXTRA_CA_CERTS. */
  readonly caFile: string;
}

let cached: TestCertificate | undefined;

export function testCertificate(): TestCertificate {
  if (cached) return cached;
  const shared = process.env.MCP_LAMBDA_TEST_TLS_DIR;
  const dir = shared && existsSync(join(shared, 'cert.pem')) ? shared : mkdtempSync(join(tmpdir(), 'mcp-lambda-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  if (!existsSync(certFile))
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    );
  cached = { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), caFile: certFile };
  return cached;
}
