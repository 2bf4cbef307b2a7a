/** `mcp-lambda logs` against CloudFormation and CloudWatch Logs answers (aws-sdk-client-mock: nothing real can run here). */
import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  type StartLiveTailResponseStream,
  StartLiveTailCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { AdminGetUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { parseSince, serverLogGroup } from '../../../src/cli/commands/logs.js';
import { logGroupArn } from '../../../src/cli/logs/live-tail.js';
import { filterPattern, formatLine, readRecord } from '../../../src/cli/logs/records.js';
import { runCli, startCli } from '../../helpers/run-cli.js';

const cfn = mockClient(CloudFormationClient);
const cwl = mockClient(CloudWatchLogsClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const T = Date.UTC(2026, 10, 25, 10, 0, 0);
const record = (fields: Record<string, unknown>) =>
  JSON.stringify({ level: 'info', msg: 'request', requestId: 'r', httpMethod: 'POST', ...fields });

beforeEach(() => {
  cfn.reset();
  cwl.reset();
  cognito.reset();
  cfn.on(DescribeStackResourcesCommand, { StackName: 'mcp-lambda-dog-facts' }).resolves({
    StackResources: [
      {
        LogicalResourceId: 'ServerLogs1234',
        PhysicalResourceId: '/aws/lambda/mcp-fn',
        ResourceType: 'AWS::Logs::LogGroup',
        ResourceStatus: 'CREATE_COMPLETE',
        Timestamp: new Date(),
      },
      {
        LogicalResourceId: 'AuthUserPool42',
        PhysicalResourceId: 'eu-west-1_pool',
        ResourceType: 'AWS::Cognito::UserPool',
        ResourceStatus: 'CREATE_COMPLETE',
        Timestamp: new Date(),
      },
      {
        LogicalResourceId: 'HttpAccessLogs99',
        PhysicalResourceId: 'access',
        ResourceType: 'AWS::Logs::LogGroup',
        ResourceStatus: 'CREATE_COMPLETE',
        Timestamp: new Date(),
      },
    ],
  });
});
afterAll(() => {
  cfn.restore();
  cwl.restore();
  cognito.restore();
});

const logs = (args: string[]) =>
  runCli(['logs', '--region', 'eu-west-1', ...args], { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' });

describe('mcp-lambda logs', () => {
  it("reads the function's log group, one line per request, across pages", async () => {
    cwl
      .on(FilterLogEventsCommand)
      .resolvesOnce({
        events: [
          {
            eventId: 'a',
            timestamp: T,
            message: record({ rpcMethod: 'tools/list', status: 200, durationMs: 3.2, clientId: 'c1' }),
          },
          { eventId: 'b', timestamp: T + 1000, message: 'START RequestId: x Version: $LATEST' },
        ],
        nextToken: 'more',
      })
      .resolvesOnce({
        events: [
          {
            eventId: 'c',
            timestamp: T + 2000,
            message: record({
              level: 'error',
              rpcMethod: 'tools/call',
              tool: 'getDogFacts',
              status: 200,
              durationMs: 5012,
              clientId: 'c1',
              toolError: true,
            }),
          },
          { eventId: 'd', timestamp: T + 3000, message: record({ status: 401, durationMs: 1, reason: 'wrong_audience' }) },
        ],
      });
    const result = await logs(['--since', '10m']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      '2026-11-25 10:00:00  tools/list  200  3.2 ms  c1',
      '2026-11-25 10:00:02  tools/call getDogFacts  200  5012 ms  c1  (tool error)',
      '2026-11-25 10:00:03  POST  401  1 ms  (wrong_audience)',
    ]);
    const first = cwl.commandCalls(FilterLogEventsCommand)[0]?.args[0].input;
    expect(first?.logGroupName).toBe('/aws/lambda/mcp-fn');
    expect(first?.filterPattern).toBe('{ ($.msg = "request") || $.msg = "startup" || $.msg = "stdio" }');
    expect(first?.startTime).toBeGreaterThan(Date.now() - 11 * 60_000);
  });

  it('filters by tool, status and caller, and prints JSON records with --json', async () => {
    cwl.on(FilterLogEventsCommand).resolves({
      events: [
        {
          eventId: 'a',
          timestamp: T,
          message: record({ rpcMethod: 'tools/call', tool: 'getDogFacts', status: 200, clientId: 'c1' }),
        },
        {
          eventId: 'b',
          timestamp: T,
          message: record({ rpcMethod: 'tools/call', tool: 'getDogFacts', status: 200, clientId: 'c2' }),
        },
      ],
    });
    const result = await logs(['--tool', 'getDogFacts', '--status', '200', '--user', 'c2', '--json']);
    expect(
      result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).clientId),
    ).toEqual(['c2']);
    expect(cwl.commandCalls(FilterLogEventsCommand)[0]?.args[0].input.filterPattern).toBe(
      '{ ($.msg = "request" && $.tool = "getDogFacts" && $.status = 200) || $.msg = "startup" || ($.msg = "stdio" && ($.event = "start_failed" || $.event = "exit")) }',
    );
  });

  it("finds a person's requests by email through the user pool (the logs hold only the opaque sub)", async () => {
    cognito.on(AdminGetUserCommand, { UserPoolId: 'eu-west-1_pool', Username: 'ann@example.com' }).resolves({
      Username: 'sub-ann',
      UserAttributes: [
        { Name: 'sub', Value: 'sub-ann' },
        { Name: 'email', Value: 'ann@example.com' },
      ],
    });
    cwl.on(FilterLogEventsCommand).resolves({
      events: [
        {
          eventId: 'a',
          timestamp: T,
          message: record({ rpcMethod: 'tools/list', status: 200, clientId: 'c1', user: 'sub-ann' }),
        },
        {
          eventId: 'b',
          timestamp: T,
          message: record({ rpcMethod: 'tools/list', status: 200, clientId: 'c1', user: 'sub-bob' }),
        },
      ],
    });
    const result = await logs(['--user', 'ann@example.com']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('2026-11-25 10:00:00  tools/list  200  - ms  sub-ann');

    cognito.on(AdminGetUserCommand).rejects(Object.assign(new Error('User does not exist.'), { name: 'UserNotFoundException' }));
    const unknown = await logs(['--user', 'nobody@example.com']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('nobody@example.com is not a user of mcp-lambda-dog-facts.');
    expect(unknown.stderr).toContain('mcp-lambda users list');
  });

  it('always shows a failed start, whatever the filters', async () => {
    cwl.on(FilterLogEventsCommand).resolves({
      events: [
        {
          eventId: 'a',
          timestamp: T,
          message: JSON.stringify({
            level: 'error',
            msg: 'startup',
            reason: 'API_KEY: could not read Secrets Manager secret gone: ResourceNotFoundException: not found',
          }),
        },
      ],
    });
    const result = await logs(['--tool', 'getDogFacts']);
    expect(result.stdout.trim()).toBe(
      '2026-11-25 10:00:00  startup failed: API_KEY: could not read Secrets Manager secret gone: ResourceNotFoundException: not found',
    );
  });

  it('follows new requests until Ctrl-C, without repeating one', async () => {
    const event = { eventId: 'a', timestamp: T, message: record({ rpcMethod: 'ping', status: 200, durationMs: 1 }) };
    cwl.on(FilterLogEventsCommand).resolves({ events: [event] });
    const cli = startCli(['logs', '--region', 'eu-west-1', '--follow'], { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' });
    await cli.waitForStdout('ping');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    cli.interrupt();
    expect(await cli.exit).toBe(0);
    expect(cli.output().stdout.match(/ping/g)).toHaveLength(1);
    expect(cwl.commandCalls(FilterLogEventsCommand).length).toBeGreaterThan(1);
  });

  it.each([
    [['--since', 'yesterday'], '--since "yesterday" is not a duration.'],
    [['--status', 'ok'], '--status "ok" is not an HTTP status.'],
  ])('refuses %j', async (args, message) => {
    const result = await logs(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('says when the stack has no function log group', async () => {
    cfn.on(DescribeStackResourcesCommand).resolves({ StackResources: [] });
    const result = await logs([]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('mcp-lambda-dog-facts has no MCP function log group.');
  });

  it('reads records the Lambda runtime wrapped, and ignores other lines', () => {
    expect(readRecord(JSON.stringify({ timestamp: 't', level: 'INFO', message: { msg: 'request', status: 200 } }))).toEqual({
      msg: 'request',
      status: 200,
    });
    for (const other of ['not json', '{"msg":"other"}', 'null', '7', '"text"', undefined])
      expect(readRecord(other)).toBeUndefined();
    expect(parseSince('90s')).toBe(90_000);
    expect(formatLine(undefined, { msg: 'request', httpMethod: 'GET', status: 405, reason: 'method_not_allowed' })).toBe(
      'GET  405  - ms  (method_not_allowed)',
    );
  });
});

const stdio = (fields: Record<string, unknown>) => JSON.stringify({ level: 'info', msg: 'stdio', server: 'memory', ...fields });
const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/mcp-lambda-dog-facts/abc';
const GROUP_ARN = 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/mcp-fn';
const KEYS = { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };

/** A Live Tail event stream: these events, then the end (or hold until the test's signal). */
async function* liveStream(
  events: StartLiveTailResponseStream[],
  hold?: AbortSignal,
): AsyncGenerator<StartLiveTailResponseStream> {
  for (const event of events) yield event;
  if (hold) await new Promise((resolve) => hold.addEventListener('abort', resolve, { once: true }));
}
const update = (...messages: Array<[number, string]>): StartLiveTailResponseStream => ({
  sessionUpdate: { sessionResults: messages.map(([timestamp, message]) => ({ timestamp, message })) },
});

describe("a stdio server's child records", () => {
  const childEvents = [
    { eventId: 'a', timestamp: T, message: stdio({ event: 'start', pid: 42 }) },
    { eventId: 'b', timestamp: T + 1, message: stdio({ event: 'stderr', line: 'Knowledge graph loaded' }) },
    { eventId: 'c', timestamp: T + 2, message: stdio({ event: 'stdout_noise', line: 'debug: hello' }) },
    { eventId: 'd', timestamp: T + 3, message: stdio({ level: 'error', event: 'exit', exitCode: 1 }) },
    { eventId: 'e', timestamp: T + 4, message: stdio({ level: 'error', event: 'start_failed', reason: 'spawn npx ENOENT' }) },
    {
      eventId: 'f',
      timestamp: T + 5,
      message: record({
        rpcMethod: 'tools/call',
        tool: 'read_graph',
        status: 200,
        durationMs: 812,
        coldStart: true,
        child: 'restarted',
      }),
    },
  ];

  it('shows them readably, and only the failed start and the exit under a filter', async () => {
    cwl.on(FilterLogEventsCommand).resolves({ events: childEvents });
    const all = await logs([]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout.trim().split('\n')).toEqual([
      '2026-11-25 10:00:00  [memory] started (pid 42)',
      '2026-11-25 10:00:00  [memory] stderr: Knowledge graph loaded',
      '2026-11-25 10:00:00  [memory] stdout (not JSON-RPC): debug: hello',
      '2026-11-25 10:00:00  [memory] exited with code 1',
      '2026-11-25 10:00:00  [memory] could not start: spawn npx ENOENT',
      '2026-11-25 10:00:00  tools/call read_graph  200  812 ms  cold  stdio restarted',
    ]);
    const filtered = await logs(['--tool', 'read_graph']);
    expect(filtered.stdout.trim().split('\n')).toEqual([
      '2026-11-25 10:00:00  [memory] exited with code 1',
      '2026-11-25 10:00:00  [memory] could not start: spawn npx ENOENT',
      '2026-11-25 10:00:00  tools/call read_graph  200  812 ms  cold  stdio restarted',
    ]);
  });
});

describe('logs --errors', () => {
  it('keeps failed requests only (HTTP errors, JSON-RPC errors, tool errors), and marks them red on a terminal', async () => {
    cwl.on(FilterLogEventsCommand).resolves({
      events: [
        { eventId: 'a', timestamp: T, message: record({ rpcMethod: 'tools/list', status: 200, durationMs: 2 }) },
        {
          eventId: 'b',
          timestamp: T,
          message: record({ rpcMethod: 'nope', status: 200, durationMs: 2, 'error.type': '-32601', Errors: 1 }),
        },
        {
          eventId: 'c',
          timestamp: T,
          message: record({ level: 'error', rpcMethod: 'tools/call', tool: 't', status: 200, toolError: true }),
        },
        { eventId: 'd', timestamp: T, message: record({ level: 'warn', status: 403, reason: 'origin_not_allowed' }) },
      ],
    });
    const result = await runCli(['logs', '--region', 'eu-west-1', '--errors'], { ...KEYS, FORCE_COLOR: '1' });
    expect(result.code, result.stderr).toBe(0);
    const red = (line: string) => `\u001b[31m${line}\u001b[39m`;
    expect(result.stdout.trim().split('\n')).toEqual([
      red('2026-11-25 10:00:00  nope  200  2 ms  (error -32601)'),
      red('2026-11-25 10:00:00  tools/call t  200  - ms  (tool error)'),
      red('2026-11-25 10:00:00  POST  403  - ms  (origin_not_allowed)'),
    ]);
    expect(cwl.commandCalls(FilterLogEventsCommand)[0]?.args[0].input.filterPattern).toBe(
      '{ ($.msg = "request" && ($.status >= 400 || $.toolError IS TRUE || $.Errors = 1)) || $.msg = "startup" || ($.msg = "stdio" && ($.event = "start_failed" || $.event = "exit")) }',
    );
    expect(filterPattern({})).toBe('{ ($.msg = "request") || $.msg = "startup" || $.msg = "stdio" }');
  });
});

describe('logs --follow on Live Tail', () => {
  beforeEach(() => {
    cfn.on(DescribeStackResourcesCommand, { StackName: 'mcp-lambda-dog-facts' }).resolves({
      StackResources: [
        {
          StackId: STACK_ID,
          LogicalResourceId: 'ServerLogs1234',
          PhysicalResourceId: '/aws/lambda/mcp-fn',
          ResourceType: 'AWS::Logs::LogGroup',
          ResourceStatus: 'CREATE_COMPLETE',
          Timestamp: new Date(),
        },
      ],
    });
    cwl.on(FilterLogEventsCommand).resolves({ events: [] });
  });

  it('prints what the session pushes, to the millisecond, and starts a new session when one ends', async () => {
    const stop = new AbortController();
    cwl
      .on(StartLiveTailCommand)
      .resolvesOnce({
        responseStream: liveStream([
          { sessionStart: { sessionId: 's1' } },
          update([
            T + 412,
            record({ rpcMethod: 'tools/call', tool: 'getDogFacts', status: 200, durationMs: 143, coldStart: true }),
          ]),
          {
            SessionTimeoutException: {
              name: 'SessionTimeoutException',
              message: 'Session timed out after 3 hours',
              $fault: 'client',
            } as never,
          },
        ]),
      })
      .resolvesOnce({
        responseStream: liveStream(
          [update([T + 2000, stdio({ event: 'stderr', line: 'still here' })]), update([T + 2500, 'START RequestId: x'])],
          stop.signal,
        ),
      });
    const cli = startCli(['logs', '--region', 'eu-west-1', '--follow'], KEYS);
    await cli.waitForStdout('still here');
    cli.interrupt();
    stop.abort();
    expect(await cli.exit).toBe(0);
    const { stdout, stderr } = cli.output();
    expect(stdout.trim().split('\n')).toEqual([
      '10:00:00.412  tools/call getDogFacts  200  143 ms  cold',
      '10:00:02.000  [memory] stderr: still here',
    ]);
    expect(stderr).toContain('Live Tail session ended (Session timed out after 3 hours); starting a new one.');
    const calls = cwl.commandCalls(StartLiveTailCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.args[0].input).toEqual({
      logGroupIdentifiers: [GROUP_ARN],
      logEventFilterPattern: '{ ($.msg = "request") || $.msg = "startup" || $.msg = "stdio" }',
    });
  });

  it('polls instead when Live Tail is denied, and says so', async () => {
    cwl
      .on(StartLiveTailCommand)
      .rejects(Object.assign(new Error('not authorized to perform: logs:StartLiveTail'), { name: 'AccessDeniedException' }));
    cwl
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [] })
      .resolves({ events: [{ eventId: 'a', timestamp: T, message: record({ rpcMethod: 'ping', status: 200, durationMs: 1 }) }] });
    const cli = startCli(['logs', '--region', 'eu-west-1', '--follow'], KEYS);
    await cli.waitForStdout('ping');
    cli.interrupt();
    expect(await cli.exit).toBe(0);
    const { stdout, stderr } = cli.output();
    expect(stderr).toContain(
      'Live Tail could not start (AccessDeniedException: not authorized to perform: logs:StartLiveTail); polling every 2 s instead.',
    );
    expect(stdout.trim()).toBe('10:00:00.000  ping  200  1 ms');
  });

  it('finds the log group ARN from the stack id', () => {
    expect(logGroupArn(STACK_ID, '/aws/lambda/mcp-fn')).toBe(GROUP_ARN);
    expect(logGroupArn('arn:aws-cn:cloudformation:cn-north-1:123456789012:stack/s/1', 'g')).toBe(
      'arn:aws-cn:logs:cn-north-1:123456789012:log-group:g',
    );
    expect(logGroupArn(undefined, 'g')).toBeUndefined();
    expect(logGroupArn('not an arn', 'g')).toBeUndefined();
  });
});

describe('the log group of one of several servers', () => {
  const group = (id: string) => ({ ResourceType: 'AWS::Logs::LogGroup', LogicalResourceId: id });
  const several = [group('ServerNotesLogsA1B2C3D4'), group('ServerWeatherV2Logs0F0F0F0F'), group('HttpAccessLogs12345678')];

  it('picks the one --server names, and needs --server when there are several', () => {
    expect(serverLogGroup(several, 's', 'notes')?.LogicalResourceId).toBe('ServerNotesLogsA1B2C3D4');
    expect(serverLogGroup(several, 's', 'weather-v2')?.LogicalResourceId).toBe('ServerWeatherV2Logs0F0F0F0F');
    expect(() => serverLogGroup(several, 's', undefined)).toThrow('s serves several servers; each has its own log.');
    expect(() => serverLogGroup(several, 's', 'mail')).toThrow('s has no server named "mail".');
  });

  it('takes the one server’s log without --server, and finds none in a foreign stack', () => {
    expect(serverLogGroup([group('ServerLogs1234'), group('HttpAccessLogs1')], 's', undefined)?.LogicalResourceId).toBe(
      'ServerLogs1234',
    );
    expect(serverLogGroup([group('HttpAccessLogs1'), group('OtherLogs1')], 's', undefined)).toBeUndefined();
  });
});
