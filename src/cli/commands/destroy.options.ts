/** `mcp-lambda destroy`: options and help. The command itself is ./destroy.ts, loaded when it runs. */
import { type DefineCommand, stackSelector } from '../options/selectors.js';
import type { DestroyOptions } from './destroy.js';

export const defineDestroy: DefineCommand = (program, run) => {
  stackSelector(program.command('destroy').helpGroup('Deploy and connect:'))
    .description('delete the stack, then what mcp-lambda stored locally for it')
    .option('--keep-local', 'keep the cached outputs, tokens and Claude Code entries')
    .option('--keep-users', 'keep the user pool and its users (only the rest of the stack is deleted)')
    .addHelpText(
      'after',
      `
Examples:
  $ mcp-lambda destroy
  $ mcp-lambda destroy --stack-name my-mcp --region eu-west-1 --yes`,
    )
    .action((options: DestroyOptions) => run(async (ctx) => (await import('./destroy.js')).destroy(ctx, options)));
};
