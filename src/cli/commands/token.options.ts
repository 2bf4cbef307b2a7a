/** `mcp-lambda token`: options and help. The command itself is ./token.ts, loaded when it runs. */
import { type DefineCommand, stackSelector } from '../options/selectors.js';
import type { TokenOptions } from './token.js';

export const defineToken: DefineCommand = (program, run) => {
  stackSelector(program.command('token').helpGroup('Deploy and connect:'))
    .description("print a valid access token (refreshed when needed); for Claude Code's headersHelper")
    .option('--header-json', 'print {"Authorization":"Bearer …"} instead of the bare token')
    .addHelpText(
      'after',
      `
Without --name/--stack-name it picks the sign-in matching CLAUDE_CODE_MCP_SERVER_URL or
CLAUDE_CODE_MCP_SERVER_NAME (set by Claude Code), or the only one there is. On failure it prints nothing
on stdout and one line on stderr.`,
    )
    .action((options: TokenOptions) => run(async (ctx) => (await import('./token.js')).token(ctx, options)));
};
