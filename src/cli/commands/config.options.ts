/** `mcp-lambda config export`: options and help. The command itself is ./config-export.ts, loaded when it runs. */
import { type DefineCommand, stackSelector } from '../options/selectors.js';
import type { ConfigExportOptions } from './config-export.js';

export const defineConfig: DefineCommand = (program, run) => {
  const config = program
    .command('config')
    .helpGroup('Deploy and connect:')
    .description('the deployment file, mcp-lambda.jsonc: every deploy setting, committed');
  stackSelector(config.command('export'))
    .description('write mcp-lambda.jsonc from what a deployed stack remembers')
    .option('--config <file>', 'the file to write (default: ./mcp-lambda.jsonc)')
    .option('--force', 'overwrite the file if it exists')
    .addHelpText(
      'after',
      `
It reads the stack's outputs (and its allow-list, from SSM) and writes every setting the stack remembers,
with $schema, atomically; --config <file> writes another file. A module your stack runs (--entry) is named
in a comment: the stack does not know its file.

Examples:
  $ mcp-lambda config export
  $ mcp-lambda config export --name my-tools --config deploy/my-tools.jsonc --force`,
    )
    .action((options: ConfigExportOptions) =>
      run(async (ctx) => (await import('./config-export.js')).configExport(ctx, options)),
    );
};
