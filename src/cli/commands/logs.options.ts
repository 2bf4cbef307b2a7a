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
    .option('-f, --follow', 'then print new requests as they come (CloudWatch Logs Live Tail; polling where denied) until Ctrl-C')
    .option('--tool <name>', 'only calls of this tool')
    .option('--errors', 'only failed requests: HTTP 4xx/5xx, JSON-RPC errors, tool errors')
    .option('--status <code>', 'only requests answered with this HTTP status')
    .option('--user <email|id>', "only this person's requests (email, or Cognito sub), or an OAuth client's (client id)")
    .addHelpText(
      'after',
      `
Each line: time, JSON-RPC method and tool, HTTP status, duration, "cold" for a cold start, caller, and why
a request was refused or a tool failed; errors are red on a terminal. A stdio server's child shows as
"[server] stderr: …", "[server] exited …" (a failed start and an exit always; its other lines only with no
--tool, --status, --user or --errors). The records have no field for a header or a token, so none can be
shown. --follow uses Live Tail (about $0.01 a minute after the free 1,800 minutes a month), needs
logs:StartLiveTail, and polls FilterLogEvents every 2 s without it.

Examples:
  $ mcp-lambda logs --since 10m
  $ mcp-lambda logs --follow --tool getDogFacts
  $ mcp-lambda logs --follow --errors
  $ mcp-lambda logs --status 401 --json`,
    )
    .action((options: LogsOptions) => run(async (ctx) => (await import('./logs.js')).logs(ctx, options)));
};
