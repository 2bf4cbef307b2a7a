/**
 * How the real engine asks toolkit-lib for a plan: a change set for a stack that exists, the templates when
 * no change set can be made (and why), never a change set for a new stack. toolkit-lib's `diff` is stood in
 * for by one that answers with the CDK's own diff of two small templates.
 */
import { fullDiff, type TemplateDiff } from '@aws-cdk/cloudformation-diff';
import { type DiffOptions, type ICloudAssemblySource, type Toolkit, ToolkitError } from '@aws-cdk/toolkit-lib';
import { describe, expect, it } from 'vitest';
import { planWithToolkit } from '../../../src/cli/deploy/toolkit-plan.js';
import { IDENTITY } from '../../helpers/fake-engine.js';

const STACK = 'mcp-lambda-dog-facts';
const before = {
  Resources: {
    Pool: { Type: 'AWS::Cognito::UserPool', Properties: { UserPoolName: 'a' } },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 512 } },
  },
};
const after = {
  Resources: {
    Pool: { Type: 'AWS::Cognito::UserPool', Properties: { UserPoolName: 'a' } },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 1024 } },
    Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
  },
};

/** A toolkit whose diff answers in turn (a diff, or an error to throw), recording the methods asked for. */
function toolkitAnswering(...answers: (TemplateDiff | Error)[]) {
  const methods: string[] = [];
  const toolkit = {
    diff: async (_source: ICloudAssemblySource, options: DiffOptions) => {
      methods.push(
        `${options.method?.method}${(options.method?.options as { fallbackToTemplate?: boolean })?.fallbackToTemplate === false ? ' (no fallback)' : ''}`,
      );
      expect(options.stacks?.patterns).toEqual([STACK]);
      const answer = answers.shift();
      if (answer === undefined) throw new Error('asked once too often');
      if (answer instanceof Error) throw answer;
      return { [STACK]: answer };
    },
  } as unknown as Toolkit;
  return { toolkit, methods };
}

const source = {} as ICloudAssemblySource;
const request = (exists: boolean) => ({ stack: { stackName: STACK }, identity: IDENTITY, exists });

describe('planWithToolkit', () => {
  it('asks for a change set (no silent fallback) when the stack exists', async () => {
    const { toolkit, methods } = toolkitAnswering(fullDiff(before, after));
    const changes = await planWithToolkit(toolkit, source, request(true));
    expect(methods).toEqual(['change-set (no fallback)']);
    expect(changes).toMatchObject({ newStack: false, method: 'change-set' });
    expect(changes.resources.map((r) => `${r.action} ${r.logicalId}`)).toEqual(['change Fn', 'add Role']);
    expect(changes.iam.resources.map((r) => r.logicalId)).toEqual(['Role']);
  });

  it('compares the templates when no change set can be made, and says why', async () => {
    const refused = ToolkitError.withCause(
      'ChangeSetCreationFailed',
      "Could not create a change set, and '--method=change-set' was specified.",
      new Error('User: arn:aws:iam::123456789012:user/dev is not authorized to perform: cloudformation:CreateChangeSet\nmore'),
    );
    const { toolkit, methods } = toolkitAnswering(refused, fullDiff(before, after));
    const changes = await planWithToolkit(toolkit, source, request(true));
    expect(methods).toEqual(['change-set (no fallback)', 'template-only']);
    expect(changes).toMatchObject({
      method: 'template',
      fallbackReason: 'User: arn:aws:iam::123456789012:user/dev is not authorized to perform: cloudformation:CreateChangeSet',
    });
  });

  it('lets any other failure through (credentials, synth)', async () => {
    const { toolkit, methods } = toolkitAnswering(new Error('The security token included in the request is expired'));
    await expect(planWithToolkit(toolkit, source, request(true))).rejects.toThrow('security token');
    expect(methods).toEqual(['change-set (no fallback)']);
  });

  it('compares a new stack with nothing, without a change set (which would create the stack)', async () => {
    const { toolkit, methods } = toolkitAnswering(fullDiff({}, after));
    const changes = await planWithToolkit(toolkit, source, request(false));
    expect(methods).toEqual(['template-only']);
    expect(changes).toMatchObject({ newStack: true, method: 'template' });
    expect(changes.resources.map((r) => `${r.action} ${r.resourceType}`)).toEqual([
      'add AWS::Lambda::Function',
      'add AWS::Cognito::UserPool',
      'add AWS::IAM::Role',
    ]);
  });
});
