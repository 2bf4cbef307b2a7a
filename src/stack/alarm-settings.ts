/**
 * Alarms on a deployment (`deploy --alarms <email> [--latency-alarm-ms <n>]`): who is told, the latency
 * threshold, the checks that refuse a bad value before anything is built, the alarms' names, and the
 * `Alarms` output a deployed stack keeps them in. No aws-cdk-lib import: the CLI reads the output (deploy,
 * status, doctor) without loading the CDK. The alarms themselves are ./alarms.ts.
 */
import { invalid } from './names.js';

/** Who the alarms tell, and when latency counts as slow. */
export interface AlarmSettings {
  /** The address SNS mails (it must accept the subscription's confirmation mail first). */
  readonly email: string;
  /** API Gateway's p95 latency, in ms, above which the latency alarm fires. @default 5000 */
  readonly latencyMs?: number;
}

/** What {@link McpServerStackOptions} and {@link ResolvedStackOptions} take for alarms. */
export interface AlarmOptions {
  /**
   * An SNS topic mailing this address, and CloudWatch alarms on each MCP function's Errors and Throttles,
   * the API's 5XXError and its p95 latency: four with one server (two more per further server), about
   * $0.10 each a month. @default none
   */
  readonly alarms?: AlarmSettings;
}

/** What {@link ResolvedStackOptions} holds for alarms: checked, the threshold filled in. */
export interface ResolvedAlarmOptions {
  readonly alarms?: Required<AlarmSettings>;
}

export const DEFAULT_LATENCY_ALARM_MS = 5000;
export const MIN_LATENCY_ALARM_MS = 100;
/** The longest a request may take (a 900 s timeout). */
export const MAX_LATENCY_ALARM_MS = 900_000;

/** A mailbox SNS can mail: no spaces, one `@`, a domain of two or more labels ending in letters. */
const EMAIL = /^[^\s@]{1,64}@(?=.{4,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/** Why an address is not one SNS can mail, or undefined when it is. */
export function emailProblem(value: string): string | undefined {
  return EMAIL.test(value) ? undefined : 'use an email address such as ops@example.com';
}

/** Why a latency threshold is not usable, or undefined when it is. */
export function latencyProblem(value: number): string | undefined {
  return Number.isInteger(value) && value >= MIN_LATENCY_ALARM_MS && value <= MAX_LATENCY_ALARM_MS
    ? undefined
    : `use a whole number of milliseconds from ${MIN_LATENCY_ALARM_MS} to ${MAX_LATENCY_ALARM_MS}`;
}

/** Checks the address and the threshold; fills in the default threshold. */
export function checkAlarmSettings(settings: AlarmSettings): Required<AlarmSettings> {
  const email = settings.email.trim();
  const bad = emailProblem(email);
  if (bad !== undefined) invalid('alarm email', settings.email, `${bad}.`);
  const latencyMs = settings.latencyMs ?? DEFAULT_LATENCY_ALARM_MS;
  const slow = latencyProblem(latencyMs);
  if (slow !== undefined) invalid('latency alarm', latencyMs, `${slow}.`);
  return { email, latencyMs };
}

/**
 * The alarms' names: the stack's name first, so two deployments' alarms never collide and each is found
 * by its stack. Per function (one per server) errors and throttles; the API's 5XX and p95 latency once.
 */
export function alarmNames(stackName: string, servers: readonly string[] | undefined): string[] {
  const functions = servers === undefined ? [stackName] : servers.map((server) => `${stackName}-${server}`);
  return [
    ...functions.flatMap((prefix) => [`${prefix}-errors`, `${prefix}-throttles`]),
    `${stackName}-api-5xx`,
    `${stackName}-latency-p95`,
  ];
}

/** The `Alarms` output's value: what a later deploy keeps. */
export function alarmsOutputValue(settings: Required<AlarmSettings>): string {
  return JSON.stringify({ email: settings.email, latencyMs: settings.latencyMs });
}

/** Reads an `Alarms` output back; undefined when it is absent, or not what {@link alarmsOutputValue} writes. */
export function readAlarmsOutput(value: string | undefined): Required<AlarmSettings> | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    const parsed = JSON.parse(value) as { email?: unknown; latencyMs?: unknown };
    if (typeof parsed.email !== 'string' || emailProblem(parsed.email) !== undefined) return undefined;
    if (typeof parsed.latencyMs !== 'number' || latencyProblem(parsed.latencyMs) !== undefined) return undefined;
    return { email: parsed.email, latencyMs: parsed.latencyMs };
  } catch {
    return undefined;
  }
}
