/** The protected-resource metadata (RFC 9728) the challenge names: resource, servers, scopes. */
import { isServableUrl } from '../deployed/resolve.js';
import { type DoctorDeps, type DoctorTarget, getJson, type Walk } from './chain.js';
import { type CheckResult, result } from './report.js';
export async function checkMetadata(target: DoctorTarget, deps: DoctorDeps, walk: Walk): Promise<CheckResult> {
  if (!walk.metadataUrl) return result('resource-metadata', 'skip', 'no metadata URL to read (see the challenge).');
  const fix = target.command('deploy');
  const got = await getJson(deps.fetch, walk.metadataUrl);
  if (got.status !== 200 || !got.body) {
    return result(
      'resource-metadata',
      'fail',
      `${walk.metadataUrl} answered HTTP ${got.status}${got.error ? ` (${got.error})` : ''}.`,
      fix,
    );
  }
  const doc = got.body;
  // Several servers: the API's document (resource = the API's URL, a prefix of the MCP URL, as RFC 9728
  // clients accept), and the server's own at its path under the well-known one.
  const apiWide = target.apiWide !== undefined && doc.resource === target.apiWide.resource ? target.apiWide : undefined;
  if (doc.resource !== target.mcpUrl && !apiWide) {
    return result(
      'resource-metadata',
      'fail',
      `"resource" is ${JSON.stringify(doc.resource)}, but the MCP URL is ${target.mcpUrl}: clients refuse metadata for another resource.`,
      fix,
    );
  }
  const servers = Array.isArray(doc.authorization_servers) ? doc.authorization_servers.filter(isServableUrl) : [];
  if (servers.length === 0) return result('resource-metadata', 'fail', '"authorization_servers" names no https URL.', fix);
  if (target.expected && !servers.includes(target.expected.issuerUrl)) {
    return result(
      'resource-metadata',
      'fail',
      `"authorization_servers" is ${JSON.stringify(servers)}, not the stack's issuer ${target.expected.issuerUrl}.`,
      fix,
    );
  }
  walk.authorizationServer = target.expected?.issuerUrl ?? servers[0];
  const scopes = Array.isArray(doc.scopes_supported) ? doc.scopes_supported : [];
  if (target.expected && !scopes.includes(target.expected.scope)) {
    return result(
      'resource-metadata',
      'fail',
      `"scopes_supported" is ${JSON.stringify(scopes)}, without ${target.expected.scope}.`,
      fix,
    );
  }
  if (apiWide) {
    const own = `${walk.metadataUrl}${new URL(target.mcpUrl).pathname.slice(new URL(apiWide.resource).pathname.replace(/\/$/, '').length)}`;
    const ownDoc = await getJson(deps.fetch, own);
    const ownScopes = Array.isArray(ownDoc.body?.scopes_supported) ? ownDoc.body.scopes_supported : [];
    if (ownDoc.status !== 200 || ownDoc.body?.resource !== target.mcpUrl || !ownScopes.includes(apiWide.serverScope)) {
      return result(
        'resource-metadata',
        'fail',
        `the API's document is right, but the server's own, ${own}, answered HTTP ${ownDoc.status}${ownDoc.body ? ` for ${JSON.stringify(ownDoc.body.resource)} with ${JSON.stringify(ownScopes)}` : ''}.`,
        fix,
      );
    }
    return result(
      'resource-metadata',
      'ok',
      `resource ${apiWide.resource} (the API: every server takes its token), authorization server ${walk.authorizationServer}; the server's own at ${own}`,
    );
  }
  // The stack serves the document at the stage root too (clients that strip the path look there).
  const root = walk.metadataUrl.replace(/\/\.well-known\/oauth-protected-resource\/.+$/, '/.well-known/oauth-protected-resource');
  if (root !== walk.metadataUrl) {
    const rootDoc = await getJson(deps.fetch, root);
    if (rootDoc.status !== 200 || rootDoc.body?.resource !== target.mcpUrl) {
      return result(
        'resource-metadata',
        'warn',
        `${walk.metadataUrl} is right, but ${root} answered HTTP ${rootDoc.status}${rootDoc.body ? ' with another resource' : ''}.`,
        fix,
      );
    }
  }
  return result(
    'resource-metadata',
    'ok',
    `resource ${target.mcpUrl}, authorization server ${walk.authorizationServer}${root !== walk.metadataUrl ? `; also at ${root}` : ''}`,
  );
}
