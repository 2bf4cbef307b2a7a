/** `mcp-lambda login` and `logout`: options and help. The commands themselves are in ./login.ts, loaded when it runs. */
import { type DefineCommand, stackSelector, serverOption } from '../options/selectors.js';
import type { StackSelector } from '../deployed/resolve.js';
import type { LoginCommandOptions } from './login.js';

export const defineLogin: DefineCommand = (program, run) => {
  serverOption(stackSelector(program.command('login').helpGroup('Deploy and connect:')), 'verify only this one (default: all)')
    .description('register or sign in to the deployed server, verify it answers, and store the sign-in')
    .option('--username <email>', 'your email address (otherwise asked)')
    .option('--password-stdin', 'read the password from standard input (for scripts; never a flag)')
    .option('--signup', 'register here instead of in the browser (for remote shells)')
    .option('--no-browser', 'print the sign-up link instead of opening it')
    .addHelpText(
      'after',
      `
Reads the stack's outputs from the local cache (or CloudFormation), opens the sign-up page, then checks
your email and password with Cognito (USER_PASSWORD_AUTH), calls the deployed /mcp with the token, and
stores the refresh token in your config directory (mode 0600).

Examples:
  $ mcp-lambda login
  $ mcp-lambda login --signup
  $ printf %s "$PASSWORD" | mcp-lambda login --username me@example.com --password-stdin`,
    )
    .action((options: LoginCommandOptions) => run(async (ctx) => (await import('./login.js')).login(ctx, options)));
};

export const defineLogout: DefineCommand = (program, run) => {
  stackSelector(program.command('logout').helpGroup('Deploy and connect:'))
    .description("revoke the stored sign-in's refresh token with Cognito, and remove the sign-in (removed even offline)")
    .action((options: StackSelector) => run(async (ctx) => (await import('./login.js')).logout(ctx, options)));
};
