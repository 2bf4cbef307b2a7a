/**
 * The mcp-lambda program: the global options, the registry of commands, and what happens around every
 * command (its context, the exit code, how a failure is reported).
 *
 * Each command declares its options and help in `commands/<name>.options.ts`, beside its code in
 * `commands/<name>.ts`, which is imported only when the command runs: `--help`, `--version` and the start
 * of every command load neither the AWS SDK, aws-cdk-lib nor the MCP SDK.
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { defineCall } from './commands/call.options.js';
import { defineConfig } from './commands/config.options.js';
import { defineDeploy } from './commands/deploy.options.js';
import { defineDestroy } from './commands/destroy.options.js';
import { DEFAULT_DEV_PORT, defineDev } from './commands/dev.options.js';
import { defineDoctor } from './commands/doctor.options.js';
import { defineInit } from './commands/init.options.js';
import { defineLogin, defineLogout } from './commands/login.options.js';
import { defineLogs } from './commands/logs.options.js';
import { defineStatus } from './commands/status.options.js';
import { defineSynth } from './commands/synth.options.js';
import { defineToken } from './commands/token.options.js';
import { defineUsers } from './commands/users.options.js';
import { defineWriteConfig } from './commands/write-config.options.js';
import type { DefineCommand, RunCommand } from './options/selectors.js';
import type { CliIo, GlobalOptions } from './context.js';
import { explainAwsError } from './aws/errors.js';
import { ExitCode, UserError, reportError } from './terminal/errors.js';
import { stackNameFor } from '../stack/names.js';
import { createOutput, type Output } from './terminal/output.js';
import { createPrompter, type Prompter } from './terminal/prompts.js';

/** Every command, in the order `--help` lists them. */
const COMMANDS: readonly DefineCommand[] = [
  defineDeploy,
  defineLogin,
  defineWriteConfig,
  defineStatus,
  defineConfig,
  defineDestroy,
  defineToken,
  defineDoctor,
  defineLogs,
  defineCall,
  defineUsers,
  defineLogout,
  defineInit,
  defineSynth,
  defineDev,
];

function buildProgram(io: CliIo, run: RunCommand): Command {
  const program = new Command('mcp-lambda')
    .description('Run a Model Context Protocol (MCP) server on AWS Lambda behind OAuth, and connect Claude Code to it.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--region <region>', 'AWS region (default: from AWS_REGION or the profile)')
    .option('--profile <name>', 'AWS profile from ~/.aws/config')
    .option('--json', 'print one JSON document on stdout and nothing else')
    .option('--verbose', 'print stack traces and debug detail')
    .option('-y, --yes', 'answer yes to every question (required when not interactive)')
    .showSuggestionAfterError()
    // Every command's help lists the options every command takes (--region, --profile, --json, …).
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .addHelpText(
      'after',
      `
Examples:
  $ mcp-lambda deploy                   deploy the dog-facts server behind OAuth to your AWS account
  $ mcp-lambda login                    register, check your password, verify the endpoint
  $ mcp-lambda write-config             connect Claude Code to it
  $ mcp-lambda doctor                   find the first broken link between Claude Code and the server
  $ mcp-lambda status                   show the stack and its outputs
  $ mcp-lambda destroy                  delete it again
  $ mcp-lambda dev                      serve the dog-facts MCP server on http://127.0.0.1:${DEFAULT_DEV_PORT}/mcp
  $ mcp-lambda dev --port 9000          ... on another port
  $ mcp-lambda synth                    show what the stack would create (no AWS credentials needed)
  $ mcp-lambda synth --out cdk.out      write the cloud assembly

Run "mcp-lambda <command> --help" for a command's options.`,
    );

  for (const define of COMMANDS) define(program, run);
  // The commands that name a stack read the deployment file (../config/apply.ts); --config names another.
  for (const command of program.commands.flatMap((command) => [command, ...command.commands])) {
    const has = (flag: string) => command.options.some((option) => option.long === flag);
    if (has('--stack-name') && !has('--config')) {
      command.option('--config <file>', 'the deployment file (default: ./mcp-lambda.jsonc or ./mcp-lambda.json)');
    }
  }
  return program;
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code. Never calls
 * `process.exit`; only `bin/mcp-lambda` turns the code into the process's.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let global: GlobalOptions = { json: false, verbose: argv.includes('--verbose'), yes: false };
  /** The stack the running command concerns, for naming it in an AWS failure that reaches the top. */
  let stack: string | undefined;
  const out = () => createOutput(io.stdout, io.stderr, io.env);
  const program = buildProgram(io, async (action) => {
    const opts = program.opts<Partial<GlobalOptions>>();
    global = {
      ...(opts.region !== undefined && { region: opts.region }),
      ...(opts.profile !== undefined && { profile: opts.profile }),
      json: opts.json === true,
      verbose: opts.verbose === true,
      yes: opts.yes === true,
    };
    const base = io.prompter ?? createPrompter({ interactive: io.interactive });
    // --yes answers every yes/no question; email, passwords and codes are still asked (or come from flags).
    const prompt: Prompter = global.yes
      ? { ...base, confirm: async (message, options) => (options?.flag !== undefined ? base.confirm(message, options) : true) }
      : base;
    await action({ ...io, out: out(), global, prompt });
  });

  program.hook('preAction', async (_program, command) => {
    if (!command.options.some((option) => option.long === '--stack-name')) return;
    // Flags first, then the file: its values fill what the command line left out.
    const { applyConfigFile } = await import('./config/apply.js');
    await applyConfigFile(command, io.cwd);
    const { name, stackName } = command.opts<{ name?: unknown; stackName?: unknown }>();
    try {
      stack = stackNameFor(typeof name === 'string' ? name : undefined, typeof stackName === 'string' ? stackName : undefined);
    } catch {
      // A bad name is the command's own usage error to report.
    }
  });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    // An AWS answer no command explained is still AWS's answer (exit 4), not a bug in mcp-lambda.
    const aws =
      error instanceof UserError ? undefined : explainAwsError(error, { profile: global.profile, region: global.region, stack });
    return report(aws ?? error, out(), global.verbose);
  }
}

function report(error: unknown, out: Output, verbose: boolean): number {
  if (error instanceof CommanderError) {
    // Commander has printed its message already; help and version are successes.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) {
      return ExitCode.ok;
    }
    return ExitCode.usage;
  }
  return reportError(error, out, verbose);
}
