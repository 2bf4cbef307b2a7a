/**
 * The way out of a VPC as deploy reads it from EC2: which route counts (a NAT gateway or another router,
 * not an internet gateway), the VPC endpoints that stand in for a NAT for Secrets Manager and SSM, and
 * what is said for each server's needs. EC2 is an SDK mock.
 */
import {
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsContext } from '../../../src/cli/aws/context.js';
import { checkVpcAttachment, type WayOutNeeds, wayOutOf } from '../../../src/cli/deployed/vpc-checks.js';
import { testContext } from '../../helpers/fake-engine.js';

const VPC = 'vpc-0123456789abcdef0';
const A = 'subnet-0aaaaaaaaaaaaaaaa';
const ec2 = mockClient(EC2Client);
afterAll(() => ec2.restore());

const table = (id: string, association: object, route?: object): RouteTable => ({
  RouteTableId: id,
  Associations: [association],
  Routes: [
    { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local' },
    ...(route ? [{ DestinationCidrBlock: '0.0.0.0/0', ...route }] : []),
  ],
});

beforeEach(() => {
  ec2.reset();
  ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: VPC }] });
  ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: A, VpcId: VPC }] });
  // No way out: the subnet's table routes nothing beyond the VPC.
  ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [table('rtb-0a', { SubnetId: A })] });
  ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
});

async function check(needs: WayOutNeeds): Promise<string> {
  let text = '';
  const ctx = testContext((chunk) => {
    text += chunk;
  });
  await checkVpcAttachment(ctx, new AwsContext({ region: 'eu-west-1' }), { vpcId: VPC, subnetIds: [A] }, needs);
  return text.replace(/\s+/g, ' ');
}

const endpoint = (service: string, privateDns = true) => ({
  ServiceName: `com.amazonaws.eu-west-1.${service}`,
  VpcEndpointType: 'Interface' as const,
  State: 'Available' as const,
  PrivateDnsEnabled: privateDns,
});

describe('secrets without a NAT', () => {
  const needs: WayOutNeeds = { services: { secretsmanager: ['API_KEY'], ssm: ['DB_URL', 'DB_USER'] } };

  it('names the endpoints to add, or a NAT gateway', async () => {
    const text = await check(needs);
    expect(text).toContain(
      `warning: the server needs a way out of the VPC and ${A} have none: --secret API_KEY is read from Secrets Manager; --secret DB_URL, DB_USER is read from SSM.`,
    );
    expect(text).toContain(
      'Add a NAT gateway, or VPC endpoints for Secrets Manager/SSM (interface endpoints with private DNS: com.amazonaws.eu-west-1.secretsmanager, com.amazonaws.eu-west-1.ssm).',
    );
    expect(ec2.commandCalls(DescribeVpcEndpointsCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'vpc-id', Values: [VPC] },
      { Name: 'service-name', Values: ['com.amazonaws.eu-west-1.secretsmanager', 'com.amazonaws.eu-west-1.ssm'] },
    ]);
  });

  it('counts an endpoint only with private DNS (the SDK calls the public name)', async () => {
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [endpoint('secretsmanager'), endpoint('ssm', false)] });
    const text = await check(needs);
    expect(text).toContain('--secret DB_URL, DB_USER is read from SSM.');
    expect(text).not.toContain('read from Secrets Manager');
    expect(text).toContain(
      'Add a NAT gateway, or VPC endpoints for SSM (interface endpoints with private DNS: com.amazonaws.eu-west-1.ssm).',
    );
  });

  it('is content with both endpoints, and says what the server then reaches', async () => {
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [endpoint('secretsmanager'), endpoint('ssm')] });
    const text = await check(needs);
    expect(text).not.toContain('warning');
    expect(text).toContain(
      `VPC: ${A} have no way out of the VPC: the server reaches addresses in the VPC and its endpoints for Secrets Manager and SSM only.`,
    );
  });

  it('asks for a NAT gateway when the server calls the internet too (endpoints do not help there)', async () => {
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [endpoint('secretsmanager')] });
    const text = await check({ internet: 'dog facts calls https://dogapi.dog', services: { secretsmanager: ['API_KEY'] } });
    expect(text).toContain('have none: dog facts calls https://dogapi.dog.');
    expect(text).toContain('Add a NAT gateway (their route table sending 0.0.0.0/0 to it).');
  });
});

describe('your own server with no secrets', () => {
  it('says what it reaches, without a warning', async () => {
    const text = await check({ services: {} });
    expect(text).not.toContain('warning');
    expect(text).toContain(`VPC: ${A} have no way out of the VPC: the server reaches addresses in the VPC only.`);
    expect(text).toContain('Add a NAT gateway if it calls the internet.');
    expect(ec2.commandCalls(DescribeVpcEndpointsCommand)).toEqual([]);
  });

  it('says nothing to worry about when the subnets go out through a NAT gateway', async () => {
    ec2.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [table('rtb-0a', { SubnetId: A }, { NatGatewayId: 'nat-0123456789abcdef0', State: 'active' })],
    });
    expect(await check({ services: { ssm: ['X'] } })).toContain(
      'VPC checked: every subnet has a way out (nat-0123456789abcdef0).',
    );
  });
});

describe('a denied look', () => {
  it('warns and goes on when the route tables may not be read', async () => {
    ec2.on(DescribeRouteTablesCommand).rejects(
      Object.assign(new Error('You are not authorized to perform this operation.'), {
        name: 'UnauthorizedOperation',
        $fault: 'client',
        $metadata: {},
      }),
    );
    const text = await check({ services: {} });
    expect(text).toContain('warning: Could not check the VPC: AWS denied access');
  });
});

describe('wayOutOf', () => {
  it('reads the subnet’s own table, else the main one, and what its default route points at', () => {
    const main = table('rtb-main', { Main: true }, { TransitGatewayId: 'tgw-0123456789abcdef0' });
    expect(wayOutOf(A, [main])).toEqual({ kind: 'other', target: 'tgw-0123456789abcdef0' });
    expect(wayOutOf(A, [main, table('rtb-0a', { SubnetId: A }, { InstanceId: 'i-0123' })])).toEqual({
      kind: 'other',
      target: 'i-0123',
    });
    expect(wayOutOf(A, [table('rtb-0a', { SubnetId: A }, { GatewayId: 'igw-1' })])).toEqual({
      kind: 'internet-gateway',
      target: 'igw-1',
    });
    expect(wayOutOf(A, [])).toEqual({ kind: 'none', why: 'no route table applies to it' });
  });
});
