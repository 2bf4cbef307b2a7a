/**
 * The dog-facts server as the MCP SDK serves it: the tool's schemas and registration. Loaded only for
 * requests the fast path leaves to the SDK (see `index.ts`).
 */
import { type CallToolResult, McpServer, type McpServerFactory } from '@modelcontextprotocol/server';
import * as z from 'zod/v4';
import { VERSION } from '../../../version.js';
import type { DogApiOptions } from './dog-api.js';
import { DEFAULT_LIMIT, GET_DOG_FACTS, getDogFacts, MAX_LIMIT } from './tool.js';

export const GET_DOG_FACTS_INPUT = z.object({
  limit: z
    .number()
    .int()
    .min(1)
    .max(MAX_LIMIT)
    .default(DEFAULT_LIMIT)
    .describe(`How many facts to return (1-${MAX_LIMIT}, default ${DEFAULT_LIMIT})`),
});

const GET_DOG_FACTS_OUTPUT = z.object({ facts: z.array(z.string()) });

/** Builds a factory for fresh dog-facts servers. */
export function createDogFactsFactory(options: DogApiOptions = {}): McpServerFactory {
  return () => {
    const server = new McpServer(
      { name: 'dog-facts', title: 'Dog Facts', version: VERSION },
      { instructions: 'Use getDogFacts to fetch random facts about dogs.' },
    );
    server.registerTool(
      GET_DOG_FACTS,
      {
        title: 'Get dog facts',
        description: 'Get random facts about dogs from the Dog API.',
        inputSchema: GET_DOG_FACTS_INPUT,
        outputSchema: GET_DOG_FACTS_OUTPUT,
        annotations: { readOnlyHint: true, openWorldHint: true, idempotentHint: false },
      },
      async ({ limit }) => (await getDogFacts(limit, options)) as CallToolResult,
    );
    return server;
  };
}
