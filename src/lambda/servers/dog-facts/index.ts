/**
 * The default server: `getDogFacts`, backed by the Dog API, and — only when the deployment asks for it
 * (`deploy --slow-demo`, which sets `MCP_SLOW_DEMO=1`) — `getDogFactsSlowly`, the same after a wait with
 * progress (a demonstration of a long tool: `deploy --timeout`). The slow tool holds a function for as
 * long as a caller asks (up to the timeout), so it is not there by default: a caller could otherwise hold
 * many at once. This module loads no MCP SDK: the SDK definition (`server.ts`) is imported on first need,
 * and the tool's plain implementation (`tool.ts`) answers well-formed calls on the fast path.
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

/** The environment variable that adds getDogFactsSlowly, and the manifest recorded with it. */
export const SLOW_DEMO_VARIABLE = 'MCP_SLOW_DEMO';
export const SLOW_DEMO_MANIFEST = 'dog-facts+slow-demo';

function parseSlowDemo(value: string | undefined): boolean {
  if (value === undefined || value.trim() === '') return false;
  if (value.trim() === '1') return true;
  throw new ConfigError(`${SLOW_DEMO_VARIABLE} must be 1 (add getDogFactsSlowly) or unset, got ${JSON.stringify(value)}`);
}

export const dogFacts: ServerModule = {
  name: 'dog-facts',
  description: 'Random dog facts from the Dog API (tools: getDogFacts; getDogFactsSlowly with MCP_SLOW_DEMO=1)',
  listVariants: [{ [SLOW_DEMO_VARIABLE]: '1' }],
  configure(env, deps) {
    const baseUrl = env.DOG_API_BASE_URL?.trim() || DEFAULT_DOG_API_BASE_URL;
    parseDogApiBaseUrl(baseUrl);
    const options = { baseUrl, timeoutMs: parseTimeout(env.DOG_API_TIMEOUT_MS) };
    const slowDemo = parseSlowDemo(env[SLOW_DEMO_VARIABLE]);
    return {
      ...(slowDemo && { manifestKey: SLOW_DEMO_MANIFEST }),
      loadFactory: async () => (await import('./server.js')).createDogFactsFactory(options, { ...deps, slowDemo }),
      fastTools: {
        [GET_DOG_FACTS]: (args) => {
          const limit = plainLimit(args);
          return limit === undefined ? undefined : getDogFacts(limit, options);
        },
      },
    };
  },
};
