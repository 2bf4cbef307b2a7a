/**
 * The VPC a deployed stack's MCP functions run in (its `Vpc` and `VpcSecurityGroup` outputs), and the rule
 * a later deploy follows: without `--vpc` it keeps that VPC (the functions may be there to reach a private
 * database; dropping them out of it would cut them off), `--vpc … --subnets …` replaces the whole
 * attachment, `--no-vpc` takes them out.
 */
import { readVpcOutput, type VpcSettings } from '../../stack/vpc-settings.js';
import type { CommandContext } from '../context.js';
import type { StackDescription } from '../deploy/engine.js';
import { UserError } from '../terminal/errors.js';

/** The deployed stack's VPC; undefined when it has none. A `Vpc` output that cannot be read is an error. */
export function deployedVpcOf(outputs: Readonly<Record<string, string>> | undefined): VpcSettings | undefined {
  const raw = outputs?.Vpc;
  if (raw === undefined) return undefined;
  const vpc = readVpcOutput(raw);
  if (vpc === undefined) {
    throw new UserError(`The stack's Vpc output is not one mcp-lambda wrote: ${JSON.stringify(raw)}.`, {
      hint: 'Name the VPC again (mcp-lambda deploy --vpc vpc-… --subnets subnet-…), or take the functions out of it with --no-vpc.',
    });
  }
  return vpc;
}

/** One line for people: the VPC, its subnets and the security group (the stack's own, or yours). */
export function describeVpc(vpc: VpcSettings, securityGroup?: string): string {
  const group =
    vpc.securityGroupId !== undefined
      ? `security group ${vpc.securityGroupId}`
      : `a security group the stack made${securityGroup !== undefined ? ` (${securityGroup})` : ''}: all egress, no ingress`;
  return `${vpc.vpcId}, subnets ${vpc.subnetIds.join(', ')}, ${group}`;
}

/** The VPC of this deploy: the flags', else the deployed stack's (said), or none (`--no-vpc`, said). */
export function chooseVpc(
  ctx: Pick<CommandContext, 'out' | 'global'>,
  flags: { readonly vpc?: string | false },
  fromFlags: VpcSettings | undefined,
  existing: StackDescription | undefined,
): VpcSettings | undefined {
  const { out, global } = ctx;
  if (flags.vpc === false) {
    const raw = existing?.outputs.Vpc;
    if (raw !== undefined && !global.json) {
      const left = readVpcOutput(raw);
      out.info(
        `VPC: the functions leave ${left?.vpcId ?? 'their VPC'} (--no-vpc)${left?.securityGroupId === undefined ? ', and the security group the stack made for them goes' : ''}; they reach the internet and AWS directly again, and nothing inside the VPC.`,
      );
    }
    return undefined;
  }
  if (fromFlags !== undefined) {
    if (!global.json) out.info(`VPC: ${describeVpc(fromFlags)}.`);
    return fromFlags;
  }
  const deployed = deployedVpcOf(existing?.outputs);
  if (deployed !== undefined && !global.json) {
    out.info(
      `VPC: ${describeVpc(deployed, existing?.outputs.VpcSecurityGroup)} (as deployed; --vpc … --subnets … replaces it, --no-vpc removes it).`,
    );
  }
  return deployed;
}
