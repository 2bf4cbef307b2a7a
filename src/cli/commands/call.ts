/**
 * `mcp-lambda tools` and `mcp-lambda call <tool>`: use the deployed server from a shell, with the stored
 * sign-in (refreshed when needed), or any MCP URL with `--url` (e.g. `mcp-lambda dev`). The official MCP
 * client speaks to it, 2026-07-28 first with a fallback to the 2025 era, as Claude Code does.
 */
import type { Client } from '@modelcontextprotocol/client';
import type { CommandContext } from '../context.js';
import { listTokens, type StoredTokens } from '../auth/token-store.js';
import { RemoteError, UsageError, UserError } from '../terminal/errors.js';
import type { StackSelector } from '../deployed/resolve.js';
import { closest } from '../terminal/closest.js';
import { unreachable } from '../terminal/unreachable.js';
import { answerElicitation, type ElicitParams, parseAnswers } from '../tool-input/elicit.js';
import { validSignIn } from './token.js';

export interface ServerOptions extends StackSelector {
  /** An MCP URL to use instead of a deployed stack (no sign-in). */
  readonly url?: string;
}

export interface CallOptions extends ServerOptions {
  /** `key=value` (repeatable); the value is read as JSON when it parses (3, true, ["a"]), else as text. */
  readonly arg?: string[];
  /** All arguments as one JSON object. */
  readonly argsJson?: string;
  /** `key=value` answers to what the tool asks (elicitation), for when no terminal can ask. */
  readonly answer?: string[];
}

/** The flags that name the server, for a hint that repeats a command: ` --url …` or ` --name …`. */
export function targetFlags(options: ServerOptions): string {
  return [
    options.url !== undefined ? ` --url ${options.url}` : '',
    options.name !== undefined ? ` --name ${options.name}` : '',
    options.stackName !== undefined ? ` --stack-name ${options.stackName}` : '',
    options.server !== undefined ? ` --server ${options.server}` : '',
  ].join('');
}

/** Arguments from `--arg k=v` and `--args-json`; a bad one is a usage error naming it. */
export function parseArguments(options: Pick<CallOptions, 'arg' | 'argsJson'>): Record<string, unknown> {
  let args: Record<string, unknown> = {};
  if (options.argsJson !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(options.argsJson);
    } catch {
      throw new UsageError(
        `--args-json is not JSON: ${options.argsJson.slice(0, 80)}`,
        `For example: --args-json '{"limit": 3}'`,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new UsageError(
        '--args-json must be a JSON object of argument names and values.',
        `For example: --args-json '{"limit": 3}'`,
      );
    }
    args = { ...(parsed as Record<string, unknown>) };
  }
  for (const pair of options.arg ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--arg ${JSON.stringify(pair)} is not key=value.`, 'For example: --arg limit=3');
    const raw = pair.slice(at + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      /* plain text */
    }
    args[pair.slice(0, at)] = value;
  }
  return args;
}

async function connect(
  ctx: CommandContext,
  options: ServerOptions,
  prepare: (client: Client) => void = () => {},
): Promise<{ client: Client; url: string }> {
  let url: string;
  const headers: Record<string, string> = {};
  if (options.url !== undefined) {
    if (options.name !== undefined || options.stackName !== undefined || options.server !== undefined)
      throw new UsageError('Pass either --url or --name/--stack-name/--server, not both.');
    if (!URL.canParse(options.url) || !/^https?:$/.test(new URL(options.url).protocol)) {
      throw new UsageError(
        `--url ${JSON.stringify(options.url)} is not an http(s) URL.`,
        'For example: --url http://127.0.0.1:8765/mcp',
      );
    }
    url = options.url;
  } else {
    if (options.name === undefined && options.stackName === undefined && (await listTokens(ctx.env)).length === 0) {
      throw new UserError('Not signed in to any deployed server (mcp-lambda login signs in to one; it needs AWS).', {
        hint: `Without AWS, use a local server: run mcp-lambda dev, then mcp-lambda ${options.server === undefined ? 'tools' : 'call'} --url http://127.0.0.1:8765/mcp`,
      });
    }
    const signIn = await validSignIn(ctx, options);
    url = serverUrlOf(signIn, options.server);
    headers.Authorization = `Bearer ${signIn.accessToken}`;
  }
  const { Client, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
  const client = new Client(
    { name: 'mcp-lambda', version: '1' },
    { versionNegotiation: { mode: 'auto' }, capabilities: { elicitation: { form: {} } } },
  );
  prepare(client);
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  } catch (error) {
    const nothing = unreachable(url, error);
    if (nothing) throw new RemoteError(nothing.message, { hint: nothing.hint, cause: error });
    const message = (error as Error).message;
    throw new RemoteError(`Could not connect to ${url}: ${message}`, {
      hint: /\b401\b|Unauthorized/i.test(message)
        ? 'The sign-in was refused: run mcp-lambda login again (mcp-lambda doctor names the broken link).'
        : 'mcp-lambda doctor walks the chain and names the broken link.',
      cause: error,
    });
  }
  return { client, url };
}

/** The URL of the server to use: `--server` among a stack's several, else the one the sign-in is for. */
export function serverUrlOf(signIn: StoredTokens, server: string | undefined): string {
  const { servers } = signIn;
  if (servers === undefined) {
    if (server !== undefined && server !== signIn.serverName) {
      throw new UsageError(
        `${signIn.stackName} serves one server, ${signIn.serverName}, not ${JSON.stringify(server)}.`,
        'Leave out --server.',
      );
    }
    return signIn.mcpServerUrl;
  }
  const valid =
    Array.isArray(servers) &&
    servers.every((entry) => typeof entry?.name === 'string' && typeof entry.url === 'string' && URL.canParse(entry.url));
  if (!valid) throw new UserError(`The stored sign-in for ${signIn.stackName} is damaged: run mcp-lambda login again.`);
  const names = servers.map((entry) => entry.name);
  if (server === undefined) {
    if (servers.length === 1 && servers[0]) return servers[0].url;
    throw new UsageError(`${signIn.stackName} serves several servers (${names.join(', ')}); name one.`, `--server ${names[0]}`);
  }
  const found = servers.find((entry) => entry.name === server);
  if (!found)
    throw new UsageError(`${signIn.stackName} has no server named ${JSON.stringify(server)}; it serves ${names.join(', ')}.`);
  return found.url;
}

interface SchemaProperty {
  readonly type?: unknown;
  readonly description?: unknown;
}

export async function tools(ctx: CommandContext, options: ServerOptions): Promise<void> {
  const { out, global } = ctx;
  const { client, url } = await connect(ctx, options);
  try {
    const { tools: list } = await client.listTools();
    if (global.json) {
      out.json({ url, tools: list });
      return;
    }
    out.result(`${list.length} tool${list.length === 1 ? '' : 's'} at ${url}:`);
    for (const tool of list) {
      out.result('');
      out.result(`${out.style.bold(tool.name)}${tool.description ? `  ${tool.description}` : ''}`);
      const properties = (tool.inputSchema.properties ?? {}) as Record<string, SchemaProperty>;
      const required = new Set((tool.inputSchema.required as string[] | undefined) ?? []);
      for (const [name, property] of Object.entries(properties)) {
        const type = typeof property.type === 'string' ? property.type : 'any';
        out.result(
          `  --arg ${name}=<${type}>${required.has(name) ? ' (required)' : ''}${typeof property.description === 'string' ? `  ${property.description}` : ''}`,
        );
      }
    }
  } finally {
    await client.close().catch(() => {});
  }
}

export async function call(ctx: CommandContext, tool: string, options: CallOptions): Promise<void> {
  const { out, global } = ctx;
  const args = parseArguments(options);
  const answers = parseAnswers(options.answer);
  // A question the tool asked that could not be answered here: said as the reason the call stopped.
  let unanswered: Error | undefined;
  const { client, url } = await connect(ctx, options, (client) =>
    client.setRequestHandler('elicitation/create', async (request) => {
      try {
        return await answerElicitation(tool, request.params as ElicitParams, answers, ctx.prompt, ctx.interactive);
      } catch (error) {
        unanswered = error as Error;
        throw error;
      }
    }),
  );
  try {
    let result: Awaited<ReturnType<Client['callTool']>>;
    try {
      result = await client.callTool(
        { name: tool, arguments: args },
        {
          onprogress: ({ progress, total, message }) => {
            if (!global.json)
              out.info(out.style.dim(`… ${message ?? `${progress}${total !== undefined ? ` of ${total}` : ''}`}`));
          },
        },
      );
    } catch (error) {
      if (unanswered) throw unanswered;
      const listed = await client.listTools().then(
        ({ tools: list }) => list.map((entry) => entry.name),
        () => undefined,
      );
      if (listed !== undefined && !listed.includes(tool)) {
        const near = closest(tool, listed);
        throw new UsageError(
          `${url} has no tool named ${tool}; its tools: ${listed.join(', ') || 'none'}.`,
          `${near !== undefined ? `Did you mean ${near}? ` : ''}See the tools and their arguments with: mcp-lambda tools${targetFlags(options)}`,
        );
      }
      throw new RemoteError(`${tool} could not be called: ${(error as Error).message}`, {
        hint: `See the tools and their arguments with: mcp-lambda tools${targetFlags(options)}`,
      });
    }
    const text = (result.content as Array<{ type: string; text?: string }>)
      .map((part) => (part.type === 'text' ? (part.text ?? '') : `[${part.type}]`))
      .join('\n');
    if (global.json) out.json(result);
    else if (result.isError !== true) out.result(text);
    if (result.isError === true) {
      // dog facts' slow tool names deploy --timeout; against a URL (dev's, say) the same flag is dev's.
      const timeoutHint =
        options.url !== undefined && /--timeout/.test(text)
          ? 'Against mcp-lambda dev: restart it with --timeout <seconds> (up to 900), as deploy --timeout sets it.'
          : undefined;
      throw new RemoteError(`${tool} answered with an error: ${text}`, { ...(timeoutHint && { hint: timeoutHint }) });
    }
  } finally {
    await client.close().catch(() => {});
  }
}
