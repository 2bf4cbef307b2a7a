/**
 * Pieces of the commands' declarations that several share: which stack (`--name`/`--stack-name`), which
 * of its servers (`--server`), or a URL instead (`--url`); and the runner every command's action calls.
 * Commander only: the declarations load for `--help`, the commands themselves only when they run.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

/** Runs a command's action with its context (built by main.ts once the global options are parsed). */
export type RunCommand = (action: (ctx: CommandContext) => Promise<void>) => Promise<void>;

/** A command's declaration: adds it, with its options and help, to the program. */
export type DefineCommand = (program: Command, run: RunCommand) => void;

/** `--name` and `--stack-name`: the deployed stack a command works on. */
export const stackSelector = (command: Command): Command =>
  command
    .option('-n, --name <name>', 'deployment name (default: "dog-facts")')
    .option('--stack-name <name>', 'CloudFormation stack name (default: "mcp-lambda-<name>")');

/** For a stack with several servers (deploy --entry a --entry b): which one. */
export const serverOption = (command: Command, what: string): Command =>
  command.option('--server <name>', `one of the stack's servers (deployed with several --entry): ${what}`);

/** A deployed server (stack and server), or any MCP URL instead. */
export const serverTarget = (command: Command): Command =>
  serverOption(stackSelector(command), 'the one to use (needed when there are several)').option(
    '--url <url>',
    "use this MCP URL instead of a deployed stack's (e.g. mcp-lambda dev's)",
  );
