/**
 * The first step of `deploy` and `synth`: the flags become one checked request, before anything is
 * bundled or AWS is asked. Every flag's refusal (exit 2) happens here, once: the stack's options
 * (checked by the stack's own rules), the entries and the servers they name, and the settings and
 * secrets, per server or shared.
 *
 * What the deployed stack remembers is not known yet: ./deploy-plan.ts adds it once the stack's state is
 * read, and the plan it makes is what is deployed.
 */
import type { McpServerStackOptions } from '../../stack/props.js';
import type { CommandContext } from '../context.js';
import { cliStackName } from '../deployed/name.js';
import { scopeSettings, type ServerSettings, settingsFromFlags } from '../deployed/settings.js';
import { checkServerFlags, parseEntryFlags, plannedServers, type ServerFlag } from '../entry/prepare.js';
import { parseStdioFlags } from '../stdio/prepare.js';
import { alarmsFromFlags } from '../options/alarm-options.js';
import { type StackCliOptions, toStackOptions } from '../options/stack-options.js';
import { UsageError } from '../terminal/errors.js';
import { checkToolGroupTools, DOG_FACTS_TOOLS } from './tool-groups.js';

/** What the flags ask of a deployment, checked. */
export interface DeployRequest {
  /** The flags as given (a later step compares them with what the stack remembers). */
  readonly flags: StackCliOptions;
  readonly stackName: string;
  /** The stack options the flags set (nothing remembered yet). */
  readonly stack: McpServerStackOptions & { readonly accessLogs: boolean };
  /** `--entry` and `--stdio` flags: the user's own servers, to bundle. */
  readonly entries?: readonly ServerFlag[];
  /** `--env` and `--secret` (and `--clear-settings`), when any was given. */
  readonly settings?: ServerSettings;
  /** The function's memory, as the stack will have it (for the cost line). */
  readonly memoryMb: number;
}

/** Checks the flags as the stack will (aws-cdk-lib is loaded for it: synth and deploy need it anyway). */
export async function readDeployRequest(
  ctx: Pick<CommandContext, 'out' | 'cwd' | 'env'>,
  flags: StackCliOptions,
): Promise<DeployRequest> {
  const stackName = cliStackName(flags);
  const { resolveStackOptions, StackPropsError } = await import('../../stack/props.js');
  const alarms = alarmsFromFlags(flags);
  const stack = { ...toStackOptions(flags), ...(alarms && { alarms }) };
  // Modules, then stdio programs; with several servers in all, each flag names a server.
  const several = (flags.entry?.length ?? 0) + (flags.stdio?.length ?? 0) > 1;
  const entries =
    flags.entry === undefined && flags.stdio === undefined
      ? undefined
      : [
          ...parseEntryFlags(flags.entry ?? [], several),
          ...(await parseStdioFlags(flags.stdio ?? [], several, ctx.cwd, ctx.env)),
        ];
  const planned = entries && plannedServers(entries);
  const settings = settingsFromFlags(flags);
  // Dog facts' tools are known now; an entry's once it is bundled (prepareEntries checks them).
  if (entries === undefined) checkToolGroupTools(stack.toolGroups, DOG_FACTS_TOOLS);
  let memoryMb: number;
  try {
    // A setting for one server (notes:KEY) must name one of the entries.
    const scoped = settings && scopeSettings(ctx, settings, planned?.servers, true);
    memoryMb = resolveStackOptions({ ...stack, stackName, ...planned, ...scoped }).memoryMb;
  } catch (error) {
    if (error instanceof StackPropsError) throw new UsageError(error.message);
    throw error;
  }
  // Each entry a file, and a name for the deployment: said before minutes of bundling.
  if (entries) await checkServerFlags(ctx.cwd, entries, flags.name);
  return {
    flags,
    stackName,
    stack,
    ...(entries && { entries }),
    ...(settings && { settings }),
    memoryMb,
  };
}
