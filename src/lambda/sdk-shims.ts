/**
 * Replacement for `@modelcontextprotocol/server/_shims` in the Lambda bundle only (see
 * scripts/build-lambda.mjs). The SDK's Node shim selects the AJV validator, which is 150 KB of the
 * bundle; the SDK's own `@cfworker/json-schema` validator (its public `validators/cfWorker` export)
 * does the same job in a quarter of the size. The server only validates JSON Schema for features this
 * Lambda does not use (elicitation responses), so the choice costs nothing at run time.
 */

export { default as process } from 'node:process';
export { CfWorkerJsonSchemaValidator as DefaultJsonSchemaValidator } from '@modelcontextprotocol/server/validators/cf-worker';
