/** Claude Code's entries on disk for this server: their URL, OAuth settings and headersHelper. */
import { execFile } from 'node:child_process';
import { ConfigFileError, type FoundEntry, readEntries } from '../clients/claude-code/config-file.js';
import { discoveryUrl } from '../clients/claude-code/entry.js';
import { type DoctorDeps, type DoctorTarget, type Walk } from './chain.js';
import { type CheckResult, result } from './report.js';
/** Runs a headersHelper as Claude Code does: through a shell, with the server's name and URL, 10 s at most. */
function runHelper(
  command: string,
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  url: string,
  timeoutMs: number,
): Promise<{ ok: true; headers: Record<string, unknown> } | { ok: false; why: string }> {
  return new Promise((resolve) => {
    execFile(
      '/bin/sh',
      ['-c', command],
      { env: { ...env, CLAUDE_CODE_MCP_SERVER_NAME: name, CLAUDE_CODE_MCP_SERVER_URL: url }, timeout: timeoutMs },
      (error, stdout, stderr) => {
        if (error) {
          const why = error.killed
            ? `did not finish within ${timeoutMs / 1000} s`
            : `failed: ${stderr.trim().split('\n')[0] || error.message}`;
          return resolve({ ok: false, why });
        }
        try {
          const headers = JSON.parse(stdout) as unknown;
          if (typeof headers !== 'object' || headers === null || Array.isArray(headers))
            return resolve({ ok: false, why: 'printed JSON that is not an object' });
          resolve({ ok: true, headers: headers as Record<string, unknown> });
        } catch {
          resolve({ ok: false, why: 'did not print a JSON object of headers' });
        }
      },
    );
  });
}

export async function checkClaudeCode(target: DoctorTarget, deps: DoctorDeps, walk: Walk): Promise<CheckResult> {
  let entries: FoundEntry[];
  try {
    entries = (await readEntries(deps.env, deps.cwd)).filter((found) => found.entry.url === target.mcpUrl);
  } catch (error) {
    if (error instanceof ConfigFileError) return result('claude-code', 'fail', error.message);
    throw error;
  }
  if (entries.length === 0) {
    return result(
      'claude-code',
      'fail',
      `no entry in Claude Code's configuration (for ${deps.cwd}) points at ${target.mcpUrl}.`,
      target.expected ? target.command('write-config') : `claude mcp add --transport http <name> ${target.mcpUrl}`,
    );
  }
  const problems: string[] = [];
  let fix: string | undefined;
  const seen: string[] = [];
  for (const { scope, name, entry } of entries) {
    const where = `"${name}" (${scope} scope)`;
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
      const helper = await runHelper(entry.headersHelper, deps.env, name, target.mcpUrl, deps.helperTimeoutMs ?? 10_000);
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
      seen.push(`${where}: headersHelper returns a token`);
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
  if (problems.length > 0) return result('claude-code', 'fail', problems.join('\n'), fix);
  return result('claude-code', 'ok', seen.join('\n'));
}
