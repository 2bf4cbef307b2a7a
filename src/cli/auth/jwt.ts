/**
 * The payload of a JWT, read without verifying it: for diagnostics and for deciding when to refresh,
 * never for trusting a token. No imports: `mcp-lambda token`'s fast path uses it.
 */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
