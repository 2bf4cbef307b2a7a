/**
 * `--vpc`, `--subnets`, `--security-group` and `--no-vpc`: the flags that put the MCP server functions in
 * your VPC. Each id's shape is checked as it is parsed (exit 2 before anything is built); whether the ids
 * exist is deploy's to ask EC2. Loaded for `--help`: no aws-cdk-lib here.
 *
 * The rule a later deploy follows: without these flags it keeps the VPC the stack has (its `Vpc` output);
 * `--vpc … --subnets …` replaces the whole attachment; `--no-vpc` takes the functions out.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { vpcIdProblem, type VpcSettings } from '../../stack/vpc-settings.js';
import { UsageError } from '../terminal/errors.js';

/** What commander hands the action. */
export interface VpcCliOptions {
  /** The VPC's id; false: --no-vpc. */
  readonly vpc?: string | false;
  readonly subnets?: string[];
  readonly securityGroup?: string;
}

function id(kind: 'vpc' | 'subnet' | 'security group') {
  return (value: string): string => {
    const trimmed = value.trim();
    const problem = vpcIdProblem(kind, trimmed);
    if (problem !== undefined) throw new InvalidArgumentError(`${problem}, got "${value}".`);
    return trimmed;
  };
}

function subnets(value: string): string[] {
  const list = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (list.length === 0) throw new InvalidArgumentError('expected subnet ids such as subnet-0123456789abcdef0,subnet-…');
  return list.map(id('subnet'));
}

/** Adds the VPC flags to a stack command. */
export function addVpcOptions(command: Command): Command {
  return command
    .option(
      '--vpc <vpc-id>',
      'run the MCP server functions in this VPC of yours (vpc-…), in the subnets --subnets names (kept by later deploys; --no-vpc removes it)',
      id('vpc'),
    )
    .option(
      '--subnets <ids>',
      'the subnets of --vpc the functions join, comma-separated (subnet-…): private ones, routed through a NAT gateway if the server calls the internet',
      subnets,
    )
    .option(
      '--security-group <sg-id>',
      'the security group of the functions, in --vpc (default: a new one that allows all egress and no ingress)',
      id('security group'),
    )
    .option('--no-vpc', 'take the functions out of the VPC a stack was deployed with');
}

/** The VPC the flags ask for (undefined: they say nothing, or --no-vpc), after checking they go together. */
export function vpcFromFlags(options: VpcCliOptions): VpcSettings | undefined {
  if (options.vpc === false) {
    if (options.subnets !== undefined || options.securityGroup !== undefined) {
      throw new UsageError(
        `--no-vpc takes the functions out of their VPC; ${options.subnets !== undefined ? '--subnets' : '--security-group'} is for --vpc.`,
        'Drop one or the other.',
      );
    }
    return undefined;
  }
  if (options.vpc === undefined) {
    if (options.subnets !== undefined || options.securityGroup !== undefined) {
      throw new UsageError(
        `${options.subnets !== undefined ? '--subnets' : '--security-group'} is for --vpc: name the VPC too (the flags replace the whole attachment).`,
        `--vpc vpc-… ${options.subnets !== undefined ? `--subnets ${options.subnets.join(',')}` : `--subnets subnet-… --security-group ${options.securityGroup}`}`,
      );
    }
    return undefined;
  }
  if (options.subnets === undefined) {
    throw new UsageError(
      `--vpc ${options.vpc} needs --subnets: the subnets of that VPC the functions join.`,
      `--vpc ${options.vpc} --subnets subnet-…,subnet-… (private subnets in two or more zones)`,
    );
  }
  return {
    vpcId: options.vpc,
    subnetIds: options.subnets,
    ...(options.securityGroup !== undefined && { securityGroupId: options.securityGroup }),
  };
}
