/**
 * Accelerometer rendering with every feature on (bias, instability, random walk, scale and
 * misalignment, low-pass, saturation, quantisation, dropped samples): samples per second per core,
 * and where the time goes (noise draws versus the rest of the model).
 */
import { ColumnSet } from '../src/core/columns.js';
import { fillGaussian, seedFastState } from '../src/core/random.js';
import { ImuModel, imuColumns } from '../src/sensors/imu.js';
import { phoneProfileSchema } from '../src/sensors/profile.js';
import type { Bench } from './harness.js';

export const ALL_FEATURES = phoneProfileSchema.parse({
  name: 'bench',
  accelerometer: {
    rate_hz: 100, noise_density_ug: 120, range_g: 8, resolution_bits: 16, bandwidth_hz: 40,
    bias: { constant: 20, turn_on: 5 }, bias_instability: { sigma: 40, correlation_time: 100 }, bias_random_walk: 2,
    scale_error_pct: 1, misalignment_mrad: 5, drop_probability: 0.001,
  },
});

export const sensorBench: Bench = {
  name: 'sensors.accelerometer',
  description: 'accelerometer model with every feature on, 100 Hz, 1 s blocks for 2,000 devices × 300 s, one core',
  run(record) {
    const devices = 2000, seconds = 300, n = 100;
    const cols = ColumnSet.allocate(devices, [{ name: 'phone', type: 'u8' }, ...imuColumns('accel')]);
    const model = new ImuModel('accel', { seed: 1, columns: cols, phones: [ALL_FEATURES] });
    const x = new Float32Array(n), y = new Float32Array(n), z = new Float32Array(n);
    const run = (secs: number) => {
      for (let d = 0; d < devices; d++) {
        for (let s = 0; s < secs; s++) {
          x.fill(0); y.fill(0); z.fill(9.80665);
          model.apply(d, n, 1, x, y, z);
        }
      }
    };
    run(5); // warm up
    const t0 = performance.now();
    run(seconds);
    const s = (performance.now() - t0) / 1000;
    const vectors = devices * seconds * n;
    record('sensors.accelerometer.samples_per_s', vectors / s, '3-axis samples/s');
    record('sensors.accelerometer.axis_samples_per_s', (3 * vectors) / s, 'axis samples/s');
    record('sensors.accelerometer.ns_per_sample', (s * 1e9) / vectors, 'ns per 3-axis sample');
    // Where the time goes: the three Gaussian draws alone.
    const st = new Int32Array(4);
    seedFastState(st, 0, 1, 'bench');
    const t1 = performance.now();
    for (let i = 0; i < devices * seconds; i++) {
      fillGaussian(st, 0, x, 0, n, 1, 1);
      fillGaussian(st, 0, y, 0, n, 1, 1);
      fillGaussian(st, 0, z, 0, n, 1, 1);
    }
    const g = (performance.now() - t1) / 1000;
    record('sensors.accelerometer.noise_share', g / s, 'fraction of the time in Gaussian draws');
  },
};
