/**
 * The fast path for `mcp-lambda token`, which Claude Code runs on every connect: the same command without
 * loading commander. Flags are parsed with node's own `util.parseArgs`; anything it does not take
 * (`--help`, a typo) returns undefined and the full program handles it, with its usual messages.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { token } from './commands/token.js';
import type { CliIo } from './context.js';
import { reportError } from './terminal/errors.js';
import { createOutput } from './terminal/output.js';

export async function runTokenFast(argv: readonly string[], io: CliIo): Promise<number | undefined> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch {
    return undefined;
  }
  const { values } = parsed;
  // Without a name, a deployment file here may name the stack: the full program reads it (config/apply.ts).
  if (values.name === undefined && values['stack-name'] === undefined) {
    if (['mcp-lambda.jsonc', 'mcp-lambda.json'].some((file) => existsSync(join(io.cwd, file)))) return undefined;
  }
  const out = createOutput(io.stdout, io.stderr, io.env);
  const global = {
    json: false,
    verbose: values.verbose === true,
    yes: false,
    ...(values.region !== undefined && { region: values.region }),
    ...(values.profile !== undefined && { profile: values.profile }),
  };
  const prompt = {
    confirm: async () => false,
    input: async () => '',
    password: async () => '',
  };
  try {
    await token(
      { ...io, out, global, prompt },
      {
        ...(values.name !== undefined && { name: values.name }),
        ...(values['stack-name'] !== undefined && { stackName: values['stack-name'] }),
        ...(values['header-json'] !== undefined && { headerJson: values['header-json'] }),
      },
    );
    return 0;
  } catch (error) {
    return reportError(error, out, global.verbose);
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      name: { type: 'string', short: 'n' },
      'stack-name': { type: 'string' },
      region: { type: 'string' },
      profile: { type: 'string' },
      'header-json': { type: 'boolean' },
      verbose: { type: 'boolean' },
    },
  });
}
