/** The authorize endpoint: does Cognito accept the client, its redirect URI, the scope and the resource? */
import { createHash, randomBytes } from 'node:crypto';
import { type DoctorDeps, type DoctorTarget, type Walk } from './chain.js';
import { type CheckResult, result } from './report.js';
export async function checkAuthorize(target: DoctorTarget, deps: DoctorDeps, walk: Walk): Promise<CheckResult> {
  const endpoint = walk.discovery?.authorization_endpoint;
  if (typeof endpoint !== 'string' || !target.expected) {
    return result(
      'authorize',
      'skip',
      target.expected
        ? 'no authorize endpoint (see the discovery document).'
        : 'no client to try (pass --name for a deployed stack).',
    );
  }
  const { clientId, callbackPort, scope } = target.expected;
  const redirectUris = target.client?.redirectUris ?? [`http://localhost:${callbackPort}/callback`];
  if (redirectUris.length === 0) {
    return result(
      'authorize',
      'fail',
      `no redirect URI of ${target.client?.title ?? 'the client'} is registered yet.`,
      target.client?.register ?? target.command('deploy'),
    );
  }
  const accepted: string[] = [];
  for (const redirectUri of redirectUris) {
    const tried = await tryAuthorize(endpoint, target, deps, redirectUri);
    if (tried.status === 'fail') return tried;
    accepted.push(redirectUri);
  }
  const withResource = ` and resource ${target.apiWide?.resource ?? target.mcpUrl}`;
  return result('authorize', 'ok', `accepts client ${clientId}, callback ${accepted.join(', ')}, scope ${scope}${withResource}`);
}

/** One sign-in request with this redirect URI: Cognito's answer, without following it. */
async function tryAuthorize(endpoint: string, target: DoctorTarget, deps: DoctorDeps, redirectUri: string): Promise<CheckResult> {
  const { clientId, scope } = target.expected ?? { clientId: '', scope: '' };
  const url = new URL(endpoint);
  const verifier = randomBytes(32).toString('base64url');
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope,
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    // What a client that follows the challenge asks for: the resource its metadata names.
    resource: target.apiWide?.resource ?? target.mcpUrl,
  }).toString();
  let response: Response;
  try {
    response = await deps.fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    await response.body?.cancel();
  } catch (error) {
    return result('authorize', 'fail', `${endpoint} could not be reached: ${(error as Error).message}`);
  }
  const location = response.headers.get('location');
  if (response.status >= 300 && response.status < 400 && location) {
    const next = new URL(location, url);
    const error = next.searchParams.get('error');
    if (next.pathname.endsWith('/error') || (error && `${next.origin}${next.pathname}` === redirectUri)) {
      const description = next.searchParams.get('error_description');
      const why =
        error === 'redirect_mismatch'
          ? `the callback ${redirectUri} is not registered on client ${clientId}`
          : error === 'invalid_request' && description?.includes('resource')
            ? `the pool does not bind tokens to ${target.mcpUrl} (${description}): the stack predates resource binding`
            : `${error ?? 'an error'}${description ? `: ${description}` : ''}`;
      return result('authorize', 'fail', `Cognito refused the sign-in request: ${why}.`, target.command('deploy'));
    }
    return result('authorize', 'ok', redirectUri);
  }
  if (response.status === 200) return result('authorize', 'ok', redirectUri);
  return result(
    'authorize',
    'fail',
    `${endpoint} answered HTTP ${response.status} to a sign-in request for client ${clientId}.`,
    target.command('deploy'),
  );
}
