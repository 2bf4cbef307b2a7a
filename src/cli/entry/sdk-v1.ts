/**
 * An esbuild plugin for a user's `--entry`: what the bundle can tell about the MCP SDK the user's code
 * builds its server with, before anything runs.
 *
 * - A server written with `@modelcontextprotocol/sdk` 1.x (its code imports `@modelcontextprotocol/sdk/
 *   server/…`) needs 1.25 or newer, the floor issue #24 sets (tested with 1.32.2). The version is read
 *   from the copy the user's code resolves (the `package.json` of `node_modules/@modelcontextprotocol/
 *   sdk`, found as Node finds it), here, because the Lambda bundle keeps no package.json.
 * - A module whose own code imports the server parts of both SDKs (`@modelcontextprotocol/sdk/server/…`
 *   and `@modelcontextprotocol/server`) is refused: one server cannot be built with both, and guessing
 *   which one it returns would serve the wrong one. The v1 SDK's client (`@modelcontextprotocol/sdk/
 *   client/…`, to call another server) and its types are not server parts; imports from dependencies
 *   (node_modules) are theirs, not the module's, and are not counted.
 *
 * The user's v1 SDK is bundled as it resolves from their code: nothing maps it to another copy or to v2.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { OnResolveArgs, Plugin } from 'esbuild';

export const SDK_V1_PLUGIN = 'mcp-lambda-sdk-v1';

/** The oldest v1 SDK served. */
export const SDK_V1_FLOOR = { major: 1, minor: 25 } as const;

const V1_SERVER = /^@modelcontextprotocol\/sdk\/server(\/|$)/;
const V2_SERVER = /^@modelcontextprotocol\/server(\/|$)/;

/** The v1 SDK's package.json that code in `dir` gets, as Node looks for it (up the node_modules chain). */
export function findSdkV1Package(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const file = join(current, 'node_modules', '@modelcontextprotocol', 'sdk', 'package.json');
    if (existsSync(file)) return file;
    if (dirname(current) === current) return undefined;
  }
}

/**
 * Why the v1 SDK at `file` cannot be served, or undefined when it can. A later major than 1 is not
 * judged here.
 */
export function sdkV1Problem(file: string, cwd: string): string | undefined {
  let version: unknown;
  try {
    version = (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version;
  } catch (error) {
    return `${relative(cwd, file) || file} cannot be read (${(error as Error).message}): reinstall it with npm install @modelcontextprotocol/sdk@^1.25`;
  }
  const [, major, minor] = /^(\d+)\.(\d+)\./.exec(typeof version === 'string' ? version : '') ?? [];
  if (major === undefined || minor === undefined) {
    return `${relative(cwd, file) || file} has no version mcp-lambda can read (${JSON.stringify(version)}): reinstall it with npm install @modelcontextprotocol/sdk@^1.25`;
  }
  const tooOld =
    Number(major) < SDK_V1_FLOOR.major || (Number(major) === SDK_V1_FLOOR.major && Number(minor) < SDK_V1_FLOOR.minor);
  if (!tooOld) return undefined;
  return `The entry uses @modelcontextprotocol/sdk ${String(version)} (${relative(cwd, dirname(file)) || dirname(file)}); mcp-lambda serves SDK v1 servers from ${SDK_V1_FLOOR.major}.${SDK_V1_FLOOR.minor} on. Update it: npm install @modelcontextprotocol/sdk@^${SDK_V1_FLOOR.major}.${SDK_V1_FLOOR.minor}`;
}

/** The user's own code: not a dependency's, not mcp-lambda's runtime. */
function isUserCode(args: OnResolveArgs, runtimeDirs: readonly string[]): boolean {
  const { importer } = args;
  if (importer === '' || importer.includes(`${sep}node_modules${sep}`)) return false;
  return !runtimeDirs.some((dir) => importer.startsWith(dir + sep));
}

/** The plugin; `runtimeDirs` hold mcp-lambda's own runtime (its imports of the v2 SDK are not the user's). */
export function sdkV1Plugin(cwd: string, runtimeDirs: readonly string[]): Plugin {
  return {
    name: SDK_V1_PLUGIN,
    setup(build) {
      const checked = new Set<string>();
      let v1Server: string | undefined;
      let v2Server: string | undefined;
      let mixingReported = false;
      build.onStart(() => {
        checked.clear();
        v1Server = undefined;
        v2Server = undefined;
        mixingReported = false;
      });
      const where = (args: OnResolveArgs) => `${args.path} in ${relative(cwd, args.importer) || args.importer}`;
      build.onResolve({ filter: /^@modelcontextprotocol\/(sdk|server)(\/.*)?$/ }, (args) => {
        if (!isUserCode(args, runtimeDirs)) return undefined;
        if (V1_SERVER.test(args.path)) v1Server ??= where(args);
        if (V2_SERVER.test(args.path)) v2Server ??= where(args);
        if (v1Server !== undefined && v2Server !== undefined && !mixingReported) {
          mixingReported = true;
          return {
            errors: [
              {
                text: `The entry imports the server parts of both MCP SDKs: v1 (${v1Server}) and v2 (${v2Server}). Build the server with one: return an McpServer of @modelcontextprotocol/sdk 1.x, or of @modelcontextprotocol/server.`,
              },
            ],
          };
        }
        // Only a v1 server is served through the v1 SDK: its client or types in a v2 server are not judged.
        if (!V1_SERVER.test(args.path)) return undefined;
        const file = findSdkV1Package(args.resolveDir);
        if (file === undefined) return undefined; // esbuild says it cannot be resolved
        if (checked.has(file)) return undefined; // reported once
        const problem = sdkV1Problem(file, cwd);
        checked.add(file);
        return problem === undefined ? undefined : { errors: [{ text: problem }] };
      });
    },
  };
}
