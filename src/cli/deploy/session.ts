/**
 * What deploy, destroy and status share: the AWS context from the global flags, an engine (the real
 * toolkit engine, or the one a test injected), and progress rendering chosen from the output mode.
 */
import { AwsContext } from '../aws/context.js';
import type { CommandContext } from '../context.js';
import type { DeployEngine } from './engine.js';
import { createProgressRenderer, type ProgressMode, type ProgressRenderer } from './progress.js';

export interface Session {
  readonly aws: AwsContext;
  readonly engine: DeployEngine;
  readonly progress: ProgressRenderer;
  close(): void;
}

export async function openSession(ctx: CommandContext, label: string): Promise<Session> {
  const aws = new AwsContext({
    env: ctx.env,
    ...(ctx.global.profile !== undefined && { profile: ctx.global.profile }),
    ...(ctx.global.region !== undefined && { region: ctx.global.region }),
  });
  const mode: ProgressMode = ctx.global.json ? 'silent' : ctx.stderr.isTTY ? 'tty' : 'plain';
  const progress = createProgressRenderer(ctx.out, ctx.stderr, mode, label);
  const debug = ctx.global.verbose ? (line: string) => ctx.out.info(ctx.out.style.dim(line)) : undefined;
  let engine: DeployEngine;
  if (ctx.deployEngine) {
    engine = ctx.deployEngine(aws, progress, debug);
  } else {
    const { ToolkitEngine } = await import('./toolkit-engine.js');
    engine = new ToolkitEngine({ aws, onProgress: progress, ...(debug && { debug }) });
  }
  return { aws, engine, progress, close: () => aws.destroy() };
}
