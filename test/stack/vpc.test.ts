/**
 * The server in your VPC (`vpc`): every MCP server function joins the subnets with the security group
 * (named, or made by the stack: all egress, no ingress) and its role gets the VPC-access policy; the
 * Cognito triggers and CDK's helper functions stay outside. Built from the ids alone, with no lookup.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { type BuildAppOptions, buildApp } from '../../src/stack/app.js';
import { OUTPUTS } from '../../src/stack/index.js';
import { StackPropsError } from '../../src/stack/names.js';
import { resolveStackOptions } from '../../src/stack/props.js';
import { readVpcOutput, vpcIdProblem, vpcOutputValue } from '../../src/stack/vpc-settings.js';
import { render } from '../helpers/render.js';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

const VPC = { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-1bbbbbbb'] };

function synth(props: Omit<BuildAppOptions, 'outdir'> = {}, nag = false) {
  const { app, stack } = buildApp({ ...props, outdir: mkdtempSync(join(tmpdir(), 'mcp-lambda-synth-')) });
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const template = app.synth().getStackByName(stack.stackName).template as { Resources: Resources; Outputs: Record<string, any> };
  const functions = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
  const isServer = ([, r]: [string, { Properties: Record<string, any> }]) =>
    String(r.Properties.Description).startsWith('MCP server');
  /** Managed policies of a function's role, rendered. */
  const managed = (fn: Record<string, any>) =>
    (template.Resources[fn.Role['Fn::GetAtt'][0]]?.Properties.ManagedPolicyArns ?? []).map((arn: unknown) => render(arn));
  return {
    template,
    servers: functions.filter(isServer).map(([, r]) => r.Properties),
    others: functions.filter((entry) => !isServer(entry)).map(([, r]) => r.Properties),
    managed,
    groups: Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::EC2::SecurityGroup'),
  };
}

describe('the MCP functions in a VPC', () => {
  it('puts every server function, and only them, in the subnets with a security group the stack makes', () => {
    const { template, servers, others, managed, groups } = synth({
      serverName: 'team',
      servers: [{ name: 'notes' }, { name: 'weather' }],
      vpc: VPC,
    });
    expect(servers).toHaveLength(2);
    expect(groups).toHaveLength(1);
    const [groupId, group] = groups[0]!;
    for (const fn of servers) {
      expect(fn.VpcConfig).toEqual({ SubnetIds: VPC.subnetIds, SecurityGroupIds: [{ 'Fn::GetAtt': [groupId, 'GroupId'] }] });
      expect(managed(fn)).toContain('arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole');
    }
    // The Cognito triggers (pre-sign-up, pre-token) and CDK's helper functions are not in it.
    expect(others.length).toBeGreaterThanOrEqual(2);
    for (const fn of others) expect(fn.VpcConfig, String(fn.Description)).toBeUndefined();
    // All egress, no ingress, in that VPC.
    expect(group.Properties.VpcId).toBe(VPC.vpcId);
    expect(group.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })]);
    expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    expect(Object.values(template.Resources).some((r) => r.Type === 'AWS::EC2::SecurityGroupIngress')).toBe(false);
    // Kept for later deploys; the security group the stack made is not named as the user's.
    expect(readVpcOutput(template.Outputs[OUTPUTS.vpc].Value)).toEqual(VPC);
    expect(template.Outputs[OUTPUTS.vpcSecurityGroup].Value).toEqual({ 'Fn::GetAtt': [groupId, 'GroupId'] });
  });

  it('uses the security group named, and makes none', () => {
    const { template, servers, groups } = synth({ vpc: { ...VPC, securityGroupId: 'sg-0123456789abcdef0' } });
    expect(groups).toEqual([]);
    expect(servers).toHaveLength(1);
    expect(servers[0]?.VpcConfig).toEqual({ SubnetIds: VPC.subnetIds, SecurityGroupIds: ['sg-0123456789abcdef0'] });
    expect(template.Outputs[OUTPUTS.vpcSecurityGroup].Value).toBe('sg-0123456789abcdef0');
    expect(readVpcOutput(template.Outputs[OUTPUTS.vpc].Value)?.securityGroupId).toBe('sg-0123456789abcdef0');
  });

  it('is not in a VPC without one, and has no VPC outputs or policy', () => {
    const { template, servers, managed, groups } = synth();
    expect(servers[0]?.VpcConfig).toBeUndefined();
    expect(managed(servers[0]!)).toEqual([]);
    expect(groups).toEqual([]);
    expect(template.Outputs[OUTPUTS.vpc]).toBeUndefined();
    expect(template.Outputs[OUTPUTS.vpcSecurityGroup]).toBeUndefined();
  });

  it('passes cdk-nag, the managed policy acknowledged for a reason', () => {
    expect(() => synth({ vpc: VPC }, true)).not.toThrow();
    expect(() => synth({ vpc: { ...VPC, securityGroupId: 'sg-01234567' } }, true)).not.toThrow();
  });
});

describe('the ids', () => {
  it('refuses ids of the wrong shape, naming the option', () => {
    const bad: Array<[Partial<typeof VPC> & { securityGroupId?: string }, RegExp]> = [
      [{ vpcId: 'vpc-123' }, /^vpc "vpc-123" is not valid: a vpc id looks like vpc-0123456789abcdef0/],
      [{ vpcId: 'subnet-0123456789abcdef0' }, /^vpc "subnet-/],
      [{ vpcId: 'VPC-0123456789ABCDEF0' }, /^vpc /],
      [{ subnetIds: [] }, /^subnets \[\] is not valid: name from 1 to 16 subnets/],
      [{ subnetIds: ['subnet-xyz'] }, /^subnet "subnet-xyz" is not valid: a subnet id looks like/],
      [{ subnetIds: ['sg-0123456789abcdef0'] }, /^subnet "sg-/],
      [{ securityGroupId: 'sg-1' }, /^security group "sg-1" is not valid/],
      [{ subnetIds: Array.from({ length: 17 }, (_, i) => `subnet-${String(i).padStart(8, '0')}`) }, /^subnets .* from 1 to 16/],
    ];
    for (const [change, message] of bad) {
      expect(() => resolveStackOptions({ vpc: { ...VPC, ...change } }), JSON.stringify(change)).toThrow(StackPropsError);
      expect(() => resolveStackOptions({ vpc: { ...VPC, ...change } })).toThrow(message);
    }
  });

  it('takes 8 or 17 hex digits, and drops a subnet named twice', () => {
    expect(vpcIdProblem('vpc', 'vpc-01234567')).toBeUndefined();
    expect(vpcIdProblem('vpc', 'vpc-0123456789abcdef0')).toBeUndefined();
    expect(vpcIdProblem('vpc', 'vpc-0123456789abcdef')).toMatch(/8 or 17 hex digits/);
    const resolved = resolveStackOptions({ vpc: { vpcId: VPC.vpcId, subnetIds: ['subnet-01234567', 'subnet-01234567'] } });
    expect(resolved.vpc).toEqual({ vpcId: VPC.vpcId, subnetIds: ['subnet-01234567'] });
  });

  it('reads back only a Vpc output it wrote', () => {
    expect(readVpcOutput(vpcOutputValue(VPC))).toEqual(VPC);
    for (const junk of [undefined, '', 'vpc-0123', '{}', '[]', 'null', '{"vpc":"vpc-01234567","subnets":[]}']) {
      expect(readVpcOutput(junk), String(junk)).toBeUndefined();
    }
    expect(readVpcOutput('{"vpc":"vpc-01234567","subnets":["subnet-01234567"],"securityGroup":"x"}')).toBeUndefined();
    expect(readVpcOutput('{"vpc":"vpc-01234567","subnets":["subnet-01234567", 3]}')).toBeUndefined();
  });
});
