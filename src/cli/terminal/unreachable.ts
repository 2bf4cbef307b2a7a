/**
 * "fetch failed", said plainly: when nothing answers at an MCP URL (refused, no such host), the sentence
 * names the address and, for this machine, whether `mcp-lambda dev` is the thing that is not running.
 */

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ECONNRESET', 'ETIMEDOUT']);

/** The network error code under an error's cause chain (undici's "fetch failed" carries it), if any. */
function networkCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 6; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (code !== undefined && NETWORK_CODES.has(code)) return code;
    current = current.cause;
  }
  return undefined;
}

/** Whether the URL is on this machine. */
function isLocal(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]', '0.0.0.0'].includes(url.hostname) || url.hostname.startsWith('127.');
}

/** A sentence and a hint when `error` means nothing answered at `url`; undefined for any other failure. */
export function unreachable(url: string, error: unknown): { message: string; hint: string } | undefined {
  const code = networkCode(error);
  if (code === undefined) return undefined;
  const parsed = new URL(url);
  const where = `${parsed.host}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return { message: `Nothing answers at ${url}: there is no host named ${parsed.hostname}.`, hint: 'Check the URL.' };
  }
  if (isLocal(parsed)) {
    return {
      message: `Nothing answers at ${url} (${code === 'ECONNREFUSED' ? `nothing listens on ${where}` : code}): mcp-lambda dev is not running there.`,
      hint: `Start it in another terminal (mcp-lambda dev${parsed.port && parsed.port !== '8765' ? ` --port ${parsed.port}` : ''}) and use the URL it prints.`,
    };
  }
  return { message: `Nothing answers at ${url} (${code}).`, hint: 'Check the URL, and that the server is up.' };
}
