/**
 * deploy/synth --vpc --subnets [--security-group] and --no-vpc: the refusals (exit 2, nothing built), synth
 * offline from the ids, deploy's EC2 checks (ids, subnets of the VPC, the way out) against an SDK mock, what
 * a later deploy keeps, and status showing the attachment.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { vpcOutputValue } from '../../../src/stack/vpc-settings.js';
import { FakeCloud, OUTPUTS } from '../../helpers/fake-engine.js';
import { runCli } from '../../helpers/run-cli.js';

const STACK = 'mcp-lambda-dog-facts';
const VPC = 'vpc-0123456789abcdef0';
const OTHER_VPC = 'vpc-0fedcba9876543210';
const A = 'subnet-0aaaaaaaaaaaaaaaa';
const B = 'subnet-0bbbbbbbbbbbbbbbb';
const SG = 'sg-0123456789abcdef0';
const ec2 = mockClient(EC2Client);
let cloud: FakeCloud;
let home: string;

/** An EC2 error as the SDK throws it. */
const ec2Error = (name: string, message: string) =>
  Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });

/** Route tables: A has its own (to `aTarget`), B uses the VPC's main table (to `mainTarget`; null: no default route). */
function routes(aTarget: object | undefined, mainTarget: object | null | undefined = aTarget): RouteTable[] {
  const table = (id: string, association: object, route: object | undefined): RouteTable => ({
    RouteTableId: id,
    VpcId: VPC,
    Associations: [association],
    Routes: [
      { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' as const },
      ...(route ? [{ DestinationCidrBlock: '0.0.0.0/0', State: 'active' as const, ...route }] : []),
    ],
  });
  return [table('rtb-0a', { SubnetId: A }, aTarget), table('rtb-main', { Main: true }, mainTarget ?? undefined)];
}

/** A VPC where both subnets exist in it, in two zones, and go out through `route` (or as `tables` say). */
function network(route: object | undefined = { NatGatewayId: 'nat-0123456789abcdef0' }, tables = routes(route)) {
  ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: VPC }] });
  ec2.on(DescribeSubnetsCommand).resolves({
    Subnets: [
      { SubnetId: A, VpcId: VPC, AvailabilityZone: 'eu-west-1a' },
      { SubnetId: B, VpcId: VPC, AvailabilityZone: 'eu-west-1b' },
    ],
  });
  ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: SG, VpcId: VPC }] });
  ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: tables });
  ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
}

beforeEach(() => {
  ec2.reset();
  cloud = new FakeCloud();
  home = mkdtempSync(join(tmpdir(), 'mcp-lambda-home-'));
});
afterAll(() => ec2.restore());

// The SDK looks for credentials in the process's environment; the mock answers before they are used.
let saved: NodeJS.ProcessEnv;
beforeEach(() => {
  saved = { ...process.env };
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'not-a-real-key';
  delete process.env.AWS_PROFILE;
});
afterEach(() => {
  process.env = saved;
});

function deploy(args: string[]) {
  return runCli(
    ['deploy', '--region', 'eu-west-1', '--allow', 'dev@example.com', ...args],
    { HOME: home },
    {
      deployEngine: cloud.factory(),
    },
  );
}

const deployed = (outputs: Record<string, string>) =>
  cloud.stacks.set(STACK, {
    stackName: STACK,
    status: 'UPDATE_COMPLETE',
    outputs: { ...OUTPUTS, SignUpPolicy: 'invite', ...outputs },
  });

describe('the flags', () => {
  it.each([
    [['--vpc', 'vpc-123', '--subnets', A], 'a vpc id looks like vpc-0123456789abcdef0 (8 or 17 hex digits), got "vpc-123"'],
    [['--vpc', VPC, '--subnets', `${A},subnet-zz`], 'a subnet id looks like subnet-0123456789abcdef0'],
    [['--vpc', VPC, '--subnets', ','], 'expected subnet ids such as subnet-0123456789abcdef0'],
    [['--vpc', VPC, '--subnets', A, '--security-group', 'sg-nope'], 'a security group id looks like sg-0123456789abcdef0'],
    [['--vpc', VPC], `--vpc ${VPC} needs --subnets: the subnets of that VPC the functions join.`],
    [['--subnets', A], '--subnets is for --vpc: name the VPC too'],
    [['--security-group', SG], '--security-group is for --vpc'],
    [['--no-vpc', '--subnets', A], '--no-vpc takes the functions out of their VPC; --subnets is for --vpc.'],
    [
      ['--vpc', VPC, '--subnets', Array.from({ length: 17 }, (_, i) => `subnet-${String(i).padStart(8, '0')}`).join(',')],
      'name from 1 to 16 subnets',
    ],
  ])('deploy refuses %j with exit 2 before anything is built', async (args, message) => {
    const result = await deploy(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(cloud.calls).toEqual([]);
    expect(ec2.calls()).toEqual([]);
  });

  it('synth refuses the same way, and builds offline from explicit ids', async () => {
    const bad = await runCli(['synth', '--vpc', VPC, '--subnets', 'subnet-1']);
    expect(bad.code).toBe(2);
    const result = await runCli(['synth', '--json', '--vpc', VPC, '--subnets', `${A},${B}`, '--security-group', SG]);
    expect(result.code, result.stderr).toBe(0);
    const template = JSON.parse(result.stdout) as { Resources: Record<string, any> };
    const servers = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).startsWith('MCP server'),
    );
    expect(servers.map((r) => r.Properties.VpcConfig)).toEqual([{ SubnetIds: [A, B], SecurityGroupIds: [SG] }]);
    expect(ec2.calls()).toEqual([]);
    expect(result.stderr).toBe('');
  });

  it('says the rule in --help', async () => {
    const help = await runCli(['deploy', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('(kept by later deploys; --no-vpc removes it)');
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('and the VPC (--vpc with --subnets replaces it, --no-vpc removes it)');
  });
});

describe('deploy checks the VPC with EC2', () => {
  it('deploys into a VPC whose ids exist and whose subnets go out through a NAT gateway', async () => {
    network();
    const result = await deploy(['--vpc', VPC, '--subnets', `${A},${B}`, '--security-group', SG]);
    expect(result.code, result.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.vpc).toEqual({ vpcId: VPC, subnetIds: [A, B], securityGroupId: SG });
    expect(result.stderr).toContain(`VPC: ${VPC}, subnets ${A}, ${B}, security group ${SG}.`);
    expect(result.stderr).toContain('VPC checked: every subnet has a way out (nat-0123456789abcdef0).');
    expect(result.stderr).not.toContain('way out of the VPC');
    // B has no table of its own: the VPC's main table is read for it.
    expect(ec2.commandCalls(DescribeRouteTablesCommand)[0]?.args[0].input.Filters).toEqual([{ Name: 'vpc-id', Values: [VPC] }]);
  });

  it.each([
    [
      'the VPC',
      DescribeVpcsCommand,
      'InvalidVpcID.NotFound',
      `The vpc ID '${VPC}' does not exist`,
      `--vpc ${VPC}: there is no such VPC in eu-west-1.`,
    ],
    [
      'a subnet',
      DescribeSubnetsCommand,
      'InvalidSubnetID.NotFound',
      `The subnet ID '${B}' does not exist`,
      `--subnets ${B}: there is no such subnet in eu-west-1.`,
    ],
    [
      'the security group',
      DescribeSecurityGroupsCommand,
      'InvalidGroup.NotFound',
      `The security group '${SG}' does not exist`,
      `--security-group ${SG}: there is no such security group in eu-west-1.`,
    ],
  ] as const)('stops when %s does not exist, naming it', async (_what, command, name, message, said) => {
    network();
    ec2.on(command as typeof DescribeVpcsCommand).rejects(ec2Error(name, message));
    const result = await deploy(['--vpc', VPC, '--subnets', `${A},${B}`, '--security-group', SG]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(said);
    expect(result.stderr).toContain('aws ec2 describe-vpcs --region eu-west-1');
    expect(cloud.calls.some((call) => call.startsWith('deploy'))).toBe(false);
  });

  it('stops when a subnet or the security group is in another VPC', async () => {
    network();
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        { SubnetId: A, VpcId: VPC },
        { SubnetId: B, VpcId: OTHER_VPC },
      ],
    });
    const subnet = await deploy(['--vpc', VPC, '--subnets', `${A},${B}`]);
    expect(subnet.code).toBe(1);
    expect(subnet.stderr).toContain(`--subnets ${B} is in ${OTHER_VPC}, not in --vpc ${VPC}.`);

    network();
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: SG, VpcId: OTHER_VPC }] });
    const group = await deploy(['--vpc', VPC, '--subnets', A, '--security-group', SG]);
    expect(group.code).toBe(1);
    expect(group.stderr).toContain(`--security-group ${SG} is in ${OTHER_VPC}, not in --vpc ${VPC}.`);
    expect(cloud.calls.some((call) => call.startsWith('deploy'))).toBe(false);
  });

  it('warns when dog facts has no way out, and says an internet gateway is none for Lambda', async () => {
    network(undefined, routes({ GatewayId: 'igw-0123456789abcdef0' }, null));
    const result = await deploy(['--vpc', VPC, '--subnets', `${A},${B}`]);
    expect(result.code, result.stderr).toBe(0);
    const warning = result.stderr.replace(/\s+/g, ' ');
    expect(warning).toContain(
      `warning: the server needs a way out of the VPC and ${A}, ${B} have none: dog facts calls https://dogapi.dog.`,
    );
    expect(warning).toContain(
      `${A} sends 0.0.0.0/0 to the internet gateway igw-0123456789abcdef0, which gives a Lambda function no way out (its network interfaces have no public IP)`,
    );
    expect(warning).toContain(`${B}: its route table rtb-main has no 0.0.0.0/0 route`);
    expect(warning).toContain('Add a NAT gateway (their route table sending 0.0.0.0/0 to it).');
    expect(cloud.lastRequest?.stack.vpc?.subnetIds).toEqual([A, B]);
  });

  it('names only the subnets without a way out, and reads the main table for a subnet with no table of its own', async () => {
    network(
      undefined,
      routes({ NatGatewayId: 'nat-0123456789abcdef0', State: 'blackhole' }, { NatGatewayId: 'nat-0aaaaaaaaaaaaaaaa' }),
    );
    const result = await deploy(['--vpc', VPC, '--subnets', `${A},${B}`]);
    expect(result.code, result.stderr).toBe(0);
    const warning = result.stderr.replace(/\s+/g, ' ');
    expect(warning).toContain(
      `warning: the server needs a way out of the VPC and ${A} have none (requests served from them fail to reach out; the other subnets have a way out)`,
    );
    expect(warning).toContain(`${A}: its route table rtb-0a sends 0.0.0.0/0 to nat-0123456789abcdef0, which is gone (blackhole)`);
    expect(warning).not.toContain(`${B}:`);
  });

  it('goes on, saying so, when AWS does not let it look', async () => {
    ec2
      .on(DescribeVpcsCommand)
      .rejects(
        ec2Error(
          'UnauthorizedOperation',
          'You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/dev is not authorized to perform: ec2:DescribeVpcs because no identity-based policy allows the ec2:DescribeVpcs action',
        ),
      );
    const result = await deploy(['--vpc', VPC, '--subnets', A]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('warning: Could not check the VPC: AWS denied access to ec2:DescribeVpcs');
    expect(result.stderr).toContain('The deploy goes on; CloudFormation refuses ids that do not exist');
    expect(cloud.lastRequest?.stack.vpc).toEqual({ vpcId: VPC, subnetIds: [A] });
  });
});

describe('a later deploy', () => {
  const kept = { vpcId: VPC, subnetIds: [A, B] };

  it('keeps the VPC when no flag names one, and checks it again', async () => {
    network();
    deployed({ Vpc: vpcOutputValue(kept), VpcSecurityGroup: 'sg-0aaaaaaaaaaaaaaaa' });
    const result = await deploy([]);
    expect(result.code, result.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.vpc).toEqual(kept);
    expect(result.stderr).toContain(
      `VPC: ${VPC}, subnets ${A}, ${B}, a security group the stack made (sg-0aaaaaaaaaaaaaaaa): all egress, no ingress (as deployed; --vpc … --subnets … replaces it, --no-vpc removes it).`,
    );
    expect(ec2.commandCalls(DescribeSubnetsCommand)).toHaveLength(1);
  });

  it('replaces it with the flags, and removes it with --no-vpc', async () => {
    network();
    deployed({ Vpc: vpcOutputValue(kept), VpcSecurityGroup: 'sg-0aaaaaaaaaaaaaaaa' });
    const replaced = await deploy(['--vpc', VPC, '--subnets', A, '--security-group', SG]);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.vpc).toEqual({ vpcId: VPC, subnetIds: [A], securityGroupId: SG });

    ec2.resetHistory();
    deployed({ Vpc: vpcOutputValue(kept), VpcSecurityGroup: 'sg-0aaaaaaaaaaaaaaaa' });
    const removed = await deploy(['--no-vpc']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.vpc).toBeUndefined();
    expect(removed.stderr).toContain(
      `VPC: the functions leave ${VPC} (--no-vpc), and the security group the stack made for them goes`,
    );
    expect(ec2.calls()).toEqual([]);
  });

  it('stays out of a VPC when the stack has none', async () => {
    deployed({});
    const result = await deploy([]);
    expect(result.code, result.stderr).toBe(0);
    expect(cloud.lastRequest?.stack.vpc).toBeUndefined();
    expect(result.stderr).not.toContain('VPC');
    expect(ec2.calls()).toEqual([]);
  });

  it('refuses to guess from a Vpc output it cannot read, unless the flags decide', async () => {
    deployed({ Vpc: 'vpc-0123 somewhere' });
    const result = await deploy([]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`The stack's Vpc output is not one mcp-lambda wrote: "vpc-0123 somewhere".`);
    expect(result.stderr).toContain('--no-vpc');
    deployed({ Vpc: 'vpc-0123 somewhere' });
    const removed = await deploy(['--no-vpc']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stderr).toContain('VPC: the functions leave their VPC (--no-vpc)');
  });
});

describe('status', () => {
  it('shows the attachment', async () => {
    deployed({ Vpc: vpcOutputValue({ vpcId: VPC, subnetIds: [A], securityGroupId: SG }), VpcSecurityGroup: SG });
    const result = await runCli(['status', '--region', 'eu-west-1'], { HOME: home }, { deployEngine: cloud.factory() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `  VPC: ${VPC}, subnets ${A}, security group ${SG} (the MCP functions; mcp-lambda deploy --no-vpc takes them out)`,
    );
    const json = await runCli(['status', '--json', '--region', 'eu-west-1'], { HOME: home }, { deployEngine: cloud.factory() });
    expect(JSON.parse(json.stdout).vpc).toEqual({ vpcId: VPC, subnetIds: [A], securityGroupId: SG, securityGroup: SG });
  });
});
