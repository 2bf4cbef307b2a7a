/**
 * `mcp-lambda status`'s health panel against SDK mocks of CloudFormation, CloudWatch (one GetMetricData
 * call) and CloudWatch Logs (one Logs Insights query): the panel as a fixed-width golden text, a new stack
 * with no data, a caller denied either part, several servers, and --json.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStackResourcesCommand, type StackResource } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, GetQueryResultsCommand, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { metricRange, parseWindow, readTools, SPARK_BUCKETS } from '../../../src/cli/health/figures.js';
import { sparkline } from '../../../src/cli/health/panel.js';
import { FakeCloud, OUTPUTS } from '../../helpers/fake-engine.js';
import { runCli, startCli } from '../../helpers/run-cli.js';

const cfn = mockClient(CloudFormationClient);
const cw = mockClient(CloudWatchClient);
const cwl = mockClient(CloudWatchLogsClient);
const STACK = 'mcp-lambda-dog-facts';
let cloud: FakeCloud;

const resource = (LogicalResourceId: string, ResourceType: string, PhysicalResourceId: string): StackResource => ({
  LogicalResourceId,
  ResourceType,
  PhysicalResourceId,
  ResourceStatus: 'CREATE_COMPLETE',
  Timestamp: new Date(),
});
const ONE_SERVER = [
  resource('ServerFunction12AB34CD', 'AWS::Lambda::Function', 'mcp-fn'),
  resource('ServerLogs1234', 'AWS::Logs::LogGroup', '/aws/lambda/mcp-fn'),
  resource('HttpApiDeploymentStageprod5678', 'AWS::ApiGateway::Stage', 'prod'),
];

/** GetMetricData answers relative to the call's own range: each window figure is the last bucket. */
function metricAnswer(values: Record<string, number>, spark: number[], month: number[]) {
  return (input: GetMetricDataCommandInput) => {
    const end = (input.EndTime as Date).getTime();
    const results: MetricDataResult[] = (input.MetricDataQueries ?? []).map((query) => {
      const period = (query.MetricStat?.Period ?? 60) * 1000;
      if (query.Id === 'spark') {
        return { Id: 'spark', Timestamps: spark.map((_, i) => new Date(end - (spark.length - i) * period)), Values: spark };
      }
      if (query.Id === 'month') {
        // Hours from the month's first (whatever the day the test runs).
        const first = Date.UTC(new Date(end).getUTCFullYear(), new Date(end).getUTCMonth(), 1);
        return { Id: 'month', Timestamps: month.map((_, i) => new Date(first + i * period)), Values: month };
      }
      const value = values[query.Id ?? ''];
      return value === undefined
        ? { Id: query.Id, Timestamps: [], Values: [] }
        : { Id: query.Id, Timestamps: [new Date(end - period)], Values: [value] };
    });
    return { MetricDataResults: results };
  };
}

const TOOL_ROWS = [
  [
    { field: 'tool', value: 'getDogFacts' },
    { field: 'calls', value: '812' },
    { field: 'errors', value: '1' },
    { field: 'toolErrors', value: '2' },
    { field: 'p95', value: '640.4' },
  ],
  [
    { field: 'tool', value: 'getDogFactsSlowly' },
    { field: 'calls', value: '9' },
    { field: 'errors', value: '0' },
    { field: 'toolErrors', value: '0' },
    { field: 'p95', value: '12004' },
  ],
];

beforeEach(() => {
  cfn.reset();
  cw.reset();
  cwl.reset();
  cloud = new FakeCloud();
  cloud.stacks.set(STACK, {
    stackName: STACK,
    status: 'CREATE_COMPLETE',
    outputs: OUTPUTS,
    lastUpdated: new Date('2026-11-24T04:00:00Z'),
  });
  cfn.on(DescribeStackResourcesCommand).resolves({ StackResources: ONE_SERVER });
  cwl.on(StartQueryCommand).resolves({ queryId: 'q1' });
  cwl.on(GetQueryResultsCommand).resolvesOnce({ status: 'Running' }).resolves({ status: 'Complete', results: TOOL_ROWS });
});
afterAll(() => {
  cfn.restore();
  cw.restore();
  cwl.restore();
});

const status = (args: string[]) =>
  runCli(
    ['status', '--region', 'eu-west-1', ...args],
    { HOME: mkdtempSync(join(tmpdir(), 'mcp-lambda-home-')) },
    { deployEngine: cloud.factory() },
  );

/** The panel: from its title to the blank line before what is stored locally. */
const panel = (stdout: string) => {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => line.startsWith('Health, last'));
  const end = lines.findIndex((line) => line.startsWith('Stored on this machine'));
  return lines.slice(start, end - 1);
};

const SPARK = [0, 0, 1, 3, 8, 20, 40, 61, 80, 60, 40, 30, 25, 20, 15, 12, 10, 8, 4, 2];
const FULL = {
  requests: 1234,
  errors: 14,
  toolErrors: 12,
  coldStarts: 7,
  p50: 143.2,
  p95: 812.7,
  average: 210,
  throttles: 0,
  concurrency: 3,
  http4xx: 21,
  http5xx: 1,
};

describe('status: the health panel', () => {
  it('shows requests, errors, latency, cold starts, throttles, concurrency, cost and tools (golden)', async () => {
    cw.on(GetMetricDataCommand).callsFake(metricAnswer(FULL, SPARK, [20_000, 30_000, 1234]));
    const result = await status(['--since', '24h']);
    expect(result.code, result.stderr).toBe(0);
    expect(panel(result.stdout)).toEqual([
      'Health, last 24h',
      '  requests      1,234     ▁▁▂▂▂▃▅▇█▇▅▄▄▃▃▃▂▂▂▂',
      '  errors        2.1%      14 failed, 12 tool errors; at the API: 4xx 21, 5xx 1',
      '  latency       p50 143.2 ms, p95 812.7 ms',
      '  cold starts   7   throttles 0   peak concurrency 3',
      '  cost          < $0.01 in this window, $0.26 this month so far (API Gateway + Lambda at 512 MB, us-east-1 list prices of 2025-10)',
      '',
      '  tool                 calls   errors        p95',
      '  getDogFacts            812        3     640 ms',
      '  getDogFactsSlowly        9        0  12,004 ms',
    ]);
    // One GetMetricData call, on the server's own dimension, the function's and the API's.
    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(1);
    const queries = calls[0]?.args[0].input.MetricDataQueries ?? [];
    expect(queries.find((q) => q.Id === 'requests')?.MetricStat?.Metric).toEqual({
      Namespace: 'mcp-lambda',
      MetricName: 'Requests',
      Dimensions: [{ Name: 'Server', Value: 'dog-facts' }],
    });
    expect(queries.find((q) => q.Id === 'throttles')?.MetricStat?.Metric?.Dimensions).toEqual([
      { Name: 'FunctionName', Value: 'mcp-fn' },
    ]);
    expect(queries.find((q) => q.Id === 'http5xx')?.MetricStat?.Metric?.Dimensions).toEqual([
      { Name: 'ApiName', Value: `${STACK}-api` },
      { Name: 'Stage', Value: 'prod' },
    ]);
    const query = cwl.commandCalls(StartQueryCommand)[0]?.args[0].input;
    expect(query?.logGroupName).toBe('/aws/lambda/mcp-fn');
    expect((query?.endTime ?? 0) - (query?.startTime ?? 0)).toBe(86_400);
  });

  it("figures the cost at the functions' memory from the stack's Memory output (512 MB for an older stack)", async () => {
    cw.on(GetMetricDataCommand).callsFake(metricAnswer(FULL, SPARK, [20_000, 30_000, 1234]));
    cloud.stacks.set(STACK, { ...cloud.stacks.get(STACK)!, outputs: { ...OUTPUTS, Memory: '2048' } });
    const result = await status(['--since', '24h', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const at2048 = (JSON.parse(result.stdout) as { health: { estimatedCostUsd: { monthToDate: number } } }).health;
    const text = await status(['--since', '24h']);
    expect(panel(text.stdout).find((line) => line.startsWith('  cost'))).toContain('API Gateway + Lambda at 2048 MB');
    cloud.stacks.set(STACK, { ...cloud.stacks.get(STACK)!, outputs: { ...OUTPUTS, Memory: 'lots' } });
    const unreadable = await status(['--since', '24h', '--json']);
    const at512 = (JSON.parse(unreadable.stdout) as { health: { estimatedCostUsd: { monthToDate: number } } }).health;
    expect(at2048.estimatedCostUsd.monthToDate).toBeGreaterThan(at512.estimatedCostUsd.monthToDate);
  });

  it('says so when a new stack has no data yet', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    cwl.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: [] });
    const result = await status([]);
    expect(panel(result.stdout)).toEqual([
      'Health, last 1h',
      '  No requests in the last 1h: a new stack, or nobody has called it yet.',
    ]);
  });

  it('names the missing permission and still shows the rest', async () => {
    const denied = (action: string) =>
      Object.assign(new Error(`User: arn:aws:iam::1:user/ann is not authorized to perform: ${action}`), {
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      });
    cw.on(GetMetricDataCommand).rejects(denied('cloudwatch:GetMetricData'));
    const noMetrics = await status([]);
    expect(noMetrics.code, noMetrics.stderr).toBe(0);
    expect(panel(noMetrics.stdout)).toEqual([
      'Health, last 1h',
      '  tool                 calls   errors        p95',
      '  getDogFacts            812        3     640 ms',
      '  getDogFactsSlowly        9        0  12,004 ms',
      '  metrics: not shown, cloudwatch:GetMetricData is not allowed for these credentials (AccessDeniedException); ask for it, or use a role that has it.',
    ]);

    cw.on(GetMetricDataCommand).callsFake(metricAnswer(FULL, SPARK, [1234]));
    cwl.on(StartQueryCommand).rejects(denied('logs:StartQuery'));
    const noTools = await status(['--json']);
    expect(noTools.code, noTools.stderr).toBe(0);
    const health = JSON.parse(noTools.stdout).health;
    expect(health.metrics).toMatchObject({ requests: 1234, p95Ms: 812.7, peakConcurrency: 3, monthRequests: 1234 });
    expect(health.metrics.spark).toHaveLength(SPARK_BUCKETS);
    expect(health.tools).toBeUndefined();
    expect(health.missing).toEqual([
      'per-tool table: not shown, logs:StartQuery and logs:GetQueryResults is not allowed for these credentials (AccessDeniedException); ask for it, or use a role that has it.',
    ]);
    expect(health.estimatedCostUsd.window).toBeGreaterThan(0);
  });

  it("needs --server with several servers, and reads that server's function and dimension", async () => {
    cfn.on(DescribeStackResourcesCommand).resolves({
      StackResources: [
        resource('ServerNotesFunctionAB12', 'AWS::Lambda::Function', 'notes-fn'),
        resource('ServerNotesLogsCD34', 'AWS::Logs::LogGroup', '/aws/lambda/notes-fn'),
        resource('ServerMailFunctionEF56', 'AWS::Lambda::Function', 'mail-fn'),
        resource('ServerMailLogs7890', 'AWS::Logs::LogGroup', '/aws/lambda/mail-fn'),
      ],
    });
    cw.on(GetMetricDataCommand).callsFake(metricAnswer(FULL, SPARK, [1]));
    const without = await status([]);
    expect(without.code).toBe(2);
    expect(without.stderr).toContain("mcp-lambda-dog-facts serves several servers; status shows one's health at a time.");
    const mail = await status(['--server', 'mail']);
    expect(mail.code, mail.stderr).toBe(0);
    const queries = cw.commandCalls(GetMetricDataCommand)[0]?.args[0].input.MetricDataQueries ?? [];
    expect(queries.find((q) => q.Id === 'requests')?.MetricStat?.Metric?.Dimensions).toEqual([{ Name: 'Server', Value: 'mail' }]);
    expect(queries.find((q) => q.Id === 'concurrency')?.MetricStat?.Metric?.Dimensions).toEqual([
      { Name: 'FunctionName', Value: 'mail-fn' },
    ]);
    expect(cwl.commandCalls(StartQueryCommand)[0]?.args[0].input.logGroupName).toBe('/aws/lambda/mail-fn');
  });

  it('refuses a window it does not know', async () => {
    const result = await status(['--since', '3d']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--since "3d" is not a window status knows.');
    expect(() => parseWindow('1 h')).toThrow();
  });
});

describe('status: the alarms (deploy --alarms)', () => {
  const NAMES = [`${STACK}-errors`, `${STACK}-throttles`, `${STACK}-api-5xx`, `${STACK}-latency-p95`];
  const withAlarms = () =>
    cloud.stacks.set(STACK, {
      stackName: STACK,
      status: 'UPDATE_COMPLETE',
      outputs: { ...OUTPUTS, Alarms: '{"email":"ops@example.com","latencyMs":5000}', AlarmNames: NAMES.join(',') },
    });
  const denied = Object.assign(
    new Error('User: arn:aws:iam::1:user/ann is not authorized to perform: cloudwatch:DescribeAlarms'),
    {
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
    },
  );

  it("shows each alarm's state in the panel (golden) and in --json, from one DescribeAlarms call", async () => {
    withAlarms();
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    cwl.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: [] });
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        { AlarmName: NAMES[2], StateValue: 'ALARM', StateUpdatedTimestamp: new Date('2026-12-05T07:41:09Z') },
        { AlarmName: NAMES[0], StateValue: 'OK', StateUpdatedTimestamp: new Date('2026-12-04T22:00:00Z') },
        { AlarmName: NAMES[3], StateValue: 'INSUFFICIENT_DATA' },
      ],
    });
    const result = await status([]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      '  Alarms: mailed to ops@example.com, p95 latency over 5000 ms (their states below; mcp-lambda deploy --no-alarms removes them)',
    );
    expect(panel(result.stdout)).toEqual([
      'Health, last 1h',
      '  No requests in the last 1h: a new stack, or nobody has called it yet.',
      '',
      '  alarms',
      '    OK                 mcp-lambda-dog-facts-errors       since 2026-12-04 22:00 UTC',
      '    NOT_FOUND          mcp-lambda-dog-facts-throttles    not in CloudWatch: deploy again to restore it',
      '    ALARM              mcp-lambda-dog-facts-api-5xx      since 2026-12-05 07:41 UTC',
      '    INSUFFICIENT_DATA  mcp-lambda-dog-facts-latency-p95',
    ]);
    const calls = cw.commandCalls(DescribeAlarmsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input.AlarmNames).toEqual(NAMES);

    const json = JSON.parse((await status(['--json'])).stdout);
    expect(json.health.alarms).toEqual([
      { name: NAMES[0], state: 'OK', since: '2026-12-04T22:00:00.000Z' },
      { name: NAMES[1], state: 'NOT_FOUND' },
      { name: NAMES[2], state: 'ALARM', since: '2026-12-05T07:41:09.000Z' },
      { name: NAMES[3], state: 'INSUFFICIENT_DATA' },
    ]);
  });

  it('names cloudwatch:DescribeAlarms when it is denied, and still shows the rest', async () => {
    withAlarms();
    cw.on(GetMetricDataCommand).callsFake(metricAnswer(FULL, SPARK, [1234]));
    cw.on(DescribeAlarmsCommand).rejects(denied);
    const result = await status([]);
    expect(result.code, result.stderr).toBe(0);
    const lines = panel(result.stdout);
    expect(lines).toContain('  latency       p50 143.2 ms, p95 812.7 ms');
    expect(lines).toContain('  getDogFacts            812        3     640 ms');
    expect(lines.at(-1)).toBe(
      '  alarms: not shown, cloudwatch:DescribeAlarms is not allowed for these credentials (AccessDenied); ask for it, or use a role that has it.',
    );
    const json = JSON.parse((await status(['--json'])).stdout);
    expect(json.health.alarms).toBeUndefined();
    expect(json.health.metrics.requests).toBe(1234);
    expect(json.health.missing).toEqual([expect.stringContaining('cloudwatch:DescribeAlarms is not allowed')]);
  });

  it("reads the alarms even when the stack's resources cannot be listed", async () => {
    withAlarms();
    cfn.on(DescribeStackResourcesCommand).rejects(
      Object.assign(new Error('not authorized to perform: cloudformation:DescribeStackResources'), {
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: NAMES.map((AlarmName) => ({ AlarmName, StateValue: 'OK' })) });
    const json = JSON.parse((await status(['--json'])).stdout);
    expect(json.health.alarms.map((alarm: { state: string }) => alarm.state)).toEqual(['OK', 'OK', 'OK', 'OK']);
    expect(json.health.missing).toEqual([expect.stringContaining('cloudformation:DescribeStackResources')]);
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(0);
  });

  it('asks nothing about alarms of a stack without them', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const json = JSON.parse((await status(['--json'])).stdout);
    expect(json.health.alarms).toBeUndefined();
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(0);
  });
});

describe('status --watch', () => {
  it('draws the panel again every minute, clearing the terminal first, and stops cleanly on Ctrl-C', async () => {
    // Only the watch's own timers are faked: the mocked AWS calls resolve without any.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      cw.on(GetMetricDataCommand).callsFake(metricAnswer(FULL, SPARK, [1234]));
      cwl.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: TOOL_ROWS });
      const cli = startCli(
        ['status', '--watch', '--region', 'eu-west-1'],
        { HOME: mkdtempSync(join(tmpdir(), 'mcp-lambda-home-')) },
        { deployEngine: cloud.factory(), interactive: true },
      );
      const panels = () => cli.output().stdout.split('Health, last 1h').length - 1;
      const settle = async (count: number) => {
        for (let turn = 0; turn < 1000 && panels() < count; turn++) await new Promise((resolve) => setImmediate(resolve));
        // And the rest of that round, down to what is stored locally.
        for (let turn = 0; turn < 50; turn++) await new Promise((resolve) => setImmediate(resolve));
      };
      await settle(1);
      expect(panels()).toBe(1);
      await vi.advanceTimersByTimeAsync(59_000);
      await settle(2);
      expect(panels()).toBe(1);
      await vi.advanceTimersByTimeAsync(1_000);
      await settle(2);
      expect(panels()).toBe(2);
      expect(cli.output().stdout).toContain('\u001b[2J\u001b[H');
      expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(2);
      cli.interrupt();
      const code = await cli.exit;
      await vi.advanceTimersByTimeAsync(120_000);
      expect(panels()).toBe(2);
      expect(code, cli.output().stderr).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('its parts', () => {
  it('lines the windows up on whole minutes, back to the month start', () => {
    const range = metricRange(new Date('2026-11-25T10:00:30.500Z'), '24h');
    expect(range.end.toISOString()).toBe('2026-11-25T10:00:00.000Z');
    expect(range.windowStart.toISOString()).toBe('2026-11-24T10:00:00.000Z');
    expect(range.start.getTime()).toBeLessThanOrEqual(range.monthStart.getTime());
    expect((range.end.getTime() - range.start.getTime()) % 86_400_000).toBe(0);
  });

  it('draws a sparkline scaled to the busiest bucket, and a flat one for none', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe('▁▂▃▅█');
    expect(sparkline([0, 0])).toBe('▁▁');
  });

  it('leaves out Logs Insights rows without a tool or a count', () => {
    expect(
      readTools([
        [{ field: 'calls', value: '3' }],
        [
          { field: 'tool', value: 't' },
          { field: 'calls', value: 'x' },
        ],
        [],
      ]),
    ).toEqual([]);
    expect(
      readTools([
        [
          { field: 'tool', value: 't' },
          { field: 'calls', value: '3' },
        ],
      ]),
    ).toEqual([{ tool: 't', calls: 3, errors: 0 }]);
  });
});
