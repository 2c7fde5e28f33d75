/**
 * Per-device trigger thresholds: one value for every phone, or drawn per phone from a lognormal
 * (MyShake drew its phones' thresholds around 0.01 g). A phone's draw depends only on (seed, device),
 * so it is the same on every thread and in every run of the scenario.
 */
import * as z from 'zod';
import { probit } from 'simple-statistics';
import { componentKey, stableUniform, type Seed } from '../core/random.js';

/** `0.01`, or `{ median: 0.01, sigma: 0.3 }` (natural-log spread), in g. */
export const thresholdG = () =>
  z.union([
    z.number().min(0).describe('One threshold for every phone, g.'),
    z.strictObject({
      distribution: z.literal('lognormal').default('lognormal').describe('Each phone draws its threshold from a lognormal (the only distribution offered).'),
      median: z.number().positive().describe('Median threshold over the phones, g.'),
      sigma: z.number().min(0).max(2).describe('Spread of the threshold: standard deviation of its natural log (dimensionless).'),
    }).describe('A threshold drawn per phone: `{median, sigma}`.'),
  ]);

export type ThresholdG = z.output<ReturnType<typeof thresholdG>>;

/** Threshold of each device, g. */
export class DeviceThreshold {
  private readonly key: number;
  constructor(private readonly spec: ThresholdG, seed: Seed, component: string) {
    this.key = componentKey(seed, component);
  }

  of(d: number): number {
    const s = this.spec;
    if (typeof s === 'number') return s;
    return s.median * Math.exp(s.sigma * probit(stableUniform(this.key, d, 0)));
  }
}
