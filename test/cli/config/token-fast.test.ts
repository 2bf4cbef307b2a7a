/** `mcp-lambda token`'s fast path leaves a project with a deployment file to the full program, which reads it. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTokenFast } from '../../../src/cli/token-fast.js';

function io(cwd: string) {
  const sink = { write: () => true };
  return { stdout: sink, stderr: sink, env: {}, cwd, signal: new AbortController().signal, interactive: false };
}

describe('token fast path and mcp-lambda.jsonc', () => {
  it.each(['mcp-lambda.jsonc', 'mcp-lambda.json'])(
    'hands a directory with %s and no --name to the full program',
    async (file) => {
      const cwd = mkdtempSync(join(tmpdir(), 'mcp-lambda-token-'));
      writeFileSync(join(cwd, file), '{ "name": "team-facts" }\n');
      expect(await runTokenFast(['--region', 'eu-west-1'], io(cwd))).toBeUndefined();
      // --config is the full program's flag too.
      expect(await runTokenFast(['--config', file], io(cwd))).toBeUndefined();
    },
  );
});
