import { describe, expect, it } from 'vitest';
import { MIN_REFRESH_MARGIN_MS, needsRefresh } from '../../../src/cli/commands/token.js';

const NOW = 1_800_000_000_000;
const jwt = (claims: Record<string, unknown>) => `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.s`;
/** Issued 8 hours before it expires: `left` below is counted from NOW, issued at NOW + left - 8 h. */
const issued = (left: number) => jwt({ iat: (NOW + left - 8 * 3600_000) / 1000 });

describe('needsRefresh', () => {
  it.each([
    ['5 h of 8 left', issued(5 * 3600_000), 5 * 3600_000, false],
    ['3 h of 8 left', issued(3 * 3600_000), 3 * 3600_000, true],
    ['expired', issued(-1000), -1000, true],
    ['an unreadable token with 6 min left', 'not-a-jwt', 6 * 60_000, false],
    ['an unreadable token with 4 min left', 'not-a-jwt', 4 * 60_000, true],
    ['a token issued after its expiry, 6 min left', jwt({ iat: NOW / 1000 + 3600 }), 6 * 60_000, false],
    ['a token with a string iat, 4 min left', jwt({ iat: 'x' }), 4 * 60_000, true],
  ])('%s → %s', (_name, accessToken, left, expected) => {
    expect(needsRefresh({ accessToken, expiresAt: NOW + left }, NOW)).toBe(expected);
  });

  it('never keeps a short token to its last five minutes', () => {
    const tenMinutes = jwt({ iat: (NOW + MIN_REFRESH_MARGIN_MS - 1 - 600_000) / 1000 });
    expect(needsRefresh({ accessToken: tenMinutes, expiresAt: NOW + MIN_REFRESH_MARGIN_MS - 1 }, NOW)).toBe(true);
  });
});
