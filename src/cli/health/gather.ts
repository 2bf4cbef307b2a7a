/**
 * Gathers a deployed server's health figures: finds its function, log group, API and stage in the stack's
 * resources, then makes the one GetMetricData call, the one Logs Insights query and (for a stack with
 * alarms) the one DescribeAlarms call side by side. A denied or failing part is named (with the
 * permission it needs) and the other parts are still returned.
 */
import type { AwsContext } from '../aws/context.js';
import { pascalCase } from '../../stack/names.js';
import { UsageError } from '../terminal/errors.js';
import { type AlarmState, fetchAlarms } from './alarms.js';
import { fetchMetrics, fetchTools, type HealthFigures, type HealthTarget, type Window } from './figures.js';

interface StackResourceLike {
  readonly ResourceType?: string;
  readonly LogicalResourceId?: string;
  readonly PhysicalResourceId?: string;
}

/** The server's resources: its function and log group (`Server…` one server, `Server<Name>…` each of several). */
export function healthTarget(
  resources: readonly StackResourceLike[],
  stackName: string,
  deploymentName: string,
  server: string | undefined,
): HealthTarget {
  const named = (type: string, part: string) =>
    resources.flatMap((resource) => {
      const match =
        resource.ResourceType === type &&
        new RegExp(`^Server([A-Za-z0-9]*?)${part}[0-9A-F]*$`).exec(resource.LogicalResourceId ?? '');
      return match && resource.PhysicalResourceId ? [{ key: match[1] ?? '', id: resource.PhysicalResourceId }] : [];
    });
  const functions = named('AWS::Lambda::Function', 'Function');
  const groups = named('AWS::Logs::LogGroup', 'Logs');
  const several = functions.some((fn) => fn.key !== '');
  if (several && server === undefined) {
    throw new UsageError(
      `${stackName} serves several servers; status shows one's health at a time.`,
      'Pick one: --server <name>',
    );
  }
  const key = several && server !== undefined ? pascalCase(server) : '';
  const fn = functions.find((candidate) => candidate.key === key);
  if (several && fn === undefined) throw new UsageError(`${stackName} has no server named ${JSON.stringify(server)}.`);
  const stage = resources.find((resource) => resource.ResourceType === 'AWS::ApiGateway::Stage')?.PhysicalResourceId;
  const logGroup = groups.find((group) => group.key === key)?.id;
  return {
    server: several && server !== undefined ? server : deploymentName,
    ...(fn && { functionName: fn.id }),
    ...(logGroup && { logGroup }),
    // The stack names its REST API `<stack>-api` (src/stack/api.ts).
    ...(stage && { apiName: `${stackName}-api`, stage }),
  };
}

/** "cloudwatch:GetMetricData is not allowed (AccessDeniedException)", or the service's own words. */
function why(error: unknown, permission: string, part: string): string {
  const name = (error as { name?: string } | null)?.name ?? 'Error';
  if (/AccessDenied|Unauthorized|not authorized/i.test(`${name} ${(error as Error)?.message ?? ''}`)) {
    return `${part}: not shown, ${permission} is not allowed for these credentials (${name}); ask for it, or use a role that has it.`;
  }
  return `${part}: not shown, ${permission} failed (${name}: ${(error as Error)?.message ?? String(error)}).`;
}

/** The states of the stack's alarms; undefined (and the reason in `missing`) when they cannot be read. */
export async function gatherAlarms(
  aws: AwsContext,
  names: readonly string[],
  missing: string[],
): Promise<readonly AlarmState[] | undefined> {
  const cloudWatch = await aws.cloudWatchClient();
  try {
    return await fetchAlarms(cloudWatch, names);
  } catch (error) {
    missing.push(why(error, 'cloudwatch:DescribeAlarms', 'alarms'));
    return undefined;
  } finally {
    cloudWatch.destroy();
  }
}

export async function gatherHealth(
  aws: AwsContext,
  target: HealthTarget,
  window: Window,
  options: {
    readonly now?: Date;
    readonly pollMs?: number;
    readonly signal?: AbortSignal;
    /** The stack's alarms (its `AlarmNames` output), whose states to read. */
    readonly alarmNames?: readonly string[];
  } = {},
): Promise<HealthFigures> {
  const now = options.now ?? new Date();
  const missing: string[] = [];
  const [metrics, tools, alarms] = await Promise.all([
    (async () => {
      const cloudWatch = await aws.cloudWatchClient();
      try {
        return await fetchMetrics(cloudWatch, target, window, now);
      } catch (error) {
        missing.push(why(error, 'cloudwatch:GetMetricData', 'metrics'));
        return undefined;
      } finally {
        cloudWatch.destroy();
      }
    })(),
    (async () => {
      if (target.logGroup === undefined) {
        missing.push('per-tool table: not shown, the stack has no MCP function log group.');
        return undefined;
      }
      const logs = await aws.logsClient();
      try {
        return await fetchTools(logs, target.logGroup, window, now, options);
      } catch (error) {
        missing.push(why(error, 'logs:StartQuery and logs:GetQueryResults', 'per-tool table'));
        return undefined;
      } finally {
        logs.destroy();
      }
    })(),
    options.alarmNames === undefined ? undefined : gatherAlarms(aws, options.alarmNames, missing),
  ]);
  return { window, ...(metrics && { metrics }), ...(tools && { tools }), ...(alarms && { alarms }), missing };
}
