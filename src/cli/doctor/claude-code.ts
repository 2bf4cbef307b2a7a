/** Claude Code's entries on disk for this server: their URL, OAuth settings and headersHelper. */
import { ConfigFileError, type FoundEntry, readEntries } from '../clients/claude-code/config-file.js';
import { discoveryUrl } from '../clients/claude-code/entry.js';
import { type DoctorDeps, type DoctorTarget, type Walk } from './chain.js';
import { type HelperRun, helperEnv, ownHelperFor, printable, runHelper } from './helper.js';
import { type CheckResult, result } from './report.js';
/** Stands for the server's name in a fix line until the MCP exchange has read it (see runDoctor). */
export const NAME_PLACEHOLDER = '<name>';

export async function checkClaudeCode(target: DoctorTarget, deps: DoctorDeps, walk: Walk): Promise<CheckResult> {
  let entries: FoundEntry[];
  try {
    entries = (await readEntries(deps.env, deps.cwd)).filter((found) => found.entry.url === target.mcpUrl);
  } catch (error) {
    if (error instanceof ConfigFileError) return result('claude-code', 'fail', error.message);
    throw error;
  }
  if (entries.length === 0) {
    // For a bare URL (mcp-lambda dev's) that is a next step, not a break: the server works without it.
    return result(
      'claude-code',
      target.expected ? 'fail' : 'warn',
      `no entry in Claude Code's configuration (for ${deps.cwd}) points at ${target.mcpUrl}${target.expected ? '' : ' yet; add one to use it from Claude Code'}.`,
      target.expected ? target.command('write-config') : `claude mcp add --transport http ${NAME_PLACEHOLDER} ${target.mcpUrl}`,
    );
  }
  const problems: string[] = [];
  let fix: string | undefined;
  const seen: string[] = [];
  const notRun: string[] = [];
  for (const { scope, name, entry, file } of entries) {
    const where = `"${printable(name)}" (${scope} scope)`;
    const rewrite = target.command(`write-config --scope ${scope}${name !== 'dog-facts' ? ` --entry-name ${name}` : ''} --yes`);
    if (entry.type !== 'http') {
      problems.push(
        `${where} has type ${JSON.stringify(entry.type)}: Claude Code reads a url without "type": "http" as a stdio server`,
      );
      fix ??= rewrite;
      continue;
    }
    const headers = (entry.headers ?? {}) as Record<string, unknown>;
    const oauth = entry.oauth as Record<string, unknown> | undefined;
    if (typeof entry.headersHelper === 'string') {
      const command = entry.headersHelper;
      const own = await ownHelperFor(command, target, deps.env);
      const run: HelperRun | undefined = own
        ? { kind: 'own', ...own }
        : (await (deps.confirmHelper ?? (async () => false))(printable(command), `${where} in ${file}`))
          ? { kind: 'shell', command }
          : undefined;
      if (!run) {
        notRun.push(`${where}: headersHelper not run (not written by mcp-lambda): ${printable(command)}`);
        continue;
      }
      const timeoutMs = deps.helperTimeoutMs ?? 10_000;
      const helper = await runHelper(run, helperEnv(run, deps.env, name, target.mcpUrl), timeoutMs);
      if (!helper.ok) {
        problems.push(`${where}: its headersHelper ${helper.why}`);
        fix ??= target.command('login');
        continue;
      }
      const authorization = helper.headers.Authorization ?? helper.headers.authorization;
      if (typeof authorization !== 'string' || !/^Bearer \S+$/.test(authorization)) {
        problems.push(`${where}: its headersHelper printed no "Authorization: Bearer …" header`);
        fix ??= target.command('login');
        continue;
      }
      walk.token ??= authorization.slice('Bearer '.length);
      seen.push(`${where}: headersHelper${own ? ' (mcp-lambda token)' : ''} returns a token`);
    } else if (typeof headers.Authorization === 'string') {
      problems.push(
        `${where} has a fixed Authorization header: it turns Claude Code's sign-in off and stops working when the token expires`,
      );
      fix ??= rewrite;
    } else if (oauth) {
      if (target.expected) {
        const want = {
          clientId: target.expected.clientId,
          callbackPort: target.expected.callbackPort,
          scopes: target.expected.scope,
          authServerMetadataUrl: discoveryUrl(target.expected.issuerUrl),
        };
        const wrong = Object.entries(want).filter(([key, value]) => oauth[key] !== value);
        if (wrong.length > 0) {
          problems.push(
            `${where}: ${wrong.map(([key, value]) => (oauth[key] === undefined ? `no oauth.${key}` : `oauth.${key} is ${JSON.stringify(oauth[key])}, not ${JSON.stringify(value)}`)).join('; ')}`,
          );
          fix ??= `${rewrite}, then: claude mcp logout ${name} && claude mcp login ${name}`;
          continue;
        }
      } else if (typeof oauth.authServerMetadataUrl !== 'string') {
        problems.push(
          `${where} has no oauth.authServerMetadataUrl: claude mcp login looks for the authorization server at the wrong place`,
        );
        continue;
      }
      seen.push(`${where}: OAuth with client ${String(oauth.clientId)}, port ${String(oauth.callbackPort)}`);
    } else {
      seen.push(`${where}: no authentication configured`);
      if (walk.oauth) {
        problems.push(`${where} has neither oauth nor a headersHelper, but the server asks for a token`);
        fix ??= rewrite;
      }
    }
  }
  if (problems.length > 0) return result('claude-code', 'fail', [...problems, ...notRun].join('\n'), fix);
  if (notRun.length > 0) {
    return result(
      'claude-code',
      'warn',
      [...notRun, ...seen].join('\n'),
      'Read the command: Claude Code runs it on every connect. If you trust it, run doctor again with --run-helpers.',
    );
  }
  return result('claude-code', 'ok', seen.join('\n'));
}
