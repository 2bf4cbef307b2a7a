/**
 * What a deploy would change in CloudFormation, as plain data: the resources added, changed, replaced and
 * removed, the IAM changes among them, and the outputs (what the stack remembers) that change. Made from
 * the CDK's own diff (@aws-cdk/cloudformation-diff's TemplateDiff, what toolkit-lib's `diff` returns), so
 * the real engine and the test fake read it the same way. It formats nothing: ../plan/print-plan.ts does.
 */
import type { TemplateDiff } from '@aws-cdk/cloudformation-diff';

/**
 * What happens to one resource. `replace`: CloudFormation creates a new one and deletes the old (a new
 * physical id: data in it is lost); `may-replace`: it depends on a value only known at deploy time.
 */
export type ResourceAction = 'add' | 'change' | 'replace' | 'may-replace' | 'remove' | 'orphan' | 'import';

export interface ResourceChange {
  readonly logicalId: string;
  readonly resourceType: string;
  readonly action: ResourceAction;
  /** The properties that change (an update or a replacement). */
  readonly properties?: readonly string[];
  /** The properties that force the replacement. */
  readonly replacedBy?: readonly string[];
}

export interface IamStatementChange {
  readonly change: 'added' | 'removed';
  readonly effect: string;
  readonly actions: string;
  readonly resources: string;
  readonly principals?: string;
  readonly condition?: string;
}

export interface ManagedPolicyChange {
  readonly change: 'added' | 'removed';
  /** The role (or user, group) it is attached to. */
  readonly identity: string;
  readonly policyArn: string;
}

/**
 * An output that changes: absent before (added) or after (removed). A value CloudFormation works out at
 * deploy time (a reference, a join) reads {@link DEPLOY_TIME}.
 */
export interface OutputChange {
  readonly key: string;
  readonly before?: string;
  readonly after?: string;
}

export const DEPLOY_TIME = '(known at deploy time)';

export interface StackChanges {
  /** No stack of that name exists: everything is created. */
  readonly newStack: boolean;
  /**
   * `change-set`: CloudFormation's own answer (a change set created, read and deleted, never executed),
   * which knows every replacement; `template`: the deployed template against the new one, where a
   * replacement the template does not show may be missed.
   */
  readonly method: 'change-set' | 'template';
  /** Why the change set could not be used, when it could not. */
  readonly fallbackReason?: string;
  readonly resources: readonly ResourceChange[];
  readonly iam: {
    /** Roles, policies and invoke permissions added, changed, replaced or removed. */
    readonly resources: readonly ResourceChange[];
    readonly statements: readonly IamStatementChange[];
    readonly managedPolicies: readonly ManagedPolicyChange[];
    /** Permissions grow (statements or managed policies added): deploy asks before such an update. */
    readonly broadened: boolean;
  };
  readonly outputs: readonly OutputChange[];
}

/** Resource types whose changes are permission changes. */
const IAM_TYPES = /^AWS::IAM::|^AWS::Lambda::Permission$|^AWS::.*::(Bucket|Topic|Queue)?Policy$/;

export const isIamResource = (resourceType: string) => IAM_TYPES.test(resourceType);

/** The CDK's bookkeeping, never worth a line. */
const IGNORED_TYPES = new Set(['AWS::CDK::Metadata']);

function actionOf(impact: string, isAddition: boolean, isRemoval: boolean): ResourceAction | undefined {
  switch (impact) {
    case 'WILL_CREATE':
      return 'add';
    case 'WILL_UPDATE':
      return 'change';
    case 'WILL_REPLACE':
      return 'replace';
    case 'MAY_REPLACE':
      return 'may-replace';
    case 'WILL_DESTROY':
      return 'remove';
    case 'WILL_ORPHAN':
      return 'orphan';
    case 'WILL_IMPORT':
      return 'import';
    default:
      return isAddition ? 'add' : isRemoval ? 'remove' : undefined;
  }
}

const valueOf = (output: unknown): unknown => (output as { Value?: unknown } | undefined)?.Value;

/**
 * An output's value as text: references read `${LogicalId}` (`${LogicalId.Attribute}`), as the CDK's diff
 * shows them; anything CloudFormation computes otherwise reads {@link DEPLOY_TIME}.
 */
function text(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  const intrinsic = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown; 'Fn::Join'?: unknown };
  if (typeof intrinsic.Ref === 'string') return `\${${intrinsic.Ref}}`;
  const attribute = intrinsic['Fn::GetAtt'];
  if (Array.isArray(attribute) && attribute.every((part) => typeof part === 'string')) return `\${${attribute.join('.')}}`;
  const join = intrinsic['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    const parts = (join[1] as unknown[]).map(text);
    if (parts.every((part) => part !== undefined && part !== DEPLOY_TIME)) return parts.join(join[0]);
  }
  return DEPLOY_TIME;
}

/** The diff's rendering puts one item a line. */
const flat = (rendered: string) =>
  rendered
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(', ');

/** A condition is rendered as indented JSON: one line of it. */
function compact(rendered: string): string {
  for (const json of [rendered, `{${rendered}}`]) {
    try {
      return JSON.stringify(JSON.parse(json));
    } catch {
      // the CDK renders a condition's members without the braces around them
    }
  }
  return flat(rendered);
}

/** Reads the CDK's diff of one stack. */
export function summarizeDiff(
  diff: TemplateDiff,
  how: { readonly newStack: boolean; readonly method: StackChanges['method']; readonly fallbackReason?: string },
): StackChanges {
  const resources: ResourceChange[] = [];
  diff.resources.forEachDifference((logicalId, change) => {
    const resourceType = change.resourceType ?? change.newResourceType ?? change.oldResourceType ?? 'unknown';
    if (IGNORED_TYPES.has(resourceType)) return;
    const action = actionOf(change.changeImpact, change.isAddition, change.isRemoval);
    if (action === undefined) return;
    const updates = change.isUpdate ? Object.entries(change.propertyUpdates).filter(([, p]) => p.isDifferent) : [];
    const replacedBy = updates.filter(([, p]) => p.changeImpact === 'WILL_REPLACE' || p.changeImpact === 'MAY_REPLACE');
    // Beside the properties: Metadata, DependsOn, UpdatePolicy… (named as the template names them).
    const others = change.isUpdate ? Object.entries(change.otherChanges).filter(([, d]) => d.isDifferent) : [];
    const changed = [...updates.map(([name]) => name).sort(), ...others.map(([name]) => name).sort()];
    resources.push({
      logicalId,
      resourceType,
      action,
      ...(changed.length > 0 && { properties: changed }),
      ...((action === 'replace' || action === 'may-replace') &&
        replacedBy.length > 0 && { replacedBy: replacedBy.map(([name]) => name).sort() }),
    });
  });
  resources.sort((a, b) => a.logicalId.localeCompare(b.logicalId));

  const statements: IamStatementChange[] = [];
  const { iamChanges } = diff;
  for (const [change, list] of [
    ['added', iamChanges.statements.additions],
    ['removed', iamChanges.statements.removals],
  ] as const) {
    for (const statement of list) {
      const rendered = statement.render();
      statements.push({
        change,
        effect: flat(rendered.effect),
        actions: flat(rendered.action),
        resources: flat(rendered.resource),
        ...(flat(rendered.principal) !== '' && { principals: flat(rendered.principal) }),
        ...(flat(rendered.condition) !== '' && { condition: compact(rendered.condition) }),
      });
    }
  }
  const managedPolicies: ManagedPolicyChange[] = [
    ...iamChanges.managedPolicies.additions.map((a) => ({
      change: 'added' as const,
      identity: a.identityArn,
      policyArn: a.managedPolicyArn,
    })),
    ...iamChanges.managedPolicies.removals.map((a) => ({
      change: 'removed' as const,
      identity: a.identityArn,
      policyArn: a.managedPolicyArn,
    })),
  ];

  const outputs: OutputChange[] = [];
  diff.outputs.forEachDifference((key, change) => {
    if (JSON.stringify(valueOf(change.oldValue)) === JSON.stringify(valueOf(change.newValue))) return; // a description
    const before = text(valueOf(change.oldValue));
    const after = text(valueOf(change.newValue));
    outputs.push({ key, ...(before !== undefined && { before }), ...(after !== undefined && { after }) });
  });
  outputs.sort((a, b) => a.key.localeCompare(b.key));

  return {
    newStack: how.newStack,
    method: how.method,
    ...(how.fallbackReason !== undefined && { fallbackReason: how.fallbackReason }),
    resources,
    iam: {
      resources: resources.filter((resource) => isIamResource(resource.resourceType)),
      statements,
      managedPolicies,
      broadened: iamChanges.permissionsBroadened,
    },
    outputs,
  };
}

/** Nothing to change in CloudFormation. */
export const hasNoChanges = (changes: StackChanges) =>
  changes.resources.length === 0 && changes.outputs.length === 0 && changes.iam.statements.length === 0;
