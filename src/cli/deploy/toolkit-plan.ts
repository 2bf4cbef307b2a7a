/**
 * `deploy --plan` with @aws-cdk/toolkit-lib: the toolkit's `diff` of the synthesized stack against the
 * deployed one. An existing stack is compared through a change set (created, described and deleted by the
 * toolkit, never executed), which knows every replacement; when none can be made (no bootstrap roles, no
 * cloudformation:CreateChangeSet, a stack in a state that takes none) the templates are compared instead,
 * and the result says so. Like `cdk diff`, the change set needs the stack's template in the CDK bootstrap
 * bucket: the toolkit uploads it there (content-addressed; nothing else, no Lambda bundle). A new stack is compared with nothing, without a change set: a change set for a
 * stack that does not exist would create it (empty, in REVIEW_IN_PROGRESS) for a moment.
 */
import type { DiffMethod, ICloudAssemblySource, Toolkit } from '@aws-cdk/toolkit-lib';
import { buildApp } from '../../stack/app.js';
import { type StackChanges, summarizeDiff } from './stack-changes.js';
import type { PlanRequest } from './engine.js';

/** The stack, synthesized in-process when the toolkit asks for it (deploy and plan alike). */
export function assemblySource(
  toolkit: Toolkit,
  request: Pick<PlanRequest, 'stack' | 'identity'>,
): Promise<ICloudAssemblySource> {
  return toolkit.fromAssemblyBuilder(async (props) => {
    const { app } = buildApp({
      ...request.stack,
      outdir: props.outdir ?? '',
      ...(props.context && { context: props.context }),
      env: { account: request.identity.account, region: request.identity.region },
    });
    return app.synth();
  });
}

/** toolkit-lib's error when a change set was asked for and could not be made (`fallbackToTemplate: false`). */
function changeSetFailure(error: unknown): string | undefined {
  const e = error as { message?: string; cause?: unknown };
  if (!/Could not create a change set/.test(e?.message ?? '')) return undefined;
  const cause = e.cause instanceof Error ? e.cause.message : e.cause === undefined ? '' : String(e.cause);
  return cause.trim().split('\n')[0] || 'CloudFormation did not make one';
}

export async function planWithToolkit(
  toolkit: Toolkit,
  source: ICloudAssemblySource,
  request: PlanRequest,
): Promise<StackChanges> {
  const { DiffMethod: Method, StackSelectionStrategy } = await import('@aws-cdk/toolkit-lib');
  const { stackName } = request.stack;
  const diff = async (method: DiffMethod) => {
    const diffs = await toolkit.diff(source, {
      stacks: { strategy: StackSelectionStrategy.PATTERN_MUST_MATCH_SINGLE, patterns: [stackName] },
      method,
    });
    // Keyed by the stack's display name, which is its name here (the app's one stack, with that id).
    const found = diffs[stackName] ?? (Object.keys(diffs).length === 1 ? Object.values(diffs)[0] : undefined);
    if (!found)
      throw new Error(`toolkit-lib returned no diff for ${stackName} (it returned: ${Object.keys(diffs).join(', ') || 'none'}).`);
    return found;
  };
  if (!request.exists) return summarizeDiff(await diff(Method.TemplateOnly()), { newStack: true, method: 'template' });
  try {
    return summarizeDiff(await diff(Method.ChangeSet({ fallbackToTemplate: false })), { newStack: false, method: 'change-set' });
  } catch (error) {
    const fallbackReason = changeSetFailure(error);
    if (fallbackReason === undefined) throw error;
    return summarizeDiff(await diff(Method.TemplateOnly()), { newStack: false, method: 'template', fallbackReason });
  }
}
