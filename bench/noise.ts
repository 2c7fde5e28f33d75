/** Raw cost of the Gaussian noise kernel that every sensor sample needs. */
import { fillGaussian, seedFastState } from '../src/core/random.js';
import type { Bench } from './harness.js';

export const noiseBench: Bench = {
  name: 'core.gaussian',
  description: 'ziggurat normal deviates from a xoshiro128** stream, blocks of 50 into a Float32Array',
  run(record) {
    const state = new Int32Array(4);
    seedFastState(state, 0, 1, 'bench');
    const out = new Float32Array(50);
    const reps = 2_000_000;
    for (let i = 0; i < reps / 10; i++) fillGaussian(state, 0, out, 0, 50, 1, 1); // warm up
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fillGaussian(state, 0, out, 0, 50, 1, 1, true);
    const s = (performance.now() - t0) / 1000;
    record('core.gaussian.draws_per_s', (reps * 50) / s, 'draws/s');
    record('core.gaussian.ns_per_draw', (s * 1e9) / (reps * 50), 'ns');
  },
};
