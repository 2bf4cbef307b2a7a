/** The stored access token itself: expiry, scope and audience. */
import { jwtClaims } from '../auth/jwt.js';
import { duration } from '../terminal/duration.js';
import { type DoctorDeps, type DoctorTarget, type Walk } from './chain.js';
import { type CheckResult, result } from './report.js';
export function checkToken(target: DoctorTarget, deps: DoctorDeps, walk: Walk): CheckResult {
  const token = walk.token ?? target.accessToken;
  if (!walk.oauth || token === undefined)
    return result('token', 'skip', walk.oauth ? 'no stored sign-in.' : 'no OAuth in front of the server.');
  const claims = jwtClaims(token);
  if (!claims) return result('token', 'fail', 'the stored token is not a JWT.', target.command('login'));
  const problems: string[] = [];
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
  const accepted = [target.expected?.scope, target.apiWide?.serverScope].filter((scope) => scope !== undefined);
  if (accepted.length > 0 && !accepted.some((scope) => scopes.includes(scope)))
    problems.push(`it lacks the scope ${accepted.join(' or ')} (it has: ${scopes.join(' ') || 'none'})`);
  const aud = claims.aud;
  const audiences = [target.mcpUrl, target.apiWide?.resource].filter((value) => value !== undefined);
  if (aud !== undefined && !(Array.isArray(aud) ? aud : [aud]).some((value) => audiences.includes(value))) {
    problems.push(`its audience is ${JSON.stringify(aud)}, not ${audiences.join(' or ')}`);
  }
  const left = typeof claims.exp === 'number' ? claims.exp * 1000 - (deps.now ?? Date.now)() : undefined;
  if (left !== undefined && left <= 0) problems.push(`it expired ${duration(-left)} ago`);
  if (problems.length > 0)
    return result(
      'token',
      'fail',
      `The stored token: ${problems.join('; ')}.`,
      left !== undefined && left <= 0 ? target.command('token') : target.command('login'),
    );
  return result(
    'token',
    'ok',
    `scope ${target.expected?.scope ?? scopes.join(' ')}, audience ${aud === undefined ? 'none (password sign-in)' : JSON.stringify(aud)}${left !== undefined ? `, ${duration(left)} left` : ''}`,
  );
}
