/**
 * `mcp-lambda/stack`: the stack and its constructs, for people who already have a CDK app.
 *
 * ```ts
 * import { App } from 'aws-cdk-lib';
 * import { McpServerStack } from 'mcp-lambda/stack';
 *
 * new McpServerStack(new App(), 'my-mcp', { serverName: 'dog-facts', callbackPort: 31927 });
 * ```
 */
export {
  type AlarmSettings,
  alarmNames,
  checkAlarmSettings,
  DEFAULT_LATENCY_ALARM_MS,
  readAlarmsOutput,
} from './alarm-settings.js';
export { McpAlarms, type McpAlarmsProps } from './alarms.js';
export { CORS_ALLOW_HEADERS, McpApi, type McpApiProps, staticHeader } from './api.js';
export { buildApp, type BuildAppOptions } from './app.js';
export { McpAuth, type McpAuthProps } from './auth.js';
export {
  defaultLambdaBundleDir,
  LAMBDA_RUNTIME,
  LAMBDA_TIMEOUT,
  McpFunction,
  type McpFunctionProps,
  MissingBundleError,
} from './function.js';
export { CLIENTS, type ClientInfo, DEFAULT_CLIENTS, MAX_CALLBACK_URL_LENGTH, MAX_CALLBACK_URLS } from './clients.js';
export { McpServerStack, type McpServerStackProps, OUTPUTS } from './mcp-server-stack.js';
export { COGNITO_SELF_SERVICE_SCOPE, PASSWORD_TOKEN_SOURCES, PRE_TOKEN_TRIGGER_SOURCE } from './pre-token-trigger.js';
export {
  DEFAULT_ALLOWED_ORIGINS,
  DEFAULT_CALLBACK_PORT,
  DEFAULT_SERVER_NAME,
  DEFAULT_STAGE,
  INSPECTOR_CALLBACK_URL,
  type McpServerStackOptions,
  type ResolvedStackOptions,
  resolveStackOptions,
  StackPropsError,
} from './props.js';
export {
  checkAllowEntry,
  isAllowed,
  PRE_SIGN_UP_TRIGGER_SOURCE,
  REFUSED_MESSAGE,
  SIGN_UP_MODES,
  type SignUpMode,
  type SignUpPolicy,
} from './sign-up.js';
