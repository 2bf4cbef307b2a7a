/**
 * `deploy`'s checks of a VPC before anything is built (EC2 Describe* calls, nothing changed): the VPC, the
 * subnets and the security group exist in the region, and the subnets and the group are that VPC's — a
 * wrong id found here is a sentence, not a CloudFormation rollback ten minutes in. Then the way out: a
 * function in a VPC reaches the internet and AWS's APIs only through a NAT gateway (or another router) on
 * its subnets' route, or AWS's through VPC endpoints. A route to an internet gateway is no way out for it:
 * Lambda's network interfaces have no public IP. What the server needs (dog facts calls the internet,
 * secrets are read from Secrets Manager or SSM) and the subnets lack is a warning naming what to add.
 *
 * A check AWS does not allow is said and skipped: the deploy goes on, and CloudFormation checks the ids.
 */
import type { EC2Client, RouteTable } from '@aws-sdk/client-ec2';
import type { VpcSettings } from '../../stack/vpc-settings.js';
import type { AwsContext } from '../aws/context.js';
import { explainAwsError } from '../aws/errors.js';
import type { CommandContext } from '../context.js';
import { UserError } from '../terminal/errors.js';

/** What the server reaches outside the VPC. */
export interface WayOutNeeds {
  /** It calls the internet (the built-in dog facts calls dogapi.dog). */
  readonly internet?: string;
  /** AWS services it reads secrets from at cold start, each with the `--secret` keys that need it. */
  readonly services: Readonly<Partial<Record<'secretsmanager' | 'ssm', readonly string[]>>>;
}

/** How a subnet's traffic for 0.0.0.0/0 leaves the VPC. */
export type WayOut =
  | { readonly kind: 'nat'; readonly target: string }
  | { readonly kind: 'other'; readonly target: string }
  | { readonly kind: 'internet-gateway'; readonly target: string }
  | { readonly kind: 'none'; readonly why: string };

const SERVICE_TITLES = { secretsmanager: 'Secrets Manager', ssm: 'SSM' } as const;

/** The error codes EC2 answers for an id it does not know. */
const NOT_FOUND = /^Invalid(VpcID|SubnetID|GroupId|Group)\.(NotFound|Malformed)$/;

/** Reads how a subnet's default route leaves: its own route table, else the VPC's main one. */
export function wayOutOf(subnetId: string, tables: readonly RouteTable[]): WayOut {
  const table =
    tables.find((t) => t.Associations?.some((a) => a.SubnetId === subnetId)) ??
    tables.find((t) => t.Associations?.some((a) => a.Main === true));
  if (table === undefined) return { kind: 'none', why: 'no route table applies to it' };
  const route = table.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0');
  if (route === undefined) return { kind: 'none', why: `its route table ${table.RouteTableId} has no 0.0.0.0/0 route` };
  const target =
    route.NatGatewayId ??
    route.GatewayId ??
    route.TransitGatewayId ??
    route.InstanceId ??
    route.NetworkInterfaceId ??
    route.VpcPeeringConnectionId ??
    route.LocalGatewayId ??
    route.CarrierGatewayId ??
    route.CoreNetworkArn ??
    'an unnamed target';
  if (route.State === 'blackhole') {
    return { kind: 'none', why: `its route table ${table.RouteTableId} sends 0.0.0.0/0 to ${target}, which is gone (blackhole)` };
  }
  if (route.NatGatewayId !== undefined) return { kind: 'nat', target };
  if (route.GatewayId?.startsWith('igw-')) return { kind: 'internet-gateway', target };
  return { kind: 'other', target };
}

function notFound(error: unknown): boolean {
  return NOT_FOUND.test((error as { name?: string }).name ?? '');
}

/** The id EC2's "does not exist" message names (`The subnet ID 'subnet-…' does not exist`). */
function missingId(error: unknown): string | undefined {
  return /'((?:vpc|subnet|sg)-[0-9a-f]+)'/.exec((error as Error).message ?? '')?.[1];
}

/**
 * Checks the VPC's ids (refusing the deploy when one is wrong) and warns when the subnets lack a way out
 * the server needs.
 */
export async function checkVpcAttachment(
  ctx: Pick<CommandContext, 'out' | 'global'>,
  aws: AwsContext,
  vpc: VpcSettings,
  needs: WayOutNeeds,
): Promise<void> {
  const region = await aws.region();
  const ec2 = await aws.ec2Client();
  const list = `aws ec2 describe-vpcs --region ${region}${aws.settings.profile ? ` --profile ${aws.settings.profile}` : ''}`;
  try {
    await checkIds(ec2, vpc, region, list);
    await checkWayOut(ctx, ec2, vpc, needs, region);
  } catch (error) {
    if (error instanceof UserError) throw error;
    const explained = explainAwsError(error, { ...aws.settings, doing: `check ${vpc.vpcId} and its subnets` });
    if (explained && explained.exitCode !== 1) {
      // Not being allowed to look does not mean the deploy cannot attach them: say so and go on.
      ctx.out.warn(
        `Could not check the VPC: ${explained.message} The deploy goes on; CloudFormation refuses ids that do not exist, but a missing way out shows only when the server runs.`,
      );
      return;
    }
    throw explained ?? error;
  } finally {
    ec2.destroy();
  }
}

async function checkIds(ec2: EC2Client, vpc: VpcSettings, region: string, list: string): Promise<void> {
  const { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand } = await import('@aws-sdk/client-ec2');
  const ask = async <T>(flag: string, noun: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (!notFound(error)) throw error;
      const id = missingId(error);
      throw new UserError(`${flag}${id !== undefined ? ` ${id}` : ''}: there is no such ${noun} in ${region}.`, {
        hint: `Check the id and --region (${list} lists the VPCs; aws ec2 describe-subnets --filters Name=vpc-id,Values=${vpc.vpcId} their subnets).`,
        cause: error,
      });
    }
  };
  const vpcs = await ask('--vpc', 'VPC', () => ec2.send(new DescribeVpcsCommand({ VpcIds: [vpc.vpcId] })));
  if (!(vpcs.Vpcs ?? []).some((found) => found.VpcId === vpc.vpcId)) {
    throw new UserError(`--vpc ${vpc.vpcId}: there is no such VPC in ${region}.`, { hint: `${list} lists them.` });
  }
  const subnets = await ask('--subnets', 'subnet', () => ec2.send(new DescribeSubnetsCommand({ SubnetIds: [...vpc.subnetIds] })));
  for (const subnetId of vpc.subnetIds) {
    const found = subnets.Subnets?.find((subnet) => subnet.SubnetId === subnetId);
    if (found === undefined) {
      throw new UserError(`--subnets ${subnetId}: there is no such subnet in ${region}.`, {
        hint: `aws ec2 describe-subnets --filters Name=vpc-id,Values=${vpc.vpcId} --region ${region} lists the VPC's subnets.`,
      });
    }
    if (found.VpcId !== vpc.vpcId) {
      throw new UserError(`--subnets ${subnetId} is in ${found.VpcId ?? 'another VPC'}, not in --vpc ${vpc.vpcId}.`, {
        hint: `Name subnets of ${vpc.vpcId} (aws ec2 describe-subnets --filters Name=vpc-id,Values=${vpc.vpcId} --region ${region}), or the VPC they are in.`,
      });
    }
  }
  if (vpc.securityGroupId === undefined) return;
  const groupId = vpc.securityGroupId;
  const groups = await ask('--security-group', 'security group', () =>
    ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })),
  );
  const group = groups.SecurityGroups?.find((found) => found.GroupId === groupId);
  if (group === undefined) throw new UserError(`--security-group ${groupId}: there is no such security group in ${region}.`);
  if (group.VpcId !== vpc.vpcId) {
    throw new UserError(`--security-group ${groupId} is in ${group.VpcId ?? 'another VPC'}, not in --vpc ${vpc.vpcId}.`, {
      hint: `Name a security group of ${vpc.vpcId}, or leave --security-group out: the stack then makes one (all egress, no ingress).`,
    });
  }
}

async function checkWayOut(
  ctx: Pick<CommandContext, 'out' | 'global'>,
  ec2: EC2Client,
  vpc: VpcSettings,
  needs: WayOutNeeds,
  region: string,
): Promise<void> {
  const { paginateDescribeRouteTables, paginateDescribeVpcEndpoints } = await import('@aws-sdk/client-ec2');
  const tables: RouteTable[] = [];
  const byVpc = [{ Name: 'vpc-id', Values: [vpc.vpcId] }];
  for await (const page of paginateDescribeRouteTables({ client: ec2 }, { Filters: byVpc }))
    tables.push(...(page.RouteTables ?? []));
  const ways = vpc.subnetIds.map((subnetId) => ({ subnetId, way: wayOutOf(subnetId, tables) }));
  const closed = ways.filter(({ way }) => way.kind === 'none' || way.kind === 'internet-gateway');
  const { out } = ctx;
  if (closed.length === 0) {
    if (!ctx.global.json)
      out.info(
        `VPC checked: every subnet has a way out (${[...new Set(ways.map(({ way }) => (way as { target: string }).target))].join(', ')}).`,
      );
    return;
  }
  const names = closed.map(({ subnetId }) => subnetId).join(', ');
  const why = closed.map(({ subnetId, way }) =>
    way.kind === 'internet-gateway'
      ? `${subnetId} sends 0.0.0.0/0 to the internet gateway ${way.target}, which gives a Lambda function no way out (its network interfaces have no public IP): use private subnets routed through a NAT gateway`
      : `${subnetId}: ${(way as { why: string }).why}`,
  );
  const some =
    closed.length < ways.length ? ` (requests served from them fail to reach out; the other subnets have a way out)` : '';
  // Secrets Manager and SSM can be reached without a NAT, through interface endpoints with private DNS.
  const services = (Object.keys(needs.services) as Array<keyof typeof SERVICE_TITLES>).filter(
    (service) => (needs.services[service] ?? []).length > 0,
  );
  const serviceNames = services.map((service) => `com.amazonaws.${region}.${service}`);
  const endpoints = new Set<string>();
  if (serviceNames.length > 0) {
    const filters = [...byVpc, { Name: 'service-name', Values: serviceNames }];
    for await (const page of paginateDescribeVpcEndpoints({ client: ec2 }, { Filters: filters })) {
      for (const endpoint of page.VpcEndpoints ?? []) {
        if (endpoint.PrivateDnsEnabled === true && ['available', 'pending'].includes(String(endpoint.State).toLowerCase())) {
          endpoints.add(endpoint.ServiceName ?? '');
        }
      }
    }
  }
  const missing = services.filter((service) => !endpoints.has(`com.amazonaws.${region}.${service}`));
  const wants = [
    ...(needs.internet !== undefined ? [needs.internet] : []),
    ...missing.map((service) => `--secret ${(needs.services[service] ?? []).join(', ')} is read from ${SERVICE_TITLES[service]}`),
  ];
  if (wants.length === 0) {
    if (!ctx.global.json) {
      out.info(
        `VPC: ${names} have no way out of the VPC${some}: the server reaches addresses in the VPC${services.length > 0 ? ` and its endpoints for ${services.map((s) => SERVICE_TITLES[s]).join(' and ')}` : ''} only. ${why.join('; ')}. Add a NAT gateway if it calls the internet.`,
      );
    }
    return;
  }
  const add =
    needs.internet !== undefined
      ? 'a NAT gateway (their route table sending 0.0.0.0/0 to it)'
      : `a NAT gateway, or VPC endpoints for ${missing.map((s) => SERVICE_TITLES[s]).join('/')} (interface endpoints with private DNS: ${missing.map((s) => `com.amazonaws.${region}.${s}`).join(', ')})`;
  out.warn(
    `the server needs a way out of the VPC and ${names} have none${some}: ${wants.join('; ')}. ${why.join('; ')}. Add ${add}.`,
  );
}
