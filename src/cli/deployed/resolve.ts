/**
 * Finds a deployed stack's outputs for `login`, `write-config` and `token`: from the local cache when it
 * is there (no AWS call), otherwise from CloudFormation (then cached). Checks that the outputs are the
 * ones this tool needs, so a stale cache or a foreign stack is a clear error, not a strange failure later.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AwsContext } from '../aws/context.js';
import type { CommandContext } from '../context.js';
import { UsageError, UserError } from '../terminal/errors.js';
import { cliStackName } from './name.js';
import { configDir, readStackRecord, saveStackRecord } from '../state/stack-state.js';

/** The outputs the CLI reads, checked. */
export interface StackOutputs {
  readonly stackName: string;
  readonly region: string;
  readonly serverName: string;
  readonly mcpServerUrl: string;
  readonly clientId: string;
  readonly scope: string;
  readonly callbackPort: number;
  readonly signInUrl: string;
  readonly userPoolId: string;
  /** The Cognito issuer, `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
  readonly issuerUrl: string;
  /**
   * The servers behind the API: one (the fields above), or several (`deploy --entry a --entry b`, each at
   * `/<name>/mcp`; then `mcpServerUrl` is the first one's, and `scope` the API-wide one clients ask for:
   * the 401 challenge names the API's metadata, and Cognito binds that scope to the API's resource).
   */
  readonly servers: readonly ServerOutput[];
  /** With several servers: the API's own resource (its URL) and the scope every server accepts. */
  readonly apiWide?: { readonly resource: string; readonly scope: string };
  readonly raw: Readonly<Record<string, string>>;
}

/** One server as the `Servers` output lists it. */
export interface ServerOutput {
  readonly name: string;
  readonly url: string;
  /** Its own scope. */
  readonly scope: string;
  readonly metadataUrl: string;
}

export interface StackSelector {
  readonly name?: string;
  readonly stackName?: string;
  /** One of several servers behind the stack (`--server`). */
  readonly server?: string;
}

/** https, or plain http on this machine (a dev server, a test, a local stand-in). */
export function isServableUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname));
  } catch {
    return false;
  }
}

/** Checks raw outputs; undefined lists what is missing or malformed. */
export function parseOutputs(stackName: string, region: string, raw: Readonly<Record<string, string>>): StackOutputs | string[] {
  const problems: string[] = [];
  const url = (key: string) => {
    const value = raw[key];
    if (isServableUrl(value)) return value;
    problems.push(`${key} ${value === undefined ? 'is missing' : `is not an https URL (${JSON.stringify(value)})`}`);
    return '';
  };
  const text = (key: string) => {
    const value = raw[key];
    if (value && value.trim() !== '') return value;
    problems.push(`${key} is missing`);
    return '';
  };
  const mcpServerUrl = url('McpServerUrl');
  const signInUrl = url('SignInUrl');
  const clientId = text('McpOAuthClientId');
  const scope = text('McpOAuthScope');
  const userPoolId = text('UserPoolId');
  const issuerUrl = url('IssuerUrl');
  const port = Number(raw.CallbackPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    problems.push(`CallbackPort is not a port (${JSON.stringify(raw.CallbackPort)})`);
  const read = raw.Servers === undefined ? undefined : readServers(raw.Servers);
  if (read !== undefined && 'problem' in read) problems.push(read.problem);
  const servers = Array.isArray(read) ? read : undefined;
  // With several servers the metadata output is the API's own document, at the root well-known path.
  const apiResource = servers && apiUrlOf(raw.OAuthMetadataUrl);
  if (servers && apiResource === undefined) {
    problems.push(`OAuthMetadataUrl is not the API's metadata URL (${JSON.stringify(raw.OAuthMetadataUrl)})`);
  }
  if (problems.length > 0) return problems;
  const serverName = raw.ServerName || stackName;
  return {
    stackName,
    region,
    serverName,
    mcpServerUrl,
    clientId,
    scope,
    callbackPort: port,
    signInUrl,
    userPoolId,
    issuerUrl,
    servers: servers ?? [{ name: serverName, url: mcpServerUrl, scope, metadataUrl: raw.OAuthMetadataUrl ?? '' }],
    ...(apiResource && { apiWide: { resource: apiResource, scope } }),
    raw,
  };
}

/** The `Servers` output read: the list of servers, or why it is not the list deploy writes. */
export function readServers(value: string): ServerOutput[] | { readonly problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { problem: `Servers is not JSON (${JSON.stringify(value.slice(0, 80))})` };
  }
  const valid = (item: unknown): item is ServerOutput => {
    if (typeof item !== 'object' || item === null) return false;
    const { name, url, scope, metadataUrl } = item as Record<string, unknown>;
    return (
      typeof name === 'string' &&
      /^[a-z][a-z0-9-]{0,39}$/.test(name) &&
      isServableUrl(url) &&
      typeof scope === 'string' &&
      scope.trim() !== '' &&
      isServableUrl(metadataUrl)
    );
  };
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every(valid)) {
    return {
      problem: `Servers is not a list of servers with name, url, scope and metadataUrl (${JSON.stringify(value.slice(0, 80))})`,
    };
  }
  return parsed.map(({ name, url, scope, metadataUrl }) => ({ name, url, scope, metadataUrl }));
}

/** The API's URL from the metadata URL of a stack with several servers (its root well-known document). */
export function apiUrlOf(metadataUrl: string | undefined): string | undefined {
  return metadataUrl?.match(/^(https?:\/\/.+)\/\.well-known\/oauth-protected-resource$/)?.[1];
}

/**
 * The stack as each of its servers is reached (`--server <name>`, else every one): the same outputs with
 * that server's name and URL. A stack with one server is its own one view.
 */
export function serverViews(stack: StackOutputs, server?: string): StackOutputs[] {
  const several = stack.raw.Servers !== undefined;
  const pick = server === undefined ? stack.servers : stack.servers.filter((candidate) => candidate.name === server);
  if (pick.length === 0) {
    const names = stack.servers.map((candidate) => candidate.name);
    throw new UsageError(
      `${stack.stackName} has no server named ${JSON.stringify(server)}; it serves ${names.join(', ')}.`,
      several ? `--server ${names[0]}` : 'Leave out --server: this stack serves one server.',
    );
  }
  if (!several) return [stack];
  // The scope stays the API-wide one: clients that follow the 401 challenge ask for the API's resource,
  // and Cognito grants only that resource's own scope with it.
  return pick.map((view) => ({ ...stack, serverName: view.name, mcpServerUrl: view.url }));
}

/** The one server a command talks to: `--server`, or the only one; several without `--server` is a usage error. */
export function oneServer(stack: StackOutputs, server: string | undefined, command: string): StackOutputs {
  const views = serverViews(stack, server);
  if (views.length === 1 && views[0]) return views[0];
  throw new UsageError(
    `${stack.stackName} serves several servers (${views.map((view) => view.serverName).join(', ')}); ${command} talks to one.`,
    `Name it: --server ${views[0]?.serverName ?? '<name>'}`,
  );
}

async function cachedRegions(ctx: CommandContext, stackName: string): Promise<string[]> {
  const root = join(configDir(ctx.env), 'stacks');
  const regions = await readdir(root).catch(() => [] as string[]);
  const found: string[] = [];
  for (const region of regions)
    if ((await readStackRecord(ctx.env, region, stackName).catch(() => undefined)) !== undefined) found.push(region);
  return found;
}

export async function resolveStack(ctx: CommandContext, selector: StackSelector): Promise<StackOutputs> {
  const stackName = cliStackName(selector);
  let region = ctx.global.region ?? (ctx.env.AWS_REGION || ctx.env.AWS_DEFAULT_REGION || undefined);
  if (region === undefined) {
    const regions = await cachedRegions(ctx, stackName);
    if (regions.length > 1) {
      throw new UsageError(
        `${stackName} is deployed in several regions (${regions.join(', ')}).`,
        `Pick one with --region ${regions[0]}`,
      );
    }
    region = regions[0];
  }

  if (region !== undefined) {
    const record = await readStackRecord(ctx.env, region, stackName).catch(() => undefined);
    if (record) {
      const parsed = parseOutputs(stackName, region, record.outputs);
      if (!Array.isArray(parsed)) return parsed;
    }
  }

  const aws = new AwsContext({
    env: ctx.env,
    ...(ctx.global.profile !== undefined && { profile: ctx.global.profile }),
    ...(region !== undefined && { region }),
  });
  try {
    const resolvedRegion = await aws.region();
    const { ToolkitEngine } = await import('../deploy/toolkit-engine.js');
    const stack = await new ToolkitEngine({ aws, onProgress: () => {} }).describeStack(stackName);
    if (!stack) {
      throw new UserError(`${stackName} is not deployed in ${resolvedRegion}.`, {
        hint: `Deploy it with: mcp-lambda deploy${selector.name ? ` --name ${selector.name}` : ''} --region ${resolvedRegion}`,
      });
    }
    const parsed = parseOutputs(stackName, resolvedRegion, stack.outputs);
    if (Array.isArray(parsed)) {
      throw new UserError(`${stackName} in ${resolvedRegion} does not have the outputs mcp-lambda needs: ${parsed.join('; ')}.`, {
        hint: 'Was it deployed by mcp-lambda? Redeploy it with: mcp-lambda deploy',
      });
    }
    await saveStackRecord(ctx.env, {
      stackName,
      region: resolvedRegion,
      savedAt: new Date().toISOString(),
      outputs: stack.outputs,
    });
    return parsed;
  } finally {
    aws.destroy();
  }
}
