/** The engine's CloudFormation and Cognito calls, against aws-sdk-client-mock (nothing real can run here). */
import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { CognitoIdentityProviderClient, DescribeUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { APIGatewayClient, GetAccountCommand } from '@aws-sdk/client-api-gateway';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsContext } from '../../../src/cli/aws/context.js';
import type { ProgressEvent } from '../../../src/cli/deploy/engine.js';
import { ToolkitEngine } from '../../../src/cli/deploy/toolkit-engine.js';

const cfn = mockClient(CloudFormationClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const apigw = mockClient(APIGatewayClient);
const lambda = mockClient(LambdaClient);
let events: ProgressEvent[];
let engine: ToolkitEngine;

const missing = Object.assign(new Error('Stack with id s does not exist'), { name: 'ValidationError' });

beforeEach(() => {
  cfn.reset();
  cognito.reset();
  events = [];
  engine = new ToolkitEngine({
    aws: new AwsContext({ region: 'eu-west-1' }),
    onProgress: (e) => events.push(e),
    pollIntervalMs: 1,
  });
});
afterEach(() => {
  cfn.reset();
});

describe('ToolkitEngine', () => {
  it('describes a stack with its outputs', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 's' }).resolves({
      Stacks: [
        {
          StackName: 's',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date('2026-01-01'),
          LastUpdatedTime: new Date('2026-02-01'),
          Outputs: [{ OutputKey: 'McpServerUrl', OutputValue: 'https://x/prod/mcp' }, { OutputKey: 'Empty' }],
        },
      ],
    });
    expect(await engine.describeStack('s')).toEqual({
      stackName: 's',
      status: 'UPDATE_COMPLETE',
      lastUpdated: new Date('2026-02-01'),
      outputs: { McpServerUrl: 'https://x/prod/mcp' },
    });
  });

  it('treats a missing or deleted stack as absent', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejectsOnce(missing)
      .resolvesOnce({ Stacks: [{ StackName: 's', StackStatus: 'DELETE_COMPLETE', CreationTime: new Date() }] });
    expect(await engine.describeStack('s')).toBeUndefined();
    expect(await engine.describeStack('s')).toBeUndefined();
  });

  it('explains access denied on DescribeStacks', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(new Error('User: x is not authorized to perform: cloudformation:DescribeStacks'), { name: 'AccessDenied' }),
      );
    await expect(engine.describeStack('s')).rejects.toThrow('AWS denied access to cloudformation:DescribeStacks');
  });

  it('reads the bootstrap version, and treats an absent or broken CDKToolkit as not bootstrapped', async () => {
    cfn
      .on(DescribeStacksCommand, { StackName: 'CDKToolkit' })
      .resolvesOnce({
        Stacks: [
          {
            StackName: 'CDKToolkit',
            StackStatus: 'UPDATE_COMPLETE',
            CreationTime: new Date(),
            Outputs: [{ OutputKey: 'BootstrapVersion', OutputValue: '27' }],
          },
        ],
      })
      .rejectsOnce(missing)
      .resolvesOnce({
        Stacks: [{ StackName: 'CDKToolkit', StackStatus: 'ROLLBACK_COMPLETE', CreationTime: new Date(), Outputs: [] }],
      })
      .resolvesOnce({
        Stacks: [
          {
            StackName: 'CDKToolkit',
            StackStatus: 'CREATE_COMPLETE',
            CreationTime: new Date(),
            Outputs: [{ OutputKey: 'BootstrapVersion', OutputValue: 'x' }],
          },
        ],
      });
    expect(await engine.bootstrapState()).toEqual({ version: 27 });
    expect(await engine.bootstrapState()).toEqual({});
    expect(await engine.bootstrapState()).toEqual({});
    expect(await engine.bootstrapState()).toEqual({});
  });

  it('lists failures since a time, oldest first, across pages', async () => {
    const since = new Date('2026-11-24T04:00:00Z');
    cfn
      .on(DescribeStackEventsCommand)
      .resolvesOnce({
        StackEvents: [
          {
            EventId: '3',
            StackId: 'arn:s',
            StackName: 's',
            LogicalResourceId: 's',
            ResourceStatus: 'ROLLBACK_IN_PROGRESS',
            Timestamp: new Date('2026-11-24T04:03:00Z'),
          },
          {
            EventId: '2',
            StackId: 'arn:s',
            StackName: 's',
            LogicalResourceId: 'Domain',
            ResourceType: 'AWS::Cognito::UserPoolDomain',
            ResourceStatus: 'CREATE_FAILED',
            ResourceStatusReason: 'taken',
            Timestamp: new Date('2026-11-24T04:02:00Z'),
          },
        ],
        NextToken: 'p2',
      })
      .resolvesOnce({
        StackEvents: [
          {
            EventId: '1',
            StackId: 'arn:s',
            StackName: 's',
            LogicalResourceId: 'Role',
            ResourceType: 'AWS::IAM::Role',
            ResourceStatus: 'CREATE_FAILED',
            Timestamp: new Date('2026-11-24T04:01:00Z'),
          },
          {
            EventId: '0',
            StackId: 'arn:s',
            StackName: 's',
            LogicalResourceId: 'Old',
            ResourceType: 'AWS::IAM::Role',
            ResourceStatus: 'CREATE_FAILED',
            ResourceStatusReason: 'old',
            Timestamp: new Date('2026-11-23T00:00:00Z'),
          },
        ],
      });
    const failures = await engine.failures('s', since);
    expect(failures.map((f) => [f.logicalId, f.reason])).toEqual([
      ['Role', 'no reason given'],
      ['Domain', 'taken'],
    ]);
  });

  it('deletes a stack and reports its events until it is gone', async () => {
    cfn.on(DeleteStackCommand).resolves({});
    cfn
      .on(DescribeStacksCommand)
      .resolvesOnce({
        Stacks: [{ StackName: 's', StackId: 'arn:s', StackStatus: 'DELETE_IN_PROGRESS', CreationTime: new Date() }],
      })
      .rejectsOnce(missing);
    cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        {
          EventId: 'e1',
          StackId: 'arn:s',
          StackName: 's',
          LogicalResourceId: 'UserPool',
          ResourceType: 'AWS::Cognito::UserPool',
          ResourceStatus: 'DELETE_COMPLETE',
          Timestamp: new Date(Date.now() + 1000),
        },
      ],
    });
    await engine.destroy('s');
    expect(cfn.commandCalls(DeleteStackCommand)[0]?.args[0].input).toEqual({ StackName: 's' });
    expect(events).toContainEqual({
      kind: 'resource',
      logicalId: 'UserPool',
      resourceType: 'AWS::Cognito::UserPool',
      status: 'DELETE_COMPLETE',
      completed: 1,
    });
  });

  it('keeps a protected user pool: the first deletion stops at it, the second leaves it out', async () => {
    cfn.on(DeleteStackCommand).resolves({});
    cfn
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [{ StackName: 's', StackId: 'arn:s', StackStatus: 'DELETE_FAILED', CreationTime: new Date() }] })
      .rejectsOnce(missing);
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfn.on(DescribeStackResourcesCommand).resolves({
      StackResources: [
        {
          LogicalResourceId: 'AuthUserPool',
          PhysicalResourceId: 'eu-west-1_abc',
          ResourceType: 'AWS::Cognito::UserPool',
          ResourceStatus: 'DELETE_FAILED',
          Timestamp: new Date(),
        },
        {
          LogicalResourceId: 'Fn',
          ResourceType: 'AWS::Lambda::Function',
          ResourceStatus: 'DELETE_COMPLETE',
          Timestamp: new Date(),
        },
      ],
    });
    expect(await engine.destroy('s', undefined, { retainUserPool: true })).toEqual({ retainedUserPools: ['eu-west-1_abc'] });
    expect(cfn.commandCalls(DeleteStackCommand).map((call) => call.args[0].input)).toEqual([
      { StackName: 's' },
      { StackName: 's', RetainResources: ['AuthUserPool'] },
    ]);
  });

  it("turns the pool's deletion protection off through CloudFormation, with the stack's own template", async () => {
    const template = {
      Parameters: { BootstrapVersion: { Type: 'String' } },
      Resources: {
        AuthUserPool: {
          Type: 'AWS::Cognito::UserPool',
          Properties: { DeletionProtection: 'ACTIVE', UsernameAttributes: ['email'] },
        },
        Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
      },
    };
    cfn.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(template) });
    cfn.on(UpdateStackCommand).resolves({});
    cfn
      .on(DescribeStacksCommand)
      .resolvesOnce({
        Stacks: [
          {
            StackName: 's',
            StackStatus: 'UPDATE_COMPLETE',
            CreationTime: new Date(),
            Parameters: [{ ParameterKey: 'BootstrapVersion', ParameterValue: '/cdk-bootstrap/x' }],
          },
        ],
      })
      .resolves({ Stacks: [{ StackName: 's', StackId: 'arn:s', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] });
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    await engine.allowUserPoolDeletion('s');
    const update = cfn.commandCalls(UpdateStackCommand)[0]?.args[0].input;
    expect(update?.Parameters).toEqual([{ ParameterKey: 'BootstrapVersion', UsePreviousValue: true }]);
    const sent = JSON.parse(update?.TemplateBody ?? '{}');
    expect(sent.Resources.AuthUserPool.Properties).toEqual({ DeletionProtection: 'INACTIVE', UsernameAttributes: ['email'] });
    expect(sent.Resources.Fn).toEqual(template.Resources.Fn);
  });

  it('changes nothing when the pool is not protected', async () => {
    cfn.on(GetTemplateCommand).resolves({
      TemplateBody: JSON.stringify({ Resources: { P: { Type: 'AWS::Cognito::UserPool', Properties: {} } } }),
    });
    cfn
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [{ StackName: 's', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] });
    await engine.allowUserPoolDeletion('s');
    expect(cfn.commandCalls(UpdateStackCommand)).toEqual([]);
  });

  it('reports a deletion that ends in DELETE_FAILED with the failed resource', async () => {
    cfn.on(DeleteStackCommand).resolves({});
    cfn
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [{ StackName: 's', StackId: 'arn:s', StackStatus: 'DELETE_FAILED', CreationTime: new Date() }] });
    cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        {
          EventId: 'e1',
          StackId: 'arn:s',
          StackName: 's',
          LogicalResourceId: 'Bucket',
          ResourceType: 'AWS::S3::Bucket',
          ResourceStatus: 'DELETE_FAILED',
          ResourceStatusReason: 'not empty',
          Timestamp: new Date(Date.now() + 1000),
        },
      ],
    });
    await expect(engine.destroy('s')).rejects.toThrow('Deleting s ended in DELETE_FAILED: Bucket: not empty');
  });

  it('tells whether API Gateway has its CloudWatch role, and says nothing when it cannot', async () => {
    apigw
      .on(GetAccountCommand)
      .resolvesOnce({ cloudwatchRoleArn: 'arn:aws:iam::1:role/apigw' })
      .resolvesOnce({})
      .rejectsOnce(new Error('AccessDenied'));
    expect(await engine.hasApiGatewayLogsRole()).toBe(true);
    expect(await engine.hasApiGatewayLogsRole()).toBe(false);
    expect(await engine.hasApiGatewayLogsRole()).toBeUndefined();
  });

  it("reads the account's Lambda concurrency, and says why when it cannot (AccessDenied)", async () => {
    lambda
      .on(GetAccountSettingsCommand)
      .resolvesOnce({ AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 870 } })
      .rejectsOnce(
        Object.assign(new Error('not authorized to perform: lambda:GetAccountSettings'), {
          name: 'AccessDeniedException',
          $fault: 'client',
          $metadata: { httpStatusCode: 403 },
        }),
      );
    expect(await engine.accountConcurrency()).toEqual({ limit: 1000, unreserved: 870 });
    const denied = await engine.accountConcurrency();
    expect('unknown' in denied && denied.unknown).toMatch(/AccessDenied/);
  });

  it('counts the users of a pool and reads its deletion protection, and says nothing when it cannot', async () => {
    cognito
      .on(DescribeUserPoolCommand)
      .resolvesOnce({ UserPool: { EstimatedNumberOfUsers: 12, DeletionProtection: 'ACTIVE' } })
      .rejectsOnce(new Error('nope'));
    expect(await engine.describeUserPool('p')).toEqual({ users: 12, deletionProtection: true });
    expect(await engine.describeUserPool('p')).toBeUndefined();
  });
});
