/**
 * The mcp-lambda program: every command wired in one place.
 *
 * Command modules are imported only when their command runs, so `--help`, `--version` and the start of
 * every command load neither the AWS SDK, aws-cdk-lib nor the MCP SDK.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { LoginCommandOptions } from './commands/login.js';
import type { TokenOptions } from './commands/token.js';
import type { WriteConfigOptions } from './commands/write-config.js';
import type { StackSelector } from './stacks/resolve.js';
import { VERSION } from '../version.js';
import type { CliIo, CommandContext, GlobalOptions } from './context.js';
import { explainAwsError } from './aws/errors.js';
import { ExitCode, UserError, reportError } from './terminal/errors.js';
import { stackNameFor } from '../stack/names.js';
import { createOutput, type Output } from './terminal/output.js';
import { createPrompter, type Prompter } from './terminal/prompts.js';
import type { DestroyOptions } from './commands/destroy.js';
import type { DoctorOptions } from './commands/doctor.js';
import type { UsersAction } from './commands/users.js';
import type { CallOptions, ServerOptions } from './commands/call.js';
import type { LogsOptions } from './commands/logs.js';
import type { StatusOptions } from './commands/status.js';
import type { SynthOptions } from './commands/synth.js';
import { parseHost, parsePort } from './options/values.js';
import { addStackOptions, keyValue, type StackCliOptions, wholeNumber } from './options/stack-options.js';
import type { DevOptions } from './commands/dev.js';

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

  addStackOptions(
    program
      .command('deploy')
      .helpGroup('Deploy and connect:')
      .description('synthesize the stack in-process and deploy it to your AWS account'),
  )
    .option('--bootstrap', 'bootstrap the account for the CDK when it needs it, without asking (--yes does not)')
    .option('--clear-settings', "drop the server's --env settings and --secret secrets that the deployed stack has")
    .option(
      '--cloudformation-execution-policies <arn>',
      "managed policy for CloudFormation's execution role when bootstrapping; repeatable (default: AdministratorAccess)",
      (value: string, previous: string[] | undefined) => {
        if (!/^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/\S+$/.test(value)) {
          throw new InvalidArgumentError(`expected an IAM managed policy ARN (arn:aws:iam::aws:policy/…), got "${value}".`);
        }
        return [...(previous ?? []), value];
      },
    )
    .addHelpText(
      'after',
      `
Credentials come from the standard AWS chain (environment, --profile, SSO). Before deploying it prints the
account, region and identity it uses; it offers to bootstrap the account for the CDK when needed, and asks
before an update that changes IAM permissions (--yes answers for you).

Examples:
  $ mcp-lambda deploy
  $ mcp-lambda deploy --profile work --region eu-west-1
  $ mcp-lambda deploy --name my-tools --callback-port 41000 --yes
  $ mcp-lambda deploy --name my-tools --entry ./server.ts
  $ mcp-lambda deploy --name team --entry notes=./notes.ts --entry weather=./weather.ts --secret weather:API_KEY=weather/api-key`,
    )
    .action((options: StackCliOptions) => run(async (ctx) => (await import('./commands/deploy.js')).deploy(ctx, options)));

  const stackSelector = (command: Command) =>
    command
      .option('-n, --name <name>', 'deployment name (default: "dog-facts")')
      .option('--stack-name <name>', 'CloudFormation stack name (default: "mcp-lambda-<name>")');

  /** For a stack with several servers (deploy --entry a --entry b): which one. */
  const serverOption = (command: Command, what: string) =>
    command.option('--server <name>', `one of the stack's servers (deployed with several --entry): ${what}`);

  serverOption(stackSelector(program.command('login').helpGroup('Deploy and connect:')), 'verify only this one (default: all)')
    .description('register or sign in to the deployed server, verify it answers, and store the sign-in')
    .option('--username <email>', 'your email address (otherwise asked)')
    .option('--password-stdin', 'read the password from standard input (for scripts; never a flag)')
    .option('--signup', 'register here instead of in the browser (for remote shells)')
    .option('--no-browser', 'print the sign-up link instead of opening it')
    .addHelpText(
      'after',
      `
Reads the stack's outputs from the local cache (or CloudFormation), opens the sign-up page, then checks
your email and password with Cognito (USER_PASSWORD_AUTH), calls the deployed /mcp with the token, and
stores the refresh token in your config directory (mode 0600).

Examples:
  $ mcp-lambda login
  $ mcp-lambda login --signup
  $ printf %s "$PASSWORD" | mcp-lambda login --username me@example.com --password-stdin`,
    )
    .action((options: LoginCommandOptions) => run(async (ctx) => (await import('./commands/login.js')).login(ctx, options)));

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
    .action((options: WriteConfigOptions) =>
      run(async (ctx) => (await import('./commands/write-config.js')).writeConfig(ctx, options)),
    );

  program
    .command('status')
    .helpGroup('Deploy and connect:')
    .description("show the stack's state and outputs, and what is stored locally")
    .option('-n, --name <name>', 'deployment name (default: "dog-facts")')
    .option('--stack-name <name>', 'CloudFormation stack name (default: "mcp-lambda-<name>")')
    .action((options: StatusOptions) => run(async (ctx) => (await import('./commands/status.js')).status(ctx, options)));

  program
    .command('destroy')
    .helpGroup('Deploy and connect:')
    .description('delete the stack, then what mcp-lambda stored locally for it')
    .option('-n, --name <name>', 'deployment name (default: "dog-facts")')
    .option('--stack-name <name>', 'CloudFormation stack name (default: "mcp-lambda-<name>")')
    .option('--keep-local', 'keep the cached outputs, tokens and Claude Code entries')
    .option('--keep-users', 'keep the user pool and its users (only the rest of the stack is deleted)')
    .addHelpText(
      'after',
      `
Examples:
  $ mcp-lambda destroy
  $ mcp-lambda destroy --stack-name my-mcp --region eu-west-1 --yes`,
    )
    .action((options: DestroyOptions) => run(async (ctx) => (await import('./commands/destroy.js')).destroy(ctx, options)));

  stackSelector(program.command('token').helpGroup('Deploy and connect:'))
    .description("print a valid access token (refreshed when needed); for Claude Code's headersHelper")
    .option('--header-json', 'print {"Authorization":"Bearer …"} instead of the bare token')
    .addHelpText(
      'after',
      `
Without --name/--stack-name it picks the sign-in matching CLAUDE_CODE_MCP_SERVER_URL or
CLAUDE_CODE_MCP_SERVER_NAME (set by Claude Code), or the only one there is. On failure it prints nothing
on stdout and one line on stderr.`,
    )
    .action((options: TokenOptions) => run(async (ctx) => (await import('./commands/token.js')).token(ctx, options)));

  serverOption(
    stackSelector(program.command('doctor').helpGroup('Deploy and connect:')),
    'the one to check (needed when there are several)',
  )
    .description('walk the chain Claude Code follows to the server and name the first broken link, with the fix')
    .option('--url <url>', "check this MCP URL instead of a deployed stack's (e.g. mcp-lambda dev's)")
    .addOption(
      new Option('--client <client>', 'walk the chain as this client does: its redirect URIs and its config')
        .choices(['claude-code', 'vscode', 'cursor', 'gemini', 'codex', 'claude-desktop'])
        .default('claude-code'),
    )
    .addHelpText(
      'after',
      `
Checks, in Claude Code's order: the 401 challenge and its resource_metadata, the protected-resource
metadata, the issuer's discovery document, the authorize endpoint (client, callback, scope, resource),
Claude Code's entries on disk (and their headersHelper), the MCP exchange with your stored sign-in
(server/discover, initialize, tools/list, subscriptions/listen within 1 s), the token's scope and
audience, and the callback port on this machine. Exit code 1 when a link is broken.

Examples:
  $ mcp-lambda doctor
  $ mcp-lambda doctor --name my-tools --json
  $ mcp-lambda doctor --url http://127.0.0.1:8765/mcp
  $ mcp-lambda doctor --client cursor`,
    )
    .action((options: DoctorOptions) =>
      run(async (ctx) => {
        await (await import('./commands/doctor.js')).doctor(ctx, options);
      }),
    );

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
    .action((options: LogsOptions) => run(async (ctx) => (await import('./commands/logs.js')).logs(ctx, options)));

  const serverTarget = (command: Command) =>
    serverOption(stackSelector(command), 'the one to use (needed when there are several)').option(
      '--url <url>',
      "use this MCP URL instead of a deployed stack's (e.g. mcp-lambda dev's)",
    );
  serverTarget(program.command('tools').helpGroup('Deploy and connect:'))
    .description("list the server's tools and their arguments, with your stored sign-in")
    .action((options: ServerOptions) => run(async (ctx) => (await import('./commands/call.js')).tools(ctx, options)));
  serverTarget(program.command('call').helpGroup('Deploy and connect:'))
    .argument('<tool>', 'the tool to call')
    .description('call a tool on the server with your stored sign-in and print its result')
    .option(
      '--arg <key=value>',
      'an argument; the value is read as JSON when it parses (3, true), else as text; repeatable',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--args-json <json>', 'all arguments as one JSON object')
    .addHelpText(
      'after',
      `
Exit code 1 when the tool answers with an error (isError).

Examples:
  $ mcp-lambda call getDogFacts --arg limit=3
  $ mcp-lambda call getDogFacts --args-json '{"limit": 3}' --json
  $ mcp-lambda call getDogFacts --url http://127.0.0.1:8765/mcp`,
    )
    .action((tool: string, options: CallOptions) =>
      run(async (ctx) => (await import('./commands/call.js')).call(ctx, tool, options)),
    );

  const users = program
    .command('users')
    .helpGroup('Deploy and connect:')
    .description('who may use the server: list, invite, disable, enable, remove, allow, disallow, groups')
    .addHelpText(
      'after',
      `
Examples:
  $ mcp-lambda users list
  $ mcp-lambda users allow colleague@example.com @team.example   takes effect at once, no deploy
  $ mcp-lambda users invite colleague@example.com                Cognito emails a temporary password
  $ mcp-lambda users disable colleague@example.com               also signs them out everywhere
  $ mcp-lambda users groups add colleague@example.com admins`,
    );
  const usersAction =
    (action: (args: string[]) => UsersAction) =>
    (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const positional = args.slice(0, -2).flatMap((arg) => (Array.isArray(arg) ? arg : [arg])) as string[];
      return run(async (ctx) =>
        (await import('./commands/users.js')).users(ctx, command.opts<StackSelector>(), action(positional)),
      );
    };
  stackSelector(users.command('list').description('the users: email, status, enabled, created, groups')).action(
    usersAction(() => ({ kind: 'list' })),
  );
  for (const [kind, description] of [
    ['invite', 'create an account; Cognito emails the person a temporary password'],
    ['disable', 'shut a user out: disable the account and sign it out everywhere'],
    ['enable', 'let a disabled user back in'],
    ['remove', 'delete a user (asks first; --yes answers)'],
  ] as const) {
    stackSelector(users.command(kind).argument('<email>').description(description)).action(
      usersAction(([email]) => ({ kind, email: email ?? '' })),
    );
  }
  for (const [kind, description] of [
    ['allow', 'let these addresses or @domains register (allow-list policy; no deploy needed)'],
    ['disallow', 'take addresses or @domains off the allow-list'],
  ] as const) {
    stackSelector(users.command(kind).argument('<entries...>', 'email addresses or @domains').description(description)).action(
      usersAction((entries) => ({ kind, entries })),
    );
  }
  const groups = users.command('groups').description('put users in Cognito groups, or take them out');
  stackSelector(
    groups.command('add').argument('<email>').argument('<group>').description('add a user to a group (created when new)'),
  ).action(usersAction(([email, group]) => ({ kind: 'group-add', email: email ?? '', group: group ?? '' })));
  stackSelector(
    groups.command('remove').argument('<email>').argument('<group>').description('remove a user from a group'),
  ).action(usersAction(([email, group]) => ({ kind: 'group-remove', email: email ?? '', group: group ?? '' })));

  stackSelector(program.command('logout').helpGroup('Deploy and connect:'))
    .description('remove the stored sign-in for a stack')
    .action((options: StackSelector) => run(async (ctx) => (await import('./commands/login.js')).logout(ctx, options)));

  program
    .command('init')
    .helpGroup('Your own server, locally:')
    .argument('[dir]', 'directory to create (default: the current one, if empty)')
    .description('scaffold a project for your own MCP server (server.ts, a test, package.json with mcp-lambda in it)')
    .option('--inside-package', 'make it even inside another package (a workspace); refused by default')
    .action((dir: string | undefined, options: { insidePackage?: boolean }) =>
      run(async (ctx) =>
        (await import('./commands/init.js')).init(ctx, {
          ...(dir !== undefined && { dir }),
          ...(options.insidePackage === true && { insidePackage: true }),
        }),
      ),
    );

  addStackOptions(
    program
      .command('synth')
      .helpGroup('Your own server, locally:')
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
      '--env-file <file>',
      "settings for the server from a file of KEY=VALUE lines (.env); the shell's values win; repeatable",
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option(
      '--env <KEY=VALUE>',
      'a setting for the server (wins over --env-file and the shell); repeatable',
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
Your server's settings: --env-file .env (what deploy gives it with --env and --secret), or --env KEY=VALUE.

Examples:
  $ mcp-lambda dev
  $ mcp-lambda dev --entry server.ts --env-file .env
  $ DOG_API_BASE_URL=http://127.0.0.1:8123 mcp-lambda dev --port 9000`,
    )
    .action((options: DevOptions) => run(async (ctx) => (await import('./commands/dev.js')).dev(ctx, options)));

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

  program.hook('preAction', (_program, command) => {
    if (!command.options.some((option) => option.long === '--stack-name')) return;
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
