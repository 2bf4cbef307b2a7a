/**
 * Not a link of the chain but a finding about a deployed stack: whether anyone is told when the server
 * fails (alarms, `deploy --alarms`) or anything caps it (reserved concurrency, the only hard cap on a
 * function). A stack with neither is a warning, never a failure: it works, and nobody would know if it did not.
 */
import { readAlarmsOutput } from '../../stack/alarm-settings.js';
import { type CheckResult, result } from './report.js';

/** The finding for a stack with these outputs; `command` builds a fix with the flags that select it. */
export function checkGuardRails(outputs: Readonly<Record<string, string>>, command: (sub: string) => string): CheckResult {
  const alarms = readAlarmsOutput(outputs.Alarms);
  const reserved = /^\d+$/.test(outputs.ReservedConcurrency ?? '') ? outputs.ReservedConcurrency : undefined;
  if (alarms === undefined && reserved === undefined) {
    return result(
      'guard-rails',
      'warn',
      "neither alarms nor reserved concurrency: nobody is told when the server fails or is throttled, and only the stage's rate limit bounds how many functions run (and the bill).",
      `${command('deploy --alarms you@example.com')} (about $0.10 per alarm a month), or cap it with --reserved-concurrency <n>`,
    );
  }
  return result(
    'guard-rails',
    'ok',
    [
      alarms && `alarms mail ${alarms.email} (p95 latency over ${alarms.latencyMs} ms)`,
      reserved && `reserved concurrency ${reserved} per function`,
    ]
      .filter(Boolean)
      .join('; '),
  );
}
