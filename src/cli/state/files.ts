/**
 * Files the CLI writes: atomically, with npm's own write-file-atomic (temp file beside the file, fsync,
 * rename; a symlink is written through to its target, an existing file keeps its owner, group and mode,
 * and writers in one process are serialised) — {@link landingPath} says where such a write lands, for the
 * callers that must keep it inside a folder. Its own JSON files get their mode re-applied on every save;
 * they are read back with a clear error when corrupt.
 */
import { mkdir, readdir, readFile, readlink, realpath, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';

/** A state file that exists but is not the JSON we wrote. */
export class CorruptStateError extends Error {
  override readonly name = 'CorruptStateError';
  constructor(readonly path: string) {
    super(`${path} is not valid JSON (was it edited by hand?)`);
  }
}

/** Reads a JSON file; undefined when it does not exist. */
export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new CorruptStateError(path);
  }
}

/**
 * Writes `text` to `path` atomically. With `mode`, the file gets it (re-applied on every save: the CLI's
 * own secrets); with `keep`, an existing file keeps its owner, group and mode and a new one gets
 * `keep.newMode` (a user's config). The directory is created with 0700 when missing.
 */
export async function writeFileAtomic(
  path: string,
  text: string,
  mode: number | { readonly keep: true; readonly newMode: number } = 0o600,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const exists = await stat(path).then(
    () => true,
    () => false,
  );
  const options = typeof mode === 'number' ? { mode } : exists ? {} : { mode: mode.newMode };
  // Loaded here, not at the top: `mcp-lambda token`'s cached path reads through this module.
  const { default: writeFileAtomicLib } = await import('write-file-atomic');
  await writeFileAtomicLib(path, text, options);
}

/**
 * Removes temporary files a killed write left beside `path` (write-file-atomic names them
 * `<name>.<number>`) once they are older than a minute, so no writer still owns them.
 */
export async function removeStaleTemps(path: string, now = Date.now()): Promise<string[]> {
  const dir = dirname(path);
  const pattern = new RegExp(`^${basename(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.\\d{1,10}$`);
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!pattern.test(name)) continue;
    const temp = join(dir, name);
    const found = await stat(temp).catch(() => undefined);
    if (found?.isFile() && now - found.mtimeMs > 60_000) {
      await rm(temp, { force: true });
      removed.push(temp);
    }
  }
  return removed;
}

/**
 * Where a write to `path` lands once every symlink on the way is followed — the file's own and its
 * folders', including links that point at something that does not exist yet (a write would create it
 * there): the real path of the deepest part that exists, with the rest appended.
 */
export async function landingPath(path: string, hops = 0): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
  }
  const parent = dirname(absolute);
  if (parent === absolute) return absolute;
  const landedParent = await landingPath(parent, hops);
  const link = await readlink(join(landedParent, basename(absolute))).catch(() => undefined);
  if (link === undefined) return join(landedParent, basename(absolute));
  // A link to nowhere (yet): follow it to where a write would put the file.
  if (hops >= 40) throw new Error(`Too many levels of symbolic links at ${absolute}`);
  return landingPath(resolve(landedParent, link), hops + 1);
}

/** Whether `path` is `root` or inside it (both already resolved). */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}

export async function writeJsonFile(path: string, value: unknown, mode = 0o600): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, mode);
}

/** Removes a file; true when there was one. */
export async function removeFile(path: string): Promise<boolean> {
  try {
    await rm(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
