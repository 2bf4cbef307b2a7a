/** The Lambda entry point (bundled to `dist/lambda-bundle/index.mjs`, handler `index.handler`). */
import { createLambdaApp } from './app.js';
import { stdoutLogger } from './log.js';
import { loadSecretsAtStart } from './secrets.js';

// Secrets (`deploy --secret`) become environment variables before anything reads the environment.
await loadSecretsAtStart(process.env);

export const handler = createLambdaApp(process.env, stdoutLogger).handler;
