/** The Lambda entry point (bundled to `dist/lambda-bundle/index.mjs`, handler `index.handler`). */
import { createLambdaApp } from './app.js';
import type { Manifest } from './protocol/fast-path.js';
import { stdoutLogger } from './services/log.js';
import { lambdaHandler } from './edge/runtime.js';
import { loadSecretsAtStart } from './services/secrets.js';

/**
 * Each built-in server's recorded SDK answers, embedded by scripts/build-lambda.mjs (`define`); false
 * in the benchmark's SDK-as-is baseline, which sends every request to the SDK.
 */
declare const MCP_LAMBDA_MANIFESTS: Readonly<Record<string, Manifest>> | false | undefined;
const manifests = typeof MCP_LAMBDA_MANIFESTS === 'undefined' ? undefined : MCP_LAMBDA_MANIFESTS;

// Secrets (`deploy --secret`) become environment variables before anything reads the environment.
await loadSecretsAtStart(process.env);

const app = createLambdaApp(process.env, stdoutLogger, {
  ...(manifests === false ? { fast: false } : manifests && { manifests }),
});

/** Buffered, or streaming with `deploy --timeout` over 29 s (see runtime.ts). */
export const handler = lambdaHandler(app);
