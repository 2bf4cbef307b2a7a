/**
 * The network the MCP server functions join when the stack is given a VPC: that VPC and its subnets,
 * imported from their ids alone (no lookup, so `synth` needs no AWS account), and a security group — the
 * one named, or a new one that lets the functions reach anything and nothing reach them (a function is
 * invoked by Lambda, never over its network interface). Only the server functions join it: the Cognito
 * triggers and CDK's helper functions stay outside, where they reach AWS without a NAT.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Fn, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { VpcSettings } from './vpc-settings.js';

/** The AWS managed policy that lets Lambda create and delete a function's network interfaces. */
export const VPC_ACCESS_POLICY = 'service-role/AWSLambdaVPCAccessExecutionRole';

export class McpNetwork extends Construct {
  readonly vpc: ec2.IVpc;
  readonly subnets: readonly ec2.ISubnet[];
  readonly securityGroup: ec2.ISecurityGroup;
  /** Whether the stack made the security group (no `--security-group`). */
  readonly createdSecurityGroup: boolean;

  constructor(scope: Construct, id: string, settings: VpcSettings) {
    super(scope, id);
    // The region's zones, unresolved: the subnets are named, so none is chosen by zone (and no zone need be known).
    this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', { vpcId: settings.vpcId, availabilityZones: Fn.getAzs() });
    this.subnets = settings.subnetIds.map((subnetId, index) => ec2.Subnet.fromSubnetId(this, `Subnet${index + 1}`, subnetId));
    this.createdSecurityGroup = settings.securityGroupId === undefined;
    this.securityGroup =
      settings.securityGroupId === undefined
        ? new ec2.SecurityGroup(this, 'SecurityGroup', {
            vpc: this.vpc,
            description: 'MCP server functions (mcp-lambda): all egress, no ingress',
            allowAllOutbound: true,
          })
        : ec2.SecurityGroup.fromSecurityGroupId(this, 'SecurityGroup', settings.securityGroupId, { mutable: false });
    Validations.of(this).acknowledge(
      {
        id: 'Annotation::@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones',
        reason: 'The functions name their subnets; nothing here picks subnets by zone, so the zones need not be known at synth.',
      },
      {
        id: 'Annotation::@aws-cdk/aws-ec2:noSubnetRouteTableId',
        reason:
          'Nothing in the stack reads or changes the subnets’ route tables; deploy reads them from EC2 to check the way out.',
      },
    );
  }

  /** The function props that attach a function to this network. */
  functionProps(): Pick<lambda.FunctionProps, 'vpc' | 'vpcSubnets' | 'securityGroups'> {
    return { vpc: this.vpc, vpcSubnets: { subnets: [...this.subnets] }, securityGroups: [this.securityGroup] };
  }

  /**
   * Lets the role manage the function's network interfaces. CDK adds this policy only to a role it makes
   * itself; the MCP functions bring their own.
   */
  grantNetworkInterfaces(role: iam.Role): void {
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(VPC_ACCESS_POLICY));
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${VPC_ACCESS_POLICY}]`,
      reason:
        'AWSLambdaVPCAccessExecutionRole is the policy Lambda documents for a function in a VPC: it creates, describes and deletes the network interfaces Lambda manages for it (and writes logs, which the role may do anyway).',
    });
  }
}
