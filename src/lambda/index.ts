/** The Lambda entry point (bundled to `dist/lambda-bundle/index.mjs`, handler `index.handler`). */
import { createLambdaApp } from './app.js';
import { stdoutLogger } from './log.js';

export const handler = createLambdaApp(process.env, stdoutLogger).handler;
