/**
 * The state of a deployed stack's alarms (`deploy --alarms`), for `status`: the names come from the stack's
 * `AlarmNames` output, the states from one DescribeAlarms call (cloudwatch:DescribeAlarms). An alarm the
 * output names and CloudWatch does not know (deleted by hand) is said to be missing.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';

/** CloudWatch's states, and ours for an alarm that is not there. */
export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | 'NOT_FOUND';

export interface AlarmState {
  readonly name: string;
  readonly state: AlarmStateValue;
  /** When it entered that state (ISO 8601). */
  readonly since?: string;
}

/** The alarm names a stack lists (`AlarmNames`); undefined when it has no alarms. */
export function alarmNamesOf(outputs: Readonly<Record<string, string>>): string[] | undefined {
  const names = outputs.AlarmNames?.split(',').filter((name) => name !== '');
  return names === undefined || names.length === 0 ? undefined : names;
}

const STATES = new Set<string>(['OK', 'ALARM', 'INSUFFICIENT_DATA']);

/** Each named alarm's state, in the order given (DescribeAlarms takes up to 100 names a call). */
export async function fetchAlarms(client: CloudWatchClient, names: readonly string[]): Promise<AlarmState[]> {
  const { DescribeAlarmsCommand } = await import('@aws-sdk/client-cloudwatch');
  const found = new Map<string, AlarmState>();
  for (let start = 0; start < names.length; start += 100) {
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new DescribeAlarmsCommand({
          AlarmNames: names.slice(start, start + 100),
          AlarmTypes: ['MetricAlarm'],
          ...(nextToken !== undefined && { NextToken: nextToken }),
        }),
      );
      for (const alarm of page.MetricAlarms ?? []) {
        if (alarm.AlarmName === undefined) continue;
        const state = STATES.has(alarm.StateValue ?? '') ? (alarm.StateValue as AlarmStateValue) : 'INSUFFICIENT_DATA';
        const since = alarm.StateUpdatedTimestamp;
        found.set(alarm.AlarmName, {
          name: alarm.AlarmName,
          state,
          ...(since !== undefined && { since: new Date(since).toISOString() }),
        });
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
  }
  return names.map((name) => found.get(name) ?? { name, state: 'NOT_FOUND' });
}
