/** See bench-node.mjs. */
export declare const NODE24_VERSION: string;
/** A Node 24 binary (installed from the registry on first use), or why there is none here. */
export declare function node24(): Promise<
  { readonly node: string; readonly missing?: never } | { readonly missing: string; readonly node?: never }
>;
