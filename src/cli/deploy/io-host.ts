/**
 * An IoHost for @aws-cdk/toolkit-lib that translates its messages into our progress events and answers
 * its questions through our callbacks. Everything else is dropped (or shown under --verbose): the
 * toolkit's own text is written for the cdk CLI, not for this tool's users.
 */
import type { ProgressListener } from './engine.js';

/** The parts of toolkit-lib's IoMessage this host reads. */
export interface ToolkitMessage {
  readonly level: string;
  readonly code?: string;
  readonly message: string;
  readonly data?: unknown;
  readonly defaultResponse?: unknown;
}

export interface IoHostHandlers {
  readonly onProgress: ProgressListener;
  /** A broadening security change needs approval (I5060 with permissionChangeType "broadening"). */
  confirmSecurityChanges(diff: string): Promise<boolean>;
  /** Toolkit text worth showing under --verbose. */
  debug?(line: string): void;
}

export interface TranslatingIoHost {
  notify(message: ToolkitMessage): Promise<void>;
  requestResponse<T>(message: ToolkitMessage & { defaultResponse: T }): Promise<T>;
  /** Whether the deployment ended as a no-op (from the I5900 result). */
  readonly noChanges: boolean | undefined;
  /** Error-level toolkit messages, for the failure report. */
  readonly errors: readonly string[];
}

interface StackActivityData {
  event?: { LogicalResourceId?: string; ResourceType?: string; ResourceStatus?: string; ResourceStatusReason?: string };
  metadata?: { constructPath?: string };
  progress?: { completed?: number; total?: number };
}

/** Strips ANSI colour codes the toolkit puts in its messages. */
function plain(text: string): string {
  // eslint-disable-next-line no-control-regex -- the escape character is the point
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/** "/Stack/Auth/UserPool/Resource" → "Auth/UserPool". */
function constructPath(path: string | undefined): string | undefined {
  if (!path) return undefined;
  const parts = path.replace(/^\//, '').split('/');
  if (parts.length > 1) parts.shift();
  if (parts.at(-1) === 'Resource') parts.pop();
  return parts.join('/') || undefined;
}

export function createIoHost(handlers: IoHostHandlers): TranslatingIoHost {
  let noChanges: boolean | undefined;
  const errors: string[] = [];
  return {
    get noChanges() {
      return noChanges;
    },
    errors,
    async notify(message) {
      switch (message.code) {
        case 'CDK_TOOLKIT_I1001':
          handlers.onProgress({ kind: 'phase', phase: 'synth' });
          return;
        case 'CDK_TOOLKIT_I9401':
        case 'CDK_TOOLKIT_I5220':
          handlers.onProgress({ kind: 'phase', phase: 'assets' });
          return;
        case 'CDK_TOOLKIT_I5501': {
          const data = message.data as { resourcesTotal?: number; stackName?: string } | undefined;
          handlers.onProgress({
            kind: 'phase',
            phase: 'deploy',
            ...(data?.resourcesTotal !== undefined && { total: data.resourcesTotal }),
          });
          return;
        }
        case 'CDK_TOOLKIT_I7101':
          handlers.onProgress({ kind: 'phase', phase: 'destroy' });
          return;
        case 'CDK_TOOLKIT_I5502':
        case 'CDK_TOOLKIT_I7100':
        case 'CDK_TOOLKIT_I6100': {
          const data = message.data as StackActivityData | undefined;
          const event = data?.event;
          if (!event?.LogicalResourceId || !event.ResourceStatus) return;
          const path = constructPath(data?.metadata?.constructPath);
          handlers.onProgress({
            kind: 'resource',
            logicalId: event.LogicalResourceId,
            resourceType: event.ResourceType ?? '',
            ...(path !== undefined && { path }),
            status: event.ResourceStatus,
            ...(event.ResourceStatusReason && { reason: event.ResourceStatusReason }),
            completed: data?.progress?.completed ?? 0,
            ...(data?.progress?.total !== undefined && { total: data.progress.total }),
          });
          return;
        }
        case 'CDK_TOOLKIT_I9100':
          handlers.onProgress({ kind: 'phase', phase: 'bootstrap' });
          return;
        case 'CDK_TOOLKIT_I5900': {
          const data = message.data as { noOp?: boolean } | undefined;
          noChanges = data?.noOp === true;
          return;
        }
        default:
          if (message.level === 'error') errors.push(plain(message.message));
          else if (message.level !== 'trace') handlers.debug?.(plain(message.message));
      }
    },
    async requestResponse<T>(message: ToolkitMessage & { defaultResponse: T }): Promise<T> {
      if (message.code === 'CDK_TOOLKIT_I5060') {
        const data = message.data as { permissionChangeType?: string } | undefined;
        // Plain updates and narrowing changes need no question; broadening ones do.
        if (data?.permissionChangeType !== 'broadening') return true as T;
        return (await handlers.confirmSecurityChanges(plain(message.message))) as T;
      }
      // I7010 (confirm destroy): the command asked the user already. I5050 (roll back to replace): no.
      if (message.code === 'CDK_TOOLKIT_I7010') return true as T;
      if (message.code === 'CDK_TOOLKIT_I5050') return false as T;
      return message.defaultResponse;
    },
  };
}
