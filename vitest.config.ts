import { dirname } from 'node:path';
import { defineConfig } from 'vitest/config';
import { testCertificate } from './test/helpers/tls.js';

// The local stand-ins of Cognito and API Gateway serve https with a certificate made here; the workers,
// the CLI processes they spawn and the real Claude Code read NODE_EXTRA_CA_CERTS when they start.
const tls = testCertificate();
process.env.NODE_EXTRA_CA_CERTS = tls.caFile;
process.env.MCP_LAMBDA_TEST_TLS_DIR = dirname(tls.caFile);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests start local servers on 127.0.0.1 and spawn the CLI; keep the 2-core machines unhurried.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
