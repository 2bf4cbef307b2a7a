/**
 * The mcp-lambda program: every command wired in one place.
 *
 * Command modules are imported only when their command runs, so `--help`, `--version` and the start of
 * every command load neither the AWS SDK, aws-cdk-lib nor the MCP SDK.
 */
import { Command, CommanderError, Option } from 'commander';
import { VERSION } from '../version.js';
import type { CliIo, CommandContext, GlobalOptions } from './context.js';
import { AbortError, ExitCode, UserError } from './errors.js';
import { createOutput } from './output.js';
import { createPrompter } from './prompts.js';
import type { DestroyOptions } from './commands/destroy.js';
import type { StatusOptions } from './commands/status.js';
import type { SynthOptions } from './commands/synth.js';
import { parseHost, parsePort } from './parse.js';
import { addStackOptions, type StackCliOptions } from './stack-options.js';

export const DEFAULT_DEV_PORT = 8765;

function buildProgram(io: CliIo, run: (action: (ctx: CommandContext) => Promise<void>) => Promise<void>): Command {
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
  $ mcp-lambda status                   show the stack and its outputs
  $ mcp-lambda destroy                  delete it again
  $ mcp-lambda dev                      serve the dog-facts MCP server on http://127.0.0.1:${DEFAULT_DEV_PORT}/mcp
  $ mcp-lambda dev --port 9000          ... on another port
  $ mcp-lambda synth                    show what the stack would create (no AWS credentials needed)
  $ mcp-lambda synth --out cdk.out      write the cloud assembly

Run "mcp-lambda <command> --help" for a command's options.`,
    );

  program
    .command('dev')
    .description('serve the MCP server locally, through the same handler the Lambda runs (no AWS needed)')
    .addOption(
      new Option('-p, --port <port>', 'port to listen on (0 picks a free one)').argParser(parsePort).default(DEFAULT_DEV_PORT),
    )
    .addOption(new Option('--host <host>', 'address to listen on').argParser(parseHost).default('127.0.0.1'))
    .addHelpText(
      'after',
      `
The server has no authentication: keep it on a loopback address.
Environment: DOG_API_BASE_URL (Dog API base URL), MCP_ALLOWED_ORIGINS, MCP_MAX_BODY_BYTES.

Examples:
  $ mcp-lambda dev
  $ DOG_API_BASE_URL=http://127.0.0.1:8123 mcp-lambda dev --port 9000`,
    )
    .action((options: { port: number; host: string }) =>
      run(async (ctx) => (await import('./commands/dev.js')).dev(ctx, options)),
    );

  addStackOptions(program.command('deploy').description('synthesize the stack in-process and deploy it to your AWS account'))
    .addHelpText(
      'after',
      `
Credentials come from the standard AWS chain (environment, --profile, SSO). Before deploying it prints the
account, region and identity it uses; it offers to bootstrap the account for the CDK when needed, and asks
before an update that changes IAM permissions (--yes answers for you).

Examples:
  $ mcp-lambda deploy
  $ mcp-lambda deploy --profile work --region eu-west-1
  $ mcp-lambda deploy --name my-tools --callback-port 41000 --yes`,
    )
    .action((options: StackCliOptions) => run(async (ctx) => (await import('./commands/deploy.js')).deploy(ctx, options)));

  program
    .command('destroy')
    .description('delete the stack, then what mcp-lambda stored locally for it')
    .option('-n, --name <name>', 'deployment name (default: "dog-facts")')
    .option('--stack-name <name>', 'CloudFormation stack name (default: "mcp-lambda-<name>")')
    .option('--keep-local', 'keep the cached outputs, tokens and Claude Code entries')
    .addHelpText(
      'after',
      `
Examples:
  $ mcp-lambda destroy
  $ mcp-lambda destroy --stack-name my-mcp --region eu-west-1 --yes`,
    )
    .action((options: DestroyOptions) => run(async (ctx) => (await import('./commands/destroy.js')).destroy(ctx, options)));

  program
    .command('status')
    .description("show the stack's state and outputs, and what is stored locally")
    .option('-n, --name <name>', 'deployment name (default: "dog-facts")')
    .option('--stack-name <name>', 'CloudFormation stack name (default: "mcp-lambda-<name>")')
    .action((options: StatusOptions) => run(async (ctx) => (await import('./commands/status.js')).status(ctx, options)));

  addStackOptions(
    program
      .command('synth')
      .description('build the CloudFormation template in-process (no AWS credentials needed)')
      .option('-o, --out <dir>', 'write the cloud assembly to this directory'),
  )
    .addHelpText(
      'after',
      `
Without --out, prints a summary (resources, outputs, sizes); with --json, prints the template.

Examples:
  $ mcp-lambda synth
  $ mcp-lambda synth --name my-tools --callback-port 41000 --out cdk.out
  $ mcp-lambda synth --json > template.json`,
    )
    .action((options: SynthOptions) => run(async (ctx) => (await import('./commands/synth.js')).synth(ctx, options)));

  return program;
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code. Never calls
 * `process.exit`; only `bin/mcp-lambda` turns the code into the process's.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let global: GlobalOptions = { json: false, verbose: argv.includes('--verbose'), yes: false };
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
    const prompt = global.yes
      ? createPrompter({ interactive: false, yes: true })
      : (io.prompter ?? createPrompter({ interactive: io.interactive, yes: false }));
    await action({ ...io, out: out(), global, prompt });
  });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    return report(error, out(), global.verbose);
  }
}

function report(error: unknown, out: ReturnType<typeof createOutput>, verbose: boolean): number {
  if (error instanceof CommanderError) {
    // Commander has printed its message already; help and version are successes.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) {
      return ExitCode.ok;
    }
    return ExitCode.usage;
  }
  if (error instanceof UserError) {
    out.error(error.message);
    if (error.options.hint !== undefined) out.info(`${out.style.dim('hint:')} ${error.options.hint}`);
    if (verbose && error.cause instanceof Error && error.cause.stack) out.info(error.cause.stack);
    return error.exitCode;
  }
  if (error instanceof AbortError) {
    out.info(error.message);
    return ExitCode.aborted;
  }
  const message = error instanceof Error ? error.message : String(error);
  out.error(`unexpected failure: ${message}`);
  if (verbose && error instanceof Error && error.stack) out.info(error.stack);
  else
    out.info('This is a bug in mcp-lambda. Run again with --verbose to see where, and include that output when you report it.');
  return ExitCode.internal;
}
