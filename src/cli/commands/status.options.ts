/** `mcp-lambda status`: options and help. The command itself is ./status.ts, loaded when it runs. */
import { type DefineCommand, serverOption, stackSelector } from '../options/selectors.js';
import type { StatusOptions } from './status.js';

export const defineStatus: DefineCommand = (program, run) => {
  serverOption(stackSelector(program.command('status').helpGroup('Deploy and connect:')), 'the one whose health to show')
    .description(
      "show the stack's state, outputs and health (requests, errors, latency, cost, tools), and what is stored locally",
    )
    .option('--since <window>', 'the health window: 1h, 24h or 7d (default: 1h)')
    .option('--watch', 'show it again every minute until Ctrl-C')
    .addHelpText(
      'after',
      `
The health panel reads the function's own metrics (namespace mcp-lambda, from its request log lines),
Lambda's throttles and peak concurrency and API Gateway's 4xx/5xx in one GetMetricData call
(cloudwatch:GetMetricData), and the per-tool table from one Logs Insights query (logs:StartQuery,
logs:GetQueryResults; it scans the window's log, $0.005 per GB), and the state of each alarm of a stack
deployed with --alarms (cloudwatch:DescribeAlarms). A part you may not read is named with the permission
it needs, and the rest is shown. The cost is an estimate from list prices.

Examples:
  $ mcp-lambda status
  $ mcp-lambda status --since 24h --json
  $ mcp-lambda status --since 7d --watch`,
    )
    .action((options: StatusOptions) => run(async (ctx) => (await import('./status.js')).status(ctx, options)));
};
