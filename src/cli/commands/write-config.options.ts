/** `mcp-lambda write-config`: options and help. The command itself is ./write-config.ts, loaded when it runs. */
import { Option } from 'commander';
import { type DefineCommand, stackSelector, serverOption } from '../options/selectors.js';
import type { WriteConfigOptions } from './write-config.js';

export const defineWriteConfig: DefineCommand = (program, run) => {
  serverOption(
    stackSelector(program.command('write-config').helpGroup('Deploy and connect:')),
    'write only its entry (default: one entry per server)',
  )
    .description("write an MCP client's entry for the deployed server (Claude Code's by default; merged, never clobbered)")
    .addOption(
      new Option('--client <client>', 'the client to configure')
        .choices(['claude-code', 'vscode', 'cursor', 'gemini', 'codex', 'claude-desktop'])
        .default('claude-code'),
    )
    .addOption(
      new Option(
        '--scope <scope>',
        "project (this folder's config) or user (your own); Claude Code also has local (~/.claude.json, this project)",
      )
        .choices(['project', 'user', 'local'])
        .default('user'),
    )
    .addOption(
      new Option('--auth <mode>', 'oauth (Claude Code signs in with Cognito) or helper (uses mcp-lambda login)')
        .choices(['oauth', 'helper'])
        .default('oauth'),
    )
    .option('--entry-name <name>', 'name of the entry (default: the server name)')
    .option('--dry-run', 'print the resulting file without writing it')
    .option('--print', 'print the equivalent `claude mcp add-json` command instead of writing')
    .addHelpText(
      'after',
      `
Examples:
  $ mcp-lambda write-config
  $ mcp-lambda write-config --scope project --dry-run
  $ mcp-lambda write-config --auth helper --scope local
  $ mcp-lambda write-config --client cursor --scope project
  $ mcp-lambda write-config --client claude-desktop        prints what to paste in Settings → Connectors`,
    )
    .action((options: WriteConfigOptions) => run(async (ctx) => (await import('./write-config.js')).writeConfig(ctx, options)));
};
