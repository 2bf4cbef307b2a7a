/**
 * `mcp-lambda doctor`'s checks: the chain Claude Code walks to reach the server, one link at a time, in
 * the order it walks it — the 401 challenge, the protected-resource metadata, the issuer's discovery
 * document, the authorize endpoint, Claude Code's entries on disk, the MCP exchange with a stored
 * sign-in, the token itself, and the loopback callback port. Each result says what was seen and, when a
 * link is broken, the command that mends it.
 *
 * This module walks the chain; each link is a module of its own beside it (challenge, metadata, issuer,
 * authorize, claude-code, mcp-exchange, token, callback-port), what they share is in ./chain.ts, and the
 * shape of a result in ./report.ts; which headersHelpers run, and how, is ./helper.ts. No printing here,
 * and every outside thing (fetch, the question before running a helper mcp-lambda did not write, the port
 * probe) comes in through {@link DoctorDeps}, so tests break one link at a time against real local servers.
 */
import { checkAuthorize } from './authorize.js';
import { checkCallbackPort } from './callback-port.js';
import { type DoctorDeps, type DoctorTarget, type Walk } from './chain.js';
import { checkChallenge } from './challenge.js';
import { checkClaudeCode, NAME_PLACEHOLDER } from './claude-code.js';
import { checkIssuer } from './issuer.js';
import { checkMcp } from './mcp-exchange.js';
import { checkMetadata } from './metadata.js';
import type { CheckResult } from './report.js';
import { checkToken } from './token.js';

/** Walks the whole chain and returns one result per link, in Claude Code's order. */
export async function runDoctor(target: DoctorTarget, deps: DoctorDeps): Promise<CheckResult[]> {
  const walk: Walk = { oauth: false };
  const results: CheckResult[] = [];
  results.push(await checkChallenge(target, deps, walk));
  results.push(await checkMetadata(target, deps, walk));
  results.push(await checkIssuer(target, deps, walk));
  results.push(await checkAuthorize(target, deps, walk));
  if (target.client) {
    const { status, detail, fix } = await target.client.checkConfig();
    results.push({
      id: 'client-config',
      title: `${target.client.title} config`,
      status,
      detail,
      ...(fix !== undefined && { fix }),
    });
  } else results.push(await checkClaudeCode(target, deps, walk));
  results.push(await checkMcp(target, deps, walk));
  // `claude mcp add` with the name the server gives itself, once the exchange has read it.
  const safeName = walk.serverName?.replace(/[^A-Za-z0-9_-]+/g, '-');
  for (const [index, check] of results.entries()) {
    if (safeName && check.id === 'claude-code' && check.fix?.includes(NAME_PLACEHOLDER)) {
      results[index] = { ...check, fix: check.fix.replace(NAME_PLACEHOLDER, safeName) };
    }
  }
  results.push(checkToken(target, deps, walk));
  results.push(await checkCallbackPort(target, deps, walk));
  return results;
}
