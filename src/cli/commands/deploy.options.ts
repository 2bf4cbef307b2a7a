/** `mcp-lambda deploy`: options and help. The command itself is ./deploy.ts, loaded when it runs. */
import { InvalidArgumentError } from 'commander';
import { type DefineCommand } from '../options/selectors.js';
import type { StackCliOptions } from '../options/stack-options.js';
import type { MoveCliOptions } from '../stdio/move.js';
import { addStackOptions } from '../options/stack-options.js';
import { addAlarmOptions } from '../options/alarm-options.js';
import { addVpcOptions } from '../options/vpc-options.js';

/** deploy's flags: the stack's, and `--plan`. */
export interface DeployCliOptions extends StackCliOptions, MoveCliOptions {
  /** Show what a deploy would change and change nothing. */
  readonly plan?: boolean;
}

export const defineDeploy: DefineCommand = (program, run) => {
  addAlarmOptions(
    addVpcOptions(
      addStackOptions(
        program
          .command('deploy')
          .helpGroup('Deploy and connect:')
          .description('synthesize the stack in-process and deploy it to your AWS account'),
      ),
    ),
  )
    .option('--plan', 'show the settings and the CloudFormation changes a deploy would make; change nothing')
    .option('--bootstrap', 'bootstrap the account for the CDK when it needs it, without asking (--yes does not)')
    .option(
      '--stdio-from <client>:<entry>',
      "move a stdio server your client runs (claude-code or claude-desktop, and the entry's name): its command becomes --stdio, key-like env values go to Secrets Manager after asking",
    )
    .option(
      '--repoint',
      "with --stdio-from: point the client's entry at the deployed server without asking (the old entry is backed up)",
    )
    .option('--no-repoint', "with --stdio-from: leave the client's entry as it is")
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

--plan reads everything a deploy reads, then prints the effective settings, the remembered ones that
change, and the CloudFormation changes against the deployed stack (added, changed, replaced, removed; IAM
apart), from a change set it deletes unexecuted (or from the templates when none can be made). It deploys,
bootstraps and records nothing; it exits 0 with or without changes (--json has "pending").

Settings come from, strongest first: the flags, then mcp-lambda.jsonc (or --config <file>), then what the
deployed stack remembers, then the defaults. mcp-lambda config export writes the file from a stack.

What a later deploy keeps when its flags and the file say nothing: the sign-up policy, settings and
secrets, clients, timeout, domain, slow demo, machine client, reserved concurrency, alarms (--no-alarms
removes them), and the VPC (--vpc with --subnets replaces it, --no-vpc removes it). With --vpc it checks
the ids with EC2 and warns when the subnets have no way out that the server needs (a NAT gateway, or VPC
endpoints for Secrets Manager/SSM). With --alarms, AWS mails the address a confirmation link: the alarms
mail nobody until it is followed.

Examples:
  $ mcp-lambda deploy
  $ mcp-lambda deploy --profile work --region eu-west-1
  $ mcp-lambda deploy --timeout 60 --plan
  $ mcp-lambda deploy --name my-tools --callback-port 41000 --yes
  $ mcp-lambda deploy --name my-tools --entry ./server.ts
  $ mcp-lambda deploy --name team --entry notes=./notes.ts --entry weather=./weather.ts --secret weather:API_KEY=weather/api-key
  $ mcp-lambda deploy --stdio-from claude-code:memory
  $ mcp-lambda deploy --alarms ops@example.com --latency-alarm-ms 3000
  $ mcp-lambda deploy --vpc vpc-0123456789abcdef0 --subnets subnet-0aaaaaaaaaaaaaaaa,subnet-0bbbbbbbbbbbbbbbb`,
    )
    .action((options: DeployCliOptions) => run(async (ctx) => (await import('./deploy.js')).deploy(ctx, options)));
};
