/**
 * The toolkit's IoHost messages → our progress. The sequences below follow toolkit-lib 1.40.1's codes and
 * payload shapes (lib/api/io/private/messages.d.ts, payloads/stack-activity.d.ts) for a create, a no-op
 * update and a security-sensitive update.
 */
import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../src/cli/deploy/engine.js';
import { createIoHost, type ToolkitMessage } from '../../../src/cli/deploy/io-host.js';

const activity = (
  logicalId: string,
  type: string,
  status: string,
  completed: number,
  extra: Record<string, unknown> = {},
): ToolkitMessage => ({
  level: 'info',
  code: 'CDK_TOOLKIT_I5502',
  message: `${status} ${logicalId}`,
  data: {
    deployment: 'd1',
    event: { LogicalResourceId: logicalId, ResourceType: type, ResourceStatus: status, ...extra },
    metadata: { constructPath: `/mcp-lambda-dog-facts/${logicalId.replace(/[A-F0-9]{8}$/, '')}/Resource` },
    progress: { completed, total: 3, formatted: `${completed}/3` },
  },
});

const CREATE: ToolkitMessage[] = [
  { level: 'trace', code: 'CDK_TOOLKIT_I1001', message: 'synth starting', data: {} },
  { level: 'info', code: 'CDK_TOOLKIT_I1000', message: '\u001b[32mSynthesis time: 1.2s\u001b[39m', data: { duration: 1200 } },
  { level: 'info', code: 'CDK_TOOLKIT_I9401', message: 'Publishing assets', data: {} },
  {
    level: 'info',
    code: 'CDK_TOOLKIT_I5501',
    message: 'start',
    data: { deployment: 'd1', stackName: 'mcp-lambda-dog-facts', resourcesTotal: 3 },
  },
  activity('AuthUserPool8115E87F', 'AWS::Cognito::UserPool', 'CREATE_IN_PROGRESS', 0),
  activity('AuthUserPool8115E87F', 'AWS::Cognito::UserPool', 'CREATE_COMPLETE', 1),
  activity('ServerFunctionB9E3FD9F', 'AWS::Lambda::Function', 'CREATE_FAILED', 1, {
    ResourceStatusReason: 'Resource handler returned message: "bad"',
  }),
  { level: 'info', code: 'CDK_TOOLKIT_I5503', message: 'stop', data: {} },
  { level: 'error', code: 'CDK_TOOLKIT_E5500', message: '\u001b[31mStack Monitoring error\u001b[39m', data: {} },
];

function collect(messages: ToolkitMessage[]) {
  const events: ProgressEvent[] = [];
  const debug: string[] = [];
  const host = createIoHost({
    onProgress: (e) => events.push(e),
    confirmSecurityChanges: async () => false,
    debug: (l) => debug.push(l),
  });
  return {
    host,
    events,
    debug,
    run: async () => {
      for (const m of messages) await host.notify(m);
    },
  };
}

describe('IoHost translation', () => {
  it('turns a create into phases and resource events with construct paths', async () => {
    const { host, events, debug, run } = collect(CREATE);
    await run();
    expect(events).toEqual([
      { kind: 'phase', phase: 'synth' },
      { kind: 'phase', phase: 'assets' },
      { kind: 'phase', phase: 'deploy', total: 3 },
      {
        kind: 'resource',
        logicalId: 'AuthUserPool8115E87F',
        resourceType: 'AWS::Cognito::UserPool',
        path: 'AuthUserPool',
        status: 'CREATE_IN_PROGRESS',
        completed: 0,
        total: 3,
      },
      {
        kind: 'resource',
        logicalId: 'AuthUserPool8115E87F',
        resourceType: 'AWS::Cognito::UserPool',
        path: 'AuthUserPool',
        status: 'CREATE_COMPLETE',
        completed: 1,
        total: 3,
      },
      {
        kind: 'resource',
        logicalId: 'ServerFunctionB9E3FD9F',
        resourceType: 'AWS::Lambda::Function',
        path: 'ServerFunction',
        status: 'CREATE_FAILED',
        reason: 'Resource handler returned message: "bad"',
        completed: 1,
        total: 3,
      },
    ]);
    expect(host.errors).toEqual(['Stack Monitoring error']);
    expect(debug).toContain('Synthesis time: 1.2s');
  });

  it('records a no-op deployment from the I5900 result', async () => {
    const { host, run } = collect([
      {
        level: 'result',
        code: 'CDK_TOOLKIT_I5900',
        message: '✅ (no changes)',
        data: { type: 'did-deploy-stack', noOp: true, outputs: {} },
      },
    ]);
    await run();
    expect(host.noChanges).toBe(true);
  });

  it('ignores activity without a resource', async () => {
    const { events, run } = collect([{ level: 'info', code: 'CDK_TOOLKIT_I5502', message: '', data: { event: {} } }]);
    await run();
    expect(events).toEqual([]);
  });

  it('asks only about broadening permission changes', async () => {
    const asked: string[] = [];
    const host = createIoHost({ onProgress: () => {}, confirmSecurityChanges: async (diff) => (asked.push(diff), false) });
    const request = (permissionChangeType: string) => ({
      level: 'info',
      code: 'CDK_TOOLKIT_I5060',
      message: `\u001b[1mIAM Statement Changes\u001b[22m (${permissionChangeType})`,
      data: { permissionChangeType, motivation: 'x', concurrency: 1, templateDiffs: {} },
      defaultResponse: true,
    });
    expect(await host.requestResponse(request('none'))).toBe(true);
    expect(await host.requestResponse(request('non-broadening'))).toBe(true);
    expect(await host.requestResponse(request('broadening'))).toBe(false);
    expect(asked).toEqual(['IAM Statement Changes (broadening)']);
  });

  it('declines a rollback-to-replace and accepts the destroy confirmation it already asked', async () => {
    const host = createIoHost({ onProgress: () => {}, confirmSecurityChanges: async () => true });
    expect(
      await host.requestResponse({ level: 'info', code: 'CDK_TOOLKIT_I5050', message: 'roll back?', defaultResponse: true }),
    ).toBe(false);
    expect(
      await host.requestResponse({ level: 'info', code: 'CDK_TOOLKIT_I7010', message: 'destroy?', defaultResponse: false }),
    ).toBe(true);
    expect(
      await host.requestResponse({ level: 'info', code: 'CDK_TOOLKIT_I9210', message: 'other', defaultResponse: 'keep' }),
    ).toBe('keep');
  });
});
