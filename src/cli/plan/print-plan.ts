/**
 * How `deploy --plan` shows a plan: the effective settings and those that change, then the CloudFormation
 * changes (resources added, changed, replaced, removed; IAM changes on their own), or, for a new stack,
 * what will be created. `--json` gets the same as one document ({@link planDocument}).
 */
import type { CommandContext } from '../context.js';
import type { Output } from '../terminal/output.js';
import type { PlanOutcome } from './plan-flow.js';
import { changedSettings, effectiveSettings } from './plan-settings.js';
import {
  DEPLOY_TIME,
  hasNoChanges,
  type ResourceAction,
  type ResourceChange,
  type StackChanges,
} from '../deploy/stack-changes.js';

/**
 * `deploy --plan --json`: one document for scripts. The exit code is 0 whether changes are pending or not
 * (no terraform-like -detailed-exitcode): scripts read `pending`.
 */
export function planDocument(outcome: PlanOutcome) {
  const { changes, identity, stack } = outcome;
  const counts = countActions(changes);
  return {
    stackName: stack.stackName,
    account: identity.account,
    region: identity.region,
    newStack: changes.newStack,
    ...(outcome.existing && { status: outcome.existing.status }),
    pending: !hasNoChanges(changes),
    method: changes.method,
    ...(changes.fallbackReason !== undefined && { fallbackReason: changes.fallbackReason }),
    notes: outcome.notes,
    settings: Object.fromEntries(effectiveSettings(stack).map((setting) => [setting.name, setting.value])),
    changedSettings: changedSettings(changes.outputs, changes.newStack),
    counts,
    ...(changes.newStack && { created: byType(changes.resources) }),
    resources: changes.resources,
    iam: changes.iam,
    outputs: changes.outputs,
  };
}

function countActions(changes: StackChanges): Record<'add' | 'change' | 'replace' | 'remove', number> {
  const count = (...actions: ResourceAction[]) => changes.resources.filter((r) => actions.includes(r.action)).length;
  return {
    add: count('add', 'import'),
    change: count('change'),
    replace: count('replace', 'may-replace'),
    remove: count('remove', 'orphan'),
  };
}

/** Resource type → logical ids, most numerous type first. */
function byType(resources: readonly ResourceChange[]): Record<string, string[]> {
  const types = new Map<string, string[]>();
  for (const resource of resources)
    types.set(resource.resourceType, [...(types.get(resource.resourceType) ?? []), resource.logicalId]);
  return Object.fromEntries([...types].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0])));
}

const MARKS: Record<ResourceAction, string> = {
  add: '+',
  import: '+',
  change: '~',
  replace: '!',
  'may-replace': '!',
  remove: '-',
  orphan: '-',
};

function describeAction(resource: ResourceChange, short = false): string {
  const properties = resource.properties ? ` (${resource.properties.join(', ')})` : '';
  switch (resource.action) {
    case 'add':
      return 'added';
    case 'import':
      return 'imported';
    case 'change':
      return `changed${properties}`;
    case 'replace':
    case 'may-replace':
      return `${resource.action === 'replace' ? 'replaced' : 'may be replaced'}${short ? '' : ': a new one is created and the old one deleted'}${
        resource.replacedBy ? ` (${resource.replacedBy.join(', ')})` : properties
      }`;
    case 'remove':
      return 'removed';
    case 'orphan':
      return 'removed from the stack, kept in the account';
  }
}

const quoted = (value: string | undefined) => (value === undefined ? 'unset' : value === DEPLOY_TIME ? value : `"${value}"`);

/** The plan as `--json` asks: one document, or the text. */
export function showPlan(ctx: Pick<CommandContext, 'out' | 'global'>, outcome: PlanOutcome): void {
  if (ctx.global.json) ctx.out.json(planDocument(outcome));
  else printPlan(ctx.out, outcome);
}

export function printPlan(out: Output, outcome: PlanOutcome): void {
  const { changes, identity, stack } = outcome;
  const where = `${stack.stackName} in ${identity.region} (account ${identity.account})`;
  out.result(out.style.bold(changes.newStack ? `Plan: new stack ${where}` : `Plan: update ${where}`));
  for (const note of outcome.notes) out.result(`  ${out.style.yellow('!')} ${note}`);
  out.result('');
  out.result('Settings:');
  const settings = effectiveSettings(stack);
  const width = Math.max(...settings.map((setting) => setting.name.length)) + 2;
  for (const setting of settings) out.result(`  ${setting.name.padEnd(width)}${setting.value}`);
  if (!changes.newStack) {
    const changed = changedSettings(changes.outputs, false);
    out.result('');
    if (changed.length === 0) out.result('Settings the stack remembers: none change.');
    else {
      out.result('Settings the stack remembers that change:');
      for (const change of changed)
        out.result(`  ${change.name.padEnd(width)}${quoted(change.before)} → ${quoted(change.after)}`);
    }
  }
  out.result('');
  const how =
    changes.method === 'change-set'
      ? 'from a CloudFormation change set, created and deleted, not executed'
      : changes.newStack
        ? 'from the template'
        : `from the templates (no change set: ${changes.fallbackReason ?? 'not made'}); a replacement may be missed`;
  if (changes.newStack) printCreated(out, changes, how);
  else if (hasNoChanges(changes)) out.result(`${out.style.green('✓')} No changes: ${stack.stackName} is up to date (${how}).`);
  else printChanges(out, changes, how);
  out.result('');
  out.result(out.style.dim('Nothing was changed. Deploy it with the same flags, without --plan.'));
}

function printCreated(out: Output, changes: StackChanges, how: string): void {
  out.result(`To create: ${changes.resources.length} resources (${how}):`);
  for (const [type, ids] of Object.entries(byType(changes.resources))) {
    out.result(`  ${String(ids.length).padStart(3)} ${type}`);
    for (const id of ids) out.result(out.style.dim(`        ${id}`));
  }
}

function printChanges(out: Output, changes: StackChanges, how: string): void {
  const counts = countActions(changes);
  out.result(
    `Changes (${how}): ${counts.add} to add, ${counts.change} to change, ${counts.replace} to replace, ${counts.remove} to remove.`,
  );
  // Long logical ids (an API's permissions) push their line out rather than every line.
  const idWidth = Math.min(Math.max(...changes.resources.map((r) => r.logicalId.length), 0), 40) + 2;
  for (const resource of changes.resources) {
    const id = resource.logicalId.length < idWidth ? resource.logicalId.padEnd(idWidth) : `${resource.logicalId} `;
    const line = `  ${MARKS[resource.action]} ${id}${resource.resourceType}  ${describeAction(resource)}`;
    const colour = resource.action === 'add' ? out.style.green : resource.action === 'change' ? (s: string) => s : out.style.red;
    out.result(colour(line));
  }
  const { iam } = changes;
  if (iam.resources.length > 0 || iam.statements.length > 0 || iam.managedPolicies.length > 0) {
    out.result('');
    out.result(`IAM changes${iam.broadened ? ' (permissions grow: deploy asks before applying them)' : ''}:`);
    for (const resource of iam.resources) {
      out.result(`  ${MARKS[resource.action]} ${resource.resourceType} ${resource.logicalId} ${describeAction(resource, true)}`);
    }
    for (const statement of iam.statements) {
      out.result(
        `  ${statement.change === 'added' ? '+' : '-'} ${statement.effect} ${statement.actions} on ${statement.resources}${
          statement.principals ? ` for ${statement.principals}` : ''
        }${statement.condition ? ` when ${statement.condition}` : ''}`,
      );
    }
    for (const policy of iam.managedPolicies) {
      out.result(`  ${policy.change === 'added' ? '+' : '-'} managed policy ${policy.policyArn} on ${policy.identity}`);
    }
  }
  const others = changes.outputs.filter((output) => !changedSettings([output], false).length);
  if (others.length > 0) {
    out.result('');
    out.result('Outputs that change:');
    for (const output of others) {
      const long = (output.before?.length ?? 0) + (output.after?.length ?? 0) > 160;
      out.result(
        `  ${output.key}${long ? ' (long value; --json shows it)' : `: ${quoted(output.before)} → ${quoted(output.after)}`}`,
      );
    }
  }
}
