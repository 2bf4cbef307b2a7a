/** The Dog API client against a local server that can be slow, fail or lie. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DogApiError, fetchDogFacts } from '../../../src/lambda/servers/dog-facts/dog-api.js';
import { formatFacts } from '../../../src/lambda/servers/dog-facts/tool.js';
import { type FakeDogApi, refusedBaseUrl, startFakeDogApi } from '../../helpers/fake-dog-api.js';

let api: FakeDogApi;
beforeAll(async () => {
  api = await startFakeDogApi();
});
afterAll(() => api.close());
afterEach(() => {
  api.behave({ kind: 'ok' });
  api.requests.length = 0;
});

const options = () => ({ baseUrl: api.baseUrl, timeoutMs: 500, retryDelayMs: 1 });

async function failure(promise: Promise<unknown>): Promise<DogApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DogApiError);
  return error as DogApiError;
}

describe('fetchDogFacts', () => {
  it('asks for the limit and returns the facts in order', async () => {
    expect(await fetchDogFacts(2, options())).toEqual(['Dog fact number 1.', 'Dog fact number 2.']);
    expect(api.requests).toEqual(['/api/v2/facts?limit=2']);
  });

  it('accepts a base URL with a trailing slash', async () => {
    await fetchDogFacts(1, { ...options(), baseUrl: `${api.baseUrl}/` });
    expect(api.requests).toEqual(['/api/v2/facts?limit=1']);
  });

  it('retries once after a 5xx and succeeds', async () => {
    api.behave({ kind: 'flaky', status: 503, times: 1 });
    expect(await fetchDogFacts(1, options())).toHaveLength(1);
    expect(api.requests).toHaveLength(2);
  });

  it('gives up after the second 5xx', async () => {
    api.behave({ kind: 'status', status: 502 });
    const error = await failure(fetchDogFacts(1, options()));
    expect(error.kind).toBe('http');
    expect(error.message).toBe('The Dog API answered HTTP 502. The service is having trouble; try again later.');
    expect(api.requests).toHaveLength(2);
  });

  it('does not retry a 4xx', async () => {
    api.behave({ kind: 'status', status: 429 });
    expect((await failure(fetchDogFacts(1, options()))).message).toContain('HTTP 429');
    expect(api.requests).toHaveLength(1);
  });

  it('retries once after a dropped connection', async () => {
    api.behave({ kind: 'hangup' });
    const error = await failure(fetchDogFacts(1, options()));
    expect(error.kind).toBe('network');
    expect(api.requests).toHaveLength(2);
  });

  it('does not retry a timeout', async () => {
    api.behave({ kind: 'slow', delayMs: 2000 });
    const error = await failure(fetchDogFacts(1, { ...options(), timeoutMs: 100 }));
    expect(error).toMatchObject({ kind: 'timeout', message: expect.stringContaining('within 0.1 s') });
    expect(api.requests).toHaveLength(1);
  });

  it('times out a body that stops half-way (the whole exchange is timed, not the idle socket)', async () => {
    api.behave({ kind: 'stall' });
    const error = await failure(fetchDogFacts(1, { ...options(), timeoutMs: 150 }));
    expect(error.kind).toBe('timeout');
    expect(api.requests).toHaveLength(1);
  });

  it('retries once when the connection drops mid-body', async () => {
    api.behave({ kind: 'cut' });
    const error = await failure(fetchDogFacts(1, options()));
    expect(error.kind).toBe('network');
    expect(api.requests).toHaveLength(2);
  });

  it('stops reading an answer over 1 MiB', async () => {
    api.behave({ kind: 'body', body: `{"data":[${'{"attributes":{"body":"x"}},'.repeat(60_000)}]}` });
    const error = await failure(fetchDogFacts(1, options()));
    expect(error.kind).toBe('too_large');
    expect(api.requests).toHaveLength(1);
  });

  it('reports a refused connection', async () => {
    const error = await failure(fetchDogFacts(1, { ...options(), baseUrl: await refusedBaseUrl() }));
    expect(error.kind).toBe('network');
  });

  it.each([
    ['HTML', '<!doctype html>', 'bad_json'],
    ['null', 'null', 'bad_shape'],
    ['data not a list', '{"data":{"x":1}}', 'bad_shape'],
    ['a fact without a body', '{"data":[{"attributes":{}}]}', 'bad_shape'],
    ['an empty fact', '{"data":[{"attributes":{"body":"  "}}]}', 'bad_shape'],
    ['a number as a fact', '{"data":[{"attributes":{"body":42}}]}', 'bad_shape'],
  ])('refuses %s', async (_name, body, kind) => {
    api.behave({ kind: 'body', body });
    expect((await failure(fetchDogFacts(1, options()))).kind).toBe(kind);
  });

  it('refuses fewer facts than asked for', async () => {
    api.behave({ kind: 'few', count: 2 });
    expect((await failure(fetchDogFacts(4, options()))).message).toBe('The Dog API returned 2 of the 4 facts asked for.');
  });

  it('returns only the facts asked for when given more', async () => {
    api.behave({ kind: 'few', count: 6 });
    expect(await fetchDogFacts(4, options())).toHaveLength(4);
  });
});

describe('formatFacts', () => {
  it('numbers the facts', () => {
    expect(formatFacts(['A.', 'B.'])).toBe('Here are 2 dog facts:\n\n1. A.\n2. B.');
    expect(formatFacts(['A.'])).toBe('Here is a dog fact:\n\n1. A.');
  });
});
