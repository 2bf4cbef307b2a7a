/**
 * Client for the Dog API's facts endpoint (`GET /api/v2/facts?limit=N`).
 *
 * Every way the API can fail — slow, down, 4xx/5xx, not JSON, the wrong shape, too few facts — ends in
 * a {@link DogApiError} whose message a person can act on. One retry on a network error or 5xx; none on
 * a timeout, which would only double the wait.
 */
import * as z from 'zod/v4';
import { ConfigError } from '../../config.js';

/** The public Dog API. */
export const DEFAULT_DOG_API_BASE_URL = 'https://dogapi.dog';

/** Per-attempt timeout: two attempts stay well under the Lambda's 29 s. */
export const DEFAULT_DOG_API_TIMEOUT_MS = 5000;

export interface DogApiOptions {
  /** Base URL; `/api/v2/facts` is appended. @default https://dogapi.dog */
  readonly baseUrl?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Per-attempt timeout. @default 5000 (two attempts stay well under the Lambda's 29 s) */
  readonly timeoutMs?: number;
  /** Pause before the retry. @default 250 */
  readonly retryDelayMs?: number;
}

export type DogApiErrorKind = 'timeout' | 'network' | 'http' | 'bad_json' | 'bad_shape' | 'too_few';

export class DogApiError extends Error {
  override readonly name = 'DogApiError';
  constructor(
    readonly kind: DogApiErrorKind,
    message: string,
  ) {
    super(message);
  }
}

const FactsResponse = z.object({
  data: z.array(
    z.object({
      attributes: z.object({ body: z.string().trim().min(1) }),
    }),
  ),
});

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

async function attempt(url: URL, options: Required<Omit<DogApiOptions, 'baseUrl'>>): Promise<Response> {
  try {
    return await options.fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      throw new DogApiError('timeout', `The Dog API did not answer within ${options.timeoutMs / 1000} s. Try again in a moment.`);
    }
    throw new DogApiError('network', 'The Dog API could not be reached (network error). Try again in a moment.');
  }
}

/** Fetches exactly `limit` facts. */
export async function fetchDogFacts(limit: number, options: DogApiOptions = {}): Promise<string[]> {
  const resolved = {
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? DEFAULT_DOG_API_TIMEOUT_MS,
    retryDelayMs: options.retryDelayMs ?? 250,
  };
  const url = new URL('api/v2/facts', withTrailingSlash(options.baseUrl ?? DEFAULT_DOG_API_BASE_URL));
  url.searchParams.set('limit', String(limit));

  let response: Response;
  try {
    response = await attempt(url, resolved);
    if (response.status >= 500) {
      await response.body?.cancel();
      await sleep(resolved.retryDelayMs);
      response = await attempt(url, resolved);
    }
  } catch (error) {
    if (!(error instanceof DogApiError) || error.kind !== 'network') throw error;
    await sleep(resolved.retryDelayMs);
    response = await attempt(url, resolved);
  }

  if (!response.ok) {
    await response.body?.cancel();
    const advice = response.status >= 500 ? 'The service is having trouble; try again later.' : 'The request was refused.';
    throw new DogApiError('http', `The Dog API answered HTTP ${response.status}. ${advice}`);
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    throw new DogApiError('bad_json', 'The Dog API answered with something that is not JSON.');
  }
  const parsed = FactsResponse.safeParse(json);
  if (!parsed.success) {
    throw new DogApiError('bad_shape', 'The Dog API answered in an unexpected format (no list of facts).');
  }
  const facts = parsed.data.data.map((item) => item.attributes.body);
  if (facts.length < limit) {
    throw new DogApiError('too_few', `The Dog API returned ${facts.length} of the ${limit} facts asked for.`);
  }
  return facts.slice(0, limit);
}

function withTrailingSlash(base: string): string {
  return base.endsWith('/') ? base : `${base}/`;
}
