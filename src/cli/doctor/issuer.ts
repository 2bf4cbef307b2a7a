/** The authorization server's discovery document: the endpoints Claude Code signs in with. */
import { discoveryUrl } from '../clients/claude-code/entry.js';
import { isServableUrl } from '../deployed/resolve.js';
import { type DoctorDeps, type DoctorTarget, getJson, type Walk } from './chain.js';
import { type CheckResult, result } from './report.js';
export async function checkIssuer(target: DoctorTarget, deps: DoctorDeps, walk: Walk): Promise<CheckResult> {
  const issuer = walk.authorizationServer ?? target.expected?.issuerUrl;
  if (!issuer) return result('issuer', 'skip', 'no authorization server to ask (see the metadata).');
  const url = discoveryUrl(issuer);
  const got = await getJson(deps.fetch, url);
  const fix = target.command('deploy');
  if (got.status !== 200 || !got.body)
    return result('issuer', 'fail', `${url} answered HTTP ${got.status}${got.error ? ` (${got.error})` : ''}.`, fix);
  const doc = got.body;
  if (doc.issuer !== issuer)
    return result(
      'issuer',
      'fail',
      `the document's issuer is ${JSON.stringify(doc.issuer)}, not ${issuer}: clients reject it.`,
      fix,
    );
  const missing = ['authorization_endpoint', 'token_endpoint'].filter((key) => !isServableUrl(doc[key]));
  if (missing.length > 0) return result('issuer', 'fail', `the document has no usable ${missing.join(' or ')}.`, fix);
  if (!url.startsWith('https:')) {
    return result('issuer', 'warn', `${url} is not https: Claude Code accepts only an https authServerMetadataUrl.`);
  }
  walk.discovery = doc;
  return result('issuer', 'ok', `${url}: issuer matches; authorize at ${String(doc.authorization_endpoint)}`);
}
