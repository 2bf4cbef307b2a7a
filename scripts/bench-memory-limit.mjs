// The function's memory size as a memory limit, for `npm run bench`. V8 sizes its heap from the memory the
// process may use (Node reads the cgroup's limit: process.constrainedMemory()), so a resident set measured
// on a machine with many GB shows a young generation a 512 MB function never grows: on Node 24 here its
// semi-spaces reach 64 MB each after 1,000 calls, against 1 MB under 512 MB. A cgroup memory limit (v2
// memory.max, v1 memory.limit_in_bytes) gives the process the heap sizing Lambda's would. This needs a
// writable cgroup, as bench-cpu-share.mjs does; where there is none, `memoryLimitRunner` says why and the
// bench prints the figures without a limit, saying so.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inCgroup } from './bench-cpu-share.mjs';

/** The hierarchy with a memory controller we can write to; or undefined. */
function findHierarchy() {
  const v2 = '/sys/fs/cgroup';
  if (existsSync(join(v2, 'cgroup.controllers'))) {
    if (readFileSync(join(v2, 'cgroup.subtree_control'), 'utf8').includes('memory'))
      return { dir: v2, write: (dir, bytes) => writeFileSync(join(dir, 'memory.max'), String(bytes)) };
  }
  const v1 = '/sys/fs/cgroup/memory';
  if (existsSync(join(v1, 'memory.limit_in_bytes')))
    return { dir: v1, write: (dir, bytes) => writeFileSync(join(dir, 'memory.limit_in_bytes'), String(bytes)) };
  return undefined;
}

/**
 * A runner that starts commands under a memory limit of `mb`, or `{ missing: reason }`. `wrap(command, args)`
 * gives the command and args that run `command` under it; `close()` removes the cgroup.
 * @param {number} mb
 */
export function memoryLimitRunner(mb) {
  const hierarchy = findHierarchy();
  if (hierarchy === undefined)
    return { missing: 'no cgroup memory controller here (neither cgroup v2 memory.max nor v1 memory.limit_in_bytes)' };
  const dir = join(hierarchy.dir, `mcp-lambda-bench-memory-${process.pid}-${mb}`);
  try {
    if (!existsSync(dir)) mkdirSync(dir);
    hierarchy.write(dir, mb * 1024 * 1024);
  } catch (error) {
    try {
      rmdirSync(dir);
    } catch {
      // Left as it is: an empty group is harmless.
    }
    return { missing: `the cgroup memory limit is not writable here (${error.code ?? error.message})` };
  }
  return {
    wrap: (command, args) => inCgroup(dir, command, args),
    close: () => {
      try {
        rmdirSync(dir);
      } catch {
        // A process still in it (it is gone a moment later): the empty group is harmless.
      }
    },
  };
}
