/**
 * `mcp-lambda doctor`: walks the chain exactly as Claude Code does and names the first broken link with
 * the command that mends it. For a deployed stack (`--name`/`--stack-name`), or any MCP URL (`--url`,
 * e.g. `mcp-lambda dev`'s).
 */
import { readTokens } from '../auth/token-store.js';
import type { CommandContext } from '../context.js';
import type { DoctorTarget } from '../doctor/chain.js';
import { runDoctor } from '../doctor/checks.js';
import { checkGuardRails } from '../doctor/guard-rails.js';
import type { CheckResult } from '../doctor/report.js';
import { UsageError, UserError } from '../terminal/errors.js';
import { oneServer, resolveStack, type StackOutputs, type StackSelector } from '../deployed/resolve.js';
import { describeVpc } from '../deployed/vpc.js';
import { readVpcOutput, type VpcSettings } from '../../stack/vpc-settings.js';

export interface DoctorOptions extends StackSelector {
  /** Check this MCP URL instead of a deployed stack's. */
  readonly url?: string;
  /** Check the chain as this client walks it (its redirect URIs, its config). @default claude-code */
  readonly client?: string;
  /**
   * Run headersHelper commands mcp-lambda did not write without asking (`--yes` does not answer that).
   * @default false: asked on a terminal, else reported as not run
   */
  readonly runHelpers?: boolean;
}

/** The client's part of the chain: its redirect URIs and its config on disk, checked against the stack. */
async function clientPart(
  ctx: CommandContext,
  stack: StackOutputs,
  id: string,
  command: (sub: string) => string,
): Promise<NonNullable<DoctorTarget['client']>> {
  const { clientInfo, registeredClients } = await import('../../stack/clients.js');
  const { clientTarget, planClientEntry, writerFor } = await import('../clients/writers.js');
  const info = clientInfo(id);
  const writer = writerFor(id);
  if (!info || !writer) throw new UsageError(`--client ${JSON.stringify(id)} is not a client mcp-lambda knows.`);
  const registered = registeredClients(stack.raw);
  const redirectUris = registered.includes(id) ? info.redirectUris(stack.callbackPort, stack.mcpServerUrl) : [];
  return {
    title: writer.title,
    redirectUris,
    register: command(`deploy --clients ${[...new Set([...registered, id])].join(',')}`),
    checkConfig: async () => {
      if (writer.kind === 'paste') {
        return {
          status: 'skip',
          detail: `${writer.title} keeps its connectors in its own settings; mcp-lambda write-config --client ${id} prints the values.`,
        };
      }
      const want = writer.entry(stack);
      const seen: string[] = [];
      for (const scope of ['project', 'user'] as const) {
        const where = clientTarget(writer, scope, ctx.env, ctx.cwd);
        const file = where.target.file;
        let existing: unknown;
        try {
          existing = (await planClientEntry(where, stack.serverName, undefined)).existing;
        } catch (error) {
          return { status: 'fail', detail: (error as Error).message };
        }
        if (existing === undefined) continue;
        if (JSON.stringify(existing) === JSON.stringify(want))
          return { status: 'ok', detail: `${file}: "${stack.serverName}" matches the stack` };
        seen.push(`${file}: "${stack.serverName}" is ${JSON.stringify(existing)}, not ${JSON.stringify(want)}`);
      }
      return {
        status: 'fail',
        detail: seen.length > 0 ? seen.join('\n') : `no "${stack.serverName}" entry in ${writer.title}'s project or user config.`,
        fix: command(`write-config --client ${id}${seen.length > 0 ? ' --yes' : ''}`),
      };
    },
  };
}

function stackFlags(ctx: CommandContext, options: DoctorOptions): string {
  return [
    options.name !== undefined ? ` --name ${options.name}` : '',
    options.stackName !== undefined ? ` --stack-name ${options.stackName}` : '',
    options.server !== undefined ? ` --server ${options.server}` : '',
    ctx.global.region !== undefined ? ` --region ${ctx.global.region}` : '',
    ctx.global.profile !== undefined ? ` --profile ${ctx.global.profile}` : '',
  ].join('');
}

async function target(
  ctx: CommandContext,
  options: DoctorOptions,
): Promise<DoctorTarget & { stackName?: string; vpc?: VpcSettings & { securityGroup?: string }; guardRails?: CheckResult }> {
  if (options.url !== undefined) {
    if (options.name !== undefined || options.stackName !== undefined) {
      throw new UsageError('Pass either --url or --name/--stack-name, not both.');
    }
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new UsageError(
        `--url ${JSON.stringify(options.url)} is not a URL.`,
        'Pass the MCP endpoint, e.g. --url http://127.0.0.1:8765/mcp',
      );
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new UsageError(`--url ${options.url} is not an http(s) URL.`);
    if (options.client !== undefined && options.client !== 'claude-code') {
      throw new UsageError('--client needs a deployed stack (its client id and redirect URIs), not --url.');
    }
    return { mcpUrl: options.url, command: (sub) => `mcp-lambda ${sub}` };
  }
  const stack = oneServer(
    await resolveStack(ctx, options).catch((error: unknown) => {
      // No region: likely no AWS at all. The local path needs none.
      if (error instanceof UserError && error.message === 'No AWS region is set.' && options.name === undefined) {
        throw new UserError(error.message, {
          hint: `${error.options.hint ?? ''}\nTo check a local server instead (mcp-lambda dev): mcp-lambda doctor --url http://127.0.0.1:8765/mcp`,
          cause: error,
        });
      }
      throw error;
    }),
    options.server,
    'doctor',
  );
  const stored = await readTokens(ctx.env, stack.region, stack.stackName).catch(() => undefined);
  const flags = stackFlags(ctx, options);
  const command = (sub: string) => `mcp-lambda ${sub}${flags}`;
  const client =
    options.client !== undefined && options.client !== 'claude-code'
      ? await clientPart(ctx, stack, options.client, command)
      : undefined;
  const vpc = readVpcOutput(stack.raw.Vpc);
  return {
    stackName: stack.stackName,
    guardRails: checkGuardRails(stack.raw, command),
    ...(vpc && {
      vpc: { ...vpc, ...(stack.raw.VpcSecurityGroup !== undefined && { securityGroup: stack.raw.VpcSecurityGroup }) },
    }),
    stack: { stackName: stack.stackName, region: stack.region },
    mcpUrl: stack.mcpServerUrl,
    expected: { issuerUrl: stack.issuerUrl, clientId: stack.clientId, callbackPort: stack.callbackPort, scope: stack.scope },
    ...(stack.apiWide && {
      apiWide: {
        resource: stack.apiWide.resource,
        serverScope: stack.servers.find((server) => server.name === stack.serverName)?.scope ?? stack.scope,
      },
    }),
    ...(typeof stored?.accessToken === 'string' && { accessToken: stored.accessToken }),
    ...(client && { client }),
    command,
  };
}

const MARKS = { ok: '✓', warn: '!', fail: '✗', skip: '–' } as const;

export async function doctor(
  ctx: CommandContext,
  options: DoctorOptions,
  fetchImpl: typeof fetch = fetch,
): Promise<CheckResult[]> {
  const { out, global } = ctx;
  const chain = await target(ctx, options);
  if (!global.json)
    out.info(out.style.dim(`Checking ${chain.mcpUrl} as ${chain.client?.title ?? 'Claude Code'} would reach it…`));
  if (!global.json && chain.vpc !== undefined) {
    out.info(`The MCP functions run in your VPC: ${describeVpc(chain.vpc, chain.vpc.securityGroup)}.`);
  }
  const results = await runDoctor(chain, {
    fetch: fetchImpl,
    env: ctx.env,
    cwd: ctx.cwd,
    confirmHelper: async (command, where) => {
      if (options.runHelpers === true) return true;
      if (!ctx.interactive) return false;
      out.warn(`${where} has a headersHelper that mcp-lambda did not write:\n  ${command}`);
      // Its own flag: a blanket --yes must not run someone else's command.
      return ctx.prompt.confirm('Run it now, as you, to check it?', { default: false, flag: '--run-helpers' });
    },
  });
  // After the chain: whether anyone hears of a failure, and what caps the server.
  if (chain.guardRails) results.push(chain.guardRails);
  const broken = results.find((check) => check.status === 'fail');

  if (global.json) {
    out.json({
      mcpUrl: chain.mcpUrl,
      ...(chain.stackName !== undefined && { stackName: chain.stackName }),
      ...(chain.vpc !== undefined && { vpc: chain.vpc }),
      ok: broken === undefined,
      checks: results,
      ...(broken && { firstBroken: broken.id }),
    });
  } else {
    const { style } = out;
    const colour = { ok: style.green, warn: style.yellow, fail: style.red, skip: style.dim };
    const width = Math.max(...results.map((check) => check.title.length));
    for (const check of results) {
      const [first, ...rest] = check.detail.split('\n');
      out.result(`${colour[check.status](MARKS[check.status])} ${check.title.padEnd(width)}  ${first}`);
      for (const line of rest) out.result(`  ${' '.repeat(width)}  ${line}`);
      if (check.fix && check.status !== 'ok') out.result(`  ${' '.repeat(width)}  ${style.dim('fix:')} ${check.fix}`);
    }
    out.result('');
  }
  if (broken?.id === 'mcp' && chain.vpc !== undefined) {
    out.warn(
      'the functions run in a VPC: one whose subnets have no way out (a NAT gateway, or VPC endpoints for Secrets Manager/SSM) cannot read its secrets at cold start, nor call the internet. mcp-lambda deploy checks the subnets and names what to add.',
    );
  }
  if (broken) {
    throw new UserError(`The chain breaks at the ${broken.title}: ${broken.detail.split('\n')[0]}`, {
      ...(broken.fix !== undefined && { hint: broken.fix }),
    });
  }
  if (!global.json) out.result(`${out.style.green('✓')} Every link ${chain.client?.title ?? 'Claude Code'} needs works.`);
  return results;
}
