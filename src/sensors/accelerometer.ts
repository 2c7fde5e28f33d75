/**
 * Accelerometer model: turns the specific force a phone experiences (device frame, m/s²) into what
 * its accelerometer reports — white noise at the profile's noise density, then range saturation.
 * Each device draws from its own stream (seed, `accelerometer`, device), seeded on first use.
 */
import { fillGaussian, seedFastState } from '../core/random.js';
import { G } from '../core/units.js';
import type { ColumnSpec } from '../core/columns.js';
import type { StageContext } from '../engine/types.js';
import { accelNoiseSigma } from './profile.js';

export const ACCELEROMETER_COLUMNS: ColumnSpec[] = [
  { name: 'accel.rng', type: 'i32', width: 4 },
  { name: 'accel.seeded', type: 'u8' },
];

export class AccelerometerModel {
  private readonly rng: Int32Array;
  private readonly seeded: Uint8Array;
  private readonly phone: Uint8Array;
  private readonly sigma: Float64Array;
  private readonly range: Float64Array;
  private readonly seed: StageContext['seed'];

  constructor(ctx: StageContext) {
    this.rng = ctx.columns.i32('accel.rng');
    this.seeded = ctx.columns.u8('accel.seeded');
    this.phone = ctx.columns.u8('phone');
    this.sigma = Float64Array.from(ctx.phones, (p) => accelNoiseSigma(p.accelerometer));
    this.range = Float64Array.from(ctx.phones, (p) => p.accelerometer.range_g * G);
    this.seed = ctx.seed;
  }

  /** Applies the sensor to device d's block of n samples in place. */
  apply(d: number, n: number, ax: Float32Array, ay: Float32Array, az: Float32Array): void {
    if (!this.seeded[d]) {
      seedFastState(this.rng, 4 * d, this.seed, 'accelerometer', d);
      this.seeded[d] = 1;
    }
    const p = this.phone[d]!;
    const sigma = this.sigma[p]!;
    fillGaussian(this.rng, 4 * d, ax, 0, n, 1, sigma, true);
    fillGaussian(this.rng, 4 * d, ay, 0, n, 1, sigma, true);
    fillGaussian(this.rng, 4 * d, az, 0, n, 1, sigma, true);
    const r = this.range[p]!;
    for (let i = 0; i < n; i++) {
      const x = ax[i]!, y = ay[i]!, z = az[i]!;
      ax[i] = x > r ? r : x < -r ? -r : x;
      ay[i] = y > r ? r : y < -r ? -r : y;
      az[i] = z > r ? r : z < -r ? -r : z;
    }
  }
}
