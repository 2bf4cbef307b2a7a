/**
 * The `getDogFacts` tool itself, without the MCP SDK: its arguments' plain check, its call and its
 * result. `server.ts` registers it with the SDK (zod schemas, validation); the fast path calls it
 * directly when {@link plainLimit} can tell the arguments are ones that schema accepts unchanged.
 */
import type { ToolResult } from '../../protocol/fast-path.js';
import { DogApiError, type DogApiOptions, fetchDogFacts } from './dog-api.js';

export const GET_DOG_FACTS = 'getDogFacts';
/** The demonstration of a long tool: waits, reporting progress, then fetches facts. */
export const GET_DOG_FACTS_SLOWLY = 'getDogFactsSlowly';
/** The longest wait the slow tool takes (a streaming deployment's 15 minutes, less a margin). */
export const MAX_WAIT_SECONDS = 890;
/** Time the slow tool keeps for fetching after its wait, inside the deployment's timeout. */
export const FETCH_MARGIN_SECONDS = 4;
export const DEFAULT_LIMIT = 5;
export const MAX_LIMIT = 10;

/** Formats facts as the numbered list the tool returns. */
export function formatFacts(facts: readonly string[]): string {
  const heading = facts.length === 1 ? 'Here is a dog fact:' : `Here are ${facts.length} dog facts:`;
  return [heading, '', ...facts.map((fact, index) => `${index + 1}. ${fact}`)].join('\n');
}

/** Fetches `limit` facts and answers as the tool; a failure is a tool error a person can act on. */
export async function getDogFacts(limit: number, options: DogApiOptions): Promise<ToolResult> {
  try {
    const facts = await fetchDogFacts(limit, options);
    return { content: [{ type: 'text', text: formatFacts(facts) }], structuredContent: { facts } };
  } catch (error) {
    const message = error instanceof DogApiError ? error.message : 'Fetching dog facts failed unexpectedly.';
    return { content: [{ type: 'text', text: message }], isError: true };
  }
}

/**
 * The limit when the arguments are exactly what the input schema accepts as is — nothing, or a whole
 * number from 1 to 10 — else undefined (anything else is the SDK's to validate and explain).
 */
export function plainLimit(args: Readonly<Record<string, unknown>>): number | undefined {
  const keys = Object.keys(args);
  if (keys.length === 0) return DEFAULT_LIMIT;
  if (keys.length !== 1 || keys[0] !== 'limit') return undefined;
  const { limit } = args;
  return Number.isSafeInteger(limit) && (limit as number) >= 1 && (limit as number) <= MAX_LIMIT ? (limit as number) : undefined;
}
