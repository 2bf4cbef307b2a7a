/**
 * `--alarms <email>`, `--latency-alarm-ms <ms>` and `--no-alarms`: CloudWatch alarms mailed through SNS.
 * The address and the threshold are checked as they are parsed (exit 2 before anything is built). Loaded
 * for `--help`: no aws-cdk-lib here.
 *
 * The rule a later deploy follows: without these flags it keeps the alarms the stack has (its `Alarms`
 * output); `--alarms` names the address again (a new one gets a new confirmation mail),
 * `--latency-alarm-ms` alone changes the threshold of alarms the stack has, `--no-alarms` removes them.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  type AlarmSettings,
  DEFAULT_LATENCY_ALARM_MS,
  emailProblem,
  MAX_LATENCY_ALARM_MS,
  MIN_LATENCY_ALARM_MS,
} from '../../stack/alarm-settings.js';
import { PRICES, PRICES_AS_OF } from '../deploy/cost.js';
import { UsageError } from '../terminal/errors.js';
import { wholeNumber } from './stack-options.js';

/** What commander hands the action. */
export interface AlarmCliOptions {
  /** The address the alarms mail; false: --no-alarms. */
  readonly alarms?: string | false;
  readonly latencyAlarmMs?: number;
}

function email(value: string): string {
  const trimmed = value.trim();
  const problem = emailProblem(trimmed);
  if (problem !== undefined) throw new InvalidArgumentError(`expected an email address (${problem}), got "${value}".`);
  return trimmed;
}

/** Adds the alarm flags to a stack command. */
export function addAlarmOptions(command: Command): Command {
  return command
    .option(
      '--alarms <email>',
      `CloudWatch alarms (errors, throttles, API 5XX, p95 latency) mailed to this address via SNS, about $${PRICES.alarmPerMonth.toFixed(2)} per alarm a month (us-east-1, ${PRICES_AS_OF}; 4 for one server) (default: none; kept by later deploys)`,
      email,
    )
    .addOption(
      new Option(
        '--latency-alarm-ms <ms>',
        `the p95 latency that sets off the latency alarm, ${MIN_LATENCY_ALARM_MS}-${MAX_LATENCY_ALARM_MS} (default: ${DEFAULT_LATENCY_ALARM_MS})`,
      ).argParser(wholeNumber('milliseconds', MIN_LATENCY_ALARM_MS, MAX_LATENCY_ALARM_MS)),
    )
    .option('--no-alarms', 'remove the alarms and their topic from a stack deployed with --alarms');
}

/** The alarms the flags ask for (undefined: they say nothing, or --no-alarms), after checking they go together. */
export function alarmsFromFlags(options: AlarmCliOptions): AlarmSettings | undefined {
  if (options.alarms === false) {
    if (options.latencyAlarmMs !== undefined) {
      throw new UsageError('--no-alarms removes the alarms; --latency-alarm-ms is for --alarms.', 'Drop one or the other.');
    }
    return undefined;
  }
  if (options.alarms === undefined) return undefined;
  return { email: options.alarms, ...(options.latencyAlarmMs !== undefined && { latencyMs: options.latencyAlarmMs }) };
}
