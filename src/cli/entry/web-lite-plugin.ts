/**
 * An esbuild plugin for the Lambda bundles (ours and a user's `--entry`): the MCP SDK's server package and
 * our SDK leg (src/lambda/protocol/sdk-leg.ts) get `Headers`, `Request` and `Response` from
 * src/lambda/edge/web-lite.ts instead of Node's globals, which load undici on first use (see that file for the cost). Every other module of the
 * bundle — the user's code above all — keeps Node's own classes: the import is added to those files only.
 * The SDK's name for a response stream comes from there too (`streamIdLite`), sparing Web Crypto's load.
 */
import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

/**
 * The server package's ESM files (the user's copy or ours), and our module that builds the request the SDK
 * gets and reads its response.
 */
const FILES =
  /([\\/]node_modules[\\/]@modelcontextprotocol[\\/]server[\\/]dist[\\/][^\\/]+\.mjs|[\\/]lambda[\\/]protocol[\\/]sdk-leg\.(ts|js))$/;

/**
 * The one statement whose `crypto` is swapped (see `streamIdLite` in web-lite.ts): matched exactly, so an
 * SDK that words it otherwise keeps Node's `crypto` (test/lambda/cold-path.test.ts notices the cost).
 */
const STREAM_ID = 'const streamId = crypto.randomUUID();';

/** @param liteFile src/lambda/edge/web-lite.ts, or its compiled copy in dist. */
export function webLitePlugin(liteFile: string): Plugin {
  const header = `import { Headers, Request, Response, streamIdLite } from ${JSON.stringify(liteFile)};\n`;
  return {
    name: 'mcp-lambda-web-lite',
    setup(build) {
      build.onLoad({ filter: FILES }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        return {
          contents: header + source.replaceAll(STREAM_ID, 'const streamId = streamIdLite();'),
          loader: args.path.endsWith('.ts') ? 'ts' : 'js',
        };
      });
    },
  };
}
