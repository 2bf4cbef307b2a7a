#!/usr/bin/env node
// Writes (--write) or checks the JSON Schema of mcp-lambda.jsonc from the built CLI's key definitions
// (src/cli/config/keys.ts): run `npm run build` first.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const { configSchemaText, SCHEMA_FILE } = await import(join(root, 'dist', 'cli', 'config', 'schema.js'));
const file = join(root, SCHEMA_FILE);
const text = configSchemaText();
if (process.argv.includes('--write')) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`wrote ${SCHEMA_FILE}`);
} else {
  const shipped = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (shipped !== text) {
    console.error(`${SCHEMA_FILE} differs from the key definitions: run node scripts/config-schema.mjs --write`);
    process.exitCode = 1;
  }
}
