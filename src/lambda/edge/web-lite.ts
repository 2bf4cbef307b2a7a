/**
 * `Headers`, `Request` and `Response` for the MCP SDK inside the Lambda bundles, in place of Node's own.
 * Node builds its Web classes on undici, which it loads on the first use of any of them; on Node 24 that
 * load costs about as much CPU as node's whole start (`npm run bench` prints it), and a custom server's
 * first tool call paid it. The bundles point the SDK's free references to these three names here
 * (src/cli/entry/web-lite-plugin.ts); the user's code keeps Node's own.
 *
 * What is here is what the SDK and our edge use: headers with the Web reading rules (case-insensitive,
 * values trimmed, repeats joined with ", "), a request whose body is a string, a response whose body is
 * a string or a `ReadableStream` (node's own web streams, which do not load undici). Not here: `fetch`,
 * `FormData`, `Blob` bodies, redirects, cloning a consumed body.
 */

type HeadersInitLite = LiteHeaders | Iterable<readonly [string, string]> | Record<string, string | undefined>;

const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FORBIDDEN_IN_VALUE = /[\0\r\n]|[^\0-\xff]/;
const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

export class LiteHeaders {
  readonly #fields = new Map<string, string>();

  constructor(init?: HeadersInitLite) {
    if (init === undefined || init === null) return;
    if (init instanceof LiteHeaders) {
      for (const [name, value] of init.#fields) this.#fields.set(name, value);
    } else if (typeof (init as Iterable<unknown>)[Symbol.iterator] === 'function') {
      for (const pair of init as Iterable<readonly [string, string]>) {
        if (pair.length !== 2) throw new TypeError('Headers: each pair must be [name, value]');
        this.append(pair[0], pair[1]);
      }
    } else {
      for (const [name, value] of Object.entries(init as Record<string, string | undefined>)) {
        this.append(name, String(value));
      }
    }
  }

  #key(name: string): string {
    if (!FIELD_NAME.test(name)) throw new TypeError(`Headers: invalid header name "${name}"`);
    return name.toLowerCase();
  }

  #value(value: string): string {
    const normalized = String(value).replace(EDGE_WHITESPACE, '');
    if (FORBIDDEN_IN_VALUE.test(normalized)) throw new TypeError('Headers: invalid header value');
    return normalized;
  }

  append(name: string, value: string): void {
    const key = this.#key(name);
    const existing = this.#fields.get(key);
    const normalized = this.#value(value);
    this.#fields.set(key, existing === undefined ? normalized : `${existing}, ${normalized}`);
  }

  set(name: string, value: string): void {
    this.#fields.set(this.#key(name), this.#value(value));
  }

  delete(name: string): void {
    this.#fields.delete(name.toLowerCase());
  }

  get(name: string): string | null {
    return this.#fields.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.#fields.has(name.toLowerCase());
  }

  /** Sorted by name, as the Web class iterates. */
  *entries(): IterableIterator<[string, string]> {
    for (const name of [...this.#fields.keys()].sort()) yield [name, this.#fields.get(name) as string];
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  forEach(callback: (value: string, name: string, headers: LiteHeaders) => void, thisArg?: unknown): void {
    for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this);
  }

  getSetCookie(): string[] {
    const cookie = this.get('set-cookie');
    return cookie === null ? [] : [cookie];
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

type BodyLite = string | Uint8Array | ReadableStream<Uint8Array> | null | undefined;

function streamOf(body: string | Uint8Array): ReadableStream<Uint8Array> {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (bytes.byteLength > 0) controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** A body read once, as the Web classes read theirs. */
class LiteBody {
  #source: BodyLite;
  #stream: ReadableStream<Uint8Array> | null | undefined;
  #used = false;

  constructor(body: BodyLite) {
    this.#source = body ?? null;
  }

  /** The body as given (for clone and text without a stream round trip). */
  protected get source(): BodyLite {
    return this.#source;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream === undefined) {
      const source = this.#source;
      this.#stream =
        source === null || source === undefined ? null : source instanceof ReadableStream ? source : streamOf(source);
    }
    return this.#stream;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  async text(): Promise<string> {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    const source = this.#source;
    if (source === null || source === undefined) return '';
    if (typeof source === 'string' && this.#stream === undefined) return source;
    if (source instanceof Uint8Array && this.#stream === undefined) return new TextDecoder().decode(source);
    const reader = (this.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    return text + decoder.decode();
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }
}

export interface LiteRequestInit {
  readonly method?: string;
  readonly headers?: HeadersInitLite;
  readonly body?: BodyLite;
  readonly signal?: AbortSignal;
}

export class LiteRequest extends LiteBody {
  readonly url: string;
  readonly method: string;
  readonly headers: LiteHeaders;
  readonly signal: AbortSignal;

  constructor(input: string | URL | LiteRequest, init: LiteRequestInit = {}) {
    const from = input instanceof LiteRequest ? input : undefined;
    super(init.body !== undefined ? init.body : from?.source);
    this.url = from ? from.url : new URL(String(input)).href;
    this.method = (init.method ?? from?.method ?? 'GET').toUpperCase();
    this.headers = new LiteHeaders(init.headers ?? from?.headers);
    this.signal = init.signal ?? from?.signal ?? new AbortController().signal;
    if (this.body !== null && (this.method === 'GET' || this.method === 'HEAD')) {
      throw new TypeError('Request with GET/HEAD method cannot have body.');
    }
  }

  clone(): LiteRequest {
    if (this.bodyUsed || this.source instanceof ReadableStream) {
      throw new TypeError('This Request cannot be cloned once its body is read or streamed.');
    }
    return new LiteRequest(this);
  }
}

export interface LiteResponseInit {
  readonly status?: number;
  readonly statusText?: string;
  readonly headers?: HeadersInitLite;
}

export class LiteResponse extends LiteBody {
  readonly status: number;
  readonly statusText: string;
  readonly headers: LiteHeaders;

  constructor(body?: BodyLite, init: LiteResponseInit = {}) {
    super(body);
    this.status = init.status ?? 200;
    if (!Number.isInteger(this.status) || this.status < 200 || this.status > 599) {
      throw new RangeError(`Response status ${String(init.status)} is outside 200-599.`);
    }
    this.statusText = init.statusText ?? '';
    this.headers = new LiteHeaders(init.headers);
    if (typeof body === 'string' && !this.headers.has('content-type')) {
      this.headers.set('content-type', 'text/plain;charset=UTF-8');
    }
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  static json(data: unknown, init: LiteResponseInit = {}): LiteResponse {
    const headers = new LiteHeaders(init.headers);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    return new LiteResponse(JSON.stringify(data), { ...init, headers });
  }
}

let streams = 0;

/**
 * The name the SDK's stateless transport gives a response stream: a key of its in-memory map for one
 * request, which never leaves the process (no event store here). The SDK takes `crypto.randomUUID()`;
 * Node's global `crypto` loads Web Crypto on first use, a few ms of a user's first tool call on Node 24
 * (`npm run bench`), for a value that needs only to be unique within the process. The plugin swaps that one
 * statement only; every other use of `crypto` keeps Node's.
 */
export function streamIdLite(): string {
  streams += 1;
  return `stream-${streams}`;
}

export { LiteHeaders as Headers, LiteRequest as Request, LiteResponse as Response };
