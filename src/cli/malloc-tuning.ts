/**
 * glibc malloc settings for the simulating `hazardsim` commands, which restart-tuned.ts applies by
 * starting the command once more before the rest of the CLI loads: transparent huge pages and a
 * fixed 1 MiB mmap threshold and a 256 MiB trim threshold (GLIBC_TUNABLES, which glibc reads only
 * when a process starts).
 *
 * Why: malloc holds every thread's columns and message blocks. A 10 M-phone trigger run faulted in
 * 2.5-2.7 M pages of 4 KiB, 40-43 of its 206-210 core-seconds in the kernel (115-120 s). With huge
 * pages alone (where the kernel's mode is `madvise`, Debian's default) it took 0.53-0.57 M faults,
 * 16-23 s in the kernel and 89-96 s, but peaked at 7.2-8.0 GiB instead of 7.3-7.7, at the edge of
 * the 8 GB target. With the mmap threshold fixed at 1 MiB as well, blocks of 1 MiB and more get
 * mappings of their own, returned whole when freed, instead of the dynamic threshold's growing heap:
 * 1.2 M faults, 21-25 s in the kernel, 100-112 s, peak 7.1-7.3 GiB (bench trigger, runs alternated
 * in the same hour). A trim threshold of 256 MiB (glibc's default is 128 KiB) keeps memory a thread
 * freed for its next blocks instead of returning it at once, only to fault it in again (about 30 µs
 * a fault on this machine): at 3 M phones 327,000 faults and 6.7-7.4 kernel core-seconds against
 * 380,000-392,000 and 9.0-9.1, peak 2.38-2.53 GiB against 2.46-2.59; at 10 M 1.02-1.06 M faults
 * and 24-35 kernel core-seconds against 1.13-1.16 M and 31-38, peak 7.48-7.63 GiB against
 * 7.09-7.63 over this build's runs (2 December). Outputs do not depend on it.
 *
 * A restart, not the shebang: `env -S` with these variables made a shebang of 145 bytes, which
 * kernels before Linux 5.1 cut at 128. A user's own GLIBC_TUNABLES come after ours and win; one
 * that already names glibc.malloc.hugetlb is left alone, and so is every system without glibc's Linux.
 */
/** The tunables hazardsim asks for. */
export const MALLOC_TUNABLES = 'glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=1048576:glibc.malloc.trim_threshold=268435456';

/**
 * Commands restarted: those that simulate phones in their own process (where the memory goes). A
 * sweep's worker is not (it stops cleanly at its first SIGINT and at once at a second, which a
 * restart would add to a terminal's Ctrl-C); the others start once, as before.
 */
const SIMULATING = new Set(['run', 'calibrate']);

/** Set in the restarted command's environment (it removes it): it watches the channel to the command that started it. */
export const RESTARTED = 'HAZARDSIM_MALLOC_RESTARTED';

/** GLIBC_TUNABLES with ours first (a user's own settings, after them, win). */
export function tunedEnv(current: string | undefined): string {
  return current ? `${MALLOC_TUNABLES}:${current}` : MALLOC_TUNABLES;
}

/** Whether a command line should be restarted with the tunables. */
export function wantsRestart(platform: string, env: NodeJS.ProcessEnv, command: string | undefined): boolean {
  return platform === 'linux' && command !== undefined && SIMULATING.has(command) && !(env.GLIBC_TUNABLES ?? '').includes('glibc.malloc.hugetlb');
}
