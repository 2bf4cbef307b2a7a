/**
 * What a file is, from its first bytes, and whether a package tree can run on Lambda's Node.js 24 arm64
 * runtime: a native add-on (`*.node`) must be an ELF object for aarch64; a package that builds one at
 * install time (`binding.gyp`) must ship a prebuilt one, because install scripts are never run for a
 * Lambda bundle. Reads headers only; nothing here loads or runs the code it looks at.
 */
import { open, readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';

/** ELF e_machine numbers worth naming. */
const MACHINES: Readonly<Record<number, string>> = {
  3: 'x86 (32-bit)',
  40: 'ARM (32-bit)',
  62: 'x86-64',
  183: 'arm64 (aarch64)',
  243: 'RISC-V',
};
/** ELF e_machine of aarch64: what Lambda's arm64 runtime loads. */
export const EM_AARCH64 = 183;

/** What a file's first bytes say it is. */
export type FileKind =
  | { readonly kind: 'elf'; readonly machine: number; readonly label: string }
  | { readonly kind: 'mach-o' | 'pe' }
  | { readonly kind: 'shebang'; readonly interpreter: string }
  | { readonly kind: 'text' };

/** Reads the first bytes of a file. */
export async function readHead(file: string, bytes = 256): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Classifies a file from its head (see {@link readHead}). */
export function fileKind(head: Buffer): FileKind {
  if (head.length >= 20 && head.readUInt32BE(0) === 0x7f454c46) {
    // EI_DATA (byte 5): 1 little-endian, 2 big-endian; e_machine is the 16-bit field at offset 18.
    const machine = head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
    return { kind: 'elf', machine, label: MACHINES[machine] ?? `machine ${machine}` };
  }
  if (head.length >= 4) {
    const magic = head.readUInt32BE(0);
    if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(magic)) return { kind: 'mach-o' };
  }
  if (head.length >= 2 && head[0] === 0x4d && head[1] === 0x5a) return { kind: 'pe' };
  if (head.length >= 2 && head[0] === 0x23 && head[1] === 0x21) {
    const line = head.toString('utf8').slice(2).split('\n')[0]?.trim() ?? '';
    // `#!/usr/bin/env node`, `#!/usr/bin/env -S node --flag`, `#!/usr/local/bin/python3`.
    const words = line.split(/\s+/).filter((word) => word !== '' && word !== '-S');
    const first = basename(words[0] ?? '');
    const interpreter = first === 'env' ? basename(words.find((word, index) => index > 0 && !word.startsWith('-')) ?? '') : first;
    return { kind: 'shebang', interpreter };
  }
  return { kind: 'text' };
}

/** A sentence for a native program: what platform it is for. */
export function describeNative(kind: FileKind): string | undefined {
  if (kind.kind === 'elf') return kind.machine === EM_AARCH64 ? 'a Linux arm64 program' : `a Linux program for ${kind.label}`;
  if (kind.kind === 'mach-o') return 'a macOS program (Mach-O)';
  if (kind.kind === 'pe') return 'a Windows program (PE)';
  return undefined;
}

/** A package in the tree that cannot run on Lambda's arm64 runtime, and why. */
export interface NativeProblem {
  readonly package: string;
  readonly reason: string;
}

/** `prebuilds/<platform>-<arch>[...]/x.node`: loaded only on that platform. */
function prebuildPlatform(path: string): string | undefined {
  const parts = path.split(sep);
  const at = parts.lastIndexOf('prebuilds');
  return at >= 0 && at < parts.length - 2 ? parts[at + 1] : undefined;
}

interface PackageFiles {
  readonly name: string;
  readonly gyp: boolean;
  readonly addons: string[];
}

/** Walks a tree (node_modules included), grouping `*.node` files by the package that holds them. */
async function collect(root: string): Promise<Map<string, PackageFiles>> {
  const packages = new Map<string, PackageFiles>();
  const walk = async (dir: string, owner: PackageFiles | undefined): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    let here = owner;
    if (entries.some((entry) => entry.isFile() && entry.name === 'package.json')) {
      const manifest = await readFile(join(dir, 'package.json'), 'utf8')
        .then((text) => JSON.parse(text) as { name?: unknown; gypfile?: unknown })
        .catch(() => ({}) as { name?: unknown; gypfile?: unknown });
      here = {
        name: typeof manifest.name === 'string' ? manifest.name : relative(root, dir) || basename(dir),
        gyp: manifest.gypfile === true || entries.some((entry) => entry.name === 'binding.gyp'),
        addons: [],
      };
      packages.set(dir, here);
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== '.git') await walk(path, here);
      else if (entry.isFile() && entry.name.endsWith('.node') && here) here.addons.push(path);
    }
  };
  await walk(root, undefined);
  return packages;
}

/**
 * Finds what in a package tree cannot load on Lambda's arm64 runtime: a native add-on built for another
 * platform, or a package that builds its add-on at install time and ships none for linux-arm64.
 * Prebuilt add-ons for other platforms (`prebuilds/darwin-x64/…`) are never loaded there and pass.
 */
export async function findNativeProblems(root: string): Promise<NativeProblem[]> {
  const problems: NativeProblem[] = [];
  for (const [dir, pkg] of await collect(root)) {
    let armAddon = false;
    for (const file of pkg.addons) {
      const platform = prebuildPlatform(relative(dir, file));
      const kind = fileKind(await readHead(file, 64));
      const arm = kind.kind === 'elf' && kind.machine === EM_AARCH64;
      if (arm && (platform === undefined || platform.startsWith('linux-arm64'))) armAddon = true;
      if (platform !== undefined && !platform.startsWith('linux-arm64')) continue;
      if (!arm) {
        problems.push({
          package: pkg.name,
          reason: `its native add-on ${relative(dir, file)} is ${describeNative(kind) ?? 'not a compiled object'}, and Lambda runs Linux on arm64`,
        });
      }
    }
    if (pkg.gyp && !armAddon && !problems.some((problem) => problem.package === pkg.name)) {
      problems.push({
        package: pkg.name,
        reason:
          'it builds a native add-on when it is installed (binding.gyp) and ships none prebuilt for linux-arm64; install scripts are not run for Lambda',
      });
    }
  }
  return problems;
}

/** The directory's nearest package root: itself or the closest parent with a package.json. */
export async function packageRootOf(start: string): Promise<string | undefined> {
  let dir = start;
  for (;;) {
    const found = await readFile(join(dir, 'package.json'), 'utf8').then(
      () => true,
      () => false,
    );
    if (found) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
