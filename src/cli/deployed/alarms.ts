/**
 * The alarms a deployed stack has (its `Alarms` output), and the rule a later deploy follows: without
 * `--alarms` it keeps them (`--latency-alarm-ms` alone changes their threshold), `--alarms <email>` sets
 * them (a new address gets AWS's confirmation mail again), `--no-alarms` removes them and their topic.
 */
import { type AlarmSettings, DEFAULT_LATENCY_ALARM_MS, readAlarmsOutput } from '../../stack/alarm-settings.js';
import type { CommandContext } from '../context.js';
import type { StackDescription } from '../deploy/engine.js';
import type { AlarmCliOptions } from '../options/alarm-options.js';
import { UsageError, UserError } from '../terminal/errors.js';

/** The deployed stack's alarms; undefined when it has none. An `Alarms` output that cannot be read is an error. */
export function deployedAlarmsOf(outputs: Readonly<Record<string, string>> | undefined): Required<AlarmSettings> | undefined {
  const raw = outputs?.Alarms;
  if (raw === undefined) return undefined;
  const alarms = readAlarmsOutput(raw);
  if (alarms === undefined) {
    throw new UserError(`The stack's Alarms output is not one mcp-lambda wrote: ${JSON.stringify(raw)}.`, {
      hint: 'Name the address again (mcp-lambda deploy --alarms you@example.com), or remove the alarms with --no-alarms.',
    });
  }
  return alarms;
}

/** The alarms of this deploy: the flags', else the deployed stack's (said), or none (`--no-alarms`, said). */
export function chooseAlarms(
  ctx: Pick<CommandContext, 'out' | 'global'>,
  flags: AlarmCliOptions,
  fromFlags: AlarmSettings | undefined,
  existing: StackDescription | undefined,
): AlarmSettings | undefined {
  const { out, global } = ctx;
  const say = (line: string) => {
    if (!global.json) out.info(line);
  };
  if (flags.alarms === false) {
    if (existing?.outputs.Alarms !== undefined) say('Alarms: removed, with their topic and its subscription (--no-alarms).');
    return undefined;
  }
  // Flags that name the address again need nothing from an output that cannot be read (its hint says to give them).
  const deployed = fromFlags !== undefined ? readAlarmsOutput(existing?.outputs.Alarms) : deployedAlarmsOf(existing?.outputs);
  if (fromFlags !== undefined) {
    const latencyMs = fromFlags.latencyMs ?? deployed?.latencyMs ?? DEFAULT_LATENCY_ALARM_MS;
    const again = deployed !== undefined && deployed.email === fromFlags.email;
    say(
      `Alarms: mailed to ${fromFlags.email}, latency over ${latencyMs} ms at p95.${again ? '' : ' AWS mails that address a confirmation link first.'}`,
    );
    return { email: fromFlags.email, latencyMs };
  }
  if (deployed === undefined) {
    if (flags.latencyAlarmMs !== undefined) {
      throw new UsageError(
        '--latency-alarm-ms sets the threshold of the alarms, and this stack has none.',
        `Add them with the address to mail: --alarms you@example.com --latency-alarm-ms ${flags.latencyAlarmMs}`,
      );
    }
    return undefined;
  }
  const latencyMs = flags.latencyAlarmMs ?? deployed.latencyMs;
  say(`Alarms: mailed to ${deployed.email}, latency over ${latencyMs} ms at p95 (as deployed; --no-alarms removes them).`);
  return { email: deployed.email, latencyMs };
}
