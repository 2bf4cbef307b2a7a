/**
 * Client for the Dog API's facts endpoint (`GET /api/v2/facts?limit=N`).
 *
 * Every way the API can fail — slow, down, 4xx/5xx, not JSON, the wrong shape, too few facts, too big —
 * ends in a {@link DogApiError} whose message a person can act on. One retry on a network error or 5xx;
 * none on a timeout, which would only double the wait.
 *
 * It speaks HTTP with `node:http`/`node:https` rather than `fetch`: Node loads `fetch` (undici) on first
 * use, which costs a cold start more than the whole rest of a tools/call (see README, "Performance").
 */
import type { get as httpGet, IncomingMessage } from 'node:http';
import { ConfigError } from '../../services/config.js';

/** The public Dog API. */
export const DEFAULT_DOG_API_BASE_URL = 'https://dogapi.dog';

/** Per-attempt timeout: two attempts stay well under the Lambda's 29 s. */
export const DEFAULT_DOG_API_TIMEOUT_MS = 5000;

/** The most the API may send; a facts page is a few KB. */
export const MAX_DOG_API_RESPONSE_BYTES = 1024 * 1024;

export interface DogApiOptions {
  /** Base URL; `/api/v2/facts` is appended. @default https://dogapi.dog */
  readonly baseUrl?: string;
  /** Per-attempt timeout. @default 5000 (two attempts stay well under the Lambda's 29 s) */
  readonly timeoutMs?: number;
  /** Pause before the retry. @default 250 */
  readonly retryDelayMs?: number;
}

export type DogApiErrorKind = 'timeout' | 'network' | 'http' | 'bad_json' | 'bad_shape' | 'too_few' | 'too_large';

export class DogApiError extends Error {
  override readonly name = 'DogApiError';
  constructor(
    readonly kind: DogApiErrorKind,
    message: string,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Validates a base URL for the Dog API; throws a message naming the value. */
export function parseDogApiBaseUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`DOG_API_BASE_URL must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`DOG_API_BASE_URL must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  return url;
}

interface Answer {
  readonly status: number;
  /** Undefined when the body was not read (a status the caller does not read a body for). */
  readonly body?: string;
}

/** One GET; only the module for the URL's scheme is loaded (TLS costs a cold start only when used). */
async function attempt(url: URL, timeoutMs: number): Promise<Answer> {
  // Not import(): on Node 22+ building node:http's ESM namespace loads undici (~70 ms of a cold start on 24).
  const { get } = process.getBuiltinModule(url.protocol === 'https:' ? 'node:https' : 'node:http') as { get: typeof httpGet };
  return new Promise<Answer>((resolve, reject) => {
    let timedOut = false;
    const request = get(url, { headers: { accept: 'application/json' } }, (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        response.resume();
        resolve({ status });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_DOG_API_RESPONSE_BYTES) {
          request.destroy();
          reject(new DogApiError('too_large', 'The Dog API answered with more data than a page of facts; not read.'));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }));
      // A cut-off body: the request's 'close' below settles the promise.
      response.on('error', () => undefined);
    });
    // The whole exchange, not the socket's idle time: a server that trickles bytes is cut off too.
    const timer = setTimeout(() => {
      timedOut = true;
      request.destroy();
    }, timeoutMs);
    const failed = () =>
      timedOut
        ? new DogApiError('timeout', `The Dog API did not answer within ${timeoutMs / 1000} s. Try again in a moment.`)
        : new DogApiError('network', 'The Dog API could not be reached (network error). Try again in a moment.');
    request.on('error', () => reject(failed()));
    // Settles a body cut off or timed out mid-way, which ends with neither 'end' nor a request error
    // (after 'end' the promise is already resolved and this does nothing).
    request.on('close', () => {
      clearTimeout(timer);
      reject(failed());
    });
  });
}

/** The facts in an API answer, trimmed, or undefined when the answer does not have that shape. */
function factsIn(json: unknown): string[] | undefined {
  const data = (json as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return undefined;
  const facts: string[] = [];
  for (const item of data) {
    const body: unknown = (item as { attributes?: { body?: unknown } } | null)?.attributes?.body;
    if (typeof body !== 'string' || body.trim() === '') return undefined;
    facts.push(body.trim());
  }
  return facts;
}

/** Fetches exactly `limit` facts. */
export async function fetchDogFacts(limit: number, options: DogApiOptions = {}): Promise<string[]> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DOG_API_TIMEOUT_MS;
  const retryDelayMs = options.retryDelayMs ?? 250;
  const url = new URL('api/v2/facts', withTrailingSlash(options.baseUrl ?? DEFAULT_DOG_API_BASE_URL));
  url.searchParams.set('limit', String(limit));

  let answer: Answer;
  try {
    answer = await attempt(url, timeoutMs);
    if (answer.status >= 500) {
      await sleep(retryDelayMs);
      answer = await attempt(url, timeoutMs);
    }
  } catch (error) {
    if (!(error instanceof DogApiError) || error.kind !== 'network') throw error;
    await sleep(retryDelayMs);
    answer = await attempt(url, timeoutMs);
  }

  if (answer.body === undefined) {
    const advice = answer.status >= 500 ? 'The service is having trouble; try again later.' : 'The request was refused.';
    throw new DogApiError('http', `The Dog API answered HTTP ${answer.status}. ${advice}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch {
    throw new DogApiError('bad_json', 'The Dog API answered with something that is not JSON.');
  }
  const facts = factsIn(json);
  if (facts === undefined) {
    throw new DogApiError('bad_shape', 'The Dog API answered in an unexpected format (no list of facts).');
  }
  if (facts.length < limit) {
    throw new DogApiError('too_few', `The Dog API returned ${facts.length} of the ${limit} facts asked for.`);
  }
  return facts.slice(0, limit);
}

function withTrailingSlash(base: string): string {
  return base.endsWith('/') ? base : `${base}/`;
}
