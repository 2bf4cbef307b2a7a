/**
 * `--tool-groups` names tools; a name the server does not have (a typo, another case) would protect
 * nothing and say nothing. These checks refuse it, with the tools there are and the closest one.
 */
import { GET_DOG_FACTS, GET_DOG_FACTS_SLOWLY } from '../../lambda/servers/dog-facts/tool.js';
import { UsageError } from '../terminal/errors.js';

/** Dog facts' tools (the slow demo's included: a group for it may be set before the demo is turned on). */
export const DOG_FACTS_TOOLS: readonly string[] = [GET_DOG_FACTS, GET_DOG_FACTS_SLOWLY];

/** Refuses a `--tool-groups` tool that is not among `tools` (what the deployed servers list). */
export function checkToolGroupTools(
  toolGroups: Readonly<Record<string, readonly string[]>> | undefined,
  tools: readonly string[],
): void {
  for (const tool of Object.keys(toolGroups ?? {})) {
    if (tools.includes(tool)) continue;
    const close = tools.find((known) => known.toLowerCase() === tool.toLowerCase());
    throw new UsageError(
      `--tool-groups names ${tool}, a tool the server does not have (its tools: ${tools.join(', ') || 'none'}); a group for it would protect nothing.`,
      close !== undefined ? `Did you mean --tool-groups ${close}=${(toolGroups?.[tool] ?? []).join(',')}?` : undefined,
    );
  }
}
