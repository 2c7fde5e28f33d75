/**
 * Lowers the scheduling priority of the calling thread (not of the process): worker threads that
 * fill the cores the main thread leaves idle, while the main thread is the run's critical path.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * How much lower than the main thread the pools' workers run (the Unix nice increment). At 10 a
 * worker sharing a core with the main thread gets about a tenth of it (Linux CFS weights 1024 vs
 * 110), so the server is never slowed by the devices it is ahead of; an idle core still goes to the
 * workers at full speed. On 2 cores with 10 M phones this took the trigger bench from 74–84 s to
 * 68–80 s (three runs each, alternated).
 */
export const WORKER_NICE = 10;

/**
 * The calling thread's id as the kernel knows it (Linux: /proc/thread-self), or undefined where
 * threads have no such id.
 */
export function threadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes the calling thread `increment` nicer than it is (at most 19). Linux alone gives threads
 * their own nice value; elsewhere, or where it is not allowed, nothing changes (only speed is at
 * stake, never results). Returns the thread's nice value afterwards, or undefined when unchanged.
 */
export function lowerThreadPriority(increment = WORKER_NICE): number | undefined {
  if (process.platform !== 'linux') return undefined;
  const tid = threadId();
  if (tid === undefined || tid === process.pid) return undefined; // never the whole process from its main thread
  try {
    const to = Math.min(19, getPriority(tid) + increment);
    setPriority(tid, to);
    return getPriority(tid);
  } catch {
    return undefined;
  }
}
