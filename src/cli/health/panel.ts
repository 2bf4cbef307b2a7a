/**
 * The health panel `status` prints: requests with a sparkline, error rate, latency, cold starts,
 * throttles, peak concurrency, an estimated cost, and the per-tool table. Plain text of a fixed width
 * (colour only through the given style), so a test can compare it line by line.
 */
import { estimateCost, PRICES_AS_OF } from '../deploy/cost.js';
import type { Style } from '../terminal/output.js';
import type { AlarmState } from './alarms.js';
import type { HealthFigures, MetricFigures } from './figures.js';

const BARS = '▁▂▃▄▅▆▇█';

/** One character per bucket: the lowest bar for none, the others scaled to the busiest bucket. */
export function sparkline(values: readonly number[]): string {
  const most = Math.max(0, ...values);
  return values.map((value) => (value <= 0 || most === 0 ? BARS[0] : BARS[Math.max(1, Math.ceil((value / most) * 7))])).join('');
}

const count = (value: number) => value.toLocaleString('en-US');
const ms = (value: number | undefined) => (value === undefined ? '-' : `${count(value)} ms`);
const percent = (part: number, whole: number) => (whole === 0 ? '0%' : `${((100 * part) / whole).toFixed(1)}%`);
const dollars = (value: number) => (value < 0.01 && value > 0 ? '< $0.01' : `$${value.toFixed(2)}`);

/** The memory the cost is figured at when the stack does not say its own (the stack's default). */
export const COST_MEMORY_MB = 512;

/** The functions' memory as the stack's `Memory` output says it (stacks deployed before it: undefined). */
export function memoryOf(outputs: Readonly<Record<string, string>>): number | undefined {
  const memory = Number(outputs.Memory);
  return Number.isInteger(memory) && memory >= 128 && memory <= 10_240 ? memory : undefined;
}

export interface HealthCost {
  readonly window: number;
  readonly monthToDate: number;
}

/** API Gateway + Lambda requests and compute at the window's average duration (list prices of PRICES_AS_OF). */
export function healthCost(metrics: MetricFigures, memoryMb = COST_MEMORY_MB): HealthCost {
  const perRequest = estimateCost(memoryMb, metrics.averageMs ?? 0).perMillionRequests / 1_000_000;
  return { window: metrics.requests * perRequest, monthToDate: metrics.monthRequests * perRequest };
}

function metricLines(metrics: MetricFigures, style: Style, memoryMb = COST_MEMORY_MB): string[] {
  const failed = metrics.errors + metrics.toolErrors;
  const rate = percent(failed, metrics.requests);
  const api =
    metrics.http4xx === undefined ? '' : `; at the API: 4xx ${count(metrics.http4xx)}, 5xx ${count(metrics.http5xx ?? 0)}`;
  const cost = healthCost(metrics, memoryMb);
  return [
    `  requests      ${count(metrics.requests).padEnd(10)}${sparkline(metrics.spark)}`,
    `  errors        ${failed > 0 ? style.red(rate.padEnd(10)) : rate.padEnd(10)}` +
      `${count(metrics.errors)} failed, ${count(metrics.toolErrors)} tool errors${api}`,
    `  latency       p50 ${ms(metrics.p50Ms)}, p95 ${ms(metrics.p95Ms)}`,
    `  cold starts   ${count(metrics.coldStarts)}` +
      (metrics.throttles === undefined
        ? ''
        : `   throttles ${metrics.throttles > 0 ? style.red(count(metrics.throttles)) : '0'}   peak concurrency ${count(metrics.peakConcurrency ?? 0)}`),
    `  cost          ${dollars(cost.window)} in this window, ${dollars(cost.monthToDate)} this month so far` +
      ` (API Gateway + Lambda at ${memoryMb} MB, us-east-1 list prices of ${PRICES_AS_OF})`,
  ];
}

/** Each alarm's state, padded to the longest (INSUFFICIENT_DATA), and since when. */
function alarmLines(alarms: readonly AlarmState[], style: Style): string[] {
  const colour = { OK: style.green, ALARM: style.red, INSUFFICIENT_DATA: style.dim, NOT_FOUND: style.yellow };
  const width = Math.max(...alarms.map((alarm) => alarm.name.length));
  return [
    '  alarms',
    ...alarms.map((alarm) => {
      const state = colour[alarm.state](alarm.state.padEnd(17));
      const since =
        alarm.state === 'NOT_FOUND'
          ? 'not in CloudWatch: deploy again to restore it'
          : alarm.since && `since ${alarm.since.slice(0, 16).replace('T', ' ')} UTC`;
      return `    ${state}  ${since ? `${alarm.name.padEnd(width)}  ${since}` : alarm.name}`;
    }),
  ];
}

/** The panel's lines. */
export function renderHealth(figures: HealthFigures, style: Style, memoryMb?: number): string[] {
  const lines = [style.bold(`Health, last ${figures.window}`)];
  const { metrics, tools } = figures;
  const quiet = (metrics === undefined || metrics.requests === 0) && (tools === undefined || tools.length === 0);
  if (quiet && (metrics !== undefined || tools !== undefined)) {
    lines.push(`  No requests in the last ${figures.window}: a new stack, or nobody has called it yet.`);
  } else {
    if (metrics) lines.push(...metricLines(metrics, style, memoryMb));
    if (tools && tools.length > 0) {
      const width = Math.max(4, ...tools.map((row) => row.tool.length));
      if (metrics) lines.push('');
      lines.push(`  ${'tool'.padEnd(width)}  ${'calls'.padStart(7)}  ${'errors'.padStart(7)}  ${'p95'.padStart(9)}`);
      for (const row of tools) {
        const errors = count(row.errors).padStart(7);
        lines.push(
          `  ${row.tool.padEnd(width)}  ${count(row.calls).padStart(7)}  ${row.errors > 0 ? style.red(errors) : errors}  ${ms(row.p95Ms).padStart(9)}`,
        );
      }
    }
  }
  if (figures.alarms && figures.alarms.length > 0) lines.push('', ...alarmLines(figures.alarms, style));
  for (const note of figures.missing) lines.push(`  ${style.yellow(note)}`);
  return lines;
}
