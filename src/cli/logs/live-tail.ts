/**
 * One CloudWatch Logs Live Tail session (StartLiveTail): log events pushed as they are ingested, instead
 * of asking every two seconds. A session ends by itself after three hours (or on a streaming error); the
 * caller starts another. A session that cannot start (no `logs:StartLiveTail` permission, a region or
 * network without the streaming endpoint) is reported as unavailable, and the caller polls instead.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';

export interface TailRequest {
  readonly client: CloudWatchLogsClient;
  /** The log group's ARN (Live Tail takes ARNs, not names). */
  readonly logGroupArn: string;
  readonly filterPattern: string;
  readonly signal: AbortSignal;
  /** Each event, in the order the session delivers them. */
  readonly onEvent: (timestamp: number | undefined, message: string | undefined) => void;
}

export type TailOutcome =
  | { readonly kind: 'aborted' }
  /** The session ended (its 3-hour limit, a timeout, a streaming error): start another. */
  | { readonly kind: 'ended'; readonly why: string }
  /** No session could be started: poll instead. */
  | { readonly kind: 'unavailable'; readonly why: string };

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : `unexpected ${typeof error}`;

/** Runs one session until it ends, the signal aborts it, or it cannot start. */
export async function tailOnce(request: TailRequest): Promise<TailOutcome> {
  const { StartLiveTailCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  let stream;
  try {
    const answer = await request.client.send(
      new StartLiveTailCommand({ logGroupIdentifiers: [request.logGroupArn], logEventFilterPattern: request.filterPattern }),
      { abortSignal: request.signal },
    );
    stream = answer.responseStream;
  } catch (error) {
    if (request.signal.aborted) return { kind: 'aborted' };
    return { kind: 'unavailable', why: describe(error) };
  }
  if (stream === undefined) return { kind: 'unavailable', why: 'StartLiveTail answered without an event stream' };
  try {
    for await (const event of stream) {
      if (request.signal.aborted) return { kind: 'aborted' };
      if (event.sessionUpdate) {
        for (const logEvent of event.sessionUpdate.sessionResults ?? []) request.onEvent(logEvent.timestamp, logEvent.message);
      } else if (event.SessionTimeoutException) {
        return { kind: 'ended', why: event.SessionTimeoutException.message ?? 'the session timed out' };
      } else if (event.SessionStreamingException) {
        return { kind: 'ended', why: event.SessionStreamingException.message ?? 'a streaming error' };
      }
    }
  } catch (error) {
    if (request.signal.aborted) return { kind: 'aborted' };
    return { kind: 'ended', why: describe(error) };
  }
  return request.signal.aborted ? { kind: 'aborted' } : { kind: 'ended', why: 'the session ended' };
}

/** The log group's ARN from a stack resource's StackId (`arn:<partition>:cloudformation:<region>:<account>:stack/…`). */
export function logGroupArn(stackId: string | undefined, groupName: string): string | undefined {
  const match = /^arn:([^:]+):cloudformation:([^:]+):(\d{12}):stack\//.exec(stackId ?? '');
  return match ? `arn:${match[1]}:logs:${match[2]}:${match[3]}:log-group:${groupName}` : undefined;
}
