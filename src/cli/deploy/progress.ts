/**
 * Renders deploy/destroy progress. On a TTY: one live line (resources done of total, the current
 * resource) redrawn in place, with failures kept above it. Without a TTY: a line per finished or failed
 * resource. With --json: nothing (the command prints one document at the end).
 */
import type { Output, Stream } from '../terminal/output.js';
import type { ProgressEvent } from './engine.js';

export type ProgressMode = 'tty' | 'plain' | 'silent';

const VERBS: Record<string, string> = {
  CREATE_IN_PROGRESS: 'creating',
  CREATE_COMPLETE: 'created',
  CREATE_FAILED: 'failed to create',
  UPDATE_IN_PROGRESS: 'updating',
  UPDATE_COMPLETE: 'updated',
  UPDATE_FAILED: 'failed to update',
  DELETE_IN_PROGRESS: 'deleting',
  DELETE_COMPLETE: 'deleted',
  DELETE_FAILED: 'failed to delete',
  DELETE_SKIPPED: 'kept',
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: 'cleaning up',
  ROLLBACK_IN_PROGRESS: 'rolling back',
  ROLLBACK_COMPLETE: 'rolled back',
  UPDATE_ROLLBACK_IN_PROGRESS: 'rolling back',
  UPDATE_ROLLBACK_COMPLETE: 'rolled back',
};

const PHASES: Record<string, string> = {
  synth: 'Building the stack',
  assets: 'Uploading the Lambda bundle',
  deploy: 'Deploying',
  destroy: 'Deleting',
  bootstrap: 'Bootstrapping',
  wait: 'Waiting for the running operation',
};

/** A person's words for a CloudFormation status. */
export function describeStatus(status: string): string {
  return VERBS[status] ?? status.toLowerCase().replace(/_/g, ' ');
}

/** "AWS::Cognito::UserPool" → "Cognito UserPool". */
function shortType(type: string): string {
  return type.replace(/^AWS::/, '').replace(/::/g, ' ');
}

/** Cuts noise from CloudFormation reasons (request ids, trailing handler text). */
export function cleanReason(reason: string): string {
  return reason
    .replace(/\s*\(Service: [^)]*\)/g, '')
    .replace(/\s*\(RequestToken: [^)]*\)/g, '')
    .replace(/\s*\(Request ID: [^)]*\)/g, '')
    .trim();
}

export interface ProgressRenderer {
  (event: ProgressEvent): void;
  /** Clears the live line (call before printing anything else). */
  done(): void;
}

export function createProgressRenderer(out: Output, stderr: Stream, mode: ProgressMode, label: string): ProgressRenderer {
  const { style } = out;
  let live = '';
  let total: number | undefined;
  const clear = () => {
    if (mode === 'tty' && live) stderr.write('\r\u001b[2K');
    live = '';
  };
  const draw = (text: string) => {
    if (mode !== 'tty') return;
    const width = 'columns' in stderr && typeof stderr.columns === 'number' ? stderr.columns : 100;
    live = text.length > width - 1 ? `${text.slice(0, width - 2)}…` : text;
    stderr.write(`\r\u001b[2K${live}`);
  };
  const renderer = ((event: ProgressEvent) => {
    if (mode === 'silent') return;
    if (event.kind === 'phase') {
      if (event.total !== undefined) total = event.total;
      const text = `${PHASES[event.phase] ?? event.phase} ${label}…`;
      if (mode === 'tty') draw(style.dim(text));
      else out.info(text);
      return;
    }
    const count = `[${event.completed}/${event.total ?? total ?? '?'}]`;
    const name = `${shortType(event.resourceType)} ${event.path ?? event.logicalId}`;
    const failed = event.status.endsWith('_FAILED');
    if (failed) {
      clear();
      const reason = event.reason ? `: ${cleanReason(event.reason)}` : '';
      out.info(`${style.red('✗')} ${count} ${describeStatus(event.status)} ${name}${reason}`);
      return;
    }
    if (mode === 'tty') {
      const bar = barFor(event.completed, event.total ?? total);
      draw(`${bar} ${count} ${describeStatus(event.status)} ${name}`);
    } else if (!event.status.endsWith('_IN_PROGRESS')) {
      out.info(`${count} ${describeStatus(event.status)} ${name}`);
    }
  }) as ProgressRenderer;
  renderer.done = clear;
  return renderer;
}

function barFor(completed: number, total: number | undefined): string {
  if (!total) return '';
  const width = 20;
  const filled = Math.min(width, Math.round((completed / total) * width));
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}
