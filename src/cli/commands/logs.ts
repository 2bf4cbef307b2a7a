/**
 * `mcp-lambda logs`: the deployed server's request log from CloudWatch — one readable line per request
 * (time, HTTP and JSON-RPC method, tool, status, duration, cold start, caller, why it was refused, tool
 * errors) and a stdio server's child records, or the JSON records with `--json`. `--follow` then stays on
 * CloudWatch Logs Live Tail until Ctrl-C (a new session when one ends), and polls where Live Tail is denied
 * or unavailable. Only the fields of the Lambda's records are shown: they have no field for a header or a
 * token.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { AwsContext } from '../aws/context.js';
import { explainAwsError } from '../aws/errors.js';
import type { CommandContext } from '../context.js';
import { cliStackName } from '../deployed/name.js';
import type { StackSelector } from '../deployed/resolve.js';
import { pascalCase } from '../../stack/names.js';
import { UsageError, UserError } from '../terminal/errors.js';
import {
  type LineFilters,
  filterPattern,
  formatLine,
  isErrorLine,
  keeps,
  type LogLine,
  parseSince,
  readRecord,
} from '../logs/records.js';
import { logGroupArn, tailOnce } from '../logs/live-tail.js';

export { parseSince };

export interface LogsOptions extends StackSelector {
  /** How far back: `10m`, `2h`, `1d`. @default 1h */
  readonly since?: string;
  readonly follow?: boolean;
  readonly tool?: string;
  readonly status?: string;
  /** The caller's client id or user (sub). */
  readonly user?: string;
  /** Only failed requests. */
  readonly errors?: boolean;
}

/**
 * The MCP function's log group: `ServerLogs…` for one server, `Server<Name>Logs…` for each of several
 * (`--server` picks; the name is the construct id's PascalCase, `notes-v2` → `NotesV2`).
 */
export function serverLogGroup<R extends { ResourceType?: string; LogicalResourceId?: string }>(
  resources: readonly R[],
  stackName: string,
  server: string | undefined,
): R | undefined {
  const groups = resources.flatMap((resource) => {
    const key =
      resource.ResourceType === 'AWS::Logs::LogGroup' &&
      /^Server([A-Za-z0-9]*?)Logs[0-9A-F]*$/.exec(resource.LogicalResourceId ?? '');
    return key ? [{ resource, key: key[1] ?? '' }] : [];
  });
  const several = groups.filter((group) => group.key !== '');
  if (several.length === 0) return groups[0]?.resource;
  if (server === undefined) {
    throw new UsageError(
      `${stackName} serves several servers; each has its own log.`,
      `Pick one: --server <name> (mcp-lambda status lists them)`,
    );
  }
  const found = several.find((group) => group.key === pascalCase(server));
  if (!found)
    throw new UsageError(`${stackName} has no server named ${JSON.stringify(server)}.`, 'mcp-lambda status lists its servers.');
  return found.resource;
}

/** The function's log group and the stack's user pool, from the stack's resources. */
async function stackResources(
  aws: AwsContext,
  stackName: string,
  server: string | undefined,
): Promise<{ group: string; groupArn?: string; userPoolId?: string }> {
  const cfn = await aws.cloudFormation();
  const { DescribeStackResourcesCommand } = await import('@aws-sdk/client-cloudformation');
  let resources;
  try {
    resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }))).StackResources ?? [];
  } catch (error) {
    throw (
      explainAwsError(error, { ...aws.settings, doing: `read stack ${stackName} (cloudformation:DescribeStackResources)` }) ??
      error
    );
  }
  const group = serverLogGroup(resources, stackName, server);
  if (!group?.PhysicalResourceId) {
    throw new UserError(`${stackName} has no MCP function log group.`, {
      hint: 'Was it deployed by mcp-lambda? Check it with: mcp-lambda status',
    });
  }
  const pool = resources.find((r) => r.ResourceType === 'AWS::Cognito::UserPool')?.PhysicalResourceId;
  const arn = logGroupArn(group.StackId, group.PhysicalResourceId);
  return { group: group.PhysicalResourceId, ...(arn && { groupArn: arn }), ...(pool && { userPoolId: pool }) };
}

/**
 * `--user`: an email is looked up in the stack's user pool (the logs hold the person's opaque `sub`, never
 * the address); anything else is taken as a sub or an OAuth client id.
 */
async function callerIds(aws: AwsContext, user: string, userPoolId: string | undefined, stackName: string): Promise<string[]> {
  if (!user.includes('@')) return [user];
  if (userPoolId === undefined) throw new UserError(`${stackName} has no user pool to look ${user} up in.`);
  const { AdminGetUserCommand } = await import('@aws-sdk/client-cognito-identity-provider');
  const cognito = await aws.cognitoClient();
  try {
    const answer = await cognito.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: user }));
    const sub = answer.UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value;
    return [sub, answer.Username].filter((id): id is string => typeof id === 'string' && id !== '');
  } catch (error) {
    if ((error as { name?: string }).name === 'UserNotFoundException') {
      throw new UserError(`${user} is not a user of ${stackName}.`, { hint: 'See who is: mcp-lambda users list' });
    }
    throw (
      explainAwsError(error, { ...aws.settings, doing: 'look the user up (cognito-idp:AdminGetUser)', stack: stackName }) ?? error
    );
  }
}

/** Waits `ms`, or less when the signal aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

export async function logs(ctx: CommandContext, options: LogsOptions, pollMs = 2000): Promise<void> {
  const { out, global } = ctx;
  const stackName = cliStackName(options);
  const sinceMs = parseSince(options.since ?? '1h');
  if (options.status !== undefined && !/^\d{3}$/.test(options.status)) {
    throw new UsageError(`--status ${JSON.stringify(options.status)} is not an HTTP status.`, 'For example: --status 401');
  }
  const aws = new AwsContext({
    env: ctx.env,
    ...(ctx.global.profile !== undefined && { profile: ctx.global.profile }),
    ...(ctx.global.region !== undefined && { region: ctx.global.region }),
  });
  let client: CloudWatchLogsClient | undefined;
  let doing = 'logs:FilterLogEvents';
  try {
    const { group, groupArn, userPoolId } = await stackResources(aws, stackName, options.server);
    const callers = options.user === undefined ? undefined : await callerIds(aws, options.user, userPoolId, stackName);
    const filters: LineFilters = {
      ...(options.tool !== undefined && { tool: options.tool }),
      ...(options.status !== undefined && { status: options.status }),
      ...(callers !== undefined && { callers }),
      ...(options.errors === true && { errors: true }),
    };
    const pattern = filterPattern(filters);
    client = await aws.logsClient();
    const logsClient = client;
    const { FilterLogEventsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
    // History is dated; live lines show the time to the millisecond. Errors are red on a terminal.
    const show = (time: number | undefined, message: string | undefined, live: boolean) => {
      const record: LogLine | undefined = readRecord(message);
      if (!record || !keeps(record, filters)) return;
      if (global.json) return out.result(JSON.stringify({ time, ...record }));
      const line = formatLine(time, record, live ? 'clock' : 'date');
      out.result(isErrorLine(record) ? out.style.red(line) : line);
    };
    let startTime = Date.now() - sinceMs;
    const seen = new Set<string>();
    const poll = async (live: boolean) => {
      let nextToken: string | undefined;
      let latest = startTime;
      do {
        const page = await logsClient.send(
          new FilterLogEventsCommand({ logGroupName: group, startTime, filterPattern: pattern, ...(nextToken && { nextToken }) }),
        );
        for (const event of page.events ?? []) {
          if (event.eventId && seen.has(event.eventId)) continue;
          if (event.eventId) seen.add(event.eventId);
          latest = Math.max(latest, event.timestamp ?? latest);
          show(event.timestamp, event.message, live);
        }
        nextToken = page.nextToken;
      } while (nextToken);
      startTime = latest;
    };
    await poll(false);
    if (!options.follow || ctx.signal.aborted) return;

    // Live Tail, a new session whenever one ends; polling when none can be started.
    if (groupArn !== undefined) {
      doing = 'logs:StartLiveTail';
      for (;;) {
        const outcome = await tailOnce({
          client: logsClient,
          logGroupArn: groupArn,
          filterPattern: pattern,
          signal: ctx.signal,
          onEvent: (time, message) => {
            startTime = Math.max(startTime, time ?? startTime);
            show(time, message, true);
          },
        });
        if (outcome.kind === 'aborted') return;
        if (outcome.kind === 'unavailable') {
          out.warn(`Live Tail could not start (${outcome.why}); polling every ${pollMs / 1000} s instead.`);
          break;
        }
        out.info(`Live Tail session ended (${outcome.why}); starting a new one.`);
        await pause(1000, ctx.signal);
        if (ctx.signal.aborted) return;
      }
    }
    doing = 'logs:FilterLogEvents';
    for (;;) {
      await pause(pollMs, ctx.signal);
      if (ctx.signal.aborted) return;
      await poll(true);
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw explainAwsError(error, { ...aws.settings, doing: `read the logs of ${stackName} (${doing})` }) ?? error;
  } finally {
    client?.destroy();
    aws.destroy();
  }
}
