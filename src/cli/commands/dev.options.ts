/** `mcp-lambda dev`: options and help. The command itself is ./dev.ts, loaded when it runs. */
import { Option } from 'commander';
import { type DefineCommand } from '../options/selectors.js';
import { keyValue, wholeNumber } from '../options/stack-options.js';
import { parseHost, parsePort } from '../options/values.js';
import type { DevOptions } from './dev.js';

/** Where `dev` listens unless told otherwise. */
export const DEFAULT_DEV_PORT = 8765;

export const defineDev: DefineCommand = (program, run) => {
  program
    .command('dev')
    .helpGroup('Your own server, locally:')
    .description('serve the MCP server locally, through the same handler the Lambda runs (no AWS needed)')
    .addOption(
      new Option('-p, --port <port>', 'port to listen on (0 picks a free one)').argParser(parsePort).default(DEFAULT_DEV_PORT),
    )
    .addOption(new Option('--host <host>', 'address to listen on').argParser(parseHost).default('127.0.0.1'))
    .option('--entry <file>', 'serve your own MCP server module (rebuilt on change) instead of dog-facts')
    .option(
      '--stdio <command>',
      'serve your stdio MCP server as your client config starts it: "npx -y <package>[@version] [args]" (installed once into a cache) or "node <file.js> [args]"',
    )
    .option(
      '--env-from <file>',
      "settings for the server from a file of KEY=VALUE lines (.env); the shell's values win; repeatable",
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    // The first spelling, kept working; not shown, since `node` claims --env-file when it runs a script itself.
    .addOption(
      new Option('--env-file <file>')
        .hideHelp()
        .argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]),
    )
    .option(
      '--env <KEY=VALUE>',
      'a setting for the server (wins over --env-from and the shell); repeatable',
      keyValue('--env', 'API_KEY=test-key'),
    )
    .addOption(
      new Option(
        '--timeout <seconds>',
        'how long a request may take, as deploy --timeout sets it: over 29, tool calls stream their progress (5-900, default: 29)',
      ).argParser(wholeNumber('seconds', 5, 900)),
    )
    .option('--slow-demo', "add dog facts' getDogFactsSlowly (a long tool with progress), as deploy --slow-demo does")
    .addHelpText(
      'after',
      `
The server has no authentication: keep it on a loopback address.
Environment: DOG_API_BASE_URL (Dog API base URL), MCP_ALLOWED_ORIGINS, MCP_MAX_BODY_BYTES.
Your server's settings: --env-from .env (what deploy gives it with --env and --secret), or --env KEY=VALUE.

Examples:
  $ mcp-lambda dev
  $ mcp-lambda dev --entry server.ts --env-from .env
  $ mcp-lambda dev --stdio "npx -y @modelcontextprotocol/server-everything@2026.8.31 stdio"
  $ DOG_API_BASE_URL=http://127.0.0.1:8123 mcp-lambda dev --port 9000`,
    )
    .action((options: DevOptions) => run(async (ctx) => (await import('./dev.js')).dev(ctx, options)));
};
