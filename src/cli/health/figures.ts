/**
 * The figures `status` shows for a deployed server over a window (1h, 24h or 7d): one GetMetricData call
 * for the numbers (the function's own `mcp-lambda` metrics from its request lines, Lambda's throttles and
 * peak concurrency, API Gateway's 4xx/5xx) and one Logs Insights query over the request lines for the
 * per-tool table. Either may be denied: the figures then say which permission is missing, and the rest
 * is still shown.
 */
import type { CloudWatchClient, MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { METRICS_NAMESPACE } from '../../lambda/services/metrics.js';
import type { AlarmState } from './alarms.js';
import { UsageError } from '../terminal/errors.js';

/** The windows `--since` takes, in seconds. */
export const WINDOWS = { '1h': 3600, '24h': 86_400, '7d': 604_800 } as const;
export type Window = keyof typeof WINDOWS;

/** Buckets in the requests sparkline. */
export const SPARK_BUCKETS = 20;

export function parseWindow(value: string | undefined): Window {
  const window = (value ?? '1h').trim();
  if (!Object.hasOwn(WINDOWS, window)) {
    throw new UsageError(`--since ${JSON.stringify(value)} is not a window status knows.`, 'Use --since 1h, 24h or 7d.');
  }
  return window as Window;
}

/** What the figures are about: the server's names in its metrics and its resources. */
export interface HealthTarget {
  /** The `Server` dimension (the deployment's name, or the server's with several). */
  readonly server: string;
  readonly functionName?: string;
  readonly logGroup?: string;
  /** The REST API's name and stage (API Gateway's metric dimensions). */
  readonly apiName?: string;
  readonly stage?: string;
}

export interface ToolRow {
  readonly tool: string;
  readonly calls: number;
  readonly errors: number;
  readonly p95Ms?: number;
}

export interface MetricFigures {
  readonly requests: number;
  readonly errors: number;
  readonly toolErrors: number;
  readonly coldStarts: number;
  readonly p50Ms?: number;
  readonly p95Ms?: number;
  readonly averageMs?: number;
  /** API Gateway's answers (the authorizer's 401s included), when the API's metrics were found. */
  readonly http4xx?: number;
  readonly http5xx?: number;
  readonly throttles?: number;
  readonly peakConcurrency?: number;
  /** Requests in each of {@link SPARK_BUCKETS} equal parts of the window, oldest first. */
  readonly spark: readonly number[];
  readonly monthRequests: number;
}

export interface HealthFigures {
  readonly window: Window;
  readonly metrics?: MetricFigures;
  readonly tools?: readonly ToolRow[];
  /** The stack's alarms and their states (`deploy --alarms`), when it has some. */
  readonly alarms?: readonly AlarmState[];
  /** Why a part is missing: the permission it needs, or the service's answer. */
  readonly missing: readonly string[];
}

const sum = (values: readonly number[] | undefined) => (values ?? []).reduce((total, value) => total + value, 0);

/**
 * The queries of the one GetMetricData call. The call starts at the month's first bucket (for the month's
 * requests) and ends on a minute: each window figure is then the last bucket of a period as long as the
 * window, so the windows line up exactly.
 */
export function metricQueries(target: HealthTarget, window: Window): MetricDataQuery[] {
  const period: number = WINDOWS[window];
  const ours = (id: string, name: string, stat: string, p = period): MetricDataQuery => ({
    Id: id,
    MetricStat: {
      Metric: { Namespace: METRICS_NAMESPACE, MetricName: name, Dimensions: [{ Name: 'Server', Value: target.server }] },
      Period: p,
      Stat: stat,
    },
  });
  const queries = [
    ours('requests', 'Requests', 'Sum'),
    ours('errors', 'Errors', 'Sum'),
    ours('toolErrors', 'ToolErrors', 'Sum'),
    ours('coldStarts', 'ColdStart', 'Sum'),
    ours('p50', 'Latency', 'p50'),
    ours('p95', 'Latency', 'p95'),
    ours('average', 'Latency', 'Average'),
    ours('spark', 'Requests', 'Sum', period / SPARK_BUCKETS),
    ours('month', 'Requests', 'Sum', 3600),
  ];
  if (target.functionName !== undefined) {
    const lambda = (id: string, name: string, stat: string): MetricDataQuery => ({
      Id: id,
      MetricStat: {
        Metric: { Namespace: 'AWS/Lambda', MetricName: name, Dimensions: [{ Name: 'FunctionName', Value: target.functionName }] },
        Period: period,
        Stat: stat,
      },
    });
    queries.push(lambda('throttles', 'Throttles', 'Sum'), lambda('concurrency', 'ConcurrentExecutions', 'Maximum'));
  }
  if (target.apiName !== undefined && target.stage !== undefined) {
    const api = (id: string, name: string): MetricDataQuery => ({
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/ApiGateway',
          MetricName: name,
          Dimensions: [
            { Name: 'ApiName', Value: target.apiName },
            { Name: 'Stage', Value: target.stage },
          ],
        },
        Period: period,
        Stat: 'Sum',
      },
    });
    queries.push(api('http4xx', '4XXError'), api('http5xx', '5XXError'));
  }
  return queries;
}

/** The call's time range: ends on the minute, starts a whole number of windows back, at or before the month's start. */
export function metricRange(now: Date, window: Window): { start: Date; end: Date; windowStart: Date; monthStart: Date } {
  const period = WINDOWS[window] * 1000;
  const end = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const windows = Math.max(1, Math.ceil((end.getTime() - monthStart.getTime()) / period));
  return { start: new Date(end.getTime() - windows * period), end, windowStart: new Date(end.getTime() - period), monthStart };
}

/** Reads the call's results (every page's, merged by id) into the figures. */
export function readMetrics(
  results: readonly MetricDataResult[],
  range: ReturnType<typeof metricRange>,
  window: Window,
): MetricFigures {
  const series = new Map<string, Array<{ time: number; value: number }>>();
  for (const result of results) {
    const points = series.get(result.Id ?? '') ?? [];
    (result.Timestamps ?? []).forEach((time, index) => {
      const value = result.Values?.[index];
      if (typeof value === 'number' && Number.isFinite(value)) points.push({ time: new Date(time).getTime(), value });
    });
    series.set(result.Id ?? '', points);
  }
  const windowStart = range.windowStart.getTime();
  /** The window's bucket: the datapoint stamped at the window's start. */
  const inWindow = (id: string) => series.get(id)?.find((point) => point.time >= windowStart)?.value;
  const counted = (id: string) => Math.round(inWindow(id) ?? 0);
  const bucket = (WINDOWS[window] * 1000) / SPARK_BUCKETS;
  const spark = Array.from({ length: SPARK_BUCKETS }, () => 0);
  for (const point of series.get('spark') ?? []) {
    const index = Math.floor((point.time - windowStart) / bucket);
    if (index >= 0 && index < SPARK_BUCKETS) spark[index] = (spark[index] ?? 0) + point.value;
  }
  const optional = (id: string, key: keyof MetricFigures) => {
    const value = inWindow(id);
    return value === undefined ? {} : { [key]: key.endsWith('Ms') ? Math.round(value * 10) / 10 : Math.round(value) };
  };
  const lambdaKnown = series.has('throttles');
  const apiKnown = series.has('http4xx');
  return {
    requests: counted('requests'),
    errors: counted('errors'),
    toolErrors: counted('toolErrors'),
    coldStarts: counted('coldStarts'),
    ...optional('p50', 'p50Ms'),
    ...optional('p95', 'p95Ms'),
    ...optional('average', 'averageMs'),
    ...(apiKnown && { http4xx: counted('http4xx'), http5xx: counted('http5xx') }),
    ...(lambdaKnown && { throttles: counted('throttles'), peakConcurrency: counted('concurrency') }),
    spark,
    monthRequests: Math.round(
      sum(
        series
          .get('month')
          ?.filter((point) => point.time >= range.monthStart.getTime())
          .map((p) => p.value),
      ),
    ),
  };
}

/** Runs the one GetMetricData call (every page of it). */
export async function fetchMetrics(
  client: CloudWatchClient,
  target: HealthTarget,
  window: Window,
  now: Date,
): Promise<MetricFigures> {
  const { GetMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
  const range = metricRange(now, window);
  const results: MetricDataResult[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new GetMetricDataCommand({
        MetricDataQueries: metricQueries(target, window),
        StartTime: range.start,
        EndTime: range.end,
        ScanBy: 'TimestampAscending',
        ...(nextToken !== undefined && { NextToken: nextToken }),
      }),
    );
    results.push(...(page.MetricDataResults ?? []));
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return readMetrics(results, range, window);
}

/** The per-tool query over the request lines (`Errors` counts JSON-RPC and HTTP errors, `ToolErrors` isError results). */
export const TOOLS_QUERY = [
  'filter msg = "request" and ispresent(tool)',
  'stats count(*) as calls, sum(Errors) as errors, sum(ToolErrors) as toolErrors, pct(durationMs, 95) as p95 by tool',
  'sort calls desc',
  'limit 20',
].join(' | ');

/** Runs the Logs Insights query and waits for it (a query over a week of a quiet server takes seconds). */
export async function fetchTools(
  client: CloudWatchLogsClient,
  logGroup: string,
  window: Window,
  now: Date,
  options: { readonly pollMs?: number; readonly signal?: AbortSignal } = {},
): Promise<ToolRow[]> {
  const { StartQueryCommand, GetQueryResultsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  const end = Math.floor(now.getTime() / 1000);
  const { queryId } = await client.send(
    new StartQueryCommand({ logGroupName: logGroup, startTime: end - WINDOWS[window], endTime: end, queryString: TOOLS_QUERY }),
  );
  for (;;) {
    const answer = await client.send(new GetQueryResultsCommand({ queryId }));
    if (answer.status === 'Complete') return readTools(answer.results ?? []);
    if (answer.status !== 'Running' && answer.status !== 'Scheduled') {
      throw new Error(`the Logs Insights query ended ${answer.status ?? 'without a status'}`);
    }
    if (options.signal?.aborted) throw new Error('the Logs Insights query was interrupted');
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}

/** Rows of `[{ field, value }]` into tool rows; rows without a tool or a count are left out. */
export function readTools(rows: ReadonlyArray<ReadonlyArray<{ field?: string; value?: string }>>): ToolRow[] {
  return rows.flatMap((row) => {
    const field = (name: string) => row.find((cell) => cell.field === name)?.value;
    const tool = field('tool');
    const calls = Number(field('calls'));
    if (!tool || !Number.isFinite(calls)) return [];
    const errors = (Number(field('errors')) || 0) + (Number(field('toolErrors')) || 0);
    const p95 = Number(field('p95'));
    return [{ tool, calls, errors, ...(field('p95') !== undefined && Number.isFinite(p95) && { p95Ms: Math.round(p95) }) }];
  });
}
