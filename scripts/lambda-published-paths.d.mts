/** Old path under dist/lambda (no extension) → where the module lives now. */
export declare const MOVED_LAMBDA_MODULES: Readonly<Record<string, string>>;
/** Writes `<old>.js` and `<old>.d.ts` under `lambdaDist` (dist/lambda), each re-exporting the moved module. */
export declare function writeMovedModuleRedirects(lambdaDist: string): Promise<void>;
