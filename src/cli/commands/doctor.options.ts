/** `mcp-lambda doctor`: options and help. The command itself is ./doctor.ts, loaded when it runs. */
import { Option } from 'commander';
import { type DefineCommand, stackSelector, serverOption } from '../options/selectors.js';
import type { DoctorOptions } from './doctor.js';

export const defineDoctor: DefineCommand = (program, run) => {
  serverOption(
    stackSelector(program.command('doctor').helpGroup('Deploy and connect:')),
    'the one to check (needed when there are several)',
  )
    .description('walk the chain Claude Code follows to the server and name the first broken link, with the fix')
    .option('--url <url>', "check this MCP URL instead of a deployed stack's (e.g. mcp-lambda dev's)")
    .option('--run-helpers', 'run headersHelper commands mcp-lambda did not write, without asking (--yes does not; see below)')
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
audience, and the callback port on this machine. Exit code 1 when a link is broken. For a deployed
stack it then warns (never fails) when nothing tells you of failures and nothing caps the server: no
alarms (deploy --alarms) and no reserved concurrency.

A headersHelper is a shell command from a config file (a project's .mcp.json comes with the repository).
doctor runs one by itself only when it is exactly the "mcp-lambda token" command write-config writes for
this stack, without a shell and without your AWS credentials. Any other helper is reported as not run;
on a terminal doctor shows it and asks first (default no), and --run-helpers runs it without asking.

Examples:
  $ mcp-lambda doctor
  $ mcp-lambda doctor --name my-tools --json
  $ mcp-lambda doctor --url http://127.0.0.1:8765/mcp
  $ mcp-lambda doctor --client cursor`,
    )
    .action((options: DoctorOptions) =>
      run(async (ctx) => {
        await (await import('./doctor.js')).doctor(ctx, options);
      }),
    );
};
