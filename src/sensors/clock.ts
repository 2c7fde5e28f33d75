/**
 * Phone clocks: each phone's clock is off by a constant offset and runs fast or slow by a drift
 * (ppm), both drawn per phone from its profile. Phones stamp their triggers with this clock.
 */
import { componentKey, stableUniform, type Seed } from '../core/random.js';
import type { PhoneProfile } from './profile.js';

/** A standard normal deviate from two stable uniforms (Box–Muller). */
export function stableNormal(key: number, id: number, salt: number): number {
  const u1 = stableUniform(key, id, 2 * salt), u2 = stableUniform(key, id, 2 * salt + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export class Clocks {
  private readonly key: number;
  private readonly phones: readonly PhoneProfile[];
  private readonly phone: Uint8Array;

  constructor(o: { seed: Seed; phones: readonly PhoneProfile[]; phone: Uint8Array }) {
    this.key = componentKey(o.seed, 'clock');
    this.phones = o.phones;
    this.phone = o.phone;
  }

  /** The last device asked about and its clock's offset (s) and drift (s per s): a phone stamps its messages one after another. */
  private cached = -1;
  private offset = 0;
  private drift = 0;

  /** What device d's clock reads at true time t. */
  time(d: number, t: number): number {
    if (d !== this.cached) {
      const c = this.phones[this.phone[d]!]!.clock;
      this.offset = c.offset * stableNormal(this.key, d, 0);
      this.drift = c.drift_ppm * 1e-6 * stableNormal(this.key, d, 1);
      this.cached = d;
    }
    return t + this.offset + this.drift * t;
  }
}
