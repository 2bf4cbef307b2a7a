/**
 * The JSON Schema of `mcp-lambda.jsonc`, made from the keys of ./keys.ts (the definitions the CLI checks a
 * file with): editors complete and check the file with it. `node scripts/config-schema.mjs --write`
 * writes it to schema/mcp-lambda.schema.json, which ships in the package; a test fails on drift.
 */
import { KEY_LIST, SCHEMA_KEY, type Schema } from './keys.js';

/** Where the schema ships in the package, and what `init` writes as `$schema`. */
export const SCHEMA_FILE = 'schema/mcp-lambda.schema.json';
export const SCHEMA_REFERENCE = `./node_modules/mcp-lambda/${SCHEMA_FILE}`;

/** The schema document. */
export function configSchema(): Record<string, unknown> {
  const properties: Record<string, Schema> = {
    [SCHEMA_KEY]: { type: 'string', description: `This schema: ${SCHEMA_REFERENCE}` },
  };
  for (const [key, definition] of KEY_LIST) {
    properties[key] = { ...definition.schema, description: `${definition.schema.description ?? ''} (${definition.flag})`.trim() };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'mcp-lambda.jsonc',
    description:
      'A deployment of mcp-lambda: every setting of `mcp-lambda deploy`. Flags beat the file, the file beats what the deployed stack remembers, which beats the defaults.',
    type: 'object',
    properties,
    additionalProperties: false,
  };
}

/** The schema as the shipped file holds it. */
export function configSchemaText(): string {
  return `${JSON.stringify(configSchema(), null, 2)}\n`;
}
