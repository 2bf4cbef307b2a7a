/** `mcp-lambda synth`: options and help. The command itself is ./synth.ts, loaded when it runs. */
import { type DefineCommand } from '../options/selectors.js';
import { addStackOptions } from '../options/stack-options.js';
import { addAlarmOptions } from '../options/alarm-options.js';
import { addVpcOptions } from '../options/vpc-options.js';
import type { SynthOptions } from './synth.js';

export const defineSynth: DefineCommand = (program, run) => {
  addAlarmOptions(
    addVpcOptions(
      addStackOptions(
        program
          .command('synth')
          .helpGroup('Your own server, locally:')
          .description('build the CloudFormation template in-process (no AWS credentials needed)')
          .option('-o, --out <dir>', 'write the cloud assembly to this directory'),
      ),
    ),
  )
    .addHelpText(
      'after',
      `
Without --out, prints a summary (resources, outputs, sizes); with --json, prints the template.

Examples:
  $ mcp-lambda synth
  $ mcp-lambda synth --name my-tools --callback-port 41000 --out cdk.out
  $ mcp-lambda synth --json > template.json
  $ mcp-lambda synth --vpc vpc-0123456789abcdef0 --subnets subnet-0aaaaaaaaaaaaaaaa,subnet-0bbbbbbbbbbbbbbbb`,
    )
    .action((options: SynthOptions) => run(async (ctx) => (await import('./synth.js')).synth(ctx, options)));
};
