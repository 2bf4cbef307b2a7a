// Lambda's CPU share per memory size, emulated with a CPU quota, for `npm run bench`. Lambda gives CPU in
// proportion to memory: 1,769 MB is one vCPU, so 512 MB is 29% of one. A Linux cgroup's CFS quota caps a
// process the same way (so many µs of CPU per period). This needs a writable cgroup (v2: a directory with
// cpu.max; v1: the cpu controller's cpu.cfs_quota_us) — as root in a VM or a container allowed to; where
// there is none, `cpuShareRunner` says why and the bench prints that instead of figures.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The command and args that run `command` inside the cgroup `dir`: a shell that moves itself in, then
 * execs it (so the process measured is the command, in the group from its first instruction).
 */
export function inCgroup(dir, command, args) {
  return ['sh', ['-c', `echo $$ > ${join(dir, 'cgroup.procs')} && exec "$@"`, 'sh', command, ...args]];
}

/** Lambda's memory for one full vCPU. */
export const MB_PER_VCPU = 1769;
const PERIOD_US = 100_000;

/** The cgroup hierarchy we can write to: v2 (cpu.max) or v1 (cpu.cfs_quota_us); or why there is none. */
function findHierarchy() {
  const v2 = '/sys/fs/cgroup';
  if (existsSync(join(v2, 'cgroup.controllers'))) {
    const controllers = readFileSync(join(v2, 'cgroup.subtree_control'), 'utf8');
    if (controllers.includes('cpu'))
      return { dir: v2, write: (dir, quota) => writeFileSync(join(dir, 'cpu.max'), `${quota} ${PERIOD_US}`) };
  }
  const v1 = '/sys/fs/cgroup/cpu';
  if (existsSync(join(v1, 'cpu.cfs_quota_us'))) {
    return {
      dir: v1,
      write: (dir, quota) => {
        writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
        writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quota));
      },
    };
  }
  return undefined;
}

/**
 * A runner that starts commands under the CPU share of a memory size, or `{ missing: reason }`.
 * `wrap(mb, command, args)` gives the command and args that run `command` in that share; `close()` removes
 * the cgroups.
 */
export function cpuShareRunner(sizes) {
  const hierarchy = findHierarchy();
  if (hierarchy === undefined)
    return { missing: 'no cgroup CPU controller here (neither cgroup v2 cpu.max nor v1 cpu.cfs_quota_us)' };
  const groups = new Map();
  try {
    for (const mb of sizes) {
      const dir = join(hierarchy.dir, `mcp-lambda-bench-${process.pid}-${mb}`);
      if (!existsSync(dir)) mkdirSync(dir);
      groups.set(mb, dir);
      hierarchy.write(dir, Math.round((PERIOD_US * mb) / MB_PER_VCPU));
    }
  } catch (error) {
    for (const dir of groups.values()) {
      try {
        rmdirSync(dir);
      } catch {
        // Left as it is: an empty group is harmless.
      }
    }
    return { missing: `the cgroup CPU quota is not writable here (${error.code ?? error.message})` };
  }
  return {
    wrap: (mb, command, args) => inCgroup(groups.get(mb), command, args),
    close: () => {
      for (const dir of groups.values()) {
        try {
          rmdirSync(dir);
        } catch {
          // A process still in it (it is gone a moment later): the empty group is harmless.
        }
      }
    },
  };
}
