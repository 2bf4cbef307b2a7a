/**
 * Whether the CLI may ask questions. Its own module, with no imports: the process entry reads it on every
 * start, and anything it imports would load (as a chunk of the CLI bundle) before any command does.
 */

/** Whether prompts may be shown: stdin and stderr are terminals and this is not CI. */
export function isInteractive(
  stdin: { readonly isTTY?: boolean },
  stderr: { readonly isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return stdin.isTTY === true && stderr.isTTY === true && !ci;
}
