/**
 * How many device worker threads a run gets when its user did not say: none for a run too small to
 * repay starting them, the machine's cores (at most four) otherwise. The outputs do not depend on it
 * (the determinism tests run the same scenarios on 0, 1 and 2 threads); only the wall time does.
 */
import { availableParallelism } from 'node:os';

/**
 * Below this single-thread estimate (`estimateRun(…, 1).wallSeconds`) a run is faster in the main
 * thread. Starting a device worker costs about 0.85 core-seconds on this 2-core machine (loading its
 * modules, the world and the response curves, and compiling the stages again), and the main thread
 * waits for the first epoch meanwhile. Measured 2026-12-01, wall seconds with 0 and 2 worker threads:
 * - signal: agreement/m65-sparse-pocket (estimate 2.5 s) 3.80 and 3.63, agreement/m55-dense-table
 *   (6.4 s) 4.67 and 4.43, agreement/m7-rupture (6.0 s) 11.4 and 8.2, potholes-monaco (18 s) 18.2
 *   and 11.4: break-even about 3 s;
 * - trigger (the `npm run bench -- trigger` scenario, 3 min): 20,000 phones (0.42 s) 2.0 and 3.8;
 *   100,000 (2.1 s) 3.9 and 6.4; 300,000 (6.3 s) 9.2 and 9.7; 1,000,000 (21 s) 18.3 and 16.2; the
 *   agreement scenarios in trigger mode (0.04–0.11 s) 0.8–1.2 and 2.1–2.5: break-even about 7 s,
 *   taken as 5 s.
 */
export const MAIN_THREAD_BELOW_S = { signal: 3, trigger: 5 } as const;

/** Most device worker threads a run gets by default (beyond four, the main thread's server and merges limit a run). */
export const DEFAULT_MAX_THREADS = 4;

export interface ThreadChoice {
  threads: number;
  /** Why, in a few words, for the estimate line. */
  reason: string;
}

/**
 * The device worker threads for a run whose single-thread estimate is `singleThreadSeconds`. Runs
 * with ONNX models keep their worker threads whatever their size: inference belongs on workers.
 */
export function chooseThreads(o: { singleThreadSeconds: number; fidelity: string; models: boolean; cores?: number }): ThreadChoice {
  const cores = Math.max(1, Math.min(o.cores ?? availableParallelism(), DEFAULT_MAX_THREADS));
  const below = o.fidelity === 'trigger' ? MAIN_THREAD_BELOW_S.trigger : MAIN_THREAD_BELOW_S.signal;
  if (o.models) return { threads: cores, reason: 'ONNX models run on worker threads' };
  if (o.singleThreadSeconds < below) return { threads: 0, reason: `under ${below} s in one thread, too short to repay starting workers` };
  return { threads: cores, reason: `CPU count, at most ${DEFAULT_MAX_THREADS}` };
}
