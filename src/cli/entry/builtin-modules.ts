/**
 * An esbuild plugin for the Lambda bundles (ours and a user's `--entry`): an ESM `import` of a Node
 * built-in becomes `process.getBuiltinModule(…)`.
 *
 * Why: to build the namespace of an imported built-in, Node's ESM loader reads every export, and some
 * exports are lazy getters that load whole subsystems. On Node.js 22/24, `import('node:http')` reads
 * `http.WebSocket`, `CloseEvent` and `MessageEvent`, which load undici (Node's fetch): about 70 ms of a
 * cold start on Node 24 that `require('node:http')` never pays. `node:fs` (its `promises`) and
 * `node:process` (`stdin`, `report`) do the same on a smaller scale. `process.getBuiltinModule` returns
 * the module's exports object as `require` does, without reading them; esbuild's CommonJS interop then
 * reads each export where it is used. Same objects, same behaviour, less loading.
 *
 * Only static imports are rewritten: `require()` calls already read nothing, and a dynamic `import()`
 * keeps its namespace (code on the cold path calls `process.getBuiltinModule` itself, as the Dog API
 * client does).
 */
import { builtinModules } from 'node:module';
import type { Plugin } from 'esbuild';

const NAMESPACE = 'mcp-lambda-builtin';
const BUILTINS = new Set(builtinModules);

/** `node:http`, `http` or `node:test` → the `node:` name, or undefined for anything that is not a built-in. */
export function builtinName(specifier: string): string | undefined {
  const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  if (specifier.startsWith('node:') || BUILTINS.has(bare)) return `node:${bare}`;
  return undefined;
}

/** The plugin: see the module's header. */
export function builtinModulesPlugin(): Plugin {
  return {
    name: 'mcp-lambda-builtin-modules',
    setup(build) {
      build.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
        // Static imports only: esbuild gives a dynamic import() of a CommonJS chunk a namespace that holds
        // nothing but `default`, where the code expects the named exports.
        if (args.kind !== 'import-statement') return undefined;
        const name = builtinName(args.path);
        return name === undefined ? undefined : { path: name, namespace: NAMESPACE };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
        contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
    },
  };
}
