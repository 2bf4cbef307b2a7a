/** `mcp-lambda tools` and `call`: options and help. The commands themselves are in ./call.ts, loaded when it runs. */
import { type DefineCommand, serverTarget } from '../options/selectors.js';
import type { CallOptions, ServerOptions } from './call.js';

export const defineCall: DefineCommand = (program, run) => {
  serverTarget(program.command('tools').helpGroup('Deploy and connect:'))
    .description("list the server's tools and their arguments, with your stored sign-in")
    .action((options: ServerOptions) => run(async (ctx) => (await import('./call.js')).tools(ctx, options)));
  serverTarget(program.command('call').helpGroup('Deploy and connect:'))
    .argument('<tool>', 'the tool to call')
    .description('call a tool on the server with your stored sign-in and print its result')
    .option(
      '--arg <key=value>',
      'an argument; the value is read as JSON when it parses (3, true), else as text; repeatable',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--args-json <json>', 'all arguments as one JSON object (an --arg of the same name wins)')
    .option(
      '--answer <key=value>',
      'an answer to what the tool asks (elicitation), when no terminal can ask; repeatable',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .addHelpText(
      'after',
      `
A tool that asks something (elicitation) is asked on a terminal; otherwise pass --answer key=value.
Progress the tool reports is shown on stderr while it runs.
Exit code 4 when the tool answers with an error (isError).

Examples:
  $ mcp-lambda call getDogFacts --arg limit=3
  $ mcp-lambda call getDogFacts --args-json '{"limit": 3}' --json
  $ mcp-lambda call getDogFacts --url http://127.0.0.1:8765/mcp
  $ mcp-lambda call forget --arg name=Ada --answer confirm=true --url http://127.0.0.1:8765/mcp`,
    )
    .action((tool: string, options: CallOptions) => run(async (ctx) => (await import('./call.js')).call(ctx, tool, options)));
};
