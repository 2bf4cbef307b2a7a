/** The first link: the MCP URL without a token answers 401 with a challenge naming the metadata. */
import { ping } from '../auth/verify.js';
import { isServableUrl } from '../deployed/resolve.js';
import { type DoctorDeps, type DoctorTarget, type Walk } from './chain.js';
import { type CheckResult, result } from './report.js';
import { unreachable } from '../terminal/unreachable.js';
/** Parses `Bearer a="b", c="d"`; a value that is not quoted is reported, not guessed at. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string>; unquoted: string[] } {
  const [scheme = '', ...rest] = header.trim().split(/\s+/);
  const params: Record<string, string> = {};
  const unquoted: string[] = [];
  const text = rest.join(' ');
  for (const match of text.matchAll(/([A-Za-z_]+)=("([^"]*)"|[^,\s]*)/g)) {
    const [, name = '', raw = '', quoted] = match;
    if (quoted === undefined) unquoted.push(name);
    params[name] = quoted ?? raw;
  }
  return { scheme, params, unquoted };
}

export async function checkChallenge(target: DoctorTarget, deps: DoctorDeps, walk: Walk): Promise<CheckResult> {
  let response: Response;
  try {
    response = await ping(deps.fetch, target.mcpUrl, {}, 10_000);
  } catch (error) {
    walk.oauth = false;
    return result(
      'challenge',
      'fail',
      (!target.expected && unreachable(target.mcpUrl, error)?.message) ||
        `${target.mcpUrl} could not be reached: ${(error as Error).message}`,
      target.expected
        ? target.command('status')
        : (unreachable(target.mcpUrl, error)?.hint ?? 'Start the server (mcp-lambda dev), or check the URL.'),
    );
  }
  if (response.status !== 401) {
    walk.oauth = false;
    if (target.expected) {
      return result(
        'challenge',
        'fail',
        `a request without a token got HTTP ${response.status}, not 401: nothing asks clients to sign in.`,
        target.command('deploy'),
      );
    }
    return result(
      'challenge',
      'skip',
      `answers without a token (HTTP ${response.status}): no OAuth in front of it, as with mcp-lambda dev.`,
    );
  }
  walk.oauth = true;
  const header = response.headers.get('www-authenticate');
  if (header === null) {
    const remapped = response.headers.get('x-amzn-remapped-www-authenticate') !== null;
    return result(
      'challenge',
      'fail',
      remapped
        ? '401 without WWW-Authenticate: the challenge came from the Lambda, and API Gateway renamed it x-amzn-remapped-www-authenticate; the gateway response that should send it is missing.'
        : '401 without a WWW-Authenticate header: clients cannot find where to sign in.',
      target.command('deploy'),
    );
  }
  const challenge = parseChallenge(header);
  if (challenge.scheme.toLowerCase() !== 'bearer') {
    return result('challenge', 'fail', `WWW-Authenticate is "${header}", not a Bearer challenge.`, target.command('deploy'));
  }
  if (challenge.unquoted.includes('resource_metadata')) {
    return result(
      'challenge',
      'fail',
      `resource_metadata is not quoted in "${header}" (RFC 9728 asks for a quoted string).`,
      target.command('deploy'),
    );
  }
  const metadataUrl = challenge.params.resource_metadata;
  if (!isServableUrl(metadataUrl)) {
    return result(
      'challenge',
      'fail',
      `WWW-Authenticate has no usable resource_metadata URL: "${header}".`,
      target.command('deploy'),
    );
  }
  walk.metadataUrl = metadataUrl;
  if (target.expected && challenge.params.scope !== undefined && challenge.params.scope !== target.expected.scope) {
    return result(
      'challenge',
      'warn',
      `the challenge asks for scope "${challenge.params.scope}", the stack's is "${target.expected.scope}".`,
      target.command('deploy'),
    );
  }
  return result(
    'challenge',
    'ok',
    `401 with Bearer resource_metadata="${metadataUrl}"${challenge.params.scope ? `, scope="${challenge.params.scope}"` : ''}`,
  );
}
