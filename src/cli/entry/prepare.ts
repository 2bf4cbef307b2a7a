/** `--entry` for synth and deploy: bundle the user's server, prove it starts, report the size. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandContext } from '../context.js';
import { checkPathFlag } from '../options/values.js';
import { UsageError, UserError } from '../terminal/errors.js';

export interface PreparedEntry {
  /** Directory holding index.mjs, for the stack's `lambdaBundleDir`. */
  readonly dir: string;
  readonly bytes: number;
  readonly tools: readonly string[];
}

/**
 * Bundles and checks the entry. The check runs the server with the `--env` settings it will have, and each
 * `--secret` set to a stand-in text (no value is read here), so a server that reads them at start starts.
 */
export async function prepareEntry(
  ctx: CommandContext,
  entry: string,
  name: string | undefined,
  settings?: { readonly environment: Readonly<Record<string, string>>; readonly secrets: Readonly<Record<string, string>> },
): Promise<PreparedEntry> {
  checkPathFlag('--entry', entry, './server.ts');
  if (name === undefined) {
    throw new UsageError(
      '--entry needs --name: it names the deployment and its OAuth scope (<MCP URL>/<name>).',
      `--entry ${entry} --name my-tools`,
    );
  }
  const { bundleEntry, checkAndRecord, EntryError } = await import('./bundle.js');
  const dir = await mkdtemp(join(tmpdir(), 'mcp-lambda-entry-'));
  try {
    ctx.out.info(`Bundling ${entry} for Node.js 24 / ARM64…`);
    const { bytes, file } = await bundleEntry({ entry, outdir: dir, cwd: ctx.cwd });
    const { tools, manifest } = await checkAndRecord(file, {
      ...settings?.environment,
      ...Object.fromEntries(Object.keys(settings?.secrets ?? {}).map((key) => [key, `(secret ${key}, read at cold start)`])),
    });
    ctx.out.info(
      `Bundled ${entry}: ${(bytes / 1024).toFixed(1)} KiB; it starts and lists ${tools.length} tool${tools.length === 1 ? '' : 's'}${tools.length ? ` (${tools.join(', ')})` : ''}.`,
    );
    if (manifest === 'recorded') {
      ctx.out.info('Recorded its initialize and tools/list answers: a cold start answers them without loading your module.');
    } else {
      ctx.out.warn(`Every request will load your module and the MCP SDK (slower cold starts): ${manifest.skipped}.`);
    }
    return { dir, bytes, tools };
  } catch (error) {
    if (error instanceof EntryError) throw new UserError(error.message);
    throw error;
  }
}
