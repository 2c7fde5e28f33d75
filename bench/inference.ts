/**
 * The inference pool on the shipped baseline model (2 s × 3 channels × 50 Hz): windows scored per
 * second and latency per batch, for batch sizes 1 to 1024, on 1 and 2 worker threads and on one
 * in-process session (no pool).
 */
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { loadModel } from '../src/detect/model.js';
import { InferencePool } from '../src/detect/inference/pool.js';
import { quantileSorted } from 'simple-statistics';
import type { Bench } from './harness.js';

export const inferenceBench: Bench = {
  name: 'inference',
  description: 'models/quake-baseline.onnx on the inference pool: windows/s and batch latency by batch size, threads 0 (in-process), 1, 2',
  async run(record) {
    const model = loadModel(join(PACKAGE_ROOT, 'models/quake-baseline.onnx'));
    const per = model.channels.length * model.samples;
    // Realistic windows: gravity on z and noise.
    const N = 65_536;
    const windows = new Float32Array(N * per);
    let seed = 1;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;
    for (let w = 0; w < N; w++) for (let c = 0; c < 3; c++) for (let i = 0; i < model.samples; i++) windows[w * per + c * model.samples + i] = (c === 2 ? 9.81 : 0) + 0.02 * rnd();
    const source = (count: number) => ({
      count,
      fill: (i: number, out: Float32Array, off: number) => out.set(windows.subarray((i % N) * per, (i % N + 1) * per), off),
      fillRange: (from: number, n: number, out: Float32Array) => {
        for (let k = 0; k < n;) {
          const at = (from + k) % N, take = Math.min(n - k, N - at);
          out.set(windows.subarray(at * per, (at + take) * per), k * per);
          k += take;
        }
      },
    });
    const best: Record<number, number> = {};
    for (const threads of [0, 1, 2]) {
      for (const batch of [1, 4, 16, 64, 256, 1024]) {
        const pool = new InferencePool([model], { threads, maxBatch: batch });
        await pool.start();
        await pool.score(model, source(Math.min(N, batch * 8))); // warm-up
        const count = Math.min(N, Math.max(2_000, batch * 64));
        const stats = pool.statsOf(model);
        stats.latencyMs.length = 0;
        const t0 = performance.now();
        await pool.score(model, source(count));
        const s = (performance.now() - t0) / 1000;
        await pool.close();
        const rate = count / s;
        const lat = [...stats.latencyMs].sort((a, b) => a - b);
        const name = threads === 0 ? 'in_process' : `threads${threads}`;
        record(`inference.${name}.batch${batch}.windows_per_s`, rate, 'windows/s');
        record(`inference.${name}.batch${batch}.latency_ms_p50`, quantileSorted(lat, 0.5), 'ms per batch');
        record(`inference.${name}.batch${batch}.latency_ms_p99`, quantileSorted(lat, 0.99), 'ms per batch');
        best[threads] = Math.max(best[threads] ?? 0, rate);
      }
    }
    record('inference.threads2_best_windows_per_s', best[2]!, 'windows/s');
    record('inference.pool2_vs_in_process', best[2]! / best[0]!, '× (best batch each)');
  },
};
