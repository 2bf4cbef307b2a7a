/**
 * `mcp-lambda logs`: the deployed server's request log from CloudWatch — one readable line per request
 * (time, HTTP and JSON-RPC method, tool, status, duration, caller, why it was refused, tool errors), or the
 * JSON records with `--json`. `--follow` keeps polling for new lines until Ctrl-C. Only the fields of the
 * Lambda's request record are shown: that record has no field for a header or a token.
 */
import type { CloudWatchLogsClient, FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { AwsContext } from '../aws/context.js';
import { explainAwsError } from '../aws/errors.js';
import type { CommandContext } from '../context.js';
import { cliStackName } from '../deployed/name.js';
import type { StackSelector } from '../deployed/resolve.js';
import { pascalCase } from '../../stack/names.js';
import { UsageError, UserError } from '../terminal/errors.js';

export interface LogsOptions extends StackSelector {
  /** How far back: `10m`, `2h`, `1d`. @default 1h */
  readonly since?: string;
  readonly follow?: boolean;
  readonly tool?: string;
  readonly status?: string;
  /** The caller's client id or user (sub). */
  readonly user?: string;
}

/** What the Lambda logs for each request (src/lambda/services/log.ts), as read back. */
interface RequestLine {
  readonly level?: string;
  readonly msg?: string;
  readonly requestId?: string;
  readonly httpMethod?: string;
  readonly rpcMethod?: string;
  readonly tool?: string;
  readonly status?: number;
  readonly durationMs?: number;
  readonly clientId?: string;
  readonly user?: string;
  readonly reason?: string;
  readonly toolError?: boolean;
}

/** `10m`, `2h`, `1d`, `30s` → milliseconds. */
export function parseSince(value: string): number {
  const match = /^(\d+)\s*(s|m|h|d)$/.exec(value.trim());
  if (!match)
    throw new UsageError(`--since ${JSON.stringify(value)} is not a duration.`, 'Use for example --since 10m, 2h or 1d.');
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** The record in a log event, whether the runtime wrapped it (JSON log format) or not; undefined for other lines. */
export function requestRecord(event: FilteredLogEvent): RequestLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(event.message ?? '');
  } catch {
    return undefined;
  }
  const record =
    (value as { message?: unknown }).message !== undefined && typeof (value as { message?: unknown }).message === 'object'
      ? (value as { message: unknown }).message
      : value;
  const msg = (record as RequestLine | null)?.msg;
  return msg === 'request' || msg === 'startup' ? (record as RequestLine) : undefined;
}

/** One readable line: time, method, tool, status, duration, caller, and why. */
export function formatRecord(time: number | undefined, record: RequestLine): string {
  const when = time === undefined ? '' : new Date(time).toISOString().replace('T', ' ').slice(0, 19);
  // The function could not start (a secret it cannot read, a bad setting): every request then fails.
  if (record.msg === 'startup') return [when, `startup failed: ${record.reason ?? 'no reason given'}`].filter(Boolean).join('  ');
  const what = [record.rpcMethod ?? record.httpMethod ?? '-', record.tool].filter(Boolean).join(' ');
  const why = record.toolError ? 'tool error' : record.reason;
  return [
    when,
    what,
    String(record.status ?? '-'),
    `${record.durationMs ?? '-'} ms`,
    record.user ?? record.clientId ?? '',
    why ? `(${why})` : '',
  ]
    .filter((part) => part !== '')
    .join('  ');
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
): Promise<{ group: string; userPoolId?: string }> {
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
  return { group: group.PhysicalResourceId, ...(pool && { userPoolId: pool }) };
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
  try {
    const { group, userPoolId } = await stackResources(aws, stackName, options.server);
    const callers = options.user === undefined ? undefined : await callerIds(aws, options.user, userPoolId, stackName);
    client = await aws.logsClient();
    const { FilterLogEventsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
    // CloudWatch filters on the JSON fields; the rest is checked here as well. A failed start is always
    // shown: it explains every request after it.
    const terms = ['$.msg = "request"'];
    if (options.tool !== undefined) terms.push(`$.tool = ${JSON.stringify(options.tool)}`);
    if (options.status !== undefined) terms.push(`$.status = ${options.status}`);
    const filterPattern = `{ (${terms.join(' && ')}) || $.msg = "startup" }`;
    const keep = (record: RequestLine) =>
      record.msg === 'startup' ||
      ((options.tool === undefined || record.tool === options.tool) &&
        (options.status === undefined || String(record.status) === options.status) &&
        (callers === undefined || callers.includes(record.user ?? '') || callers.includes(record.clientId ?? '')));
    let startTime = Date.now() - sinceMs;
    const seen = new Set<string>();
    for (;;) {
      let nextToken: string | undefined;
      let latest = startTime;
      do {
        const page = await client.send(
          new FilterLogEventsCommand({ logGroupName: group, startTime, filterPattern, ...(nextToken && { nextToken }) }),
        );
        for (const event of page.events ?? []) {
          if (event.eventId && seen.has(event.eventId)) continue;
          if (event.eventId) seen.add(event.eventId);
          latest = Math.max(latest, event.timestamp ?? latest);
          const record = requestRecord(event);
          if (!record || !keep(record)) continue;
          if (global.json) out.result(JSON.stringify({ time: event.timestamp, ...record }));
          else out.result(formatRecord(event.timestamp, record));
        }
        nextToken = page.nextToken;
      } while (nextToken);
      if (!options.follow || ctx.signal.aborted) return;
      startTime = latest;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        ctx.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
      if (ctx.signal.aborted) return;
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw explainAwsError(error, { ...aws.settings, doing: `read the logs of ${stackName} (logs:FilterLogEvents)` }) ?? error;
  } finally {
    client?.destroy();
    aws.destroy();
  }
}
