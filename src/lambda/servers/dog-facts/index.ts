/**
 * The default server: one tool, `getDogFacts`, backed by the Dog API.
 */
import { McpServer, type McpServerFactory } from '@modelcontextprotocol/server';
import * as z from 'zod/v4';
import { VERSION } from '../../../version.js';
import { ConfigError } from '../../config.js';
import type { ServerModule } from '../types.js';
import {
  DEFAULT_DOG_API_BASE_URL,
  DEFAULT_DOG_API_TIMEOUT_MS,
  DogApiError,
  type DogApiOptions,
  fetchDogFacts,
  parseDogApiBaseUrl,
} from './dog-api.js';

export const GET_DOG_FACTS_INPUT = z.object({
  limit: z.number().int().min(1).max(10).default(5).describe('How many facts to return (1-10, default 5)'),
});

const GET_DOG_FACTS_OUTPUT = z.object({ facts: z.array(z.string()) });

/** Formats facts as the numbered list the tool returns. */
export function formatFacts(facts: readonly string[]): string {
  const heading = facts.length === 1 ? 'Here is a dog fact:' : `Here are ${facts.length} dog facts:`;
  return [heading, '', ...facts.map((fact, index) => `${index + 1}. ${fact}`)].join('\n');
}

/** Builds a factory for fresh dog-facts servers. */
export function createDogFactsFactory(options: DogApiOptions = {}): McpServerFactory {
  return () => {
    const server = new McpServer(
      { name: 'dog-facts', title: 'Dog Facts', version: VERSION },
      { instructions: 'Use getDogFacts to fetch random facts about dogs.' },
    );
    server.registerTool(
      'getDogFacts',
      {
        title: 'Get dog facts',
        description: 'Get random facts about dogs from the Dog API.',
        inputSchema: GET_DOG_FACTS_INPUT,
        outputSchema: GET_DOG_FACTS_OUTPUT,
        annotations: { readOnlyHint: true, openWorldHint: true, idempotentHint: false },
      },
      async ({ limit }) => {
        try {
          const facts = await fetchDogFacts(limit, options);
          return { content: [{ type: 'text', text: formatFacts(facts) }], structuredContent: { facts } };
        } catch (error) {
          const message = error instanceof DogApiError ? error.message : 'Fetching dog facts failed unexpectedly.';
          return { content: [{ type: 'text', text: message }], isError: true };
        }
      },
    );
    return server;
  };
}

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
  description: 'Random dog facts from the Dog API (tool: getDogFacts)',
  createFactory(env) {
    const baseUrl = env.DOG_API_BASE_URL?.trim() || DEFAULT_DOG_API_BASE_URL;
    parseDogApiBaseUrl(baseUrl);
    return createDogFactsFactory({ baseUrl, timeoutMs: parseTimeout(env.DOG_API_TIMEOUT_MS) });
  },
};
