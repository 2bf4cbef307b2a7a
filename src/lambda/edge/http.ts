/**
 * The HTTP request and response the Lambda's own layers pass around: plain data, not the Web
 * `Request`/`Response` classes. Node loads those (undici) on their first use, and that load costs a cold
 * start more than answering initialize, tools/list and a tool call together; only a request that goes
 * to the MCP SDK is turned into a Web `Request` (`toWebRequest` in ../protocol/sdk-leg.ts).
 */

/** An HTTP field name (RFC 9110 token). */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What a field value may not hold: NUL, CR, LF, and anything past Latin-1 (the Web `Headers` class's rules). */
const FORBIDDEN_IN_VALUE = /[\0\r\n]|[^\0-\xff]/;
const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/** Thrown for a header name or value that is not valid HTTP. */
export class InvalidHeaderError extends Error {
  override readonly name = 'InvalidHeaderError';
}

/**
 * Request headers, with the Web `Headers` class's reading rules: names are case-insensitive, values are
 * trimmed, and repeated fields read as one value joined with ", ".
 */
export class HeaderMap {
  readonly #fields = new Map<string, string>();

  constructor(init: Iterable<readonly [string, string]> = []) {
    for (const [name, value] of init) this.append(name, value);
  }

  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const normalized = value.replace(EDGE_WHITESPACE, '');
    if (!FIELD_NAME.test(name) || FORBIDDEN_IN_VALUE.test(normalized)) throw new InvalidHeaderError('invalid header');
    const existing = this.#fields.get(key);
    this.#fields.set(key, existing === undefined ? normalized : `${existing}, ${normalized}`);
  }

  get(name: string): string | null {
    return this.#fields.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.#fields.has(name.toLowerCase());
  }

  /** Lower-case names and their values. */
  entries(): IterableIterator<[string, string]> {
    return this.#fields.entries();
  }
}

export interface HttpRequest {
  /** Upper-case method token. */
  readonly method: string;
  readonly url: string;
  readonly headers: HeaderMap;
  /** The body as text (bodies are checked to be UTF-8 before they get here); undefined when none. */
  readonly body?: string;
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Text: every answer an MCP server gives is JSON or an event stream. Empty for no body. */
  readonly body: string;
  /**
   * The rest of the body, written as it happens (an event stream of a tool call in a streaming
   * deployment): sent after `body`. A buffered answer has none.
   */
  readonly stream?: AsyncIterable<string>;
}

/** A response with its header names lower-cased (as the Web `Headers` class would give them). */
export function httpResponse(status: number, headers: Readonly<Record<string, string>> = {}, body = ''): HttpResponse {
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  return { status, headers: lower, body };
}

/** A JSON-RPC error response with no id, as the Streamable HTTP spec has for transport-level failures. */
export function jsonRpcError(status: number, code: number, message: string, headers: Record<string, string> = {}): HttpResponse {
  return httpResponse(
    status,
    { 'content-type': 'application/json', ...headers },
    JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }),
  );
}
