/** `mcp-lambda init`: options and help. The command itself is ./init.ts, loaded when it runs. */
import { type DefineCommand } from '../options/selectors.js';

export const defineInit: DefineCommand = (program, run) => {
  program
    .command('init')
    .helpGroup('Your own server, locally:')
    .argument('[dir]', 'directory to create (default: the current one, if empty)')
    .description('scaffold a project for your own MCP server (server.ts, a test, package.json with mcp-lambda in it)')
    .option('--inside-package', 'make it even inside another package (a workspace); refused by default')
    .action((dir: string | undefined, options: { insidePackage?: boolean }) =>
      run(async (ctx) =>
        (await import('./init.js')).init(ctx, {
          ...(dir !== undefined && { dir }),
          ...(options.insidePackage === true && { insidePackage: true }),
        }),
      ),
    );
};
