/**
 * The dog-facts server as the MCP SDK serves it: the tool's schemas and registration. Loaded only for
 * requests the fast path leaves to the SDK (see `index.ts`).
 */
import { type CallToolResult, McpServer, type McpServerFactory } from '@modelcontextprotocol/server';
import * as z from 'zod/v4';
import { VERSION } from '../../../version.js';
import { type Clock, realClock } from '../../services/clock.js';
import { BUFFERED_TIMEOUT_SECONDS } from '../../services/config.js';
import type { DogApiOptions } from './dog-api.js';
import {
  DEFAULT_LIMIT,
  FETCH_MARGIN_SECONDS,
  formatFacts,
  GET_DOG_FACTS,
  GET_DOG_FACTS_SLOWLY,
  getDogFacts,
  MAX_LIMIT,
  MAX_WAIT_SECONDS,
} from './tool.js';

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

const GET_DOG_FACTS_SLOWLY_INPUT = z.object({
  seconds: z.number().int().min(1).max(MAX_WAIT_SECONDS).describe(`How long to wait first, in seconds (1-${MAX_WAIT_SECONDS})`),
  limit: z.number().int().min(1).max(MAX_LIMIT).default(1).describe(`How many facts to return (1-${MAX_LIMIT}, default 1)`),
});

export interface DogFactsDeps {
  /** @default the real clock */
  readonly clock?: Clock;
  /** The deployment's request timeout: the slow tool refuses a wait it cannot finish. @default 29 */
  readonly timeoutSeconds?: number;
  /** Register getDogFactsSlowly, the long-tool demonstration (`deploy --slow-demo`). @default false */
  readonly slowDemo?: boolean;
}

/** Builds a factory for fresh dog-facts servers. */
export function createDogFactsFactory(options: DogApiOptions = {}, deps: DogFactsDeps = {}): McpServerFactory {
  const clock = deps.clock ?? realClock;
  const longestWait = (deps.timeoutSeconds ?? BUFFERED_TIMEOUT_SECONDS) - FETCH_MARGIN_SECONDS;
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
    if (deps.slowDemo !== true) return server;
    server.registerTool(
      GET_DOG_FACTS_SLOWLY,
      {
        title: 'Get dog facts slowly',
        description:
          'Waits the given number of seconds, reporting progress, then gets dog facts: a demonstration of a long-running tool. How long it may wait depends on the deployment (mcp-lambda deploy --timeout).',
        inputSchema: GET_DOG_FACTS_SLOWLY_INPUT,
        outputSchema: GET_DOG_FACTS_OUTPUT,
        annotations: { readOnlyHint: true, openWorldHint: true, idempotentHint: false },
      },
      async ({ seconds, limit }, ctx) => {
        if (seconds > longestWait) {
          return {
            content: [
              {
                type: 'text',
                text: `This deployment ends a request after ${longestWait + FETCH_MARGIN_SECONDS} s, so it can wait at most ${Math.max(0, longestWait)} s. Deploy with a longer --timeout (up to 900 s) for longer tools.`,
              },
            ],
            isError: true,
          };
        }
        const token = ctx.mcpReq._meta?.progressToken;
        // Progress every second for a short wait, every five for a long one.
        const step = seconds <= 30 ? 1 : 5;
        for (let waited = 0; waited < seconds;) {
          const pause = Math.min(step, seconds - waited);
          await clock.sleep(pause * 1000, ctx.mcpReq.signal);
          waited += pause;
          if (token !== undefined) {
            await ctx.mcpReq.notify({
              method: 'notifications/progress',
              params: { progressToken: token, progress: waited, total: seconds, message: `Waited ${waited} of ${seconds} s` },
            });
          }
        }
        const result = await getDogFacts(limit, options);
        if (result.isError || result.structuredContent === undefined) return result as CallToolResult;
        const facts = result.structuredContent.facts as string[];
        return {
          content: [{ type: 'text', text: `After waiting ${seconds} s: ${formatFacts(facts)}` }],
          structuredContent: { facts },
        };
      },
    );
    return server;
  };
}
