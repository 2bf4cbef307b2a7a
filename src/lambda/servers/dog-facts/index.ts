/**
 * The default server: `getDogFacts`, backed by the Dog API, and `getDogFactsSlowly`, the same after a wait
 * with progress (a demonstration of a long tool: `deploy --timeout`). This module loads no MCP SDK: the
 * SDK definition (`server.ts`) is imported on first need, and the tool's plain implementation
 * (`tool.ts`) answers well-formed calls on the fast path.
 */
import { ConfigError } from '../../services/config.js';
import type { ServerModule } from '../types.js';
import { DEFAULT_DOG_API_BASE_URL, DEFAULT_DOG_API_TIMEOUT_MS, parseDogApiBaseUrl } from './dog-api.js';
import { GET_DOG_FACTS, getDogFacts, plainLimit } from './tool.js';

/** Two attempts of at most 12 s each, plus the retry pause, stay inside the Lambda's 29 s. */
const MAX_TIMEOUT_MS = 12_000;

function parseTimeout(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_DOG_API_TIMEOUT_MS;
  const ms = Number(value);
  if (!Number.isSafeInteger(ms) || ms < 1 || ms > MAX_TIMEOUT_MS) {
    throw new ConfigError(
      `DOG_API_TIMEOUT_MS must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${JSON.stringify(value)}`,
    );
  }
  return ms;
}

export const dogFacts: ServerModule = {
  name: 'dog-facts',
  description: 'Random dog facts from the Dog API (tools: getDogFacts, getDogFactsSlowly)',
  configure(env, deps) {
    const baseUrl = env.DOG_API_BASE_URL?.trim() || DEFAULT_DOG_API_BASE_URL;
    parseDogApiBaseUrl(baseUrl);
    const options = { baseUrl, timeoutMs: parseTimeout(env.DOG_API_TIMEOUT_MS) };
    return {
      loadFactory: async () => (await import('./server.js')).createDogFactsFactory(options, deps),
      fastTools: {
        [GET_DOG_FACTS]: (args) => {
          const limit = plainLimit(args);
          return limit === undefined ? undefined : getDogFacts(limit, options);
        },
      },
    };
  },
};
