/**
 * The VPC an MCP server's functions run in (`deploy --vpc --subnets [--security-group]`): the shape of each
 * id, the checks that refuse a wrong one before anything is built, and the `Vpc` output a deployed stack
 * keeps them in. No aws-cdk-lib import: the CLI reads the output without loading the CDK.
 *
 * Whether the ids exist, and whether the subnets belong to the VPC, is AWS's to say: `deploy` asks EC2
 * (src/cli/deployed/vpc-checks.ts); `synth` works from the ids alone, offline.
 */
import { invalid } from './names.js';

/** Where the MCP functions run. */
export interface VpcSettings {
  readonly vpcId: string;
  /** Subnets for the functions' network interfaces, in that VPC (private ones, with a NAT route for internet access). */
  readonly subnetIds: readonly string[];
  /** A security group of yours, in that VPC. @default a new one allowing all egress and no ingress */
  readonly securityGroupId?: string;
}

/** EC2's ids: the prefix, then 8 (older resources) or 17 lower-case hex digits. */
const id = (prefix: string) => new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`);
export const VPC_ID = id('vpc');
export const SUBNET_ID = id('subnet');
export const SECURITY_GROUP_ID = id('sg');
/** Lambda's limit on a function's subnets (VpcConfig.SubnetIds). */
export const MAX_SUBNETS = 16;

/** The rule a malformed id breaks, or undefined when it has the shape of the kind. */
export function vpcIdProblem(kind: 'vpc' | 'subnet' | 'security group', value: string): string | undefined {
  const [pattern, example] =
    kind === 'vpc'
      ? [VPC_ID, 'vpc-0123456789abcdef0']
      : kind === 'subnet'
        ? [SUBNET_ID, 'subnet-0123456789abcdef0']
        : [SECURITY_GROUP_ID, 'sg-0123456789abcdef0'];
  return pattern.test(value) ? undefined : `a ${kind} id looks like ${example} (8 or 17 hex digits)`;
}

/** Checks each id's shape and the subnet count; duplicates are dropped. */
export function checkVpcSettings(settings: VpcSettings): VpcSettings {
  const problem = vpcIdProblem('vpc', settings.vpcId);
  if (problem !== undefined) invalid('vpc', settings.vpcId, `${problem}.`);
  const subnetIds = [...new Set(settings.subnetIds)];
  if (subnetIds.length === 0 || subnetIds.length > MAX_SUBNETS) {
    invalid(
      'subnets',
      subnetIds,
      `name from 1 to ${MAX_SUBNETS} subnets of the VPC (two or more, in different zones, for availability).`,
    );
  }
  for (const subnet of subnetIds) {
    const bad = vpcIdProblem('subnet', subnet);
    if (bad !== undefined) invalid('subnet', subnet, `${bad}.`);
  }
  if (settings.securityGroupId !== undefined) {
    const bad = vpcIdProblem('security group', settings.securityGroupId);
    if (bad !== undefined) invalid('security group', settings.securityGroupId, `${bad}.`);
  }
  return {
    vpcId: settings.vpcId,
    subnetIds,
    ...(settings.securityGroupId !== undefined && { securityGroupId: settings.securityGroupId }),
  };
}

/** The `Vpc` output's value: what a later deploy keeps (a security group the stack made is not named: it stays the stack's). */
export function vpcOutputValue(settings: VpcSettings): string {
  return JSON.stringify({
    vpc: settings.vpcId,
    subnets: settings.subnetIds,
    ...(settings.securityGroupId !== undefined && { securityGroup: settings.securityGroupId }),
  });
}

/** Reads a `Vpc` output back; undefined when it is absent, or not what {@link vpcOutputValue} writes. */
export function readVpcOutput(value: string | undefined): VpcSettings | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    const parsed = JSON.parse(value) as { vpc?: unknown; subnets?: unknown; securityGroup?: unknown };
    const subnets = parsed.subnets;
    if (typeof parsed.vpc !== 'string' || !VPC_ID.test(parsed.vpc)) return undefined;
    if (!Array.isArray(subnets) || subnets.length === 0 || !subnets.every((s) => typeof s === 'string' && SUBNET_ID.test(s))) {
      return undefined;
    }
    const group = parsed.securityGroup;
    if (group !== undefined && (typeof group !== 'string' || !SECURITY_GROUP_ID.test(group))) return undefined;
    return { vpcId: parsed.vpc, subnetIds: subnets as string[], ...(group !== undefined && { securityGroupId: group }) };
  } catch {
    return undefined;
  }
}
