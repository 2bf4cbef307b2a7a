/** `mcp-lambda logs`: options and help. The command itself is ./logs.ts, loaded when it runs. */
import { type DefineCommand, stackSelector, serverOption } from '../options/selectors.js';
import type { LogsOptions } from './logs.js';

export const defineLogs: DefineCommand = (program, run) => {
  serverOption(
    stackSelector(program.command('logs').helpGroup('Deploy and connect:')),
    'the one whose log to show (needed when there are several)',
  )
    .description("the server's request log from CloudWatch: one line per request (or --json)")
    .option('--since <duration>', 'how far back: 30s, 10m, 2h, 1d (default: 1h)')
    .option('-f, --follow', 'keep printing new requests until Ctrl-C')
    .option('--tool <name>', 'only calls of this tool')
    .option('--status <code>', 'only requests answered with this HTTP status')
    .option('--user <email|id>', "only this person's requests (email, or Cognito sub), or an OAuth client's (client id)")
    .addHelpText(
      'after',
      `
Each line: time, JSON-RPC method and tool, HTTP status, duration, caller, and why a request was refused
or a tool failed. The log record has no field for a header or a token, so none can be shown.

Examples:
  $ mcp-lambda logs --since 10m
  $ mcp-lambda logs --follow --tool getDogFacts
  $ mcp-lambda logs --status 401 --json`,
    )
    .action((options: LogsOptions) => run(async (ctx) => (await import('./logs.js')).logs(ctx, options)));
};
