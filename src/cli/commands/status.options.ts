/** `mcp-lambda status`: options and help. The command itself is ./status.ts, loaded when it runs. */
import { type DefineCommand, stackSelector } from '../options/selectors.js';
import type { StatusOptions } from './status.js';

export const defineStatus: DefineCommand = (program, run) => {
  stackSelector(program.command('status').helpGroup('Deploy and connect:'))
    .description("show the stack's state and outputs, and what is stored locally")
    .action((options: StatusOptions) => run(async (ctx) => (await import('./status.js')).status(ctx, options)));
};
